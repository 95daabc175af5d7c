"""Planning in the workshop: the capacity check (overbooking only when confirmed), plan,
reschedule, the checklist, finalize, no-show and cancel."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.appointments.models import (
    Appointment,
)
from theke.appointments.services import notify
from theke.appointments.services.appointments import (
    AppointmentError,
    _lock,
    _update,
)
from theke.appointments.services.links import issue_appointment_link
from theke.appointments.services.workshop.common import (
    Keep,
    S,
    _check_cutoff,
    _check_span,
    _close_open_proposals,
    _emit,
    _free_advisor,
    _lock_branch_of,
    _refuse_final,
    _user,
)
from theke.appointments.services.workshop.confirmation import (
    _queue_cancellation,
)
from theke.audit.services import Actor, record
from theke.tenants.scoping import tenant_scope

# --- planning ----------------------------------------------------------------------------------


def _capacity(
    appointment: Appointment,
    start: datetime.datetime,
    end: datetime.datetime,
    advisor: User | None,
    allow_overbooking: bool,
    *,
    assign: bool = True,
) -> tuple[User | None, bool]:
    """The advisor and the overbooked flag for [start, end), under the branch's lock;
    refuses ("overbooking") a time beyond the capacity unless staff confirmed it. Without
    an advisor the least busy free one is assigned, unless `assign` is False (staff moved
    the appointment to "ohne Berater": it still needs room at the branch)."""
    _lock_branch_of(appointment)
    found = _free_advisor(appointment, start, end, advisor)
    if found is False:
        if not allow_overbooking:
            raise AppointmentError(
                _(
                    "Zu dieser Zeit ist keine Kapazität mehr frei. Bestätigen Sie die "
                    "Überbuchung, um den Termin trotzdem zu planen."
                ),
                None,
                "overbooking",
            )
        return advisor, True
    if advisor is None and not assign:
        return None, False
    return advisor or _user(found or None), False


@transaction.atomic
def plan(
    appointment: Appointment,
    actor: Actor,
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    advisor: User | None = None,
    allow_overbooking: bool = False,
) -> Appointment:
    """Plan the appointment in the workshop ("Termin planen": internal, no message).

    Checks the capacity like online booking (code "overbooking" unless
    `allow_overbooking`, which marks it overbooked); open proposals are withdrawn; feed
    `appointment.planned`. Planning a planned appointment again at the same time changes
    nothing (two clicks); at another time it is a reschedule."""
    appointment = _lock(appointment)
    _refuse_final(appointment)
    start, end = _check_span(start or appointment.start, end or appointment.end, "start")
    advisor = advisor if advisor is not None else appointment.advisor
    if appointment.status == S.PLANNED:
        if (start, end, advisor) == (appointment.start, appointment.end, appointment.advisor):
            return appointment
        return reschedule(
            appointment,
            actor,
            start=start,
            end=end,
            advisor=advisor if advisor is not None else Keep.ADVISOR,
            allow_overbooking=allow_overbooking,
        )
    advisor, overbooked = _capacity(appointment, start, end, advisor, allow_overbooking)
    _close_open_proposals(appointment, timezone.now())
    appointment, changes = _update(
        appointment,
        actor,
        {
            "status": S.PLANNED,
            "start": start,
            "end": end,
            "advisor": advisor,
            "overbooked": overbooked,
        },
        action="appointment.planned",
    )
    if changes:
        _emit(appointment, "appointment.planned")
    return appointment


@transaction.atomic
def reschedule(
    appointment: Appointment,
    actor: Actor,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    advisor: User | Keep | None = Keep.ADVISOR,
    allow_overbooking: bool = False,
) -> Appointment:
    """Move a planned appointment (the calendar, the edit page): same capacity rule as
    `plan`; feed `appointment.rescheduled`; the reminders follow by themselves. A request
    or proposal just gets the new times (no capacity taken yet, no event). `advisor`
    Keep.ADVISOR keeps the current one; None takes it off any advisor ("ohne Berater")."""
    appointment = _lock(appointment)
    _refuse_final(appointment)
    start, end = _check_span(start, end, "start")
    unassign = advisor is None
    chosen = appointment.advisor if isinstance(advisor, Keep) else advisor
    if appointment.status != S.PLANNED:
        return _update(appointment, actor, {"start": start, "end": end, "advisor": chosen})[0]
    chosen, overbooked = _capacity(
        appointment, start, end, chosen, allow_overbooking, assign=not unassign
    )
    appointment, changes = _update(
        appointment,
        actor,
        {"start": start, "end": end, "advisor": chosen, "overbooked": overbooked},
        action="appointment.rescheduled",
    )
    if changes.keys() & {"start", "end", "advisor"}:
        _emit(appointment, "appointment.rescheduled")
    return appointment


@transaction.atomic
def set_checklist(
    appointment: Appointment,
    actor: Actor,
    *,
    workshop_time_confirmed: bool,
    work_order_ready: bool,
    parts_ready: bool,
) -> Appointment:
    """The seed's checklist: workshop time confirmed, work order ready, parts in stock or
    ordered (internal: no feed event)."""
    return _update(
        appointment,
        actor,
        {
            "workshop_time_confirmed": workshop_time_confirmed,
            "work_order_ready": work_order_ready,
            "parts_ready": parts_ready,
        },
        action="appointment.checklist_changed",
    )[0]


@transaction.atomic
def finalize(appointment: Appointment, actor: Actor) -> Appointment:
    """Close the case after the work ("Termin endgültig festlegen"): planned → finalized;
    feed `appointment.finalized` once (a second click changes nothing)."""
    appointment = _lock(appointment)
    if appointment.status == S.FINALIZED:
        return appointment
    appointment, changes = _update(
        appointment, actor, {"status": S.FINALIZED}, action="appointment.finalized"
    )
    if changes:
        _emit(appointment, "appointment.finalized")
    return appointment


@transaction.atomic
def record_no_show(
    appointment: Appointment, actor: Actor, *, now: datetime.datetime | None = None
) -> Appointment:
    """The customer did not come: only for a planned appointment that has begun. It stays
    planned (finalize is still possible); feed `appointment.no_show` once."""
    now = now or timezone.now()
    appointment = _lock(appointment)
    _refuse_final(appointment)
    if appointment.status != S.PLANNED:
        raise AppointmentError(
            _("Nur bei einem geplanten Termin kann „Nicht erschienen“ erfasst werden."),
            None,
            "not_planned",
        )
    if appointment.no_show_at is not None:
        return appointment
    if appointment.start > now:
        raise AppointmentError(_("Der Termin hat noch nicht begonnen."), None, "not_started")
    appointment, _changes = _update(
        appointment, actor, {"no_show_at": now}, action="appointment.no_show"
    )
    _emit(appointment, "appointment.no_show")
    return appointment


def cancel(
    appointment: Appointment,
    actor: Actor,
    *,
    by_customer: bool = False,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Cancel the appointment (staff, or the customer on their page up to the cut-off:
    "too_late" after it). Open proposals are withdrawn; a confirmed appointment's customer
    gets the cancellation with a calendar file (METHOD:CANCEL); feed `appointment.cancelled`.
    Cancelling a cancelled appointment changes nothing."""
    now = now or timezone.now()
    with tenant_scope(appointment.tenant), transaction.atomic():
        appointment = _lock(appointment)
        if appointment.status == S.CANCELLED:
            return appointment
        _refuse_final(appointment)
        if by_customer:
            _check_cutoff(appointment, now)
        was_confirmed = appointment.status == S.PLANNED and appointment.confirmed_at is not None
        _close_open_proposals(appointment, now)
        appointment, _changes = _update(
            appointment, actor, {"status": S.CANCELLED}, action="appointment.cancelled"
        )
        if was_confirmed:
            link = issue_appointment_link(appointment, now, supersede=not by_customer)
            try:
                _queue_cancellation(appointment, link)
            except notify.NotifyError:
                # No address any more: the cancellation stands; nothing to write to.
                record(
                    appointment.tenant,
                    actor,
                    "appointment.cancellation_not_sent",
                    appointment,
                    {"reason": "no_address"},
                )
        _emit(appointment, "appointment.cancelled", by_customer=by_customer)
    return appointment
