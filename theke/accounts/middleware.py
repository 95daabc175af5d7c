"""Resolve the staff user's active tenant and run the request inside its scope.

It lives in accounts, not tenants: the tenant comes from the user's memberships, and
`tenants` imports nothing above `core` and `audit`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django_scopes import scopes_disabled

from theke.accounts.models import Membership, Role
from theke.accounts.permissions import all_codes
from theke.tenants.scoping import tenant_scope

ACTIVE_TENANT_SESSION_KEY = "theke_tenant_id"


def active_memberships(user: Any) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
        .select_related("tenant", "role")
        .order_by("tenant__name")
    )


class TenantMiddleware:
    """Sets request.tenant, request.membership and request.memberships.

    Staff requests run inside `tenant_scope(request.tenant)`; requests without a tenant
    run without a scope, so any tenant-owned query there fails loudly. Superusers get the
    Django admin unscoped (platform operators manage all tenants there).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated and request.path.startswith("/admin/") and user.is_superuser:
            with scopes_disabled():
                return self.get_response(request)
        if user.is_authenticated:
            memberships = active_memberships(user)
            request.memberships = memberships  # type: ignore[attr-defined]
            wanted = request.session.get(ACTIVE_TENANT_SESSION_KEY)
            membership = next((m for m in memberships if m.tenant_id == wanted), None)
            membership = membership or (memberships[0] if memberships else None)
            if membership is not None:
                request.membership = membership  # type: ignore[attr-defined]
                request.tenant = membership.tenant  # type: ignore[attr-defined]
                user._theke_permissions = role_codes(membership.role)  # type: ignore[attr-defined]
                with tenant_scope(membership.tenant):
                    return self.get_response(request)
        return self.get_response(request)


def role_codes(role: Role) -> frozenset[str]:
    """What a role grants: the admin role every right declared now (also those a product
    brings later), any other role its stored codes."""
    return all_codes() if role.is_admin else frozenset(role.permissions)
