"""State changes of tenants and branches."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from theke.accounts.models import Role
from theke.accounts.permissions import DEFAULT_ROLES
from theke.audit.services import SYSTEM, Actor, record
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import tenant_scope


@transaction.atomic
def create_tenant(name: str, slug: str, actor: Actor = SYSTEM, **fields: Any) -> Tenant:
    """Create a tenant with the default roles (Admin, Serviceberater, Techniker, …)."""
    tenant = Tenant.objects.create(name=name, slug=slug, **fields)
    with tenant_scope(tenant):
        for role_name, codes in DEFAULT_ROLES.items():
            Role.objects.create(
                tenant=tenant,
                name=role_name,
                permissions=sorted(codes),
                is_admin=role_name == "Admin",
            )
        record(tenant, actor, "tenant.created", tenant, {"name": name, "slug": slug})
    return tenant


@transaction.atomic
def create_branch(tenant: Tenant, actor: Actor, name: str, **fields: Any) -> Branch:
    branch = Branch.objects.create(tenant=tenant, name=name, **fields)
    record(tenant, actor, "branch.created", branch, {"name": name})
    return branch
