"""API of the appointments domain (see theke.api.resources for the shared conventions).

* `PUT /appointments/{external_id}` creates (201) or updates (200) an appointment. The
  customer, start and end are always sent; other fields left out keep their stored value.
* References: `customer_external_id`, `vehicle_external_id` (a vehicle of that customer),
  `branch_external_id` (the branch's "ID im Warenwirtschaftssystem", set under
  Einstellungen → Betriebe) and `advisor_email` (an active staff user of the tenant).
  `null` clears an optional reference.
* `start` and `end` are ISO 8601 date-times with a UTC offset
  (`2025-10-14T09:30:00+02:00`); a time without offset is refused, since it would be
  ambiguous around the change to and from daylight saving time.
* `status` may be planned, confirmed, finalized or cancelled. Finalized and cancelled
  appointments are final: a later change is refused with 409 (the same data again is fine).
* `DELETE` cancels (`"result": "cancelled"`); the appointment stays for the history.
* Changes pushed here emit no event: the feed reports what happens in Theke
  (`appointment.proposed`, `.accepted`, `.counter_proposed`, `.planned`, `.rescheduled`,
  `.cancelled`, `.finalized`, `.no_show`: staff's decisions and the customer's answers).
* `GET /appointments/by-uid/{uid}` reads an appointment made in Theke (no external id yet).
* Leads and online booking (`/leads`, `/booking/...`): see their section below.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from theke.api.cursors import UpdatedCursor
from theke.api.errors import FieldError, Problem
from theke.api.idempotency import idempotent
from theke.api.resources import (
    DeleteOut,
    ExternalId,
    StrictIn,
    add_bulk_endpoint,
    add_upsert_and_read,
    api_scope,
    find,
    not_found,
    unknown_reference,
    values_of,
)
from theke.api.types import Date, IntegerRange, OffsetDateTime, SingleLine, decimal_digits
from theke.appointments import services
from theke.appointments.models import (
    MAX_MILEAGE_KM,
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    BookableService,
    Lead,
)
from theke.appointments.services.appointments import WorkItem
from theke.appointments.services.availability import FreeSlot, free_slots
from theke.appointments.services.booking import BookingRequest, SlotTaken, book
from theke.appointments.services.leads import LeadError, lead_payload
from theke.appointments.services.settings import booking_enabled
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.core.timestamps import with_timestamps
from theke.customers.models import Customer, Vehicle
from theke.tenants.models import Branch, Tenant

router = Router(tags=["appointments"])

# Service field names -> the names the client sent.
API_FIELDS = {
    "customer": "customer_external_id",
    "vehicle": "vehicle_external_id",
    "branch": "branch_external_id",
    "advisor": "advisor_email",
}
# Where a service error's field shows up in the API (the references, the work items).
ERROR_PATHS = {**API_FIELDS, "work_items": "work_description"}
CONFLICT_CODES = frozenset({"final", "invalid_transition"})
TEXT_LIMIT = 10_000


# --- input types ----------------------------------------------------------------------------


Text = str
Reference = Annotated[str, Field(min_length=1, max_length=100)]
Cost = decimal_digits(8, 2, "189.00")
# "confirmed" is a planned appointment confirmed to the customer (`confirmed: true` out).
StatusIn = Literal["planned", "confirmed", "finalized", "cancelled"]
StatusOut = Literal["requested", "proposed", "planned", "finalized", "cancelled"]


# --- schemas --------------------------------------------------------------------------------


class AppointmentIn(StrictIn):
    customer_external_id: Reference = ExternalId
    vehicle_external_id: Reference | None = Field(
        None, description="A vehicle of this customer; null: none."
    )
    branch_external_id: Reference | None = Field(
        None, description="The branch's ID im Warenwirtschaftssystem; null: none."
    )
    advisor_email: Reference | None = Field(
        None, description="E-mail of the responsible service advisor (a staff user); null: none."
    )
    start: OffsetDateTime
    end: OffsetDateTime
    status: StatusIn = Field(
        "planned", description="New appointments are planned unless another status is sent."
    )
    work_description: Text = Field("", max_length=TEXT_LIMIT, description="Work to be done.")
    notes: Text = Field("", max_length=TEXT_LIMIT)
    mileage_km: Annotated[int, IntegerRange(0, MAX_MILEAGE_KM)] | None = None
    customer_waits: bool = Field(False, description="The customer waits at the branch.")
    replacement_car: bool = Field(False, description="The customer needs a replacement car.")
    estimated_cost: Annotated[Decimal, Cost] | None = Field(
        None, description='Expected cost as a decimal string, "189.00".'
    )


class AppointmentBulkItem(AppointmentIn):
    external_id: Reference = ExternalId


class WorkItemOut(Schema):
    text: str
    cost: str | None


class AppointmentOut(Schema):
    external_id: str
    uid: str = Field(description="Theke's own id of the appointment; it never changes.")
    status: StatusOut
    customer_external_id: str | None
    vehicle_external_id: str | None
    branch_external_id: str | None
    advisor_email: str | None
    start: datetime
    end: datetime
    work_description: str = Field(description="The work items' texts, one per line.")
    work_items: list[WorkItemOut]
    confirmed: bool = Field(description="Confirmed to the customer (the former status confirmed).")
    notes: str
    mileage_km: int | None
    customer_waits: bool
    replacement_car: bool
    estimated_cost: str | None


# --- helpers --------------------------------------------------------------------------------


def _problem(exc: ServiceError) -> Problem:
    """A refused change: 409 when the appointment's state forbids it, else 422."""
    message = exc.messages[0]
    path = ERROR_PATHS.get(exc.field or "", exc.field or "")
    status = 409 if exc.code in CONFLICT_CODES else 422
    title = "Conflict" if status == 409 else "Unprocessable Content"
    errors = [FieldError(path, message, exc.code or "invalid")] if path else []
    return Problem(status, title, message, errors=errors)


