"""A branch's back-office id ("ID im Warenwirtschaftssystem"): the API's key for branches."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.tenants.models import Branch
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch, update_branch

from .test_staff_views import branch_data

pytestmark = pytest.mark.django_db


def test_external_id_is_unique_per_tenant_and_may_stay_empty(tenant_a: Any, tenant_b: Any) -> None:
    create_branch(tenant_a, SYSTEM, "Mitte", external_id=" 01 ")
    create_branch(tenant_b, SYSTEM, "Nord", external_id="01")
    create_branch(tenant_a, SYSTEM, "Süd")
    create_branch(tenant_a, SYSTEM, "West", external_id="")
    with pytest.raises(ServiceError) as error:
        create_branch(tenant_a, SYSTEM, "Ost", external_id="01")
    assert error.value.field == "external_id"
    assert error.value.messages == ["Es gibt bereits einen Betrieb mit der ID „01“."]
    with tenant_scope(tenant_a):
        assert Branch.objects.get(name="Mitte").external_id == "01"


def test_update_keeps_its_own_id_and_refuses_another_branchs(tenant_a: Any) -> None:
    mitte = create_branch(tenant_a, SYSTEM, "Mitte", external_id="01")
    create_branch(tenant_a, SYSTEM, "Süd", external_id="02")
    assert update_branch(mitte, SYSTEM, external_id="01", city="Berlin").external_id == "01"
    with pytest.raises(ServiceError):
        update_branch(mitte, SYSTEM, external_id="02")


def test_admin_sets_the_id_in_the_branch_form(owner_client: Any, tenant_a: Any) -> None:
    page = owner_client.get(reverse("tenants:branch_create")).content.decode()
    assert 'name="external_id"' in page
    response = owner_client.post(reverse("tenants:branch_create"), branch_data(external_id="B-7"))
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        assert Branch.objects.get(name="Alpha Mitte").external_id == "B-7"
    response = owner_client.post(
        reverse("tenants:branch_create"), branch_data("Alpha Nord", external_id="B-7")
    )
    assert response.status_code == 200
    assert "Es gibt bereits einen Betrieb mit der ID „B-7“." in response.content.decode()
