"""Staff turn a lead into an appointment ("Als Termin anlegen", seed 001).

First the customer is identified (the lead's customer number, else the duplicate search),
then the vehicle by its VIN (own, another keeper's, or a walk-in vehicle). `convert_lead`
then takes one of the four ways through the duplicate screen in one transaction: it locks
the lead and the branch, re-checks the slot, and creates the appointment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.appointments.models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    Lead,
    LeadStatus,
)
from theke.appointments.services import availability, notify, workshop
from theke.appointments.services.appointments import (
    CONTACT_FIELDS,
    WALK_IN_FIELDS,
    AppointmentError,
    WorkItem,
    create_appointment,
    event_payload,
    update_appointment,
)
from theke.appointments.services.leads import (
    LeadError,
    check_may_touch,
    check_transition,
    lock_lead,
    save_transition,
)
from theke.appointments.services.settings import booking_settings
from theke.audit.feed import emit_event
from theke.audit.services import Actor
from theke.customers import services as customers
from theke.customers.duplicates import DuplicateCandidate, DuplicateCriteria, DuplicateProbe
from theke.customers.models import Customer, Location, Vehicle
from theke.customers.validators import normalize_plate, normalize_vin
from theke.messaging.models import OutboundMessage
from theke.tenants.models import Tenant

__all__ = [
    "WAYS",
    "ConversionError",
    "CustomerMatch",
    "MasterData",
    "SlotTaken",
    "VehicleMatch",
    "add_walk_in_vehicle_to_master",
    "cash_customer",
    "convert_lead",
    "identify_customer",
    "master_data",
    "match_vehicle",
    "send_appointment_confirmation",
    "set_update_master_data",
    "vehicle_warning",
]

Way = Literal["merge_lead_data", "merge_master_data", "new_customer", "cash_customer"]
WAYS: tuple[Way, ...] = ("merge_lead_data", "merge_master_data", "new_customer", "cash_customer")
CONFIRMATION_PURPOSE = "appointment_confirmation"


class ConversionError(LeadError):
    """A refused conversion (or appointment action); `field` names the input at fault."""


class SlotTaken(ConversionError):
    """The lead's time was taken meanwhile; `next_slots` are the next free ones."""

    def __init__(self, message: str, next_slots: list[availability.FreeSlot]) -> None:
        super().__init__(message, "start", "slot_taken")
        self.next_slots = next_slots


# --- the customer -------------------------------------------------------------------------


@dataclass
class CustomerMatch:
    """Who the lead's customer is: the customer of its number, or duplicate candidates."""

    customer: Customer | None = None
    # The lead named a customer number no customer of the tenant has.
    unknown_number: str = ""
    candidates: list[DuplicateCandidate] = field(default_factory=list)

    @property
    def by_number(self) -> bool:
        return self.customer is not None


def _probe(lead: Lead) -> DuplicateProbe:
    return DuplicateProbe(
        first_name=lead.first_name,
        last_name=lead.last_name,
        postal_code=lead.postal_code,
        email=lead.email,
        phone=str(lead.mobile_phone or ""),
        license_plate=lead.license_plate,
        vin=lead.vin,
    )


def _criteria(tenant: Tenant) -> DuplicateCriteria:
    found = booking_settings(tenant)
    return DuplicateCriteria(
        name_postcode=found.duplicates_by_name_postcode,
        email=found.duplicates_by_email,
        phone=found.duplicates_by_phone,
        vehicle=found.duplicates_by_vehicle,
    )


def _find_duplicates(tenant: Tenant, lead: Lead) -> list[DuplicateCandidate]:
    """The customer master's duplicate search with the tenant's criteria."""
    return customers.find_duplicate_customers(tenant, _probe(lead), _criteria(tenant), limit=10)


def identify_customer(lead: Lead) -> CustomerMatch:
    """A customer number on the lead is the existing customer; else the duplicate search."""
    tenant = lead.tenant
    number = lead.customer_number.strip()
    if number:
        customer = Customer.objects.filter(tenant=tenant, number=number).first()
        if customer is not None:
            return CustomerMatch(customer=customer)
    return CustomerMatch(unknown_number=number, candidates=_find_duplicates(tenant, lead))


def candidate_customers(match: CustomerMatch) -> list[tuple[Customer, DuplicateCandidate]]:
    """The candidates with their customers, best first (customers gone meanwhile dropped)."""
    return [(c.customer, c) for c in match.candidates if c.customer is not None]


