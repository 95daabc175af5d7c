"""TEMPORARY STUB on branch i13-staff: the real module is helper "life"'s (branch i13-life).

On merging i13-life take theirs for this file. Only what the staff pages need, roughly.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from theke.accounts.models import User
from theke.appointments.models import Appointment, AppointmentSource, AppointmentStatus
from theke.appointments.services.appointments import (
    AppointmentError,
    _update,
    cancel_appointment,
    create_appointment,
)
from theke.audit.services import Actor
from theke.tenants.models import Tenant


@dataclass(frozen=True)
class SlotChoice:
    start: datetime.datetime
    end: datetime.datetime
    advisor: User | None = None


def create_request(
    tenant: Tenant,
    actor: Actor,
    *,
    customer: Any,
    branch: Any,
    start: Any,
    end: Any,
    advisor: Any = None,
    vehicle: Any = None,
    work_items: Any = (),
    estimated_cost: Any = None,
    notes: str = "",
) -> Appointment:
    return create_appointment(
        tenant,
        actor,
        customer=customer,
        start=start,
        end=end,
        branch=branch,
        advisor=advisor,
        vehicle=vehicle,
        work_items=list(work_items),
        estimated_cost=estimated_cost,
        notes=notes,
        status=AppointmentStatus.REQUESTED,
        source=AppointmentSource.STAFF,
    )


@transaction.atomic
def propose(
    appointment: Appointment,
    actor: Actor,
    *,
    slots: Sequence[SlotChoice],
    by_email: bool = True,
    by_sms: bool = False,
) -> Any:
    first = slots[0]
    return _update(
        appointment,
        actor,
        {"status": AppointmentStatus.PROPOSED, "start": first.start, "end": first.end},
    )[0]


@transaction.atomic
def plan(
    appointment: Appointment,
    actor: Actor,
    *,
    start: Any = None,
    end: Any = None,
    advisor: Any = None,
    allow_overbooking: bool = False,
) -> Appointment:
    values: dict[str, Any] = {"status": AppointmentStatus.PLANNED}
    if start is not None:
        values.update(start=start, end=end, advisor=advisor)
    return _update(appointment, actor, values)[0]


@transaction.atomic
def set_checklist(
    appointment: Appointment,
    actor: Actor,
    *,
    workshop_time_confirmed: bool,
    work_order_ready: bool,
    parts_ready: bool,
) -> Appointment:
    return _update(
        appointment,
        actor,
        {
            "workshop_time_confirmed": workshop_time_confirmed,
            "work_order_ready": work_order_ready,
            "parts_ready": parts_ready,
        },
    )[0]


@transaction.atomic
def finalize(appointment: Appointment, actor: Actor) -> Appointment:
    return _update(appointment, actor, {"status": AppointmentStatus.FINALIZED})[0]


@transaction.atomic
def record_no_show(appointment: Appointment, actor: Actor) -> Appointment:
    if appointment.status != AppointmentStatus.PLANNED or appointment.start > timezone.now():
        raise AppointmentError("Noch nicht begonnen.", None, "not_started")
    return _update(appointment, actor, {"no_show_at": timezone.now()})[0]


def cancel(appointment: Appointment, actor: Actor, *, by_customer: bool = False) -> Appointment:
    cancel_appointment(appointment, actor)
    return appointment
