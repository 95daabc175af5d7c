"""Authentication by e-mail and password; permissions from the role in the active tenant."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class EmailTenantRoleBackend(ModelBackend):
    """ModelBackend with case-insensitive e-mail login and tenant-role permissions.

    The tenant middleware puts the active membership's permission codes on the user;
    `user.has_perm("estimates.manage")` answers from those. Django's own user and group
    permissions are not used for tenant work.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username:
            username = username.strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(getattr(user_obj, "_theke_permissions", frozenset()))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        prefix = f"{app_label}."
        return any(code.startswith(prefix) for code in self.get_all_permissions(user_obj))


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The login name django-axes counts failures for: the e-mail, trimmed and lower-case.

    Meant for AXES_USERNAME_CALLABLE, so that "Owner@X" and "owner@x" share one counter on
    every login form (the staff login form normalises already; the Django admin's does not).
    """
    source: Any = credentials if credentials else getattr(request, "POST", {})
    return str(source.get("username") or "").strip().lower()
