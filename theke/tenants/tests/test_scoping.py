"""The one tenant-scoping mechanism: every tenant-owned model refuses unscoped queries."""

import pytest
from django.apps import apps

from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import ScopeError, TenantOwned, scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db

TENANT_MODELS = [m for m in apps.get_models() if issubclass(m, TenantOwned)]


def test_every_domain_model_is_tenant_owned():
    unscoped = {
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in {"customers", "audit"} and not issubclass(m, TenantOwned)
    }
    assert unscoped == set()
    assert len(TENANT_MODELS) >= 9


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_unscoped_query_of_a_tenant_model_fails(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()
    with pytest.raises(ScopeError):
        model.objects.get(pk=1)


def test_scope_of_one_tenant_hides_rows_of_the_other(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        Branch.objects.create(tenant=tenant_a, name="Alpha Mitte")
    with tenant_scope(tenant_b):
        Branch.objects.create(tenant=tenant_b, name="Beta Nord")
        assert [b.name for b in Branch.objects.all()] == ["Beta Nord"]
        assert not Branch.objects.filter(name="Alpha Mitte").exists()
    with scopes_disabled():
        assert Branch.objects.count() == 2


def test_scope_needs_a_saved_tenant():
    with pytest.raises(ScopeError), tenant_scope(Tenant(name="x", slug="x")):
        pass
