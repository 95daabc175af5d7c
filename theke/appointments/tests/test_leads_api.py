"""The REST API of leads and online booking: GET /leads (filters, cursor pages, tenants),
GET /leads/{uid}, GET /booking/services and /booking/slots, POST /leads (201, 409 with the
next slots, 422, booking switched off, idempotency) and the lead events in the feed."""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django_scopes import scopes_disabled

from theke.api.services import create_api_key, revoke_api_key
from theke.api.webhooks.services import event_body
from theke.appointments.models import (
    AdvisorWorkingHours,
    BookableService,
    BranchBooking,
    Lead,
    LeadStatus,
    ServiceAdvisor,
)
from theke.appointments.services.availability import free_slots
from theke.appointments.services.leads import save_transition
from theke.audit.models import ActorType, AuditEvent, FeedEvent
from theke.audit.services import SYSTEM
from theke.messaging.models import OutboundMessage
from theke.tenants.models import Branch, OpeningHours
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

from .conftest import BASE, BERLIN, Workshop, post

pytestmark = pytest.mark.django_db

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# Monday 2 November 2026, 07:00 in Berlin (winter time, +01:00).
NOW = datetime.datetime(2026, 11, 2, 7, 0, tzinfo=BERLIN)
MONDAY_10 = "2026-11-02T10:00:00+01:00"


