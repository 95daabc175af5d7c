"""The container catalog through the API: waste types, container types, typed containers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.api.services import create_api_key
from theke.audit.services import SYSTEM
from theke.customers.models import Asset, ContainerType, WasteType
from theke.customers.tests.test_api import BASE, post, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(client: Any) -> Callable[..., Any]:
    """api_as(tenant) -> the test client sending a real API key of that tenant."""

    def use(tenant: Any) -> Any:
        _key, plaintext = create_api_key(tenant, SYSTEM, "ERP")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
        return client

    return use


RUBBLE = {"name": "Bauschutt", "code": "17 01 07", "sort_order": 1}
SKIP = {
    "name": "Absetzcontainer",
    "volume_m3": "7",
    "variant": "offen",
    "order_kinds": ["withdrawal", "exchange"],
    "price": "189.00",
    "waste_type_external_ids": ["W-BS"],
}


def test_waste_type_put_creates_then_updates_and_reads_back(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    created = put(client, "/waste-types/W-BS", RUBBLE)
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "170107"
    updated = put(client, "/waste-types/W-BS", {"name": "Bauschutt mineralisch"})
    assert updated.status_code == 200
    assert updated.json()["code"] == "170107"
    read = client.get(f"{BASE}/waste-types/W-BS").json()
    assert read["name"] == "Bauschutt mineralisch" and read["sort_order"] == 1
    listed = client.get(f"{BASE}/waste-types").json()
    assert [w["external_id"] for w in listed] == ["W-BS"]


def test_bad_waste_code_is_a_problem(api_as: Any, tenant_a: Any) -> None:
    response = put(api_as(tenant_a), "/waste-types/W-X", {"name": "X", "code": "1701"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["path"] == "code"


def test_container_type_names_its_waste_types(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    put(client, "/waste-types/W-BS", RUBBLE)
    response = put(client, "/container-types/C-7", SKIP)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order_kinds"] == ["exchange", "withdrawal"]
    assert body["waste_type_external_ids"] == ["W-BS"]
    assert body["volume_m3"] == "7.00" and body["price"] == "189.00"
    # Left out: the waste types stay; an empty list clears them.
    without = {k: v for k, v in SKIP.items() if k != "waste_type_external_ids"}
    put(client, "/container-types/C-7", {**without, "price": None})
    assert client.get(f"{BASE}/container-types/C-7").json()["waste_type_external_ids"] == ["W-BS"]
    cleared = put(
        client, "/container-types/C-7", {**without, "price": None, "waste_type_external_ids": []}
    ).json()
    assert cleared["waste_type_external_ids"] == [] and cleared["price"] is None
    assert [c["external_id"] for c in client.get(f"{BASE}/container-types").json()] == ["C-7"]


def test_unknown_waste_type_reference_is_refused(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    put(client, "/waste-types/W-BS", RUBBLE)
    body = {**SKIP, "waste_type_external_ids": ["W-BS", "W-NOPE"]}
    response = put(client, "/container-types/C-7", body)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["path"] == "waste_type_external_ids.1" and error["code"] == "unknown"
    with scopes_disabled():
        assert not ContainerType.objects.exists()


def test_unknown_order_kind_is_refused(api_as: Any, tenant_a: Any) -> None:
    response = put(api_as(tenant_a), "/container-types/C-7", {**SKIP, "order_kinds": ["repair"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"].startswith("order_kinds")


def test_bulk_keeps_the_good_items(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    waste_items = [
        {"external_id": "W-BS", **RUBBLE},
        {"external_id": "W-AS", "name": "Asbest", "code": "17 06 05*"},
        {"external_id": "W-BAD", "name": "Kaputt", "code": "12345"},
    ]
    results = post(client, "/waste-types/bulk", {"items": waste_items}).json()["results"]
    assert [r["status"] for r in results] == ["created", "created", "error"]
    assert results[2]["errors"][0]["path"] == "items.2.code"
    container_items = [
        {"external_id": "C-7", **SKIP},
        {"external_id": "C-10", **SKIP, "waste_type_external_ids": ["W-BAD"]},
        {"external_id": "C-20", **SKIP, "volume_m3": "20", "waste_type_external_ids": []},
    ]
    response = post(client, "/container-types/bulk", {"items": container_items})
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "created"]
    assert results[1]["errors"][0]["path"] == "items.1.waste_type_external_ids.0"
    with scopes_disabled():
        assert WasteType.objects.filter(tenant=tenant_a).count() == 2
        assert set(ContainerType.objects.values_list("external_id", flat=True)) == {"C-7", "C-20"}


def test_asset_names_its_container_type_waste_type_and_placement(
    api_as: Any, tenant_a: Any
) -> None:
    client = api_as(tenant_a)
    put(client, "/customers/ERP-1", {"kind": "company", "company_name": "Bau GmbH"})
    put(client, "/waste-types/W-BS", RUBBLE)
    put(client, "/container-types/C-7", SKIP)
    body = {
        "customer_external_id": "ERP-1",
        "container_type_external_id": "C-7",
        "waste_type_external_id": "W-BS",
        "placed_on": "2026-11-30",
        "serial_number": "4711",
    }
    response = put(client, "/assets/A-1", body)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["container_type_external_id"] == "C-7"
    assert answer["waste_type_external_id"] == "W-BS"
    assert answer["placed_on"] == "2026-11-30" and answer["kind"] == ""
    unknown = put(client, "/assets/A-1", {**body, "waste_type_external_id": "W-NOPE"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["path"] == "waste_type_external_id"
    untyped = put(client, "/assets/A-2", {"customer_external_id": "ERP-1"})
    assert untyped.status_code == 422
    assert untyped.json()["errors"][0]["path"] == "kind"
    cleared = put(client, "/assets/A-1", {**body, "container_type_external_id": None})
    assert cleared.status_code == 422  # no container type and no kind
    with scopes_disabled():
        asset = Asset.objects.get(external_id="A-1")
    assert asset.container_type is not None and asset.waste_type is not None


def test_another_tenants_catalog_is_invisible(api_as: Any, tenant_a: Any, tenant_b: Any) -> None:
    put(api_as(tenant_a), "/waste-types/W-BS", RUBBLE)
    client = api_as(tenant_b)
    assert client.get(f"{BASE}/waste-types/W-BS").status_code == 404
    assert client.get(f"{BASE}/waste-types").json() == []
    response = put(client, "/container-types/C-7", SKIP)
    assert response.status_code == 422
