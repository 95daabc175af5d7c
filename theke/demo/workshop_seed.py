"""Play the demo's workshop appointments (seed 002) through the real services.

A week of appointments around the seeding day in every status across the two advisors of
the online booking (`theke.demo.booking_seed`, which runs first): requests, a proposal
waiting for the customer, a counter-proposal to answer, planned ones with and without the
customer's confirmation and the checklist, an overbooked one, reminders due tomorrow,
finalized and cancelled ones, a no-show last month. Every step runs on the demo clock at the
time it "happened", so the history ("as it looked then") and the feed read naturally.
A few customers and vehicles become "Werkstattkunden". Seeding twice adds nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from theke.accounts.models import User
from theke.appointments import services
from theke.appointments.models import (
    Appointment,
    AppointmentSource,
    BookableService,
)
from theke.appointments.services import availability, workshop
from theke.appointments.services import settings as booking_admin
from theke.audit.services import Actor
from theke.customers import services as customers
from theke.customers.models import Customer
from theke.demo import booking_data
from theke.demo.clock import clock_at, real_now
from theke.tenants.models import Branch, Tenant

__all__ = ["WORKSHOP_APPOINTMENTS", "DemoAppointment", "WorkshopSeeder"]

REQUESTED = "requested"
PROPOSED = "proposed"
COUNTERED = "countered"  # proposed, then the customer asked for another time
PLANNED = "planned"
FINALIZED = "finalized"
CANCELLED = "cancelled"
NO_SHOW = "no_show"

HU_SERVICE = "HU/AU"
HU_WHAT_TO_BRING = "Fahrzeugschein (Zulassungsbescheinigung Teil I) und den letzten HU-Bericht"


@dataclass(frozen=True)
class DemoAppointment:
    """One appointment: `day` counts working days from the seeding day (negative: past),
    `hour` is the earliest start (the first free time from then on is taken); `customer`
    indexes the demo customers with a vehicle and an e-mail address; `advisor` the
    booking demo's advisors (0: Bernd Berater, 1: Anna Admin)."""

    status: str
    day: int
    hour: int
    customer: int
    advisor: int
    items: tuple[tuple[str, Decimal | None, str | None], ...]  # text, cost, service name
    confirmed: bool = False
    checklist: bool = False
    overbook: bool = False
    customer_waits: bool = False
    replacement_car: bool = False
    notes: str = ""
    answer: str = ""  # the customer's counter-proposal
    edits: tuple[str, ...] = field(default=())  # later staff changes ("moved", "items")


def _items(
    *rows: tuple[str, str | None, str | None],
) -> tuple[tuple[str, Decimal | None, str | None], ...]:
    return tuple((text, Decimal(cost) if cost else None, service) for text, cost, service in rows)


INSPECTION = _items(("Inspektion nach Herstellervorgabe", "289.00", "Inspektion"))
OIL = _items(("Ölwechsel inkl. Filter", "89.00", "Ölwechsel"))
TYRES = _items(("Räderwechsel auf Sommerräder", "39.00", "Räderwechsel"))
HU = _items(("Hauptuntersuchung mit AU", "139.00", HU_SERVICE))
BRAKES = _items(
    ("Bremsbeläge vorn erneuern", "189.50", None),
    ("Bremsflüssigkeit wechseln", "59.00", None),
)
AIRCON = _items(("Klimaservice", "99.00", "Klimaservice"), ("Pollenfilter", "34.90", None))

WORKSHOP_APPOINTMENTS = [
    # Last month: finalized work and a customer who did not come.
    DemoAppointment(FINALIZED, -24, 8, 0, 0, INSPECTION, confirmed=True, checklist=True),
    DemoAppointment(NO_SHOW, -20, 9, 1, 1, TYRES, confirmed=True),
    # This week, already done.
    DemoAppointment(FINALIZED, -2, 8, 2, 0, BRAKES, confirmed=True, checklist=True),
    DemoAppointment(FINALIZED, -1, 10, 3, 1, OIL, confirmed=True, checklist=True, edits=("items",)),
    DemoAppointment(CANCELLED, -1, 14, 4, 0, AIRCON, notes="Kunde hat das Fahrzeug verkauft."),
    # Today and the coming days.
    DemoAppointment(PLANNED, 0, 13, 5, 0, HU, confirmed=True, checklist=True, customer_waits=True),
    DemoAppointment(PLANNED, 1, 8, 6, 1, INSPECTION, confirmed=True, replacement_car=True),
    DemoAppointment(PLANNED, 1, 10, 7, 0, OIL, edits=("moved",)),  # provisional, unconfirmed
    DemoAppointment(PLANNED, 2, 9, 8, 1, BRAKES, confirmed=True, checklist=True),
    DemoAppointment(
        PLANNED, 2, 9, 9, 1, TYRES, overbook=True, notes="Kunde bringt die Räder selbst mit."
    ),
    DemoAppointment(PLANNED, 3, 13, 10, 0, AIRCON),
    DemoAppointment(PROPOSED, 3, 8, 11, 1, HU),
    DemoAppointment(COUNTERED, 4, 10, 12, 0, INSPECTION, answer="Geht es am Samstagvormittag?"),
    DemoAppointment(REQUESTED, 4, 14, 13, 1, BRAKES, notes="Quietschen beim Bremsen."),
]
# How many customers and vehicles become "Werkstattkunden" (preferred workshop).
PREFERRED_CUSTOMERS = 6