def cash_customer(tenant: Tenant) -> Customer:
    """The tenant's cash customer ("Barverkaufskunde"); refused when not set up."""
    number = booking_settings(tenant).cash_customer_number.strip()
    found = Customer.objects.filter(tenant=tenant, number=number).first() if number else None
    if found is None:
        raise ConversionError(
            _(
                "Es ist kein Barverkaufskunde eingerichtet. Bitte tragen Sie in den "
                "Einstellungen der Online-Terminbuchung die Kundennummer des "
                "Barverkaufskunden ein."
            ),
            "way",
            "no_cash_customer",
        )
    return found


# --- master data --------------------------------------------------------------------------


@dataclass(frozen=True)
class MasterData:
    """A customer's data as the duplicate screen compares them with the lead's."""

    salutation: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    mobile: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""


_primary_contact = notify.primary_contact


def _address(customer: Customer) -> Location | None:
    return Location.objects.filter(customer=customer).first()


def master_data(customer: Customer) -> MasterData:
    """The customer master's data: names, the primary contact, the (billing) address."""
    contact = _primary_contact(customer)
    location = _address(customer)
    return MasterData(
        salutation=customer.salutation or (contact.salutation if contact else ""),
        first_name=customer.first_name or (contact.first_name if contact else ""),
        last_name=customer.last_name or (contact.last_name if contact else ""),
        email=contact.email if contact else "",
        mobile=str(contact.mobile_phone or "") if contact else "",
        street=location.street if location else "",
        postal_code=location.postal_code if location else "",
        city=location.city if location else "",
    )


def lead_data(lead: Lead) -> MasterData:
    """The lead's customer data in the same shape."""
    return MasterData(
        salutation=lead.salutation,
        first_name=lead.first_name,
        last_name=lead.last_name,
        email=lead.email,
        mobile=str(lead.mobile_phone or ""),
        street=lead.street,
        postal_code=lead.postal_code,
        city=lead.city,
    )


def _contact_values(data: MasterData) -> dict[str, str]:
    return {
        "contact_salutation": data.salutation,
        "contact_first_name": data.first_name,
        "contact_last_name": data.last_name,
        "contact_email": data.email,
        "contact_mobile": data.mobile,
        "contact_street": data.street,
        "contact_postal_code": data.postal_code,
        "contact_city": data.city,
    }


def _merged(lead: Lead, customer: Customer) -> MasterData:
    """The lead's data, its gaps filled from the master record (way 1)."""
    own, master = lead_data(lead), master_data(customer)
    return MasterData(
        **{
            name: getattr(own, name) or getattr(master, name)
            for name in MasterData.__dataclass_fields__
        }
    )


def _write_master(appointment: Appointment, actor: Actor) -> None:
    """Write the appointment's contact data into the customer master ("In Stammdaten
    übernehmen"), through the customer services (audited); empty values change nothing."""
    customer = appointment.customer
    names = {
        "salutation": appointment.contact_salutation,
        "first_name": appointment.contact_first_name,
        "last_name": appointment.contact_last_name,
    }
    names = {key: value for key, value in names.items() if value}
    if names:
        customers.update_customer(customer, actor, **names)
    reach: dict[str, Any] = {
        "email": appointment.contact_email,
        "mobile_phone": str(appointment.contact_mobile or ""),
    }
    reach = {key: value for key, value in reach.items() if value}
    contact = _primary_contact(customer)
    if reach and contact is not None:
        customers.update_contact(contact, actor, **reach)
    elif reach and (appointment.contact_last_name or customer.last_name):
        last_name = appointment.contact_last_name or customer.last_name
        customers.add_contact(
            customer,
            actor,
            salutation=appointment.contact_salutation,
            first_name=appointment.contact_first_name,
            last_name=last_name,
            is_primary=True,
            **reach,
        )
    address = {
        "street": appointment.contact_street,
        "postal_code": appointment.contact_postal_code,
        "city": appointment.contact_city,
    }
    address = {key: value for key, value in address.items() if value}
    location = _address(customer)
    if address and location is not None:
        customers.update_location(location, actor, **address)
    elif len(address) == 3:
        customers.add_location(customer, actor, is_billing=True, **address)


# --- the vehicle --------------------------------------------------------------------------

VehicleCase = Literal["own", "other_owner", "walk_in"]


@dataclass(frozen=True)
class VehicleMatch:
    """What the vehicle master says about the lead's vehicle (seed 001's three cases)."""

    case: VehicleCase
    vehicle: Vehicle | None = None

    @property
    def owner(self) -> Customer | None:
        return self.vehicle.customer if self.vehicle is not None else None

    @property
    def message(self) -> str:
        if self.case == "own":
            return _("Das Fahrzeug ist im Fahrzeugstamm bei diesem Kunden erfasst.")
        if self.case == "other_owner":
            return _(
                "Das Fahrzeug ist im Fahrzeugstamm erfasst, gehört aber nicht diesem Kunden "
                "(Halter: %(owner)s). Der Termin wird mit diesem Fahrzeug und einem "
                "Warnhinweis angelegt."
            ) % {"owner": owner_label(self.vehicle)}
        return _(
            "Das Fahrzeug ist nicht im Fahrzeugstamm erfasst. Der Termin wird mit einem "
            "Durchlauffahrzeug angelegt; Sie können es später in den Fahrzeugstamm übernehmen."
        )