def _lookup(external_id: str) -> Appointment | None:
    if "\x00" in external_id:
        return None
    related = ("customer", "vehicle", "branch", "advisor")
    return find(
        Appointment.objects.select_related(*related).prefetch_related("work_items"), external_id
    )


def _reference[M: Model](queryset: QuerySet[M], what: str, field: str, external_id: str) -> M:
    row = find(queryset, external_id)
    if row is None:
        raise unknown_reference(what, field, external_id)
    return row


def _appointment_out(appointment: Appointment) -> dict[str, Any]:
    vehicle, branch, advisor = appointment.vehicle, appointment.branch, appointment.advisor
    cost = appointment.estimated_cost
    return {
        "external_id": appointment.external_id,
        "uid": str(appointment.uid),
        "status": appointment.status,
        "customer_external_id": appointment.customer.external_id or None,
        "vehicle_external_id": (vehicle.external_id or None) if vehicle else None,
        "branch_external_id": (branch.external_id or None) if branch else None,
        "advisor_email": advisor.email if advisor else None,
        "start": appointment.start,
        "end": appointment.end,
        "work_description": appointment.work_description,
        "work_items": [
            {"text": item.text, "cost": str(item.cost) if item.cost is not None else None}
            for item in appointment.work_items.all()
        ],
        "confirmed": appointment.confirmed_at is not None,
        "notes": appointment.notes,
        "mileage_km": appointment.mileage_km,
        "customer_waits": appointment.customer_waits,
        "replacement_car": appointment.replacement_car,
        "estimated_cost": str(cost) if cost is not None else None,
    }


def _back_office_values(values: dict[str, Any], appointment: Appointment | None) -> dict[str, Any]:
    """The back office's fields in Theke's terms: "confirmed" is planned and confirmed to
    the customer; `work_description` with `estimated_cost` is one work item."""
    if values.get("status") == "confirmed":
        values["status"] = AppointmentStatus.PLANNED
        if appointment is None or appointment.confirmed_at is None:
            values["confirmed_at"] = timezone.now()
    if "work_description" in values:
        text = values.pop("work_description").strip()
        cost = values.get("estimated_cost")
        if cost is None and appointment is not None and "estimated_cost" not in values:
            cost = appointment.estimated_cost
        values["work_items"] = [WorkItem(text, cost)] if text else []
    return values


# --- upsert ---------------------------------------------------------------------------------