class WorkshopSeeder:
    """Seeds one tenant's workshop appointments; `run()` returns the number made."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.now = real_now()

    def run(self) -> int:
        if Appointment.objects.filter(tenant=self.tenant, source=AppointmentSource.STAFF).exists():
            return 0
        self.branch = Branch.objects.filter(tenant=self.tenant).order_by("pk")[0]
        emails = booking_data.ADVISOR_EMAILS
        self.advisors = [User.objects.get(email=email) for email in emails]
        self.services = {s.name: s for s in BookableService.objects.filter(tenant=self.tenant)}
        self.customers = self._customers()
        self._what_to_bring()
        self._preferred_workshop()
        made: list[Appointment] = []
        for row in WORKSHOP_APPOINTMENTS:
            made.append(self._appointment(row, made))
        return len(made)

    # --- master data ----------------------------------------------------------------------

    def _customers(self) -> list[Customer]:
        return list(
            Customer.objects.filter(
                tenant=self.tenant, vehicles__isnull=False, contacts__email__gt=""
            )
            .distinct()
            .order_by("number")[: len(WORKSHOP_APPOINTMENTS) + PREFERRED_CUSTOMERS]
        )

    def _what_to_bring(self) -> None:
        service = self.services.get(HU_SERVICE)
        # "what_to_bring" is a service field once the reminder settings are in (i13-remind).
        if service is not None and "what_to_bring" in booking_admin.SERVICE_FIELDS:
            booking_admin.update_service(service, self._staff(0), what_to_bring=HU_WHAT_TO_BRING)

    def _preferred_workshop(self) -> None:
        """A few customers and their vehicles chose this workshop (seed 002's tab)."""
        # The staff pages' service (i13-staff); master data stay as they are without it.
        mark = getattr(customers, "set_preferred_workshop", None)
        if mark is None:
            return
        for customer in self.customers[:PREFERRED_CUSTOMERS]:
            mark(customer, self._staff(0), True)
            vehicle = customer.vehicles.order_by("pk").first()
            if vehicle is not None:
                mark(vehicle, self._staff(0), True)

    # --- appointments ---------------------------------------------------------------------

    def _staff(self, advisor: int) -> Actor:
        return Actor.staff(self.advisors[advisor])

    def _day(self, offset: int) -> datetime.date:
        """The working day `offset` working days from today (Mon–Fri)."""
        day = self.now.astimezone(availability.zone()).date()
        step = 1 if offset >= 0 else -1
        while day.weekday() >= 5:
            day += datetime.timedelta(days=step)
        for _ in range(abs(offset)):
            day += datetime.timedelta(days=step)
            while day.weekday() >= 5:
                day += datetime.timedelta(days=step)
        return day

    def _slot(
        self, day: datetime.date, hour: int, minutes: int, advisor: User, now: datetime.datetime
    ) -> tuple[datetime.datetime, datetime.datetime, User]:
        """The first time of the day from `hour` on that is free for the advisor (the
        booking engine's view: working hours, absences, the other appointments, held
        slots as at `now`, when it is taken), else for anyone, else the hour itself."""
        zone = availability.zone()
        length = datetime.timedelta(minutes=minutes)
        start = datetime.datetime.combine(day, datetime.time(hour), zone)
        closing = datetime.datetime.combine(day, datetime.time(17, 30), zone)
        for wanted in (advisor.pk, None):
            moment = start
            while moment + length <= closing:
                found = availability.find_free_advisor(
                    self.branch, moment, moment + length, now=now, advisor=wanted
                )
                if found is not False:
                    if wanted is None and found is not None:
                        advisor = User.objects.get(pk=found)
                    return moment, moment + length, advisor
                moment += datetime.timedelta(minutes=30)
        return start, start + length, advisor

    def _work_items(self, row: DemoAppointment) -> list[services.WorkItem]:
        return [
            services.WorkItem(text, cost, self.services[name].pk if name in self.services else None)
            for text, cost, name in row.items
        ]

    def _minutes(self, row: DemoAppointment) -> int:
        minutes = sum(
            self.services[name].duration_minutes
            for _text, _cost, name in row.items
            if name in self.services
        )
        return max(minutes, 60)

    def _appointment(self, row: DemoAppointment, made: list[Appointment]) -> Appointment:
        staff = self._staff(row.advisor)
        customer = self.customers[row.customer]
        day = self._day(row.day)
        # Entered a few days before (requests and proposals: yesterday), planned 2 h later.
        wanted = datetime.datetime.combine(day, datetime.time(row.hour), availability.zone())
        entered = min(wanted - datetime.timedelta(days=5), self.now - datetime.timedelta(days=1))
        if row.overbook:
            # The same time and advisor as the row before: staff plan it anyway.
            twin = made[-1]
            start, end, advisor = twin.start, twin.end, twin.advisor or self.advisors[row.advisor]
        else:
            start, end, advisor = self._slot(
                day,
                row.hour,
                self._minutes(row),
                self.advisors[row.advisor],
                entered + datetime.timedelta(hours=2),
            )
        with clock_at(entered):
            appointment = workshop.create_request(
                self.tenant,
                staff,
                customer=customer,
                vehicle=customer.vehicles.order_by("pk").first(),
                branch=self.branch,
                advisor=advisor,
                start=start,
                end=end,
                work_items=self._work_items(row),
                notes=row.notes,
            )
            if row.customer_waits or row.replacement_car:
                appointment = services.update_appointment(
                    appointment,
                    staff,
                    customer_waits=row.customer_waits,
                    replacement_car=row.replacement_car,
                )
        if row.status == REQUESTED:
            return appointment
        if row.status in (PROPOSED, COUNTERED):
            return self._propose(appointment, staff, row)
        with clock_at(entered + datetime.timedelta(hours=2)):
            appointment = workshop.plan(appointment, staff, allow_overbooking=row.overbook)
        return self._afterwards(appointment, staff, row, entered)

    def _propose(self, appointment: Appointment, staff: Actor, row: DemoAppointment) -> Appointment:
        """Three times on three working days, offered this morning by e-mail; one customer
        has already asked for another time."""
        offered = self.now - datetime.timedelta(hours=4)
        minutes = self._minutes(row)
        slots = []
        for offset in range(3):
            start, end, advisor = self._slot(
                self._day(row.day + offset), row.hour, minutes, self.advisors[row.advisor], offered
            )
            slots.append(workshop.SlotChoice(start, end, advisor))
        with clock_at(offered):
            proposal = workshop.propose(appointment, staff, slots=slots)
        if row.status == COUNTERED:
            with clock_at(self.now - datetime.timedelta(hours=1)):
                appointment = workshop.counter_propose(
                    proposal, workshop.customer_actor(appointment), row.answer
                )
        appointment.refresh_from_db()
        return appointment

    def _afterwards(
        self,
        appointment: Appointment,
        staff: Actor,
        row: DemoAppointment,
        entered: datetime.datetime,
    ) -> Appointment:
        """Confirmation, staff edits, the checklist, then what happened on the day."""
        with clock_at(entered + datetime.timedelta(hours=3)):
            if row.confirmed:
                workshop.send_confirmation(appointment, staff)
            if "items" in row.edits:
                items = [
                    *self._work_items(row),
                    services.WorkItem("Scheibenwischer", Decimal("29.90")),
                ]
                appointment = services.update_appointment(appointment, staff, work_items=items)
            if "moved" in row.edits:
                day = appointment.start.astimezone(availability.zone()).date()
                hour = appointment.start.astimezone(availability.zone()).hour + 2
                start, end, advisor = self._slot(
                    day,
                    hour,
                    self._minutes(row),
                    appointment.advisor or self.advisors[0],
                    entered + datetime.timedelta(hours=3),
                )
                appointment = workshop.reschedule(
                    appointment, staff, start=start, end=end, advisor=advisor
                )
        if row.checklist:
            day_before = appointment.start - datetime.timedelta(days=1)
            with clock_at(min(day_before, self.now - datetime.timedelta(hours=1))):
                appointment = workshop.set_checklist(
                    appointment,
                    staff,
                    workshop_time_confirmed=True,
                    work_order_ready=True,
                    parts_ready=True,
                )
        if row.status == FINALIZED:
            with clock_at(appointment.end + datetime.timedelta(hours=1)):
                appointment = workshop.finalize(appointment, staff)
        elif row.status == CANCELLED:
            with clock_at(entered + datetime.timedelta(days=1)):
                appointment = workshop.cancel(appointment, staff)
        elif row.status == NO_SHOW:
            with clock_at(appointment.start + datetime.timedelta(minutes=30)):
                appointment = workshop.record_no_show(appointment, staff)
        return appointment