def berlin(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@dataclass
class Booking:
    branch: Branch
    inspection: BookableService
    wheels: BookableService
    elsewhere: BookableService


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booking(tenant_a: Any, workshop: Workshop, frozen: None) -> Booking:
    """Branch B-1 open for online booking Mon–Fri 8–17, one advisor (the colleague) and
    three services, one of them offered only at another branch."""
    tenant_a.online_booking_enabled = True
    tenant_a.save(update_fields=["online_booking_enabled"])
    branch = workshop.branch
    other = create_branch(tenant_a, SYSTEM, "Alpha Nord", external_id="B-2")
    with tenant_scope(tenant_a):
        for weekday in range(5):
            OpeningHours.objects.create(
                tenant=tenant_a,
                branch=branch,
                weekday=weekday,
                opens=datetime.time(8),
                closes=datetime.time(17),
            )
        BranchBooking.objects.create(
            tenant=tenant_a, branch=branch, enabled=True, min_notice_hours=2, horizon_days=30
        )
        advisor = ServiceAdvisor.objects.create(
            tenant=tenant_a, branch=branch, user=workshop.advisor
        )
        for weekday in range(5):
            AdvisorWorkingHours.objects.create(
                tenant=tenant_a,
                advisor=advisor,
                weekday=weekday,
                starts=datetime.time(8),
                ends=datetime.time(17),
            )
        inspection = BookableService.objects.create(
            tenant=tenant_a, name="Inspektion", duration_minutes=60, price="189.00", position=1
        )
        wheels = BookableService.objects.create(
            tenant=tenant_a, name="Räderwechsel", duration_minutes=30, position=2
        )
        elsewhere = BookableService.objects.create(
            tenant=tenant_a, name="Klimaservice", duration_minutes=45, position=3
        )
        elsewhere.branches.set([other])
    return Booking(branch, inspection, wheels, elsewhere)


def make_lead(tenant: Any, branch: Branch, status: str = LeadStatus.NEW, **values: Any) -> Lead:
    with tenant_scope(tenant):
        return Lead.objects.create(
            tenant=tenant,
            branch=branch,
            status=status,
            start=values.pop("start", berlin(10, 9)),
            end=values.pop("end", berlin(10, 10)),
            last_name=values.pop("last_name", "Berg"),
            email=values.pop("email", "eva@example.com"),
            services_booked=[{"id": None, "name": "Inspektion", "minutes": 60, "price": "189.00"}],
            **values,
        )


def touched(lead: Lead, moment: datetime.datetime) -> Lead:
    """Set the lead's updated_at (auto_now would otherwise take the clock)."""
    with scopes_disabled():
        Lead.objects.filter(pk=lead.pk).update(updated_at=moment)
        lead.refresh_from_db()
    return lead


def lead_body(booking: Booking, **changes: Any) -> dict[str, Any]:
    return {
        "branch": "B-1",
        "service_ids": [booking.inspection.pk],
        "start": MONDAY_10,
        "salutation": "Frau",
        "first_name": "Eva",
        "last_name": "Berg",
        "email": "eva@example.com",
        "mobile_phone": "+491711234567",
        "postal_code": "10115",
        "vin": "WVWZZZ1JZXW000001",
        "license_plate": "B-EB 1",
        "make": "VW",
        "model": "Golf",
        "mileage_km": 48210,
        "note": "Bitte Bremsen prüfen",
        **changes,
    }


# --- GET /leads -------------------------------------------------------------------------------


def test_list_filters_by_status_and_updated_after(
    api_as: Any, tenant_a: Any, workshop: Workshop
) -> None:
    new = touched(make_lead(tenant_a, workshop.branch), berlin(1, 9))
    rejected = touched(make_lead(tenant_a, workshop.branch, LeadStatus.REJECTED), berlin(1, 10))
    gone = make_lead(tenant_a, workshop.branch, LeadStatus.CANCELLED_BY_CUSTOMER)
    gone = touched(gone, berlin(1, 11))
    client = api_as(tenant_a)

    def uids(query: str) -> list[str]:
        response = client.get(f"{BASE}/leads{query}")
        assert response.status_code == 200, response.content
        return [lead["uid"] for lead in response.json()["leads"]]

    assert uids("") == [str(new.uid), str(rejected.uid), str(gone.uid)]
    assert uids("?status=new") == [str(new.uid)]
    assert uids("?status=rejected&status=cancelled_by_customer") == [
        str(rejected.uid),
        str(gone.uid),
    ]
    assert uids("?updated_after=2026-11-01T09:30:00%2B01:00") == [str(rejected.uid), str(gone.uid)]
    assert uids("?status=new&updated_after=2026-11-01T09:30:00Z") == []


def test_list_refuses_unknown_status_and_time_without_offset(
    api_as: Any, tenant_a: Any, workshop: Workshop
) -> None:
    client = api_as(tenant_a)
    body = problem(client.get(f"{BASE}/leads?status=open"), 422)
    assert body["errors"][0]["path"] == "status.0"
    body = problem(client.get(f"{BASE}/leads?updated_after=2026-11-01T09:30:00"), 422)
    assert body["errors"][0]["path"] == "updated_after"
    assert "UTC offset" in body["errors"][0]["message"]


def test_list_pages_by_cursor_in_order_of_change(
    api_as: Any, tenant_a: Any, workshop: Workshop
) -> None:
    same_moment = berlin(1, 9)
    leads = [touched(make_lead(tenant_a, workshop.branch), same_moment) for _ in range(3)]
    leads += [touched(make_lead(tenant_a, workshop.branch), berlin(1, 10 + n)) for n in range(2)]
    client = api_as(tenant_a)

    seen: list[str] = []
    url = f"{BASE}/leads?limit=2"
    while True:
        page = client.get(url).json()
        seen += [lead["uid"] for lead in page["leads"]]
        if not page["has_more"]:
            break
        url = f"{BASE}/leads?limit=2&after={page['next_cursor']}"
    assert seen == [str(lead.uid) for lead in leads]

    # Polling on with the last cursor: nothing new, then the lead changed since comes again.
    cursor = page["next_cursor"]
    empty = client.get(f"{BASE}/leads?after={cursor}").json()
    assert empty == {"leads": [], "next_cursor": cursor, "has_more": False}
    touched(leads[0], berlin(1, 15))
    again = client.get(f"{BASE}/leads?after={cursor}").json()
    assert [lead["uid"] for lead in again["leads"]] == [str(leads[0].uid)]


def test_cursor_of_another_tenant_or_forged_is_refused(
    api_as: Any, tenant_a: Any, tenant_b: Any, workshop: Workshop
) -> None:
    touched(make_lead(tenant_a, workshop.branch), berlin(1, 9))
    cursor = api_as(tenant_a).get(f"{BASE}/leads").json()["next_cursor"]
    client_b = api_as(tenant_b)
    for forged in (cursor, "djE6MTox", "not a cursor"):
        body = problem(client_b.get(f"{BASE}/leads", {"after": forged}), 400)
        assert body["errors"][0]["path"] == "after"


def test_another_tenants_leads_stay_invisible(
    api_as: Any, tenant_a: Any, tenant_b: Any, workshop: Workshop
) -> None:
    lead = make_lead(tenant_a, workshop.branch)
    client_b = api_as(tenant_b)
    assert client_b.get(f"{BASE}/leads").json()["leads"] == []
    body = problem(client_b.get(f"{BASE}/leads/{lead.uid}"), 404)
    assert str(lead.uid) in body["detail"]
    problem(api_as(tenant_a).get(f"{BASE}/leads/{uuid.uuid4()}"), 404)
    problem(api_as(tenant_a).get(f"{BASE}/leads/not-a-uuid"), 422)


def test_read_one_lead_with_every_field(api_as: Any, tenant_a: Any, workshop: Workshop) -> None:
    lead = make_lead(
        tenant_a,
        workshop.branch,
        first_name="Eva",
        customer_number="K-77",
        mobile_phone="+491711234567",
        vin="WVWZZZ1JZXW000001",
        mileage_km=48210,
        note="Bitte Bremsen prüfen",
    )
    body = api_as(tenant_a).get(f"{BASE}/leads/{lead.uid}").json()
    assert body["uid"] == str(lead.uid)
    assert body["status"] == "new"
    assert body["branch_id"] == workshop.branch.pk and body["branch_external_id"] == "B-1"
    assert body["start"] == "2026-11-10T08:00:00.000Z"
    assert body["end"] == "2026-11-10T09:00:00.000Z"
    assert body["services"] == [
        {"id": None, "name": "Inspektion", "minutes": 60, "price": "189.00"}
    ]
    assert body["customer_number"] == "K-77" and body["customer_external_id"] is None
    assert body["mobile_phone"] == "+491711234567" and body["vin"] == "WVWZZZ1JZXW000001"
    assert body["license_plate"] is None and body["mileage_km"] == 48210
    assert body["consent"] == {"terms_version": None, "privacy_version": None, "consented_at": None}
    assert body["appointment_uid"] is None
    assert TIMESTAMP.match(body["created_at"]) and TIMESTAMP.match(body["updated_at"])


def test_every_key_of_the_tenant_reads_leads_and_a_revoked_one_none(
    client: Any, tenant_a: Any, workshop: Workshop
) -> None:
    """API keys have no scopes: any active key of the tenant may read and book."""
    make_lead(tenant_a, workshop.branch)
    with tenant_scope(tenant_a):
        key, plaintext = create_api_key(tenant_a, SYSTEM, "Website")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    assert len(client.get(f"{BASE}/leads").json()["leads"]) == 1
    with tenant_scope(tenant_a):
        revoke_api_key(key, SYSTEM)
    problem(client.get(f"{BASE}/leads"), 401)
    problem(client.get(f"{BASE}/booking/services"), 401)


# --- GET /booking/... -------------------------------------------------------------------------


def test_bookable_services_of_a_branch(api_as: Any, tenant_a: Any, booking: Booking) -> None:
    client = api_as(tenant_a)
    everything = client.get(f"{BASE}/booking/services").json()
    assert [s["name"] for s in everything] == ["Inspektion", "Räderwechsel", "Klimaservice"]
    assert everything[0] == {
        "id": booking.inspection.pk,
        "name": "Inspektion",
        "description": "",
        "duration_minutes": 60,
        "price": "189.00",
        "branch_ids": [],
    }
    at_b1 = client.get(f"{BASE}/booking/services?branch=B-1").json()
    assert [s["name"] for s in at_b1] == ["Inspektion", "Räderwechsel"]
    by_id = client.get(f"{BASE}/booking/services?branch={booking.branch.pk}").json()
    assert by_id == at_b1
    body = problem(client.get(f"{BASE}/booking/services?branch=B-9"), 422)
    assert body["errors"][0]["path"] == "branch"


def test_free_slots_for_the_services_total_duration(
    api_as: Any, tenant_a: Any, booking: Booking
) -> None:
    client = api_as(tenant_a)
    query = f"branch=B-1&services={booking.inspection.pk}&services={booking.wheels.pk}"
    response = client.get(f"{BASE}/booking/slots?{query}&from=2026-11-02&days=2")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["branch_id"] == booking.branch.pk and body["branch_external_id"] == "B-1"
    assert body["duration_minutes"] == 90
    with tenant_scope(tenant_a):
        expected = free_slots(booking.branch, 90, first_day=datetime.date(2026, 11, 2), days=2)
    assert expected
    assert [slot["start"] for slot in body["slots"]] == [
        slot.start.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z") for slot in expected
    ]
    # Minimum notice of two hours from 07:00: the first slot is at 09:00 (08:00 UTC).
    assert body["slots"][0] == {
        "start": "2026-11-02T08:00:00.000Z",
        "end": "2026-11-02T09:30:00.000Z",
    }


def test_free_slots_refusals(
    api_as: Any, tenant_a: Any, booking: Booking, workshop: Workshop
) -> None:
    client = api_as(tenant_a)
    body = problem(
        client.get(f"{BASE}/booking/slots?branch=B-1&services={booking.elsewhere.pk}"), 422
    )
    assert body["errors"][0]["path"] == "services"
    assert str(booking.elsewhere.pk) in body["detail"]
    problem(client.get(f"{BASE}/booking/slots?branch=B-1"), 422)  # services required
    problem(client.get(f"{BASE}/booking/slots?branch=B-1&services=x"), 422)
    body = problem(client.get(f"{BASE}/booking/slots?branch=B-1&services=1&days=0"), 422)
    assert body["errors"][0]["path"] == "days"

    tenant_a.online_booking_enabled = False
    tenant_a.save(update_fields=["online_booking_enabled"])
    body = problem(
        client.get(f"{BASE}/booking/slots?branch=B-1&services={booking.inspection.pk}"), 409
    )
    assert body["type"] == "urn:theke:problem:booking-disabled"
    assert body["title"] == "Online booking is not enabled"


# --- POST /leads ------------------------------------------------------------------------------


def test_post_books_a_lead_and_the_feed_reports_it(
    api_as: Any, tenant_a: Any, booking: Booking
) -> None:
    client = api_as(tenant_a)
    response = post(client, "/leads", lead_body(booking))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new"
    assert body["start"] == "2026-11-02T09:00:00.000Z" and body["end"] == "2026-11-02T10:00:00.000Z"
    assert body["services"] == [
        {"id": booking.inspection.pk, "name": "Inspektion", "minutes": 60, "price": "189.00"}
    ]
    assert body["last_name"] == "Berg" and body["vin"] == "WVWZZZ1JZXW000001"
    assert body["consent"]["consented_at"] is None  # the caller answers for the consent
    with tenant_scope(tenant_a):
        lead = Lead.objects.get(uid=body["uid"])
        audit = AuditEvent.objects.get(action="lead.created", object_id=str(lead.pk))
        mail = OutboundMessage.objects.get(recipient="eva@example.com")
    assert lead.consented_at is None and lead.terms_text is None and lead.privacy_text is None
    assert lead.branch == booking.branch
    assert audit.actor_type == ActorType.API_KEY  # booked by the key, not by the customer
    assert mail.channel == "email"  # "Anfrage erhalten", with the link to view or cancel

    assert client.get(f"{BASE}/leads/{lead.uid}").json() == body
    events = client.get(f"{BASE}/events").json()["events"]
    created = [event for event in events if event["type"] == "lead.created"]
    assert len(created) == 1 and created[0]["subject_type"] == "lead"
    assert created[0]["payload"]["uid"] == body["uid"]
    assert created[0]["payload"]["start"] == body["start"]


def test_post_a_taken_slot_answers_409_with_the_next_free_slots(
    api_as: Any, tenant_a: Any, booking: Booking
) -> None:
    client = api_as(tenant_a)
    assert post(client, "/leads", lead_body(booking)).status_code == 201
    body = problem(post(client, "/leads", lead_body(booking, last_name="Schulz")), 409)
    assert body["type"] == "urn:theke:problem:slot-taken"
    assert body["next_slots"], body
    for slot in body["next_slots"]:
        assert TIMESTAMP.match(slot["start"]) and TIMESTAMP.match(slot["end"])
        assert slot["start"] >= "2026-11-02T10:00:00.000Z"  # none overlaps the taken hour
    with tenant_scope(tenant_a):
        assert Lead.objects.count() == 1


def test_post_bad_input_is_422_naming_the_fields(
    api_as: Any, tenant_a: Any, booking: Booking
) -> None:
    client = api_as(tenant_a)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"last_name": None}, "last_name"),
        ({"last_name": "   "}, "last_name"),
        ({"start": "2026-11-02T10:00:00"}, "start"),
        ({"service_ids": []}, "service_ids"),
        ({"service_ids": [booking.elsewhere.pk]}, "service_ids"),
        ({"service_ids": [booking.wheels.pk, booking.wheels.pk]}, "service_ids"),
        ({"branch": "B-9"}, "branch"),
        ({"mileage_km": "5"}, "mileage_km"),
        ({"first_name": "Eva\nBerg"}, "first_name"),
        ({"colour": "rot"}, "colour"),
        ({"vin": "", "license_plate": ""}, "vin"),
        ({"note": "x" * 2001}, "note"),
    ]
    for change, path in cases:
        data = lead_body(booking, **change)
        if change.get("last_name", "") is None:
            del data["last_name"]
        body = problem(post(client, "/leads", data), 422)
        assert path in [error["path"] for error in body["errors"]], (change, body)
        assert all(error["message"] for error in body["errors"])
    with tenant_scope(tenant_a):
        assert not Lead.objects.exists()


