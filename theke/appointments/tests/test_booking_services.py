"""Booking online and the customer's cancellation (services/booking.py): the happy path,
every refusal, the consent versions, the e-mails, the link kind, the cut-off, a planned lead,
and the race for the last free place of a slot (PostgreSQL)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django_scopes import scopes_disabled

from theke.appointments.models import Appointment, AppointmentStatus, Lead, LeadStatus
from theke.appointments.services import booking, create_appointment
from theke.appointments.services.leads import LeadError, save_transition
from theke.audit.models import AuditEvent, FeedEvent
from theke.audit.services import SYSTEM
from theke.core.tests.concurrency import run_at_once
from theke.customers import links as customer_links
from theke.customers import services as customers
from theke.customers.models import CustomerLink
from theke.messaging.models import OutboundMessage
from theke.tenants.models import LegalTextKind
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import publish_legal_text

from .booking_fixtures import Bookable, at, booking_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def base_url(settings: Any) -> None:
    settings.BASE_URL = "https://theke.example"


def outbox(purpose: str) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(purpose=purpose).order_by("pk"))


def token_of(message: OutboundMessage) -> str:
    line = next(line for line in message.body_text.splitlines() if "/anfrage/" in line)
    return line.strip().rstrip("/").split("/anfrage/")[1]


# --- book -------------------------------------------------------------------------------------


def test_booking_creates_a_new_lead_with_the_services_as_booked(bookable: Bookable) -> None:
    lead = booking.book(bookable.branch, booking_request(bookable))
    assert lead.status == LeadStatus.NEW
    assert lead.start == bookable.slot
    assert lead.end == bookable.slot + datetime.timedelta(minutes=60)
    assert lead.advisor_id == bookable.advisor.pk
    assert lead.services_booked == [
        {"id": bookable.inspection.pk, "name": "Inspektion", "minutes": 60, "price": "189.00"}
    ]
    assert lead.license_plate == "B-EB 123" and lead.mobile_phone == "+4915123456789"
    assert "eva" in lead.search_text and "inspektion" in lead.search_text
    with tenant_scope(bookable.tenant):
        assert list(lead.services.all()) == [bookable.inspection]


def test_two_services_take_the_sum_of_their_durations(bookable: Bookable) -> None:
    ids = [bookable.inspection.pk, bookable.wheels.pk]
    lead = booking.book(bookable.branch, booking_request(bookable, service_ids=ids))
    assert lead.duration_minutes == 90
    assert [s["name"] for s in lead.services_booked] == ["Inspektion", "Räderwechsel"]


def test_booking_is_audited_and_emitted(bookable: Bookable) -> None:
    lead = booking.book(bookable.branch, booking_request(bookable))
    with scopes_disabled():
        event = FeedEvent.objects.get(type="lead.created")
        audit = AuditEvent.objects.get(action="lead.created")
    assert event.subject_type == "lead" and event.payload["uid"] == str(lead.uid)
    assert event.payload["license_plate"] == "B-EB 123"
    assert event.payload["branch_external_id"] == "B-1"
    assert audit.object_id == str(lead.pk) and audit.actor_label == "Eva Berg"


def test_consent_stores_the_versions_shown(bookable: Bookable) -> None:
    default = booking.book(bookable.branch, booking_request(bookable))
    assert default.consented_at is not None
    assert default.terms_text is None and default.privacy_text is None  # Theke's defaults
    with tenant_scope(bookable.tenant):
        terms = publish_legal_text(bookable.tenant, SYSTEM, LegalTextKind.TERMS, "AGB v1")
        privacy = publish_legal_text(bookable.tenant, SYSTEM, LegalTextKind.PRIVACY, "DS v1")
    later = booking.book(
        bookable.branch,
        booking_request(bookable, start=at(bookable.day, 11), terms_version=1, privacy_version=1),
    )
    assert later.terms_text == terms and later.privacy_text == privacy


def test_consent_to_a_replaced_text_is_refused(bookable: Bookable) -> None:
    with tenant_scope(bookable.tenant):
        publish_legal_text(bookable.tenant, SYSTEM, LegalTextKind.PRIVACY, "DS v1")
    with pytest.raises(LeadError) as refused:
        booking.book(bookable.branch, booking_request(bookable, privacy_version=0))
    assert refused.value.code == "legal_text_changed"


def test_the_customer_gets_anfrage_erhalten_with_the_link(bookable: Bookable) -> None:
    lead = booking.book(bookable.branch, booking_request(bookable))
    [message] = outbox("booking_received")
    assert message.recipient == "eva@kunde.test"
    assert message.subject.startswith("Anfrage erhalten: Ihr Termin am ")
    assert "09:00" in message.subject
    text = message.body_text
    assert text.startswith("Guten Tag Frau Berg,")
    assert "Leistungen: Inspektion" in text and "Volkswagen Golf, B-EB 123" in text
    assert "Alpha Mitte, Hauptstraße 1, 10115 Berlin" in text and "030 7654321" in text
    token = token_of(message)
    assert f"https://theke.example/anfrage/{token}/" in text
    found = booking.find_lead_link(token)
    assert found.state == customer_links.LinkState.VALID and found.lead == lead
    with scopes_disabled():
        link = CustomerLink.objects.get(kind="lead")
    assert link.object_id == str(lead.uid) and link.expires_at > lead.end


def test_english_customers_get_the_english_text(bookable: Bookable) -> None:
    booking.book(bookable.branch, booking_request(bookable, language="en"))
    [message] = outbox("booking_received")
    assert message.subject.startswith("Request received: your appointment on")
    assert message.body_text.startswith("Dear Ms Berg,")


def test_the_link_kind_lead_is_registered() -> None:
    kind = customer_links.get_kind("lead")
    assert kind.url_name == "lead_pages:page"
    assert str(kind.label) == "Terminanfrage"


def test_booking_refused_when_switched_off_for_the_tenant(bookable: Bookable) -> None:
    bookable.tenant.online_booking_enabled = False
    bookable.tenant.save()
    with pytest.raises(LeadError) as refused:
        booking.book(bookable.branch, booking_request(bookable))
    assert refused.value.code == "booking_disabled"
    assert "keine Termine online" in refused.value.messages[0]


def test_booking_refused_when_switched_off_for_the_branch(bookable: Bookable) -> None:
    with tenant_scope(bookable.tenant):
        bookable.branch.booking.enabled = False
        bookable.branch.booking.save()
    with pytest.raises(LeadError) as refused:
        booking.book(bookable.branch, booking_request(bookable))
    assert refused.value.code == "booking_disabled"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"service_ids": []}, "services", "required"),
        ({"last_name": " "}, "last_name", "required"),
        ({"email": "kein-at"}, "email", "invalid"),
        ({"license_plate": "", "vin": ""}, "vin", "vehicle_required"),
        ({"mobile_phone": "12"}, "mobile_phone", "invalid"),
        ({"consent": False}, "consent", "terms_required"),
    ],
)
def test_incomplete_requests_are_refused_naming_the_field(
    bookable: Bookable, changes: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(LeadError) as refused:
        booking.book(bookable.branch, booking_request(bookable, **changes))
    assert (refused.value.field, refused.value.code) == (field, code)
    with scopes_disabled():
        assert not Lead.objects.exists()


def test_a_service_of_another_branch_is_refused(bookable: Bookable) -> None:
    with pytest.raises(LeadError) as refused:
        booking.book(
            bookable.branch, booking_request(bookable, service_ids=[bookable.elsewhere.pk])
        )
    assert refused.value.code == "service_not_offered"
    assert "nicht online angeboten" in refused.value.messages[0]


def test_an_inactive_service_is_refused(bookable: Bookable) -> None:
    with tenant_scope(bookable.tenant):
        bookable.wheels.is_active = False
        bookable.wheels.save()
    with pytest.raises(LeadError) as refused:
        booking.book(bookable.branch, booking_request(bookable, service_ids=[bookable.wheels.pk]))
    assert refused.value.code == "service_not_offered"


def test_a_time_within_the_minimum_notice_is_refused(bookable: Bookable) -> None:
    soon = bookable.slot - datetime.timedelta(hours=10)
    with pytest.raises(LeadError) as refused:
        booking.book(bookable.branch, booking_request(bookable), now=soon)
    assert refused.value.code == "too_soon" and "24 Stunden" in refused.value.messages[0]


def test_a_time_beyond_the_horizon_is_refused(bookable: Bookable) -> None:
    far = at(bookable.day + datetime.timedelta(days=70), 9)
    with pytest.raises(LeadError) as refused:
        booking.book(bookable.branch, booking_request(bookable, start=far))
    assert refused.value.code == "too_late" and "60 Tage" in refused.value.messages[0]


def test_a_taken_slot_says_so_and_offers_the_next_free_ones(bookable: Bookable) -> None:
    booking.book(bookable.branch, booking_request(bookable))
    with pytest.raises(booking.SlotTaken) as taken:
        booking.book(bookable.branch, booking_request(bookable, email="max@kunde.test"))
    assert taken.value.code == "slot_taken"
    assert taken.value.messages[0].startswith("Dieser Termin wurde gerade vergeben.")
    assert taken.value.next_slots
    assert all(slot.start > bookable.slot for slot in taken.value.next_slots)
    with scopes_disabled():
        assert Lead.objects.count() == 1
        assert len(outbox("booking_received")) == 1


# --- cancel_by_customer ------------------------------------------------------------------------


@pytest.fixture
def lead(bookable: Bookable) -> Lead:
    booked = booking.book(bookable.branch, booking_request(bookable))
    mail.outbox.clear()
    return booked


def customer(lead: Lead) -> Any:
    return booking.customer_actor(lead)


def test_cancel_before_the_cut_off(bookable: Bookable, lead: Lead) -> None:
    before = lead.start - datetime.timedelta(hours=25)
    cancelled = booking.cancel_by_customer(lead, customer(lead), now=before)
    assert cancelled.status == LeadStatus.CANCELLED_BY_CUSTOMER
    assert cancelled.get_status_display() == "Von Kunden storniert"
    with scopes_disabled():
        assert FeedEvent.objects.filter(type="lead.cancelled_by_customer").count() == 1
        assert AuditEvent.objects.filter(action="lead.cancelled_by_customer").count() == 1
    [company] = outbox("booking_cancelled_company")
    assert company.recipient == "info@alpha.test"
    assert "Eva Berg hat die Terminanfrage" in company.body_text
    assert "eva@kunde.test, +4915123456789" in company.body_text
    [confirmation] = outbox("booking_cancelled")
    assert confirmation.recipient == "eva@kunde.test"
    assert confirmation.subject.startswith("Storniert: Ihr Termin am")


def test_cancel_goes_to_the_notification_address_when_set(bookable: Bookable, lead: Lead) -> None:
    bookable.tenant.notification_email = "termine@alpha.test"
    bookable.tenant.save()
    booking.cancel_by_customer(lead, customer(lead), now=lead.start - datetime.timedelta(days=2))
    [company] = outbox("booking_cancelled_company")
    assert company.recipient == "termine@alpha.test"


def test_cancel_after_the_cut_off_is_refused(bookable: Bookable, lead: Lead) -> None:
    after = lead.start - datetime.timedelta(hours=23)
    assert not booking.can_cancel(lead, after)
    with pytest.raises(LeadError) as refused:
        booking.cancel_by_customer(lead, customer(lead), now=after)
    assert refused.value.code == "past_cutoff" and "24 Stunden" in refused.value.messages[0]
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    assert outbox("booking_cancelled") == []


def test_the_tenants_cut_off_counts(bookable: Bookable, lead: Lead) -> None:
    from theke.appointments.models import BookingSettings

    with tenant_scope(bookable.tenant):
        BookingSettings.objects.create(tenant=bookable.tenant, cancel_cutoff_hours=2)
    three_hours_before = lead.start - datetime.timedelta(hours=3)
    assert booking.can_cancel(lead, three_hours_before)
    booking.cancel_by_customer(lead, customer(lead), now=three_hours_before)


def test_a_second_cancel_is_refused(bookable: Bookable, lead: Lead) -> None:
    before = lead.start - datetime.timedelta(days=2)
    booking.cancel_by_customer(lead, customer(lead), now=before)
    with pytest.raises(LeadError) as refused:
        booking.cancel_by_customer(lead, customer(lead), now=before)
    assert refused.value.code == "already_cancelled"


def test_a_rejected_lead_cannot_be_cancelled(bookable: Bookable, lead: Lead) -> None:
    with tenant_scope(bookable.tenant):
        save_transition(lead, LeadStatus.REJECTED, SYSTEM, action="lead.rejected")
    with pytest.raises(LeadError) as refused:
        booking.cancel_by_customer(
            lead, customer(lead), now=lead.start - datetime.timedelta(days=2)
        )
    assert refused.value.code == "not_cancellable"


def test_cancelling_a_planned_lead_cancels_its_appointment(bookable: Bookable, lead: Lead) -> None:
    tenant = bookable.tenant
    with tenant_scope(tenant):
        person = customers.create_customer(tenant, SYSTEM, kind="person", last_name="Berg")
        appointment = create_appointment(
            tenant,
            SYSTEM,
            customer=person,
            branch=bookable.branch,
            start=lead.start,
            end=lead.end,
        )
        lead.appointment = appointment
        save_transition(lead, LeadStatus.PLANNED, SYSTEM, action="lead.converted")
    cancelled = booking.cancel_by_customer(
        lead, customer(lead), now=lead.start - datetime.timedelta(days=2)
    )
    # Not "Storniert": the customer cancelled, the appointment went with the lead.
    assert cancelled.status == LeadStatus.CANCELLED_BY_CUSTOMER
    with scopes_disabled():
        assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED
        assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CANCELLED_BY_CUSTOMER
        assert FeedEvent.objects.filter(type="lead.cancelled_by_customer").count() == 1


def test_a_cancelled_lead_frees_its_slot(bookable: Bookable, lead: Lead) -> None:
    booking.cancel_by_customer(lead, customer(lead), now=lead.start - datetime.timedelta(days=2))
    again = booking.book(bookable.branch, booking_request(bookable, email="max@kunde.test"))
    assert again.start == lead.start


# --- the race for the last place -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ten_customers_at_once_get_the_last_place_once(bookable: Bookable) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises every writer anyway")
    outcomes: list[str] = []

    def attempt(number: int) -> None:
        try:
            booking.book(
                bookable.branch, booking_request(bookable, email=f"kunde{number}@kunde.test")
            )
            outcomes.append("booked")
        except booking.SlotTaken:
            outcomes.append("taken")

    errors = run_at_once(*[lambda n=n: attempt(n) for n in range(10)])
    assert errors == []
    assert sorted(outcomes) == ["booked"] + ["taken"] * 9
    with scopes_disabled():
        assert Lead.objects.filter(start=bookable.slot).count() == 1
        assert OutboundMessage.objects.filter(purpose="booking_received").count() == 1
