"""Play the demo's online booking (theke.demo.booking_data) through the real services.

The tenant gets its switch ("Freischaltung"), its settings, services and advisors; then
each lead is booked on the demo clock at the time it "came in", and the decided ones are
converted, rejected, cancelled by the customer, or converted and their appointment
cancelled. Seeding twice adds nothing: a tenant with leads is left as it is.
"""

from __future__ import annotations

import datetime

from theke.accounts.models import User
from theke.appointments.models import Appointment, BookableService, Lead, ServiceAdvisor
from theke.appointments.services import (
    availability,
    booking,
    cancel_appointment,
    conversion,
    lead_actions,
)
from theke.appointments.services import settings as booking_admin
from theke.audit.services import SYSTEM, Actor
from theke.customers import services as customers
from theke.demo import booking_data as data
from theke.demo.clock import clock_at, real_now
from theke.tenants.models import Branch, Tenant
from theke.tenants.services import consent_offer

__all__ = ["BookingSeeder"]

SLOT_MARGIN = datetime.timedelta(minutes=5)


class BookingSeeder:
    """Seeds one tenant's online booking; `run()` returns the number of leads made."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.now = real_now()

    def run(self) -> int:
        if Lead.objects.filter(tenant=self.tenant).exists():
            return 0
        branches = list(Branch.objects.filter(tenant=self.tenant).order_by("pk"))
        self._switch_on(branches)
        services = self._services()
        advisors = self._advisors(branches[0])
        for other in branches[1:]:
            # Bernd Berater also takes the other branch's appointments.
            self._advisor(other, advisors[data.ADVISOR_EMAILS[0]])
        self._near_duplicates()
        made = 0
        for row in data.LEADS:
            self._lead(branches[0], services, advisors, row)
            made += 1
        return made

    # --- settings -------------------------------------------------------------------------

    def _switch_on(self, branches: list[Branch]) -> None:
        # The platform operator's switch (Django admin); everything else as the tenant's admin.
        self.tenant.online_booking_enabled = True
        self.tenant.save(update_fields=["online_booking_enabled"])
        cash = customers.create_customer(
            self.tenant,
            SYSTEM,
            kind="company",
            number=data.CASH_CUSTOMER_NUMBER,
            company_name="Barverkauf",
        )
        booking_admin.save_booking_settings(
            self.tenant,
            SYSTEM,
            hold_hours=48,
            cancel_cutoff_hours=24,
            cash_customer_number=cash.number,
            embed_origins="https://www.autohaus-demo.de\nhttp://localhost:8080",
        )
        for branch in branches:
            booking_admin.save_branch_booking(
                branch,
                SYSTEM,
                enabled=True,
                slot_minutes=30,
                buffer_minutes=0,
                min_notice_hours=12,
                horizon_days=60,
            )

    def _services(self) -> dict[str, BookableService]:
        made = {}
        for position, (name, description, minutes, price) in enumerate(data.SERVICES):
            made[name] = booking_admin.create_service(
                self.tenant,
                SYSTEM,
                name=name,
                description=description,
                duration_minutes=minutes,
                price=price,
                position=position,
            )
        return made

    def _advisors(self, branch: Branch) -> dict[str, User]:
        users = {}
        for email in data.ADVISOR_EMAILS:
            user = User.objects.get(email=email)
            self._advisor(branch, user)
            users[email] = user
        email, first, last, reason = data.ABSENCE
        today = self.now.date()
        absent = ServiceAdvisor.objects.get(branch=branch, user__email=email)
        booking_admin.add_absence(
            absent,
            SYSTEM,
            today + datetime.timedelta(days=first),
            today + datetime.timedelta(days=last),
            reason,
        )
        return users

    def _advisor(self, branch: Branch, user: User) -> ServiceAdvisor:
        advisor = booking_admin.add_advisor(branch, SYSTEM, user)
        booking_admin.set_working_hours(
            advisor,
            SYSTEM,
            [
                booking_admin.WorkingInterval(day, starts, ends)
                for day in range(5)
                for starts, ends in data.WORKING_HOURS
            ],
        )
        return advisor

    def _near_duplicates(self) -> None:
        for first, last, email, phone, postal_code, city in data.NEAR_DUPLICATES:
            customer = customers.create_customer(
                self.tenant, SYSTEM, kind="person", first_name=first, last_name=last
            )
            customers.add_contact(
                customer,
                SYSTEM,
                is_primary=True,
                first_name=first,
                last_name=last,
                email=email,
                mobile_phone=phone,
            )
            customers.add_location(
                customer, SYSTEM, street="Invalidenstraße 1", postal_code=postal_code, city=city
            )

    # --- leads ----------------------------------------------------------------------------

    def _lead(
        self,
        branch: Branch,
        services: dict[str, BookableService],
        advisors: dict[str, User],
        row: data.DemoLead,
    ) -> None:
        came_in = self.now - datetime.timedelta(hours=row.age_hours)
        chosen = [services[name] for name in row.services]
        minutes = sum(s.duration_minutes for s in chosen)
        with clock_at(came_in):
            start = self._slot(branch, minutes, came_in, row)
            offer = consent_offer(self.tenant)
            lead = booking.book(
                branch,
                booking.BookingRequest(
                    service_ids=[s.pk for s in chosen],
                    start=start,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    email=row.email,
                    mobile_phone=row.mobile,
                    street=row.street,
                    postal_code=row.postal_code,
                    city=row.city,
                    vin=row.vin,
                    license_plate=row.license_plate,
                    make=row.make,
                    model=row.model,
                    mileage_km=row.mileage_km,
                    customer_number=row.customer_number,
                    note=row.note,
                    consent=True,
                    terms_version=offer.terms.version,
                    privacy_version=offer.privacy.version,
                ),
            )
        self._decide(lead, row, came_in, advisors)

    def _slot(
        self, branch: Branch, minutes: int, came_in: datetime.datetime, row: data.DemoLead
    ) -> datetime.datetime:
        """The first free slot from the row's day and hour on (working days from came_in)."""
        day = came_in.date()
        for _ in range(row.day):
            day += datetime.timedelta(days=1)
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
        # A margin past the notice: `book` checks it again a moment later on the running
        # clock, and a slot right at the notice (seeding just before :00 or :30) would
        # then be refused as too soon.
        after = came_in + SLOT_MARGIN
        found = availability.free_slots(branch, minutes, now=after, first_day=day, days=14)
        for slot in found:
            if slot.start.astimezone(availability.zone()).hour >= row.hour:
                return slot.start
        return found[0].start

    def _decide(
        self, lead: Lead, row: data.DemoLead, came_in: datetime.datetime, advisors: dict[str, User]
    ) -> None:
        if row.status == data.NEW:
            return
        user = advisors[data.ADVISOR_EMAILS[0]]
        staff = Actor.staff(user)
        with clock_at(min(came_in + datetime.timedelta(hours=3), self.now)):
            if row.status == data.CANCELLED_BY_CUSTOMER:
                booking.cancel_by_customer(lead, booking.customer_actor(lead))
                return
            if row.status == data.REJECTED:
                lead_actions.reject_lead(
                    lead,
                    staff,
                    user,
                    channel="email",
                    subject="Ihre Terminanfrage",
                    body=(
                        f"Guten Tag {lead.full_name},\n\nleider können wir Ihren Wunschtermin "
                        "nicht anbieten: an diesem Tag ist unsere Klimastation in Wartung. "
                        "Bitte buchen Sie einen Termin ab der kommenden Woche.\n\n"
                        "Ihr Autohaus Demo"
                    ),
                )
                return
            appointment = self._convert(lead, staff, user)
            if row.status == data.CANCELLED:
                cancel_appointment(appointment, staff)

    def _convert(self, lead: Lead, staff: Actor, user: User) -> Appointment:
        """A new customer from the request's data (the cash customer for a request without
        a mobile number, as a walk-in at the counter would be)."""
        if not lead.mobile_phone:
            return conversion.convert_lead(lead, staff, user, way="cash_customer")
        person = {"first_name": lead.first_name, "last_name": lead.last_name}
        return conversion.convert_lead(
            lead,
            staff,
            user,
            way="new_customer",
            new_customer_data={
                "customer": {"kind": "person", **person},
                "contact": {**person, "email": lead.email, "mobile_phone": lead.mobile_phone},
            },
        )
