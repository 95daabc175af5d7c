"""Turning a lead into an appointment (seed 001): the customer by number or duplicates, the
four ways, the three vehicle cases, the master-data switch, the slot re-check, cancelling,
the confirmation, and the race with a booking on PostgreSQL."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from theke.appointments.models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    Lead,
    LeadStatus,
)
from theke.appointments.services import availability, cancel_appointment, update_appointment
from theke.appointments.services import conversion as convert
from theke.audit.models import AuditEvent, FeedEvent
from theke.audit.services import SYSTEM, Actor
from theke.core.errors import ServiceError
from theke.core.tests.concurrency import run_at_once
from theke.customers.models import Contact, Customer, Location, Vehicle
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .conftest import BASE
from .osb import (
    VIN_EVA,
    VIN_NEW,
    VIN_OTHER,
    Osb,
    make_lead,
    make_osb,
    set_cash_customer,
    with_rights,
)


@pytest.fixture
def osb(tenant_a: Any, colleague: Any) -> Osb:
    return make_osb(tenant_a, colleague)


@pytest.fixture(autouse=True)
def _scope(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        yield


def convert_as(user: Any, lead: Lead, **kwargs: Any) -> Appointment:
    user = with_rights(user)
    return convert.convert_lead(lead, Actor.staff(user), user, **kwargs)


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


# --- identifying the customer ---------------------------------------------------------------


def test_customer_number_on_the_lead_is_the_existing_customer(osb: Osb) -> None:
    lead = make_lead(osb, customer_number="K-1000")
    match = convert.identify_customer(lead)
    assert match.by_number and match.customer == osb.eva and match.candidates == []


def test_unknown_customer_number_falls_through_to_the_duplicate_search(osb: Osb) -> None:
    lead = make_lead(osb, customer_number="K-9999")
    match = convert.identify_customer(lead)
    assert match.customer is None and match.unknown_number == "K-9999"
    found = convert.candidate_customers(match)
    assert found and found[0][0] == osb.eva
    assert found[0][1].reasons  # each candidate says why it was found


# --- the vehicle ----------------------------------------------------------------------------


def test_vehicle_of_this_customer_is_taken(osb: Osb) -> None:
    lead = make_lead(osb, vin=VIN_EVA.lower())  # normalised before the lookup
    found = convert.match_vehicle(lead, osb.eva)
    assert found.case == "own" and found.vehicle == osb.eva_vehicle


def test_vehicle_of_another_keeper_is_taken_with_a_warning(osb: Osb) -> None:
    lead = make_lead(osb, vin=VIN_OTHER)
    found = convert.match_vehicle(lead, osb.eva)
    assert found.case == "other_owner" and found.vehicle == osb.other_vehicle
    assert "Olaf Schulz (K-2000)" in found.message


def test_unknown_vehicle_is_a_walk_in_vehicle(osb: Osb) -> None:
    found = convert.match_vehicle(make_lead(osb), osb.eva)
    assert found.case == "walk_in" and found.vehicle is None
    assert "Durchlauffahrzeug" in found.message


def test_without_vin_the_plate_finds_the_customers_vehicle(osb: Osb) -> None:
    lead = make_lead(osb, vin="", license_plate="b-eb 11")
    assert convert.match_vehicle(lead, osb.eva).vehicle == osb.eva_vehicle


# --- the four ways --------------------------------------------------------------------------


def test_way_1_takes_the_lead_data_and_fills_gaps_from_the_master(osb: Osb) -> None:
    lead = make_lead(osb, salutation="")
    appointment = convert_as(osb.advisor, lead, way="merge_lead_data", customer=osb.eva)

    assert appointment.customer == osb.eva
    assert appointment.status == AppointmentStatus.PLANNED
    assert appointment.source == AppointmentSource.ONLINE_BOOKING
    assert (appointment.start, appointment.end) == (osb.start, osb.end)
    assert appointment.branch == osb.branch and appointment.advisor == osb.advisor
    assert appointment.work_description == "Inspektion"
    assert appointment.notes == "Bitte Wischerblätter prüfen"
    assert appointment.mileage_km == 48210
    assert str(appointment.contact_mobile) == "+491722222222"  # the lead's
    assert appointment.contact_street == "Neue Straße 9"
    assert appointment.contact_salutation == "Frau"  # the gap, from the master
    assert appointment.update_master_data is False
    # The master stays as it was.
    assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491711111111"
    assert Location.objects.get(customer=osb.eva).street == "Alte Straße 5"

    lead = fresh(lead)
    assert lead.status == LeadStatus.PLANNED
    assert lead.appointment == appointment and lead.customer == osb.eva
    assert lead.decided_by_id == osb.advisor.pk
    types = set(FeedEvent.objects.values_list("type", flat=True))
    assert {"lead.converted", "appointment.planned"} <= types
    assert AuditEvent.objects.filter(action="lead.converted").exists()


def test_way_1_with_the_switch_writes_the_master(osb: Osb) -> None:
    lead = make_lead(osb)
    appointment = convert_as(
        osb.advisor, lead, way="merge_lead_data", customer=osb.eva, update_master_data=True
    )
    assert appointment.update_master_data is True
    assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491722222222"
    location = Location.objects.get(customer=osb.eva)
    assert (location.street, location.postal_code) == ("Neue Straße 9", "10119")
    assert (
        AuditEvent.objects.filter(action="contact.updated").exists()
        or AuditEvent.objects.filter(action__startswith="contact.").exists()
    )


def test_master_data_switch_on_later_writes_the_master_and_off_changes_nothing(
    osb: Osb,
) -> None:
    appointment = convert_as(osb.advisor, make_lead(osb), way="merge_lead_data", customer=osb.eva)
    convert.set_update_master_data(appointment, Actor.staff(osb.advisor), False)
    assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491711111111"

    convert.set_update_master_data(appointment, Actor.staff(osb.advisor), True)
    assert fresh(appointment).update_master_data is True
    assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491722222222"
    assert Location.objects.get(customer=osb.eva).street == "Neue Straße 9"

    convert.set_update_master_data(appointment, Actor.staff(osb.advisor), False)
    assert fresh(appointment).update_master_data is False
    assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491722222222"


def test_way_2_keeps_the_master_data(osb: Osb) -> None:
    appointment = convert_as(
        osb.advisor,
        make_lead(osb),
        way="merge_master_data",
        customer=osb.eva,
        update_master_data=True,  # only way 1 knows the switch
    )
    assert appointment.customer == osb.eva
    assert appointment.contact_mobile in ("", None) and appointment.contact_street == ""
    assert appointment.update_master_data is False
    assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491711111111"


def test_way_3_creates_a_new_customer_from_the_lead(osb: Osb) -> None:
    lead = make_lead(osb, first_name="Jana", last_name="Neu", email="jana@example.org")
    appointment = convert_as(
        osb.advisor,
        lead,
        way="new_customer",
        new_customer_data={
            "customer": {"kind": "person", "first_name": "Jana", "last_name": "Neu"},
            "contact": {"last_name": "Neu", "email": "jana@example.org"},
        },
    )
    customer = appointment.customer
    assert customer.pk not in (osb.eva.pk, osb.other.pk)
    assert customer.display_name == "Jana Neu"
    assert Contact.objects.get(customer=customer).email == "jana@example.org"
    assert Location.objects.get(customer=customer).street == "Neue Straße 9"
    assert fresh(lead).customer == customer
    assert appointment.is_walk_in_vehicle and appointment.walk_in_vin == VIN_NEW


def test_way_3_refusal_changes_nothing(osb: Osb) -> None:
    lead = make_lead(osb)
    before = Customer.objects.count()
    with pytest.raises(ServiceError):
        convert_as(
            osb.advisor,
            lead,
            way="new_customer",
            new_customer_data={
                "customer": {"kind": "person", "last_name": "Neu"},
                "contact": {"last_name": "Neu"},  # neither e-mail nor mobile
            },
        )
    assert Customer.objects.count() == before
    assert fresh(lead).status == LeadStatus.NEW and Appointment.objects.count() == 0


def test_way_4_needs_a_cash_customer(osb: Osb) -> None:
    lead = make_lead(osb)
    with pytest.raises(convert.ConversionError) as refused:
        convert_as(osb.advisor, lead, way="cash_customer")
    assert refused.value.code == "no_cash_customer"
    assert fresh(lead).status == LeadStatus.NEW


def test_way_4_books_on_the_cash_customer_with_the_lead_data(osb: Osb) -> None:
    cash = set_cash_customer(osb)
    appointment = convert_as(osb.advisor, make_lead(osb), way="cash_customer")
    assert appointment.customer == cash
    assert appointment.contact_last_name == "Berg"
    assert appointment.contact_email == "eva.berg@example.org"
    assert appointment.contact_street == "Neue Straße 9"


def test_conversion_with_other_keepers_vehicle_keeps_it_with_a_warning(osb: Osb) -> None:
    lead = make_lead(osb, vin=VIN_OTHER)
    appointment = convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    assert appointment.vehicle == osb.other_vehicle
    warning = convert.vehicle_warning(appointment)
    assert warning is not None and "Olaf Schulz" in warning


def test_conversion_with_own_vehicle(osb: Osb) -> None:
    lead = make_lead(osb, vin=VIN_EVA)
    appointment = convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    assert appointment.vehicle == osb.eva_vehicle
    assert convert.vehicle_warning(appointment) is None


# --- walk-in vehicle to the master ----------------------------------------------------------


def test_walk_in_vehicle_goes_into_the_vehicle_master(osb: Osb) -> None:
    appointment = convert_as(osb.advisor, make_lead(osb), way="merge_lead_data", customer=osb.eva)
    assert appointment.is_walk_in_vehicle
    appointment = convert.add_walk_in_vehicle_to_master(appointment, Actor.staff(osb.advisor))
    vehicle = Vehicle.objects.get(vin=VIN_NEW)
    assert vehicle.customer == osb.eva and vehicle.license_plate == "B-XY 99"
    assert appointment.vehicle == vehicle and not appointment.is_walk_in_vehicle


def test_walk_in_vehicle_known_meanwhile_is_used(osb: Osb) -> None:
    appointment = convert_as(osb.advisor, make_lead(osb), way="merge_lead_data", customer=osb.eva)
    from theke.customers import services as customers

    other = customers.add_vehicle(osb.other, SYSTEM, vin=VIN_NEW, license_plate="B-OS 33")
    appointment = convert.add_walk_in_vehicle_to_master(appointment, Actor.staff(osb.advisor))
    assert appointment.vehicle == other
    assert Vehicle.objects.filter(vin=VIN_NEW).count() == 1
    assert convert.vehicle_warning(appointment) is not None


# --- rights and statuses --------------------------------------------------------------------


@pytest.mark.parametrize("status", [LeadStatus.REJECTED, LeadStatus.CANCELLED_BY_CUSTOMER])
def test_closed_lead_needs_the_right_to_edit_cancelled_leads(
    osb: Osb, owner: Any, status: str
) -> None:
    lead = make_lead(osb, status=status)
    with_rights(owner)
    assert not with_rights(osb.advisor).has_perm("appointments.edit_cancelled_leads")
    with pytest.raises(PermissionDenied):
        convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    assert fresh(lead).status == status
    assert owner.has_perm("appointments.edit_cancelled_leads")
    appointment = convert_as(owner, lead, way="merge_master_data", customer=osb.eva)
    assert fresh(lead).appointment == appointment


def test_cancelled_lead_stays_convertible_with_the_lead_manager_right(osb: Osb) -> None:
    lead = make_lead(osb, status=LeadStatus.CANCELLED)
    appointment = convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    assert fresh(lead).status == LeadStatus.PLANNED and appointment.pk


def test_converted_lead_is_not_converted_twice(osb: Osb) -> None:
    lead = make_lead(osb)
    convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    with pytest.raises(convert.ConversionError):
        convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    assert Appointment.objects.count() == 1


def test_taken_slot_is_refused_with_the_next_free_slots(osb: Osb) -> None:
    from theke.appointments.services import create_appointment

    create_appointment(
        osb.tenant,
        SYSTEM,
        customer=osb.other,
        start=osb.start,
        end=osb.end,
        branch=osb.branch,
        advisor=osb.advisor,
    )
    lead = make_lead(osb)
    with pytest.raises(convert.SlotTaken) as refused:
        convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    assert "inzwischen vergeben" in refused.value.messages[0]
    assert refused.value.next_slots and refused.value.next_slots[0].start >= osb.end
    assert fresh(lead).status == LeadStatus.NEW
    # Staff pick the next free slot instead.
    start = refused.value.next_slots[0].start
    appointment = convert_as(
        osb.advisor, lead, way="merge_master_data", customer=osb.eva, start=start
    )
    assert appointment.start == start and appointment.end == start + datetime.timedelta(hours=1)


# --- cancelling sets the lead to "Storniert" ------------------------------------------------


def test_staff_cancel_sets_the_lead_to_cancelled(osb: Osb) -> None:
    lead = make_lead(osb)
    appointment = convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    cancel_appointment(appointment, Actor.staff(osb.advisor))
    assert fresh(lead).status == LeadStatus.CANCELLED


def test_customer_cancel_sets_the_lead_to_cancelled(osb: Osb) -> None:
    lead = make_lead(osb)
    appointment = convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    contact = Contact.objects.get(customer=osb.eva)
    cancel_appointment(appointment, Actor.contact(contact))
    assert fresh(lead).status == LeadStatus.CANCELLED


def test_back_office_cancel_through_the_api_sets_the_lead_to_cancelled(
    osb: Osb, api_as: Any
) -> None:
    lead = make_lead(osb)
    appointment = convert_as(osb.advisor, lead, way="merge_master_data", customer=osb.eva)
    update_appointment(appointment, SYSTEM, external_id="T-77")  # the back office learnt it
    client = api_as(osb.tenant)
    response = client.delete(f"{BASE}/appointments/T-77")
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["result"] == "cancelled"
    assert fresh(lead).status == LeadStatus.CANCELLED


# --- the confirmation -----------------------------------------------------------------------


def test_confirmation_by_email_names_date_time_branch_and_address(
    osb: Osb, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = convert_as(osb.advisor, make_lead(osb), way="merge_lead_data", customer=osb.eva)
    with django_capture_on_commit_callbacks(execute=True):
        convert.send_appointment_confirmation(appointment, Actor.staff(osb.advisor), "email")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["Eva Berg <eva.berg@example.org>"]
    day = osb.start.strftime("%d.%m.%Y")
    assert sent.subject == f"Ihr Termin am {day} um 10:00 Uhr"
    assert "Guten Tag Frau Berg" in sent.body
    assert "Uhrzeit: 10:00 bis 11:00 Uhr" in sent.body
    assert "Betrieb: Alpha Süd" in sent.body
    assert "Adresse: Hauptstraße 1, 10115 Berlin" in sent.body
    assert AuditEvent.objects.filter(action="appointment.confirmation_sent").exists()


def test_confirmation_by_sms_needs_the_tenants_switch(
    osb: Osb, django_capture_on_commit_callbacks: Any, sms_outbox: list[Any]
) -> None:
    appointment = convert_as(osb.advisor, make_lead(osb), way="merge_lead_data", customer=osb.eva)
    with pytest.raises(convert.ConversionError) as refused:
        convert.send_appointment_confirmation(appointment, Actor.staff(osb.advisor), "sms")
    assert refused.value.code == "no_sms"
    osb.tenant.sms_enabled = True
    osb.tenant.save(update_fields=["sms_enabled"])
    appointment = fresh(appointment)
    with django_capture_on_commit_callbacks(execute=True):
        convert.send_appointment_confirmation(appointment, Actor.staff(osb.advisor), "sms")
    assert OutboundMessage.objects.filter(channel="sms").count() == 1
    assert len(sms_outbox) == 1
    text = str(sms_outbox[0])
    day = osb.start.strftime("%d.%m.%Y")
    assert f"Ihr Termin ist bestätigt: {day} um 10:00 Uhr, Alpha Süd, Hauptstraße 1" in text
    assert "+491722222222" in text


# --- the race with a booking (PostgreSQL) ---------------------------------------------------


def _book_same_slot(osb: Osb) -> None:
    """What a booking does: lock the branch, re-check, write the lead."""
    with tenant_scope(osb.tenant), transaction.atomic():
        availability.lock_branch(osb.branch)
        if availability.find_free_advisor(osb.branch, osb.start, osb.end) is False:
            raise convert.ConversionError("taken", None, "slot_taken")
        make_lead(osb, last_name="Schnell", email="schnell@example.org")


@pytest.mark.django_db(transaction=True)
def test_converting_while_a_booking_takes_the_last_slot_gives_one_outcome(
    tenant_a: Any, colleague: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    osb = make_osb(tenant_a, colleague)
    # The lead's hold expired: its slot is open to others until staff convert it.
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=60)
    lead = make_lead(osb, created_at=old)

    def convert_it() -> None:
        with tenant_scope(tenant_a):
            convert_as(colleague, lead, way="merge_master_data", customer=osb.eva)

    for _round in range(3):
        errors = run_at_once(convert_it, lambda: _book_same_slot(osb))
        with tenant_scope(tenant_a):
            converted = Appointment.objects.filter(start=osb.start).count()
            booked = Lead.objects.filter(last_name="Schnell", status=LeadStatus.NEW).count()
            assert converted + booked == 1, (converted, booked, errors)
            assert len(errors) == 1 and isinstance(errors[0], convert.ConversionError)
            # Reset for the next round.
            Lead.objects.filter(last_name="Schnell").delete()
            for appointment in Appointment.objects.all():
                Lead.objects.filter(appointment=appointment).update(
                    appointment=None, status=LeadStatus.NEW
                )
                appointment.delete()