def test_post_where_booking_is_switched_off_is_409(
    api_as: Any, tenant_a: Any, booking: Booking
) -> None:
    with tenant_scope(tenant_a):
        BranchBooking.objects.filter(branch=booking.branch).update(enabled=False)
    body = problem(post(api_as(tenant_a), "/leads", lead_body(booking)), 409)
    assert body["type"] == "urn:theke:problem:booking-disabled"
    assert "Alpha Mitte" in body["detail"]


def test_post_with_idempotency_key_books_once(api_as: Any, tenant_a: Any, booking: Booking) -> None:
    client = api_as(tenant_a)
    first = post(client, "/leads", lead_body(booking), **{"Idempotency-Key": "lead-1"})
    again = post(client, "/leads", lead_body(booking), **{"Idempotency-Key": "lead-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    with tenant_scope(tenant_a):
        assert Lead.objects.count() == 1


# --- events, the document ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (LeadStatus.REJECTED, "lead.rejected"),
        (LeadStatus.CANCELLED_BY_CUSTOMER, "lead.cancelled_by_customer"),
        (LeadStatus.PLANNED, "lead.converted"),
    ],
)
def test_lead_events_carry_the_lead_in_the_one_timestamp_format(
    api_as: Any, tenant_a: Any, workshop: Workshop, status: str, event: str
) -> None:
    lead = make_lead(tenant_a, workshop.branch)
    with tenant_scope(tenant_a):
        save_transition(lead, status, SYSTEM, action=event, event=event)
    client = api_as(tenant_a)
    [found] = [e for e in client.get(f"{BASE}/events").json()["events"] if e["type"] == event]
    payload = found["payload"]
    assert payload["uid"] == str(lead.uid) and payload["status"] == status
    assert payload["start"] == "2026-11-10T08:00:00.000Z"
    assert TIMESTAMP.match(payload["updated_at"])
    # The event says what GET /leads/{uid} said at that moment.
    assert payload == client.get(f"{BASE}/leads/{lead.uid}").json()
    with scopes_disabled():
        webhook = json.loads(event_body(FeedEvent.objects.get(type=event)))
    assert webhook["type"] == event and webhook["data"]["payload"] == payload


def test_openapi_lists_the_lead_and_booking_operations(client: Any) -> None:
    document = client.get(f"{BASE}/openapi.json").json()
    operations = {
        operation["operationId"]: operation
        for methods in document["paths"].values()
        for operation in methods.values()
    }
    for operation_id in (
        "list_leads",
        "get_lead",
        "create_lead",
        "list_bookable_services",
        "list_free_slots",
    ):
        assert operations[operation_id]["summary"], operation_id
        assert operations[operation_id]["description"], operation_id
    assert "409" in operations["create_lead"]["responses"]
    assert "slot-taken" in operations["create_lead"]["description"]
    assert set(document["paths"][f"{BASE}/leads"]) == {"get", "post"}
