"""The round trip of a portal order with the back office through the API: created -> event ->
the back office takes it over (id, planned date) -> e-mail with the date -> completed ->
follow-up order."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from theke.api.services import create_api_key
from theke.audit.feed import FeedEvent
from theke.audit.services import SYSTEM
from theke.customers.models import Asset
from theke.orders.models import Order
from theke.portal.services import shop
from theke.portal.tests.world import World
from theke.tenants.scoping import tenant_scope

BASE = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def api(world: World) -> Client:
    _key, plaintext = create_api_key(world.tenant, SYSTEM, "ERP")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def patch(api: Client, path: str, body: dict[str, Any]) -> Any:
    return api.patch(BASE + path, json.dumps(body), content_type="application/json")


def place(world: World, **values: Any) -> Order:
    with tenant_scope(world.tenant):
        day = shop.earliest_date(world.tenant, "BE", timezone.localdate())
        defaults: dict[str, Any] = {
            "waste_type": world.waste["bau"],
            "container_type": world.containers["mulde7"],
            "location": world.locations[1],
            "date": day,
            "note": "Einfahrt Hof",
        }
        defaults.update(values)
        return shop.place_container_order(world.admin, **defaults)


def test_round_trip(world: World, api: Client, django_capture_on_commit_callbacks: Any) -> None:
    with tenant_scope(world.tenant):
        world.customer.external_id = "K-1001"
        world.customer.save()
    placed = place(world, public_ground=True, permit=PDF)
    with tenant_scope(world.tenant):
        event = FeedEvent.objects.get(type="portal.order.created")
    assert event.payload["portal_order_id"] == placed.pk

    # The event feed serves it too.
    feed = api.get(BASE + "/events").json()
    created = [e for e in feed["events"] if e["type"] == "portal.order.created"]
    assert created and created[0]["payload"]["portal_order_id"] == placed.pk

    waiting = api.get(BASE + "/portal-orders").json()
    assert [item["portal_order_id"] for item in waiting] == [placed.pk]
    item = waiting[0]
    assert item["location"]["street"] == "Südring 5" and item["note"] == "Einfahrt Hof"
    assert item["container_type"]["name"] == "Absetzmulde 7 m³ offen"
    assert item["public_ground"] is True
    permit = api.get(item["permit_url"].replace("http://testserver", ""))
    assert permit.status_code == 200 and permit.getvalue() == PDF

    # Taking it over without an id is refused; with one it leaves the waiting list.
    assert patch(api, f"/portal-orders/{placed.pk}", {"status": "planned"}).status_code == 422
    mail.outbox.clear()
    planned = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = patch(
            api,
            f"/portal-orders/{placed.pk}",
            {"external_id": "AUF-77", "planned_date": planned, "status": "planned"},
        )
    assert response.status_code == 200, response.content
    assert response.json()["external_id"] == "AUF-77"
    assert api.get(BASE + "/portal-orders").json() == []
    assert [
        i["portal_order_id"] for i in api.get(BASE + "/portal-orders?assigned=true").json()
    ] == [placed.pk]
    dated = [m for m in mail.outbox if "Ausführung am" in m.subject]
    assert len(dated) == 1 and "eva.berg@bau-berg.test" in dated[0].to[0]

    # The same date again: no second e-mail. Then completed through the ordinary PUT.
    with django_capture_on_commit_callbacks(execute=True):
        patch(api, f"/portal-orders/{placed.pk}", {"planned_date": planned})
    assert len([m for m in mail.outbox if "Ausführung am" in m.subject]) == 1
    order = api.get(BASE + "/orders/AUF-77").json()
    assert order["origin"] == "portal" and order["portal_order_id"] == placed.pk
    assert order["container_type_external_id"] == ""  # the world's catalog has no ids
    response = api.put(
        BASE + "/orders/AUF-77",
        json.dumps(
            {
                "number": placed.number,
                "customer_external_id": "K-1001",
                "kind": "placement",
                "status": "completed",
                "planned_date": planned,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    with tenant_scope(world.tenant):
        placed.refresh_from_db()
        assert placed.completed_at is not None
        asset = Asset.objects.get(orders=placed)
        assert asset.placed_on == datetime.date.fromisoformat(planned)
        follow_up = shop.order_on_container(world.admin, asset, kind="emptying")
    assert follow_up.follows_id == placed.pk
    assert [i["portal_order_id"] for i in api.get(BASE + "/portal-orders").json()] == [follow_up.pk]
    assert api.get(BASE + "/portal-orders").json()[0]["follows_portal_order_id"] == placed.pk


def test_unreleased_orders_are_not_listed_and_ids_stay_unique(world: World, api: Client) -> None:
    waiting = place(
        world, location=None, new_location=shop.NewLocation("", "Weg 1", "14467", "Potsdam")
    )
    first = place(world)
    assert [i["portal_order_id"] for i in api.get(BASE + "/portal-orders").json()] == [first.pk]
    unreleased = api.get(BASE + "/portal-orders?released=false").json()
    assert [i["portal_order_id"] for i in unreleased] == [waiting.pk]
    assert patch(api, f"/portal-orders/{first.pk}", {"external_id": "AUF-1"}).status_code == 200
    response = patch(api, f"/portal-orders/{waiting.pk}", {"external_id": "AUF-1"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "duplicate"
    response = patch(api, f"/portal-orders/{first.pk}", {"external_id": "AUF-2"})
    assert response.status_code == 422
    assert patch(api, "/portal-orders/999999", {"external_id": "X"}).status_code == 404


def test_another_tenants_key_sees_no_portal_orders(world: World, tenant_b: Any) -> None:
    placed = place(world)
    _key, plaintext = create_api_key(tenant_b, SYSTEM, "ERP")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert other.get(BASE + "/portal-orders").json() == []
    assert other.get(f"{BASE}/portal-orders/{placed.pk}").status_code == 404
    assert patch(other, f"/portal-orders/{placed.pk}", {"external_id": "X"}).status_code == 404


def test_back_office_container_orders_carry_kind_and_catalog(world: World, api: Client) -> None:
    with tenant_scope(world.tenant):
        world.customer.external_id = "K-1001"
        world.customer.save()
        world.containers["mulde7"].external_id = "CT-7"
        world.containers["mulde7"].save()
        world.waste["bau"].external_id = "W-BAU"
        world.waste["bau"].save()
    response = api.put(
        BASE + "/orders/E-1",
        json.dumps(
            {
                "number": "E-1",
                "customer_external_id": "K-1001",
                "kind": "emptying",
                "container_type_external_id": "CT-7",
                "waste_type_external_id": "W-BAU",
                "status": "completed",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "emptying" and body["container_type_external_id"] == "CT-7"
    assert body["waste_type_external_id"] == "W-BAU" and body["completed_at"]
    response = api.put(
        BASE + "/orders/E-2",
        json.dumps(
            {"number": "E-2", "customer_external_id": "K-1001", "waste_type_external_id": "nope"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
