"""HTTP-level tests of the customer-master API at /api/v1/, with real bearer API keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.api.services import create_api_key
from theke.audit.models import ActorType, AuditEvent
from theke.audit.services import SYSTEM
from theke.customers.models import Customer
from theke.customers.tests.conftest import VIN

BASE = "/api/v1"


@pytest.fixture
def api_as(client: Any) -> Callable[..., Any]:
    """api_as(tenant, name) -> a Django test client sending a real API key of that tenant."""

    def use(tenant: Any, name: str = "ERP") -> Any:
        key, plaintext = create_api_key(tenant, SYSTEM, name)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
        client.key = key
        return client

    return use


def put(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.put(BASE + path, json.dumps(body), content_type="application/json")


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(BASE + path, json.dumps(body), content_type="application/json")


CUSTOMER: dict[str, Any] = {
    "kind": "company",
    "company_name": "Kraft Bau GmbH",
    "number": "K-9",
    "contacts": [
        {"external_id": "C-1", "first_name": "Kai", "last_name": "Kraft", "email": "kai@kraft.test"}
    ],
}


def test_put_creates_customer_with_contacts_then_updates(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    response = put(client, "/customers/ERP-1", CUSTOMER)
    assert response.status_code == 201, response.content
    assert response.json()["contacts"][0]["email"] == "kai@kraft.test"

    changed = {**CUSTOMER, "company_name": "Kraft Hochbau GmbH"}
    changed["contacts"] = [{**CUSTOMER["contacts"][0], "role": "Chef"}]
    response = put(client, "/customers/ERP-1", changed)
    assert response.status_code == 200, response.content

    body = client.get(f"{BASE}/customers/ERP-1").json()
    assert body["company_name"] == "Kraft Hochbau GmbH"
    assert [(c["external_id"], c["role"]) for c in body["contacts"]] == [("C-1", "Chef")]
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant_a, external_id="ERP-1").count() == 1


def test_contacts_list_replaces_missing_ones(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    put(client, "/customers/ERP-1", CUSTOMER)
    other = {"external_id": "C-2", "last_name": "Neu"}
    response = put(client, "/customers/ERP-1", {"contacts": [other]})
    assert [c["external_id"] for c in response.json()["contacts"]] == ["C-2"]


def test_unknown_customer_is_404_problem(api_as: Any, tenant_a: Any) -> None:
    response = api_as(tenant_a).get(f"{BASE}/customers/nope")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_bad_email_names_the_nested_field(api_as: Any, tenant_a: Any) -> None:
    body = {**CUSTOMER, "contacts": [{"last_name": "X", "email": "not-an-address"}]}
    response = put(api_as(tenant_a), "/customers/ERP-1", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "contacts.0.email"
    with scopes_disabled():
        assert not Customer.objects.filter(external_id="ERP-1").exists()


def test_unknown_field_is_refused(api_as: Any, tenant_a: Any) -> None:
    response = put(api_as(tenant_a), "/customers/ERP-1", {**CUSTOMER, "colour": "red"})
    assert response.status_code == 422
    assert "colour" in response.content.decode()


def test_bad_vin_is_refused_with_its_path(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    put(client, "/customers/ERP-1", CUSTOMER)
    body = {"customer_external_id": "ERP-1", "vin": "WVWZZZ1JZXW00000I"}
    response = put(client, "/vehicles/V-1", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "vin"


def test_vehicle_location_asset_and_article_round_trip(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    put(client, "/customers/ERP-1", CUSTOMER)
    vehicle = {"customer_external_id": "ERP-1", "vin": VIN, "license_plate": "b-xy 1"}
    assert put(client, "/vehicles/V-1", vehicle).status_code == 201
    assert client.get(f"{BASE}/vehicles/V-1").json()["license_plate"] == "B-XY 1"
    location = {"customer_external_id": "ERP-1", "street": "Weg 1", "postal_code": "10115"}
    assert put(client, "/locations/L-1", {**location, "city": "Berlin"}).status_code == 201
    asset = {"customer_external_id": "ERP-1", "location_external_id": "L-1", "kind": "Mulde"}
    assert put(client, "/assets/A-1", asset).status_code == 201
    assert client.get(f"{BASE}/assets/A-1").json()["location_external_id"] == "L-1"
    article = {"number": "100", "text": "Ölwechsel", "price": "49.90", "vat_rate": "19"}
    assert put(client, "/articles/ART-1", article).status_code == 201
    response = put(client, "/articles/ART-1", {**article, "price": "59.90"})
    assert response.status_code == 200
    assert response.json()["price"] == "59.90"
    assert client.delete(f"{BASE}/customers/ERP-1").status_code == 409
    assert client.delete(f"{BASE}/vehicles/V-1").json()["result"] == "deleted"
    assert client.delete(f"{BASE}/customers/ERP-1").status_code == 200
    assert client.get(f"{BASE}/locations/L-1").status_code == 404


def test_other_tenant_cannot_see_or_change_ids(api_as: Any, tenant_a: Any, tenant_b: Any) -> None:
    put(api_as(tenant_a), "/customers/ERP-1", CUSTOMER)
    client_b = api_as(tenant_b)
    assert client_b.get(f"{BASE}/customers/ERP-1").status_code == 404
    response = put(client_b, "/customers/ERP-1", {**CUSTOMER, "company_name": "Beta Kunde"})
    assert response.status_code == 201
    with scopes_disabled():
        mine = Customer.objects.get(tenant=tenant_a, external_id="ERP-1")
        assert mine.company_name == "Kraft Bau GmbH"
        assert Customer.objects.get(tenant=tenant_b, external_id="ERP-1").company_name == (
            "Beta Kunde"
        )


def test_changes_are_audited_with_the_api_key(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a, name="Warenwirtschaft")
    put(client, "/customers/ERP-1", CUSTOMER)
    with scopes_disabled():
        event = AuditEvent.objects.get(tenant=tenant_a, action="customer.created")
    assert (event.actor_type, event.actor_id, event.actor_label) == (
        ActorType.API_KEY,
        str(client.key.pk),
        "Warenwirtschaft",
    )


def test_bulk_keeps_good_items_when_one_is_bad(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    put(client, "/customers/ERP-0", {"last_name": "Alt"})
    items = [
        {"external_id": "ERP-0", "last_name": "Neu"},
        {"external_id": "ERP-1", "last_name": "Eins"},
        {"external_id": "ERP-2", "last_name": "X", "contacts": [{"last_name": "Y", "email": "x"}]},
        {"external_id": "ERP-3", "last_name": "Drei", "colour": "red"},
        {"external_id": "ERP-4", "kind": "company"},
    ]
    response = post(client, "/customers/bulk", {"items": items})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["updated", "created", "error", "error", "error"]
    assert results[2]["errors"][0]["path"] == "items.2.contacts.0.email"
    assert results[3]["errors"][0]["path"] == "items.3.colour"
    assert results[4]["errors"][0]["path"] == "items.4.company_name"
    with scopes_disabled():
        stored = set(Customer.objects.filter(tenant=tenant_a).values_list("external_id", flat=True))
    assert stored == {"ERP-0", "ERP-1"}


def test_bulk_vehicles_report_bad_vin_path(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    put(client, "/customers/ERP-1", CUSTOMER)
    items = [
        {"external_id": "V-1", "customer_external_id": "ERP-1", "vin": VIN},
        {"external_id": "V-2", "customer_external_id": "ERP-1", "vin": "123"},
        {"external_id": "V-3", "customer_external_id": "unknown"},
    ]
    results = post(client, "/vehicles/bulk", {"items": items}).json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "error"]
    assert results[1]["errors"][0]["path"] == "items.1.vin"
    assert results[2]["errors"][0]["path"] == "items.2.customer_external_id"


def test_bulk_over_limit_is_413(api_as: Any, tenant_a: Any) -> None:
    items = [{"external_id": f"E-{i}", "last_name": "X"} for i in range(1001)]
    response = post(api_as(tenant_a), "/customers/bulk", {"items": items})
    assert response.status_code == 413
    with scopes_disabled():
        assert not Customer.objects.filter(tenant=tenant_a).exists()


def test_bulk_with_the_same_idempotency_key_runs_once(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    body = json.dumps({"items": [{"external_id": "IDEM-1", **CUSTOMER, "number": "K-IDEM"}]})
    first = client.post(
        BASE + "/customers/bulk", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        BASE + "/customers/bulk", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["results"][0]["status"] == "created"
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
