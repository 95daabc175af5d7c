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
  (`appointment.planned`, `appointment.finalized` when staff decide).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import Model, QuerySet
from ninja import Router, Schema
from pydantic import Field

from theke.api.errors import FieldError, Problem
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
from theke.api.types import IntegerRange, OffsetDateTime, decimal_digits
from theke.appointments import services
from theke.appointments.models import MAX_MILEAGE_KM, Appointment, AppointmentSource
from theke.audit.services import Actor
from theke.core.errors import ServiceError
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
CONFLICT_CODES = frozenset({"final", "invalid_transition"})
TEXT_LIMIT = 10_000


# --- input types ----------------------------------------------------------------------------


Text = str
Reference = Annotated[str, Field(min_length=1, max_length=100)]
Cost = decimal_digits(8, 2, "189.00")
StatusIn = Literal["planned", "confirmed", "finalized", "cancelled"]
StatusOut = Literal["requested", "proposed", "planned", "confirmed", "finalized", "cancelled"]


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
    work_description: str
    notes: str
    mileage_km: int | None
    customer_waits: bool
    replacement_car: bool
    estimated_cost: str | None


# --- helpers --------------------------------------------------------------------------------


def _problem(exc: ServiceError) -> Problem:
    """A refused change: 409 when the appointment's state forbids it, else 422."""
    message = exc.messages[0]
    path = API_FIELDS.get(exc.field or "", exc.field or "")
    status = 409 if exc.code in CONFLICT_CODES else 422
    title = "Conflict" if status == 409 else "Unprocessable Content"
    errors = [FieldError(path, message, exc.code or "invalid")] if path else []
    return Problem(status, title, message, errors=errors)


def _lookup(external_id: str) -> Appointment | None:
    if "\x00" in external_id:
        return None
    related = ("customer", "vehicle", "branch", "advisor")
    return find(Appointment.objects.select_related(*related), external_id)


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
        "notes": appointment.notes,
        "mileage_km": appointment.mileage_km,
        "customer_waits": appointment.customer_waits,
        "replacement_car": appointment.replacement_car,
        "estimated_cost": str(cost) if cost is not None else None,
    }


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
