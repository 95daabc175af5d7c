"""The one tenant-scoping mechanism: django-scopes on every tenant-owned model.

A query on a tenant-owned model outside `tenant_scope(...)` (or an explicit
`scopes_disabled()`) raises ScopeError, so a view that forgets its tenant fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import get_scope

if TYPE_CHECKING:
    from theke.tenants.models import Tenant

__all__ = ["ScopeError", "TenantOwned", "TenantScopedManager", "scopes_disabled", "tenant_scope"]


class TenantScopedManager[M: models.Model](models.Manager[M]):
    """django-scopes' ScopedManager(tenant="tenant"), as a plain class the type checker sees."""

    def get_queryset(self) -> models.QuerySet[M]:
        current: dict[str, Any] = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        if current.get("tenant") is None:
            return DisabledQuerySet(self.model, using=self._db, missing_scopes={"tenant"})
        return super().get_queryset().filter(tenant=current["tenant"])

    def all(self) -> models.QuerySet[M]:
        # A DisabledQuerySet refuses .all(); calling it raises the ScopeError right here.
        queryset = super().all()
        if isinstance(queryset, DisabledQuerySet):
            return queryset.all()
        return queryset


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[None]:
    """Activate the scope of one tenant. None is refused: django-scopes would not filter."""
    if tenant is None or tenant.pk is None:
        raise ScopeError("tenant_scope() needs a saved tenant")
    with scope(tenant=tenant.pk):
        yield


class TenantOwned(models.Model):
    """Base of every domain row: it belongs to exactly one tenant."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="+", verbose_name=_("Mandant")
    )

    objects = TenantScopedManager()

    class Meta:
        abstract = True
