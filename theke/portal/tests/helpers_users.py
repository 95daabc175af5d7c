"""Helpers of the users area's tests: the invitation e-mails and their links."""

from __future__ import annotations

import re

from theke.messaging.models import OutboundMessage
from theke.portal.models import PortalUser
from theke.tenants.scoping import scopes_disabled

NEW_PASSWORD = "Container-Bestellung-2026"
LINK = re.compile(r"https?://\S+/portal/einladung/([\w-]+)/")


def invitations_to(email: str) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(
            OutboundMessage.objects.filter(purpose="portal_invitation", recipient=email).order_by(
                "pk"
            )
        )


def last_token(email: str) -> str:
    """The token of the newest invitation e-mail to the address."""
    found_messages = invitations_to(email)
    message = found_messages[-1] if found_messages else None
    assert message is not None, f"no invitation to {email}"
    found = LINK.search(message.body_text)
    assert found is not None, message.body_text
    return found.group(1)


def fresh(user: PortalUser) -> PortalUser:
    with scopes_disabled():
        return PortalUser.objects.select_related("account", "contact", "customer").get(pk=user.pk)