@transaction.atomic
def _upsert_appointment(
    tenant: Tenant, actor: Actor, external_id: str, data: AppointmentIn
) -> tuple[Appointment, bool]:
    if "\x00" in external_id or len(external_id) > 100:
        raise Problem(
            422,
            "Unprocessable Content",
            "The external_id must have 1 to 100 characters and no NUL.",
            errors=[FieldError("external_id", "Invalid external_id.", "invalid")],
        )
    references = set(API_FIELDS.values())
    values = values_of(data, "external_id", *references)
    values["customer"] = _reference(
        Customer.objects.all(), "customer", "customer_external_id", data.customer_external_id
    )
    sent = data.model_fields_set
    if "vehicle_external_id" in sent:
        vehicle_id = data.vehicle_external_id
        values["vehicle"] = (
            _reference(Vehicle.objects.all(), "vehicle", "vehicle_external_id", vehicle_id)
            if vehicle_id
            else None
        )
    if "branch_external_id" in sent:
        branch_id = data.branch_external_id
        values["branch"] = (
            _reference(Branch.objects.all(), "branch", "branch_external_id", branch_id)
            if branch_id
            else None
        )
    try:
        if "advisor_email" in sent:
            email = data.advisor_email
            values["advisor"] = services.advisor_by_email(tenant, email) if email else None
        appointment = _lookup(external_id)
        created = appointment is None
        values = _back_office_values(values, appointment)
        if appointment is None:
            appointment = services.create_appointment(
                tenant,
                actor,
                external_id=external_id,
                source=AppointmentSource.BACK_OFFICE,
                **values,
            )
        else:
            appointment = services.update_appointment(appointment, actor, **values)
    except ServiceError as exc:
        raise _problem(exc) from exc
    return appointment, created


# Registered before "/appointments/{external_id}", which would match "bulk".
add_bulk_endpoint(router, "appointments", AppointmentBulkItem, _upsert_appointment)


# --- endpoints ------------------------------------------------------------------------------


add_upsert_and_read(
    router,
    "appointments",
    singular="appointment",
    in_schema=AppointmentIn,
    out_schema=AppointmentOut,
    upsert=_upsert_appointment,
    read=_lookup,
    out=_appointment_out,
    put_summary="Create or update an appointment",
    get_summary="Read an appointment",
)


@router.delete(
    "/appointments/{external_id}",
    response=DeleteOut,
    operation_id="cancel_appointment",
    summary="Cancel an appointment (it stays, with status cancelled; refused once finalized)",
)
def cancel_appointment(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        appointment = _lookup(external_id)
        if appointment is None:
            raise not_found("appointment", external_id)
        try:
            services.cancel_appointment(appointment, actor)
        except ServiceError as exc:
            raise Problem(409, "Conflict", exc.messages[0]) from exc
        return {"external_id": external_id, "result": "cancelled"}


# --- life: appointments made in Theke, read by their uid ------------------------------------


@router.get(
    "/appointments/by-uid/{uid}",
    response=AppointmentOut,
    operation_id="get_appointment_by_uid",
    summary="Read an appointment by its uid",
    description=(
        "The appointment with this `uid` (as in the `appointment.*` events and the calendar "
        "file). Appointments made in Theke have no `external_id` until the back office sets "
        "one with PUT."
    ),
)
def get_appointment_by_uid(request: Any, uid: UUID) -> dict[str, Any]:
    with api_scope(request):
        appointment = (
            Appointment.objects.select_related("customer", "vehicle", "branch", "advisor")
            .prefetch_related("work_items")
            .filter(uid=uid)
            .first()
        )
        if appointment is None:
            raise Problem(404, "Not Found", f"No appointment with uid {str(uid)!r}.")
        return _appointment_out(appointment)


# --- leads and online booking (issue 12) ----------------------------------------------------
#
# * `GET /leads` (filters `status`, `updated_after`; ordered by updated_at, then id; paged by
#   an opaque cursor like /events) and `GET /leads/{uid}`: the back office reads leads.
# * `GET /booking/services` and `GET /booking/slots`: what a branch offers and when.
# * `POST /leads`: the back office or the tenant's own website books a slot on behalf of a
#   customer. The caller answers for the customer's consent to the privacy text: the lead
#   records none (`consent.consented_at` is null).

LEAD_LIMIT = 100
MAX_LEAD_LIMIT = 1000
MAX_SLOT_DAYS = 62
MAX_SERVICES = 20
NOTE_LIMIT = 2000
LEAD_API_FIELDS = {"services": "service_ids", "service_ids": "service_ids", "branch": "branch"}
SLOT_TAKEN_TYPE = "urn:theke:problem:slot-taken"
BOOKING_DISABLED_TYPE = "urn:theke:problem:booking-disabled"
LeadStatusName = Literal["new", "planned", "rejected", "cancelled", "cancelled_by_customer"]
BranchRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        description="The branch's ID im Warenwirtschaftssystem or, failing that, "
        "Theke's numeric id of the branch.",
    ),
]
LEAD_CURSOR = UpdatedCursor(salt="theke.appointments.api.leads.cursor")