def owner_label(vehicle: Vehicle | None) -> str:
    """The keeper's name and number, or "kein Halter"."""
    owner = vehicle.customer if vehicle is not None else None
    if owner is None:
        return _("kein Halter")
    return owner.display_name + (f" ({owner.number})" if owner.number else "")


def match_vehicle(lead: Lead, customer: Customer | None) -> VehicleMatch:
    """The lead's VIN (normalised) against the vehicle master; without a VIN, its plate
    when exactly one vehicle (or one of this customer's) has it."""
    vehicles = Vehicle.objects.filter(tenant=lead.tenant).select_related("customer")
    vin = normalize_vin(lead.vin)
    found: Vehicle | None = None
    if vin:
        found = vehicles.filter(vin=vin).first()
    elif lead.license_plate.strip():
        plate = normalize_plate(lead.license_plate)
        same = list(vehicles.filter(license_plate=plate)[:5])
        own = [v for v in same if customer is not None and v.customer_id == customer.pk]
        found = own[0] if own else (same[0] if len(same) == 1 else None)
    if found is None:
        return VehicleMatch("walk_in")
    if customer is not None and found.customer_id == customer.pk:
        return VehicleMatch("own", found)
    return VehicleMatch("other_owner", found)


def vehicle_warning(appointment: Appointment) -> str | None:
    """Seed 001's warning when the appointment's vehicle is not the customer's."""
    vehicle = appointment.vehicle
    if vehicle is None or vehicle.customer_id == appointment.customer_id:
        return None
    return _("Das Fahrzeug gehört laut Fahrzeugstamm nicht diesem Kunden (Halter: %(owner)s).") % {
        "owner": owner_label(vehicle)
    }


# --- converting ---------------------------------------------------------------------------


def _work_items(lead: Lead) -> list[WorkItem]:
    """One work item per booked service, with its price and the service (what to bring)."""
    items = []
    for booked in lead.services_booked or []:
        name = str(booked.get("name", "")).strip()
        if name:
            price = booked.get("price")
            service_id = booked.get("id")
            items.append(
                WorkItem(
                    name,
                    Decimal(price) if price is not None else None,
                    service_id if isinstance(service_id, int) else None,
                )
            )
    return items


def _customer_for(
    lead: Lead,
    actor: Actor,
    way: Way,
    customer: Customer | None,
    new_customer_data: dict[str, dict[str, Any]] | None,
) -> Customer:
    tenant = lead.tenant
    if way == "cash_customer":
        return cash_customer(tenant)
    if way == "new_customer":
        data = new_customer_data or {}
        values = dict(data.get("customer") or {})
        contact = dict(data.get("contact") or {})
        created = customers.register_customer(tenant, actor, values, contact)
        if lead.street and lead.postal_code and lead.city:
            customers.add_location(
                created,
                actor,
                street=lead.street,
                postal_code=lead.postal_code,
                city=lead.city,
                is_billing=True,
            )
        return created
    if customer is None or customer.tenant_id != tenant.pk:
        raise ConversionError(_("Bitte wählen Sie einen Kunden aus."), "customer", "required")
    return customer


def _slot_taken(lead: Lead, start: datetime.datetime) -> SlotTaken:
    slots = availability.next_free_slots(
        lead.branch, lead.duration_minutes, start, exclude_lead=lead
    )
    return SlotTaken(
        _("Der Termin um %(time)s ist inzwischen vergeben. Bitte wählen Sie eine andere Uhrzeit.")
        % {"time": timezone.localtime(start).strftime("%d.%m.%Y %H:%M")},
        slots,
    )


