"""The customer services report customers on the event feed, whoever changes them: staff in
the browser or the back office through the API, one event per change and none for a change
that was refused, rolled back or changed nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.api.services import create_api_key
from theke.audit.models import FeedEvent
from theke.audit.services import SYSTEM
from theke.customers import services
from theke.customers.models import Contact, Customer
from theke.customers.tests.conftest import Shop
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
CUSTOMER_FORM = {
    **{"kind": "company", "company_name": "Neu AG", "number": "N-1", "notes": ""},
    **{"last_name": "Neumann", "email": "info@neu.test"},
}


def feed(tenant: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    with scopes_disabled():
        events = FeedEvent.objects.filter(tenant=tenant).order_by("pk")
        return [(e.type, e.subject_type, e.external_id, e.payload) for e in events]


def feed_after(tenant: Any, action: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The events that `action()` added to the tenant's feed."""
    before = len(feed(tenant))
    action()
    return feed(tenant)[before:]


@pytest.fixture
def api(tenant_a: Any) -> Client:
    """A client of its own with tenant A's API key (the staff client keeps its session)."""
    with tenant_scope(tenant_a):
        _key, plaintext = create_api_key(tenant_a, SYSTEM, "ERP")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def put(client: Client, path: str, body: dict[str, Any]) -> Any:
    response = client.put(BASE + path, json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response


# --- staff in the browser -------------------------------------------------------------------


def test_staff_creating_a_customer_is_one_event_shaped_like_the_apis(
    owner_client: Any, tenant_a: Any, api: Client
) -> None:
    form = {**CUSTOMER_FORM, "external_id": "ERP-9"}
    staff = feed_after(tenant_a, lambda: owner_client.post(reverse("customers:create"), form))
    pushed = feed_after(
        tenant_a,
        lambda: put(api, "/customers/K-1", {"kind": "person", "last_name": "B", "number": "N-2"}),
    )
    assert staff == [("customer.created", "customer", "ERP-9", {"number": "N-1"})]
    assert pushed == [("customer.created", "customer", "K-1", {"number": "N-2"})]
    # The back office reads both the same way.
    events = api.get(f"{BASE}/events").json()["events"]
    assert [set(e) for e in events[-2:]] == [set(events[-1])] * 2


def test_staff_editing_a_customer_is_one_event_and_an_unchanged_save_none(
    owner_client: Any, shop: Shop, tenant_a: Any
) -> None:
    url = reverse("customers:edit", args=[shop.customer.pk])
    form = {"kind": "company", "company_name": "Müller & Söhne GmbH", "number": "K-1001"}
    form |= {"external_id": "ERP-77", "first_name": "Hans", "last_name": "Müller"}
    assert feed_after(tenant_a, lambda: owner_client.post(url, form)) == [
        ("customer.updated", "customer", "ERP-77", {"number": "K-1001"})
    ]
    assert feed_after(tenant_a, lambda: owner_client.post(url, form)) == []


def test_staff_deleting_a_customer_is_one_event_shaped_like_the_apis(
    owner_client: Any, shop: Shop, tenant_a: Any, api: Client
) -> None:
    url = reverse("customers:remove", args=[shop.other.pk])
    assert "wirklich entfernen" in owner_client.get(url).content.decode()
    assert feed_after(tenant_a, lambda: owner_client.get(url)) == []
    response = owner_client.post(url)
    assert response.url == reverse("customers:list")
    put(api, "/customers/K-1", {"kind": "person", "last_name": "B"})
    pushed = feed_after(tenant_a, lambda: api.delete(f"{BASE}/customers/K-1"))
    staff_event, api_event = [e for e in feed(tenant_a) if e[0] == "customer.deleted"]
    assert staff_event == ("customer.deleted", "customer", "", {})
    assert pushed == [api_event] == [("customer.deleted", "customer", "K-1", {})]
    with scopes_disabled():
        assert not Customer.objects.filter(pk=shop.other.pk).exists()


def test_a_refused_staff_delete_keeps_the_customer_and_emits_nothing(
    owner_client: Any, shop: Shop, tenant_a: Any
) -> None:
    url = reverse("customers:remove", args=[shop.customer.pk])  # still keeps a vehicle
    assert feed_after(tenant_a, lambda: owner_client.post(url)) == []
    page = owner_client.get(reverse("customers:detail", args=[shop.customer.pk]))
    assert page.status_code == 200
    with scopes_disabled():
        assert Customer.objects.filter(pk=shop.customer.pk).exists()


def test_refused_delete_tells_staff_why(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:remove", args=[shop.customer.pk])
    page = owner_client.post(url, follow=True).content.decode()
    assert "Der Kunde hat noch Fahrzeuge" in page


def test_techniker_cannot_delete_a_customer(techniker_client: Any, shop: Shop) -> None:
    url = reverse("customers:remove", args=[shop.other.pk])
    assert techniker_client.post(url).status_code == 403
    with scopes_disabled():
        assert Customer.objects.filter(pk=shop.other.pk).exists()


def test_staff_changing_contacts_is_one_customer_event_each(
    owner_client: Any, shop: Shop, tenant_a: Any
) -> None:
    pk, contact = shop.customer.pk, shop.contact.pk
    changed = {"first_name": "Hans", "last_name": "Müller", "email": "hm@x.de", "language": "de"}
    updated = ("customer.updated", "customer", "ERP-77", {"number": "K-1001"})
    for url, data in (
        (reverse("customers:contact_create", args=[pk]), {"last_name": "Neu", "language": "de"}),
        (reverse("customers:contact_edit", args=[pk, contact]), changed),
        (reverse("customers:contact_remove", args=[pk, contact]), {}),
    ):
        assert feed_after(tenant_a, lambda url=url, data=data: owner_client.post(url, data)) == [
            updated
        ], url


def test_staff_changing_a_vehicle_is_no_customer_event(
    owner_client: Any, shop: Shop, tenant_a: Any
) -> None:
    url = reverse("customers:location_create", args=[shop.customer.pk])
    form = {"street": "Weg 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}
    assert feed_after(tenant_a, lambda: owner_client.post(url, form)) == []


# --- services: one event per change, none for what did not happen ---------------------------


def test_a_rolled_back_service_call_leaves_no_event(in_a: Any, shop: Shop) -> None:
    class Undo(Exception):
        pass

    before = feed(in_a)
    with pytest.raises(Undo), transaction.atomic():
        services.create_customer(in_a, SYSTEM, last_name="Weg", external_id="K-X")
        services.update_customer(shop.other, SYSTEM, notes="geändert")
        services.add_contact(shop.other, SYSTEM, last_name="Weg")
        services.remove_customer(shop.other, SYSTEM)
        assert len(feed(in_a)) == len(before) + 4
        raise Undo
    assert feed(in_a) == before


def test_a_refused_change_leaves_no_event(in_a: Any, shop: Shop) -> None:
    before = feed(in_a)
    with pytest.raises(services.CustomerError):
        services.update_customer(shop.other, SYSTEM, number="K-1001")  # taken by shop.customer
    with pytest.raises(services.CustomerError):
        services.update_contact(shop.contact, SYSTEM, email="kein-at-zeichen")
    with pytest.raises(services.CustomerError):
        services.remove_customer(shop.customer, SYSTEM)  # still keeps a vehicle
    assert feed(in_a) == before


def test_unchanged_updates_emit_nothing(in_a: Any, shop: Shop) -> None:
    before = feed(in_a)
    services.update_customer(shop.customer, SYSTEM, number="K-1001", notes="")
    services.update_contact(shop.contact, SYSTEM, first_name="Hans", last_name="Müller")
    assert feed(in_a) == before


def test_an_upsert_with_contacts_is_one_event_per_customer(in_a: Any) -> None:
    contacts = [{"external_id": "C-1", "last_name": "Eins"}, {"last_name": "Ohne Id"}]
    items = [("K-1", {"last_name": "Berg", "contacts": contacts})]
    items.append(("K-2", {"last_name": "Kurz", "contacts": [{"last_name": "Zwei"}]}))
    created = feed_after(in_a, lambda: services.upsert_customers(in_a, SYSTEM, items))
    assert [(e[0], e[2]) for e in created] == [
        ("customer.created", "K-1"),
        ("customer.created", "K-2"),
    ]
    # Changes the customer, updates C-1, replaces the contact without id: still one event.
    again = [
        (
            "K-1",
            {
                "last_name": "Berg-Neu",
                "contacts": [
                    {"external_id": "C-1", "role": "Chef", "last_name": "Eins"},
                    {"last_name": "Neu"},
                ],
            },
        )
    ]
    updated = feed_after(in_a, lambda: services.upsert_customers(in_a, SYSTEM, again))
    assert [(e[0], e[2]) for e in updated] == [("customer.updated", "K-1")]
    stored = Contact.objects.filter(customer__external_id="K-1").order_by("pk")
    assert [(c.last_name, c.role) for c in stored] == [("Eins", "Chef"), ("Neu", "")]


def test_a_refused_upsert_item_emits_nothing_and_keeps_the_others(in_a: Any) -> None:
    items: list[tuple[str, dict[str, Any]]] = [
        ("K-1", {"last_name": "Gut"}),
        ("K-2", {"last_name": "Schlecht", "contacts": [{"last_name": "X", "email": "kaputt"}]}),
    ]
    events = feed_after(in_a, lambda: services.upsert_customers(in_a, SYSTEM, items))
    outcome = services.upsert_customers(in_a, SYSTEM, items[1:])[0]
    assert isinstance(outcome, services.CustomerError)
    assert (outcome.field, outcome.code) == ("contacts.0.email", "invalid_email")
    assert [(e[0], e[2]) for e in events] == [("customer.created", "K-1")]
    assert not Customer.objects.filter(external_id="K-2").exists()


def test_a_location_or_asset_keeps_its_customer(in_a: Any, shop: Shop) -> None:
    services.update_location(shop.location, SYSTEM, external_id="L-1")
    services.update_asset(shop.asset, SYSTEM, external_id="A-1")
    (location,) = services.upsert_locations(
        in_a, SYSTEM, [("L-1", {"customer": shop.other, "city": "Hamburg"})]
    )
    (asset,) = services.upsert_assets(in_a, SYSTEM, [("A-1", {"customer": shop.other})])
    for refusal in (location, asset):
        assert isinstance(refusal, services.CustomerError)
        assert (refusal.field, refusal.code) == ("customer", "immutable")
    shop.location.refresh_from_db()
    assert (shop.location.customer_id, shop.location.city) == (shop.customer.pk, "Berlin")


# --- the API: the same services, the same events as before -------------------------------


def test_an_api_upsert_with_contact_changes_is_one_event_per_customer(
    api: Client, tenant_a: Any
) -> None:
    contacts = [{"external_id": "C-1", "last_name": "Eins"}, {"last_name": "Ohne Id"}]
    body = {"last_name": "Berg", "number": "K-9", "contacts": contacts}
    assert feed_after(tenant_a, lambda: put(api, "/customers/K-1", body)) == [
        ("customer.created", "customer", "K-1", {"number": "K-9"})
    ]
    body["contacts"] = [{"external_id": "C-1", "last_name": "Eins", "role": "Chef"}]
    assert feed_after(tenant_a, lambda: put(api, "/customers/K-1", body)) == [
        ("customer.updated", "customer", "K-1", {"number": "K-9"})
    ]
    items = [{**body, "external_id": "K-1"}, {"external_id": "K-2", "last_name": "Neu"}]
    bulk = feed_after(
        tenant_a,
        lambda: api.post(
            f"{BASE}/customers/bulk", json.dumps({"items": items}), content_type="application/json"
        ),
    )
    assert [(e[0], e[2]) for e in bulk] == [
        ("customer.updated", "K-1"),
        ("customer.created", "K-2"),
    ]