class ServiceBookedOut(Schema):
    id: int | None = Field(None, description="The bookable service (null once deleted).")
    name: str
    minutes: int
    price: str | None = Field(None, description='Price when booked, "89.00"; null: on request.')


class ConsentOut(Schema):
    terms_version: int | None
    privacy_version: int | None
    consented_at: datetime | None = Field(
        description="When the customer accepted; null for leads booked through the API."
    )


class LeadOut(Schema):
    uid: str = Field(description="Theke's id of the lead; it never changes.")
    status: LeadStatusName
    branch_id: int
    branch_external_id: str | None
    start: datetime
    end: datetime
    services: list[ServiceBookedOut]
    customer_number: str | None = Field(description="The customer number the customer gave.")
    customer_external_id: str | None = Field(
        description="The customer master record the lead was assigned to when converted."
    )
    salutation: str
    first_name: str
    last_name: str
    email: str
    mobile_phone: str | None
    street: str
    postal_code: str
    city: str
    language: str
    vin: str | None
    license_plate: str | None
    make: str
    model: str
    mileage_km: int | None
    note: str
    consent: ConsentOut
    appointment_uid: str | None = Field(description="The appointment it became (planned).")
    created_at: datetime
    updated_at: datetime


class LeadPage(Schema):
    leads: list[LeadOut]
    next_cursor: str = Field(description="Pass as `after` to read on; also when `leads` is empty.")
    has_more: bool


class LeadQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    status: list[LeadStatusName] | None = Field(
        None, description="Only leads with one of these statuses (repeat the parameter)."
    )
    updated_after: OffsetDateTime | None = Field(
        None, description="Only leads changed after this moment."
    )
    after: str | None = Field(
        None, description="The `next_cursor` of the previous page; leave out to start."
    )
    limit: int = Field(LEAD_LIMIT, ge=1, le=MAX_LEAD_LIMIT)


class BookingServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    price: str | None = Field(description='"89.00"; null: price on request.')
    branch_ids: list[int] = Field(description="The branches offering it; empty: every branch.")


class BookingServicesQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    branch: BranchRef | None = Field(None, description="Only the services of this branch.")


class SlotOut(Schema):
    start: datetime
    end: datetime


class SlotsOut(Schema):
    branch_id: int
    branch_external_id: str | None
    duration_minutes: int = Field(description="The sum of the services' durations.")
    slots: list[SlotOut]


