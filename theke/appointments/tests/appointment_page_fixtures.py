"""A customer's appointment behind its link, for the tests of the appointment page (views,
browser, accessibility): the bookable branch "Alpha Mitte" (address, phone, an advisor),
Eva Berg with a contact and her Golf, a planned inspection (with "Fahrzeugschein" to bring)
and the customer link to it; `propose_three` turns it into a proposal of three slots."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conftest import forget_setup_events
from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentSource,
    AppointmentStatus,
    AppointmentWorkItem,
)
from theke.appointments.services import links as appointment_links
from theke.appointments.services import workshop
from theke.appointments.tests.booking_fixtures import Bookable, at, make_bookable
from theke.audit.services import SYSTEM, Actor
from theke.customers import services as customers
from theke.customers.models import Contact, Customer, Vehicle
from theke.messaging.models import OutboundMessage
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope


@dataclass
class CustomerPage:
    bookable: Bookable
    customer: Customer
    contact: Contact
    vehicle: Vehicle
    appointment: Appointment
    path: str  # /termin/<token>/

    @property
    def tenant(self) -> Tenant:
        return self.bookable.tenant

    @property
    def token(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    def url(self, name: str = "") -> str:
        return self.path + name

    def refresh(self) -> Appointment:
        with tenant_scope(self.tenant):
            self.appointment = Appointment.objects.get(pk=self.appointment.pk)
        return self.appointment


def make_customer_page(tenant: Tenant, advisor: Any, **changes: Any) -> CustomerPage:
    bookable = make_bookable(tenant, advisor)
    with tenant_scope(tenant):
        bookable.inspection.what_to_bring = "Fahrzeugschein"
        bookable.inspection.save()
        customer = customers.create_customer(
            tenant, SYSTEM, kind="person", first_name="Eva", last_name="Berg"
        )
        contact = customers.add_contact(
            customer,
            SYSTEM,
            first_name="Eva",
            last_name="Berg",
            email="eva@kunde.test",
            mobile_phone="0151 23456789",
        )
        vehicle = customers.add_vehicle(
            customer, SYSTEM, license_plate="B-EB 1", make="Volkswagen", model="Golf"
        )
        values: dict[str, Any] = {
            "tenant": tenant,
            "source": AppointmentSource.STAFF,
            "status": AppointmentStatus.PLANNED,
            "customer": customer,
            "vehicle": vehicle,
            "branch": bookable.branch,
            "advisor": advisor,
            "start": bookable.slot,
            "end": bookable.slot + datetime.timedelta(hours=1),
            "confirmed_at": timezone.now(),
        }
        values.update(changes)
        appointment = Appointment.objects.create(**values)
        AppointmentWorkItem.objects.create(
            tenant=tenant,
            appointment=appointment,
            position=1,
            text="Inspektion nach Herstellervorgabe",
            cost=Decimal("189.00"),
            service=bookable.inspection,
        )
        AppointmentWorkItem.objects.create(
            tenant=tenant,
            appointment=appointment,
            position=2,
            text="Bremsflüssigkeit wechseln",
            cost=Decimal("49.00"),
        )
        url = appointment_links.issue_appointment_link(appointment, contact=contact)
    forget_setup_events()
    return CustomerPage(bookable, customer, contact, vehicle, appointment, path_of(url))


def path_of(url: str) -> str:
    found = re.search(r"/termin/[A-Za-z0-9_-]+/", url)
    assert found is not None, url
    return found.group(0)


def propose_three(scene: CustomerPage) -> AppointmentProposal:
    """Staff propose three slots on the bookable day (9:00, 11:00, 14:00); the customer's
    page is the link of the proposal's e-mail (it supersedes the older link)."""
    day = scene.bookable.day
    advisor = scene.bookable.advisor
    slots = [workshop.SlotChoice(at(day, hour), at(day, hour + 1), advisor) for hour in (9, 11, 14)]
    with tenant_scope(scene.tenant):
        proposal = workshop.propose(scene.appointment, Actor.staff(advisor), slots=slots)
        message = (
            OutboundMessage.objects.filter(purpose="appointment_proposal").order_by("-pk").first()
        )
    assert message is not None
    scene.path = path_of(message.body_text)
    scene.refresh()
    return proposal