@transaction.atomic
def convert_lead(
    lead: Lead,
    actor: Actor,
    user: User,
    *,
    way: Way,
    customer: Customer | None = None,
    new_customer_data: dict[str, dict[str, Any]] | None = None,
    update_master_data: bool = False,
    start: datetime.datetime | None = None,
    advisor: User | None = None,
) -> Appointment:
    """Turn the lead into a planned appointment, one of the four ways (seed 001).

    Locks the lead, then the branch, and re-checks the slot: when it was taken meanwhile,
    raises SlotTaken with the next free slots and changes nothing.
    """
    if way not in WAYS:
        raise ConversionError(_("Unbekannter Weg."), "way", "invalid_way")
    check_may_touch(user, lead)
    lead = lock_lead(lead)
    check_may_touch(user, lead)
    if lead.status == LeadStatus.PLANNED:
        raise ConversionError(
            _("Die Terminanfrage wurde bereits als Termin angelegt."), None, "already_converted"
        )
    check_transition(lead, LeadStatus.PLANNED)
    tenant = lead.tenant
    start = start or lead.start
    end = start + (lead.end - lead.start)
    availability.lock_branch(lead.branch)
    free = availability.find_free_advisor(lead.branch, start, end, exclude_lead=lead)
    if free is False:
        raise _slot_taken(lead, start)
    if advisor is None:
        # The slot engine's free advisor; with a parallel capacity (None) the lead's own.
        advisor_id = free if isinstance(free, int) else lead.advisor_id
        advisor = User.objects.filter(pk=advisor_id).first() if advisor_id else None

    chosen = _customer_for(lead, actor, way, customer, new_customer_data)
    keep_switch = update_master_data and way == "merge_lead_data"
    if way == "merge_lead_data":
        contact = _contact_values(_merged(lead, chosen))
    elif way == "cash_customer":
        contact = _contact_values(lead_data(lead))
    else:
        contact = dict.fromkeys(CONTACT_FIELDS, "")
    found = match_vehicle(lead, chosen)
    vehicle_values: dict[str, Any]
    if found.vehicle is not None:
        vehicle_values = {"vehicle": found.vehicle}
    else:
        vehicle_values = {
            "walk_in_vin": normalize_vin(lead.vin),
            "walk_in_license_plate": normalize_plate(lead.license_plate),
            "walk_in_make": lead.make,
            "walk_in_model": lead.model,
        }
    appointment = create_appointment(
        tenant,
        actor,
        customer=chosen,
        start=start,
        end=end,
        other_owner_ok=True,
        source=AppointmentSource.ONLINE_BOOKING,
        status=AppointmentStatus.PLANNED,
        branch=lead.branch,
        advisor=advisor,
        work_items=_work_items(lead),
        notes=lead.note,
        mileage_km=lead.mileage_km,
        update_master_data=keep_switch,
        **contact,
        **vehicle_values,
    )
    if keep_switch:
        _write_master(appointment, actor)
    lead.appointment = appointment
    lead.customer = chosen
    save_transition(
        lead,
        LeadStatus.PLANNED,
        actor,
        action="lead.converted",
        data={"appointment": appointment.pk, "way": way, "vehicle": found.case},
        event="lead.converted",
    )
    emit_event(
        tenant,
        "appointment.planned",
        subject_type="appointment",
        external_id=appointment.external_id,
        payload=event_payload(appointment),
    )
    return appointment


# --- on the appointment page --------------------------------------------------------------


@transaction.atomic
def set_update_master_data(appointment: Appointment, actor: Actor, on: bool) -> Appointment:
    """Switch "In Stammdaten übernehmen"; switching it on writes the appointment's contact
    data into the customer master."""
    appointment = update_appointment(appointment, actor, update_master_data=on)
    if on:
        _write_master(appointment, actor)
    return appointment


@transaction.atomic
def add_walk_in_vehicle_to_master(appointment: Appointment, actor: Actor) -> Appointment:
    """Add the walk-in vehicle to the customer's vehicles and point the appointment at it;
    a vehicle known by the VIN meanwhile is used instead."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not appointment.is_walk_in_vehicle:
        raise ConversionError(
            _("Der Termin hat kein Durchlauffahrzeug."), "vehicle", "no_walk_in_vehicle"
        )
    vin = normalize_vin(appointment.walk_in_vin)
    known = (
        Vehicle.objects.filter(tenant=appointment.tenant, vin=vin, customer__isnull=False).first()
        if vin
        else None
    )
    vehicle = known or customers.add_vehicle(
        appointment.customer,
        actor,
        vin=vin,
        license_plate=appointment.walk_in_license_plate,
        make=appointment.walk_in_make,
        model=appointment.walk_in_model,
        mileage_km=appointment.mileage_km,
    )
    cleared = dict.fromkeys(WALK_IN_FIELDS, "")
    return update_appointment(appointment, actor, other_owner_ok=True, vehicle=vehicle, **cleared)


def send_appointment_confirmation(
    appointment: Appointment, actor: Actor, channel: str
) -> OutboundMessage:
    """Queue the confirmation (date, time, branch, address, link; e-mail with the calendar
    file) by e-mail or SMS; SMS needs the tenant's switch and a mobile number. Delegates to
    `workshop.send_confirmation`; its refusals come back as ConversionError."""
    try:
        return workshop.send_confirmation(appointment, actor, channel)
    except AppointmentError as exc:
        raise ConversionError(exc.messages[0], exc.field, exc.code) from exc
