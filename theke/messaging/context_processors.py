"""The unread counter of the staff inbox, for the bell in the navigation."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from theke.messaging.services.inbox import unread_count


class InboxBadge:
    """Counts lazily, once: pages that never show the bell (partials, downloads) pay nothing."""

    def __init__(self, user: Any, tenant: Any) -> None:
        self.user = user
        self.tenant = tenant

    @cached_property
    def count(self) -> int:
        return unread_count(self.user, self.tenant)

    @property
    def label(self) -> str:
        """The badge text: "" for none, the number up to nine, then "9+"."""
        count = self.count
        if count <= 0:
            return ""
        return "9+" if count > 9 else str(count)


def inbox(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or user is None or not user.is_authenticated:
        return {}
    return {"inbox_badge": InboxBadge(user, tenant)}
