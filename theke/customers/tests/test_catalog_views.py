"""Staff pages of the container catalog: lists, forms, deactivation, rights and tenancy."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_staff
from theke.audit.services import SYSTEM
from theke.customers import services
from theke.customers.models import ContainerType, WasteType
from theke.customers.tests.conftest import Shop
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_waste_type_form_shows_a_bad_code_at_its_field(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:waste_type_create")
    page = html(owner_client.post(url, {"name": "Asbest", "code": "17 06", "sort_order": "0"}))
    assert "sechs Ziffern" in page
    assert 'id="id_code"' in page and page.index("sechs Ziffern") > page.index('id="id_code"')
    response = owner_client.post(
        url, {"name": "Asbest", "code": "17 06 05*", "sort_order": "8", "is_active": "on"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        waste = WasteType.objects.get(name="Asbest")
    assert waste.code == "170605*" and waste.is_active
    listing = html(owner_client.get(reverse("customers:waste_type_list")))
    assert "17 06 05*" in listing and "gefährlicher Abfall" in listing
    edit = html(owner_client.get(reverse("customers:waste_type_edit", args=[waste.pk])))
    assert 'value="17 06 05*"' in edit


def test_container_type_form_keeps_kinds_and_waste_types(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:container_type_create")
    form = html(owner_client.get(url))
    assert "Gestellung" in form and "Bauschutt" in form
    data = {
        "name": "Absetzcontainer",
        "volume_m3": "7",
        "variant": "mit Deckel",
        "price": "215.00",
        "order_kinds": ["placement", "withdrawal"],
        "waste_types": [str(shop.waste_type.pk)],
        "is_active": "on",
    }
    assert owner_client.post(url, data).status_code == 302
    with scopes_disabled():
        container = ContainerType.objects.get(name="Absetzcontainer")
        assert container.order_kinds == ["placement", "withdrawal"]
        assert list(container.waste_types.all()) == [shop.waste_type]
    listing = html(owner_client.get(reverse("customers:container_type_list")))
    assert "Absetzcontainer 7 m³" in listing and "Gestellung, Abzug" in listing
    edit_url = reverse("customers:container_type_edit", args=[container.pk])
    page = html(owner_client.post(edit_url, {**data, "volume_m3": "0"}))
    assert "größer oder gleich 0.01" in page or "größer oder gleich 0,01" in page
    with scopes_disabled():
        assert ContainerType.objects.get(pk=container.pk).volume_m3 == 7


def test_deactivate_asks_first_then_keeps_the_row(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:container_type_deactivate", args=[shop.container_type.pk])
    assert "deaktivieren" in html(owner_client.get(url))
    assert owner_client.post(url).status_code == 302
    with scopes_disabled():
        assert not ContainerType.objects.get(pk=shop.container_type.pk).is_active
    url = reverse("customers:waste_type_deactivate", args=[shop.waste_type.pk])
    assert owner_client.post(url).status_code == 302
    with scopes_disabled():
        assert not WasteType.objects.get(pk=shop.waste_type.pk).is_active
    assert "inaktiv" in html(owner_client.get(reverse("customers:waste_type_list")))


def test_without_the_right_the_lists_are_read_only(client: Any, colleague: Any, shop: Shop) -> None:
    client.force_login(colleague)
    page = html(client.get(reverse("customers:container_type_list")))
    assert "Abrollcontainer" in page and "Neuer Behältertyp" not in page
    assert client.get(reverse("customers:container_type_create")).status_code == 403
    edit = reverse("customers:waste_type_edit", args=[shop.waste_type.pk])
    assert client.post(edit, {"name": "X"}).status_code == 403
    deactivate = reverse("customers:container_type_deactivate", args=[shop.container_type.pk])
    assert client.post(deactivate).status_code == 403
    with scopes_disabled():
        assert ContainerType.objects.get(pk=shop.container_type.pk).is_active


def test_disposition_keeps_the_catalog_by_default(client: Any, tenant_a: Any, shop: Shop) -> None:
    dispatcher = make_staff(tenant_a, "dispo@alpha.test", "Dora Dispo", "Disposition")
    client.force_login(dispatcher)
    assert client.get(reverse("customers:waste_type_create")).status_code == 200
    page = html(client.get(reverse("customers:container_type_list")))
    assert "Neuer Behältertyp" in page
    articles = html(client.get(reverse("customers:article_list")))
    assert reverse("customers:container_type_list") in articles  # reached from the articles
    assert reverse("customers:waste_type_list") in articles


def test_another_tenants_catalog_rows_are_404(outsider_client: Any, shop: Shop) -> None:
    for name, pk in (
        ("waste_type_edit", shop.waste_type.pk),
        ("waste_type_deactivate", shop.waste_type.pk),
        ("container_type_edit", shop.container_type.pk),
        ("container_type_deactivate", shop.container_type.pk),
    ):
        url = reverse(f"customers:{name}", args=[pk])
        assert outsider_client.get(url).status_code == 404, name
        assert outsider_client.post(url, {"name": "X"}).status_code == 404, name
    assert "Abrollcontainer" not in html(
        outsider_client.get(reverse("customers:container_type_list"))
    )
    with scopes_disabled():
        assert ContainerType.objects.get(pk=shop.container_type.pk).is_active


def test_customer_page_shows_the_container_type_waste_and_placement(
    owner_client: Any, shop: Shop
) -> None:
    with tenant_scope(shop.customer.tenant):
        services.update_asset(
            shop.asset,
            SYSTEM,
            container_type=shop.container_type,
            waste_type=shop.waste_type,
            placed_on=datetime.date(2026, 11, 30),
        )
    page = html(owner_client.get(reverse("customers:detail", args=[shop.customer.pk])))
    assert "Abrollcontainer 20 m³" in page
    assert "Bauschutt (17 01 07)" in page
    assert "Gestellt am 30.11.2026" in page


def test_asset_form_offers_the_catalog(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:asset_edit", args=[shop.customer.pk, shop.asset.pk])
    assert "Abrollcontainer 20 m³" in html(owner_client.get(url))
    data = {
        "container_type": str(shop.container_type.pk),
        "waste_type": str(shop.waste_type.pk),
        "kind": "",
        "placed_on": "2026-12-01",
        "serial_number": "C-9",
    }
    assert owner_client.post(url, data).status_code == 302
    with scopes_disabled():
        shop.asset.refresh_from_db()
    assert shop.asset.container_type_id == shop.container_type.pk
    assert shop.asset.placed_on == datetime.date(2026, 12, 1)
    page = html(owner_client.post(url, {**data, "container_type": ""}))
    assert "Bitte geben Sie den Typ oder einen Behältertyp an." in page
