"""The container catalog: waste types, container types and the containers that name them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.customers import services
from theke.customers.models import ContainerType, WasteType
from theke.customers.services import CustomerError, catalog
from theke.customers.tests.conftest import Shop
from theke.customers.validators import format_waste_code, validate_waste_code
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["170107", "17 01 07", "170605*", "17 06 05*"])
def test_waste_codes_are_six_digits_optionally_hazardous(code: str) -> None:
    validate_waste_code(code)


@pytest.mark.parametrize("code", ["17010", "1701077", "17010a", "*170107", "170107**", "17-01-07"])
def test_other_waste_codes_are_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        validate_waste_code(code)


def test_waste_codes_are_printed_in_pairs() -> None:
    assert format_waste_code("170605*") == "17 06 05*"
    assert format_waste_code("170107") == "17 01 07"


def test_create_waste_type_stores_the_code_without_spaces(in_a: Any) -> None:
    waste = catalog.create_waste_type(in_a, SYSTEM, name="Asbest", code="17 06 05*")
    assert waste.code == "170605*"
    assert waste.is_hazardous
    assert str(waste) == "Asbest (17 06 05*)"
    event = AuditEvent.objects.get(action="waste_type.created")
    assert event.data["values"]["code"] == "170605*"


def test_bad_waste_code_is_refused_at_its_field(in_a: Any) -> None:
    with pytest.raises(CustomerError) as info:
        catalog.create_waste_type(in_a, SYSTEM, name="Bauschutt", code="17 01")
    assert info.value.field == "code"
    assert "sechs Ziffern" in info.value.messages[0]
    assert not WasteType.objects.exists()


def test_waste_type_needs_a_name(in_a: Any) -> None:
    with pytest.raises(CustomerError) as info:
        catalog.create_waste_type(in_a, SYSTEM, name="  ", code="170107")
    assert info.value.field == "name"


def test_update_without_changes_writes_no_event(in_a: Any) -> None:
    waste = catalog.create_waste_type(in_a, SYSTEM, name="Holz", code="170201")
    catalog.update_waste_type(waste, SYSTEM, name="Holz", code="17 02 01")
    assert not AuditEvent.objects.filter(action="waste_type.updated").exists()
    catalog.update_waste_type(waste, SYSTEM, name="Holz A I–III")
    event = AuditEvent.objects.get(action="waste_type.updated")
    assert event.data["changes"] == {"name": ["Holz", "Holz A I–III"]}


def test_deactivate_waste_type_once(in_a: Any) -> None:
    waste = catalog.create_waste_type(in_a, SYSTEM, name="Holz")
    catalog.deactivate_waste_type(waste, SYSTEM)
    catalog.deactivate_waste_type(waste, SYSTEM)
    waste.refresh_from_db()
    assert not waste.is_active
    assert AuditEvent.objects.filter(action="waste_type.deactivated").count() == 1


def _container(tenant: Any, **values: Any) -> ContainerType:
    defaults: dict[str, Any] = {"name": "Absetzcontainer", "volume_m3": "7", "variant": "offen"}
    return catalog.create_container_type(tenant, SYSTEM, **{**defaults, **values})


def test_container_type_keeps_its_order_kinds_in_catalog_order(in_a: Any) -> None:
    rubble = catalog.create_waste_type(in_a, SYSTEM, name="Bauschutt", code="170107")
    container = _container(
        in_a,
        order_kinds=["withdrawal", "exchange", "exchange", "placement"],
        price="189,5",
        waste_types=[rubble],
    )
    assert container.order_kinds == ["placement", "exchange", "withdrawal"]
    assert container.price == Decimal("189.50")
    assert container.allows("exchange") and not container.allows("emptying")
    assert container.order_kind_labels() == ["Gestellung", "Tausch", "Abzug"]
    assert list(container.waste_types.all()) == [rubble]
    assert str(container) == "Absetzcontainer 7 m³ offen"


def test_unknown_order_kind_is_refused(in_a: Any) -> None:
    with pytest.raises(CustomerError) as info:
        _container(in_a, order_kinds=["repair"])
    assert info.value.field == "order_kinds"
    assert not ContainerType.objects.exists()


@pytest.mark.parametrize("volume", ["0", "-1", "", "zehn"])
def test_container_type_needs_a_size(in_a: Any, volume: str) -> None:
    with pytest.raises(CustomerError) as info:
        _container(in_a, volume_m3=volume)
    assert info.value.field == "volume_m3"


def test_price_is_optional(in_a: Any) -> None:
    assert _container(in_a).price is None


def test_changing_the_waste_types_is_one_audited_change(in_a: Any) -> None:
    rubble = catalog.create_waste_type(in_a, SYSTEM, name="Bauschutt", code="170107")
    soil = catalog.create_waste_type(in_a, SYSTEM, name="Erdaushub", code="170504")
    container = _container(in_a, waste_types=[rubble])
    catalog.update_container_type(container, SYSTEM, waste_types=[rubble])
    assert not AuditEvent.objects.filter(action="container_type.updated").exists()
    catalog.update_container_type(container, SYSTEM, waste_types=[soil, rubble], price="99")
    event = AuditEvent.objects.get(action="container_type.updated")
    assert set(event.data["changes"]) == {"waste_types", "price"}
    assert set(container.waste_types.all()) == {rubble, soil}


def test_waste_type_of_another_tenant_is_refused(in_a: Any, tenant_b: Any) -> None:
    with tenant_scope(tenant_b):
        foreign = catalog.create_waste_type(tenant_b, SYSTEM, name="Bauschutt")
    with pytest.raises(CustomerError) as info:
        _container(in_a, waste_types=[foreign])
    assert info.value.field == "waste_types"


def test_deactivate_container_type(in_a: Any) -> None:
    container = catalog.deactivate_container_type(_container(in_a), SYSTEM)
    assert not container.is_active
    assert AuditEvent.objects.filter(action="container_type.deactivated").count() == 1


def test_upsert_waste_types_creates_updates_and_refuses_per_item(in_a: Any) -> None:
    outcomes = catalog.upsert_waste_types(
        in_a,
        SYSTEM,
        [
            ("W1", {"name": "Bauschutt", "code": "170107"}),
            ("W2", {"name": "Kaputt", "code": "12"}),
            ("W3", {"name": "Grünschnitt", "code": "200201"}),
        ],
    )
    assert [o[0] if isinstance(o, tuple) else "error" for o in outcomes] == [
        "created",
        "error",
        "created",
    ]
    again = catalog.upsert_waste_types(in_a, SYSTEM, [("W1", {"name": "Bauschutt mineralisch"})])
    assert isinstance(again[0], tuple) and again[0][0] == "updated"
    assert WasteType.objects.get(external_id="W1").name == "Bauschutt mineralisch"
    assert WasteType.objects.count() == 2


def test_upsert_container_types_by_external_id(in_a: Any) -> None:
    values = {"name": "Abrollcontainer", "volume_m3": Decimal("20"), "order_kinds": ["emptying"]}
    (first,) = catalog.upsert_container_types(in_a, SYSTEM, [("C20", values)])
    (second,) = catalog.upsert_container_types(in_a, SYSTEM, [("C20", {"price": "320.00"})])
    assert isinstance(first, tuple) and first[0] == "created"
    assert isinstance(second, tuple) and second[0] == "updated"
    stored = ContainerType.objects.get(external_id="C20")
    assert stored.price == Decimal("320.00") and stored.order_kinds == ["emptying"]


def test_a_container_names_its_type_waste_and_placement_date(in_a: Any, shop: Shop) -> None:
    rubble = catalog.create_waste_type(in_a, SYSTEM, name="Bauschutt", code="170107")
    container = _container(in_a)
    asset = services.add_asset(
        shop.customer,
        SYSTEM,
        location=shop.location,
        container_type=container,
        waste_type=rubble,
        placed_on=datetime.date(2026, 11, 30),
        serial_number="C-1",
    )
    assert asset.kind == ""
    assert asset.type_label == "Absetzcontainer 7 m³ offen"
    assert str(asset) == "Absetzcontainer 7 m³ offen C-1"
    services.update_asset(asset, SYSTEM, placed_on=datetime.date(2026, 12, 1))
    event = AuditEvent.objects.filter(action="asset.updated").latest("pk")
    assert event.data["changes"] == {"placed_on": ["2026-11-30", "2026-12-01"]}


def test_an_asset_without_type_still_needs_its_kind(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as info:
        services.add_asset(shop.customer, SYSTEM, size="7 m³")
    assert info.value.field == "kind"


def test_a_container_type_of_another_tenant_is_refused(
    in_a: Any, shop: Shop, tenant_b: Any
) -> None:
    with tenant_scope(tenant_b):
        foreign = _container(tenant_b)
    with pytest.raises(CustomerError) as info:
        services.add_asset(shop.customer, SYSTEM, container_type=foreign)
    assert info.value.field == "container_type"