class SlotsQuery(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    branch: BranchRef
    services: list[int] = Field(
        min_length=1, max_length=MAX_SERVICES, description="Bookable service ids (repeat)."
    )
    from_: Date | None = Field(
        None, alias="from", description="First day (Europe/Berlin); default: today."
    )
    days: int = Field(14, ge=1, le=MAX_SLOT_DAYS, description="How many days from `from`.")


class LeadIn(StrictIn):
    branch: BranchRef
    service_ids: list[int] = Field(min_length=1, max_length=MAX_SERVICES)
    start: OffsetDateTime = Field(description="The start of a free slot (GET /booking/slots).")
    customer_number: Annotated[str, SingleLine(40)] = ""
    salutation: Annotated[str, SingleLine(40)] = ""
    first_name: Annotated[str, SingleLine(100)] = ""
    last_name: Annotated[str, SingleLine(100, min_length=1)]
    email: str = Field(max_length=254, description="The customer's e-mail address.")
    mobile_phone: str = Field("", max_length=40, description="Dialable, e.g. +49 171 1234567.")
    street: Annotated[str, SingleLine(200)] = ""
    postal_code: Annotated[str, SingleLine(12)] = ""
    city: Annotated[str, SingleLine(100)] = ""
    language: Literal["de", "en"] = "de"
    vin: Annotated[str, SingleLine(17)] = Field(
        "", description="The VIN; a VIN or a license plate is required."
    )
    license_plate: Annotated[str, SingleLine(20)] = Field(
        "", description="A VIN or a license plate is required."
    )
    make: Annotated[str, SingleLine(60)] = ""
    model: Annotated[str, SingleLine(100)] = ""
    mileage_km: Annotated[int, IntegerRange(0, MAX_MILEAGE_KM)] | None = None
    note: str = Field("", max_length=NOTE_LIMIT)


# --- lead helpers ---------------------------------------------------------------------------


def _leads() -> QuerySet[Lead]:
    return Lead.objects.select_related(
        "branch", "customer", "appointment", "terms_text", "privacy_text"
    )


def _branch(reference: str, field: str = "branch") -> Branch:
    """The branch by its ID im Warenwirtschaftssystem, else by Theke's id; 422 when unknown."""
    branches = Branch.objects.all()
    found = find(branches, reference) if "\x00" not in reference else None
    if found is None and reference.isascii() and reference.isdigit() and len(reference) < 19:
        found = branches.filter(pk=int(reference)).first()
    if found is None:
        message = f"No branch {reference!r} (ID im Warenwirtschaftssystem or id)."
        raise Problem(
            422, "Unprocessable Content", message, errors=[FieldError(field, message, "unknown")]
        )
    return found


def _booking_disabled(branch: Branch) -> Problem:
    return Problem(
        409,
        "Online booking is not enabled",
        f"Online booking is not enabled at the branch {branch.name!r} (Einstellungen → "
        "Online-Terminbuchung; the platform operator enables it per tenant).",
        type=BOOKING_DISABLED_TYPE,
    )


def _bookable_services(branch: Branch | None) -> QuerySet[BookableService]:
    services_ = BookableService.objects.filter(is_active=True).prefetch_related("branches")
    if branch is not None:
        services_ = services_.filter(Q(branches=None) | Q(branches=branch)).distinct()
    return services_.order_by("position", "name", "id")


def _chosen_services(branch: Branch, ids: list[int], field: str) -> list[BookableService]:
    """The services by id, in the order sent; 422 naming the ids the branch does not offer."""
    offered = {service.pk: service for service in _bookable_services(branch)}
    unknown = [service_id for service_id in ids if service_id not in offered]
    if unknown:
        message = f"The branch offers no bookable service with the id(s) {unknown}."
        raise Problem(
            422, "Unprocessable Content", message, errors=[FieldError(field, message, "unknown")]
        )
    if len(set(ids)) != len(ids):
        message = "Each service may be booked once."
        raise Problem(
            422, "Unprocessable Content", message, errors=[FieldError(field, message, "duplicate")]
        )
    return [offered[service_id] for service_id in ids]


def _slot_out(slot: FreeSlot) -> dict[str, Any]:
    return {"start": slot.start, "end": slot.end}


def _lead_problem(exc: LeadError) -> Problem:
    """A refused booking: 409 for a taken slot (with the next free slots), else 422."""
    message = " ".join(str(m) for m in exc.messages)
    if exc.code == "booking_disabled":  # switched off between our check and the booking
        return Problem(409, "Online booking is not enabled", message, type=BOOKING_DISABLED_TYPE)
    if isinstance(exc, SlotTaken):
        return Problem(
            409,
            "Slot taken",
            message,
            type=SLOT_TAKEN_TYPE,
            extra={"next_slots": [with_timestamps(_slot_out(s)) for s in exc.next_slots]},
        )
    path = LEAD_API_FIELDS.get(exc.field or "", exc.field or "")
    errors = [FieldError(path, message, exc.code or "invalid")] if path else []
    return Problem(422, "Unprocessable Content", message, errors=errors)


# --- lead and booking endpoints -------------------------------------------------------------


@router.get(
    "/leads",
    response=LeadPage,
    operation_id="list_leads",
    summary="List leads (online appointment requests), oldest change first",
    description="Filters: `status` (repeatable) and `updated_after`. Ordered by `updated_at`, "
    "then by id; page on with `after=<next_cursor>`. A lead changed after you read it comes "
    "again on a later page, so polling with the last cursor picks up changes. For a complete "
    "history of decisions read the event feed (`lead.*` events).",
)
def list_leads(request: Any, query: Query[LeadQuery]) -> dict[str, Any]:
    with api_scope(request) as (tenant, _actor):
        last_updated, last_id = None, 0
        if query.after:
            last_updated, last_id = LEAD_CURSOR.decode(query.after, tenant.pk)
        leads = _leads().filter(tenant=tenant)
        if query.status:
            leads = leads.filter(status__in=query.status)
        if query.updated_after is not None:
            leads = leads.filter(updated_at__gt=query.updated_after)
        if last_updated is not None:
            leads = leads.filter(
                Q(updated_at__gt=last_updated) | Q(updated_at=last_updated, pk__gt=last_id)
            )
        rows = list(leads.order_by("updated_at", "pk")[: query.limit + 1])
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        if rows:
            last_updated, last_id = rows[-1].updated_at, rows[-1].pk
        return {
            "leads": [lead_payload(lead) for lead in rows],
            "next_cursor": LEAD_CURSOR.encode(tenant.pk, last_updated, last_id),
            "has_more": has_more,
        }


@router.get(
    "/leads/{uid}",
    response=LeadOut,
    operation_id="get_lead",
    summary="Read a lead",
    description="The lead with this `uid` (as in the list and the `lead.*` events).",
)
def get_lead(request: Any, uid: UUID) -> dict[str, Any]:
    with api_scope(request):
        lead = _leads().filter(uid=uid).first()
        if lead is None:
            raise Problem(404, "Not Found", f"No lead with uid {str(uid)!r}.")
        return lead_payload(lead)


@router.get(
    "/booking/services",
    response=list[BookingServiceOut],
    operation_id="list_bookable_services",
    summary="List the services customers can book online",
    description="Active bookable services with duration and price, in the order the booking "
    "page shows them; with `branch`, only those that branch offers.",
)
def list_bookable_services(request: Any, query: Query[BookingServicesQuery]) -> list[Any]:
    with api_scope(request):
        branch = _branch(query.branch) if query.branch else None
        return [
            {
                "id": service.pk,
                "name": service.name,
                "description": service.description,
                "duration_minutes": service.duration_minutes,
                "price": str(service.price) if service.price is not None else None,
                "branch_ids": sorted(b.pk for b in service.branches.all()),
            }
            for service in _bookable_services(branch)
        ]


@router.get(
    "/booking/slots",
    response=SlotsOut,
    operation_id="list_free_slots",
    summary="List the free slots of a branch for a set of services",
    description="Free slots for the services' total duration from `from` (a date, Europe/"
    "Berlin; default today) for `days` days, within the branch's minimum notice and booking "
    "horizon. Online booking must be enabled at the branch, else 409 with type "
    f"`{BOOKING_DISABLED_TYPE}`.",
)
def list_free_slots(request: Any, query: Query[SlotsQuery]) -> dict[str, Any]:
    with api_scope(request):
        branch = _branch(query.branch)
        if not booking_enabled(branch):
            raise _booking_disabled(branch)
        chosen = _chosen_services(branch, query.services, "services")
        minutes = sum(service.duration_minutes for service in chosen)
        slots = free_slots(branch, minutes, first_day=query.from_, days=query.days)
        return {
            "branch_id": branch.pk,
            "branch_external_id": branch.external_id or None,
            "duration_minutes": minutes,
            "slots": [_slot_out(slot) for slot in slots],
        }


@router.post(
    "/leads",
    response={201: LeadOut},
    operation_id="create_lead",
    summary="Book a slot on behalf of a customer (creates a lead with status new)",
    description="The same data as the booking page: branch, services, the start of a free "
    "slot, the customer's and the vehicle's data and a note. The caller answers for the "
    "customer's consent to the privacy text (the lead records no consent). A slot taken in "
    f"the meantime answers 409 with type `{SLOT_TAKEN_TYPE}` and the next free slots in "
    f"`next_slots`; booking not enabled at the branch answers 409 with type "
    f"`{BOOKING_DISABLED_TYPE}`; invalid data 422 naming the fields. Send an "
    "`Idempotency-Key` to retry safely.",
)
@idempotent
def create_lead(request: Any, data: LeadIn) -> Status:
    with api_scope(request) as (_tenant, actor):
        branch = _branch(data.branch)
        if not booking_enabled(branch):
            raise _booking_disabled(branch)
        _chosen_services(branch, data.service_ids, "service_ids")
        # consent=None: booked on the caller's word; the lead records no consent.
        booking = BookingRequest(**data.model_dump(exclude={"branch"}), consent=None)
        try:
            lead = book(branch, booking, actor=actor)
        except LeadError as exc:
            raise _lead_problem(exc) from exc
        return Status(201, lead_payload(_leads().get(pk=lead.pk)))
