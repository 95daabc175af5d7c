"""Workshop appointments made by staff for a customer (seed 002): request, proposal, plan,
confirmation, finalize, no-show, cancel — and the customer's answers on their page.

Every function runs in one transaction and locks the appointment first (then, when it takes
capacity, the branch's booking row through `availability.lock_branch`, always in this
order), so two clicks, two tabs or a customer and the expiry task give exactly one outcome.
Refusals raise AppointmentError naming the field and a code. Each change is recorded as an
audit event with the appointment's snapshot (`appointments._update`), and the changes made
in Theke — by staff or the customer — are told to the back office as feed events
(`appointment.proposed`, `.accepted`, `.counter_proposed`, `.planned`, `.rescheduled`,
`.cancelled`, `.finalized`, `.no_show`). What the back office pushes through the API goes
through `create_appointment`/`update_appointment` instead and is never echoed back.

Messages to the customer are outbox rows (services/notify.py), sent after the commit.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentSource,
    AppointmentStatus,
    ProposalStatus,
    ProposedSlot,
)
from theke.appointments.services import availability, ics, notify
from theke.appointments.services.appointments import (
    AppointmentError,
    WorkItem,
    _final_error,
    _lock,
    _snapshot,
    _update,
    create_appointment,
    event_payload,
)
from theke.appointments.services.links import issue_appointment_link
from theke.appointments.services.settings import booking_settings
from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import SYSTEM, Actor, record
from theke.core.formatting import format_datetime
from theke.customers.models import Customer, Vehicle
from theke.messaging.models import Channel, OutboundMessage
from theke.messaging.services.outbox import Attachment
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import scopes_disabled, tenant_scope

__all__ = [
    "CANCELLATION_PURPOSE",
    "CONFIRMATION_PURPOSE",
    "MAX_SLOTS",
    "PROPOSAL_PURPOSE",
    "Keep",
    "NoShowRate",
    "SlotChoice",
    "accept_proposal",
    "can_change_online",
    "cancel",
    "cancel_deadline",
    "counter_propose",
    "create_request",
    "customer_actor",
    "expire_proposals",
    "finalize",
    "no_show_rates",
    "open_proposal",
    "plan",
    "propose",
    "record_no_show",
    "request_other_time",
    "reschedule",
    "send_confirmation",
    "set_checklist",
]

PROPOSAL_PURPOSE = "appointment_proposal"
CONFIRMATION_PURPOSE = "appointment_confirmation"
CANCELLATION_PURPOSE = "appointment_cancellation"
MAX_SLOTS = 3
NOTE_LIMIT = 2000

S = AppointmentStatus


class Keep(enum.Enum):
    """`reschedule(advisor=Keep.ADVISOR)`: the appointment stays with its advisor."""

    ADVISOR = "keep"


@dataclass(frozen=True)
class SlotChoice:
    """One slot staff pick for a proposal (or a plan): its time and, optionally, advisor."""

    start: datetime.datetime
    end: datetime.datetime
    advisor: User | None = None


@dataclass(frozen=True)
class NoShowRate:
    """No-shows of one branch in one month, among its planned appointments already past."""

    branch_id: int | None
    branch_name: str
    month: datetime.date  # the first day of the month (local time)
    appointments: int
    no_shows: int

    @property
    def rate(self) -> Decimal | None:
        """The share of no-shows (0..1), None without appointments."""
        if not self.appointments:
            return None
        return Decimal(self.no_shows) / Decimal(self.appointments)

    @property
    def percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(rate * 100)


# --- helpers --------------------------------------------------------------------------------


def customer_actor(appointment: Appointment) -> Actor:
    """The appointment's customer as the actor of their own answers (the customer page)."""
    contact = notify.primary_contact(appointment.customer)
    name = " ".join(
        p for p in (appointment.contact_first_name, appointment.contact_last_name) if p
    ) or (str(contact).strip() if contact else "")
    return Actor(
        ActorType.CONTACT,
        id=str(contact.pk) if contact else "",
        label=name or appointment.customer.display_name,
    )


def _emit(appointment: Appointment, type: str, **extra: Any) -> None:
    """The feed event of a change made in Theke (never called for back-office pushes)."""
    emit_event(
        appointment.tenant,
        type,
        subject_type="appointment",
        external_id=appointment.external_id,
        payload={**event_payload(appointment), **extra},
    )


def _refuse_final(appointment: Appointment) -> None:
    if appointment.status in (S.FINALIZED, S.CANCELLED):
        raise _final_error(appointment.status)


def _aware(value: Any, field: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        raise AppointmentError(
            _("Bitte geben Sie Datum und Uhrzeit an."), field, "invalid_datetime"
        )
    return value


def _check_span(start: Any, end: Any, field: str) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = _aware(start, field), _aware(end, field)
    if end <= start:
        raise AppointmentError(
            _("Das Ende des Termins muss nach seinem Beginn liegen."), field, "end_before_start"
        )
    return start, end


def _clean_note(note: Any) -> str:
    text = "" if note is None else str(note).strip()
    if not text:
        raise AppointmentError(
            _("Bitte schreiben Sie uns, wann es Ihnen besser passt."), "note", "required"
        )
    if len(text) > NOTE_LIMIT:
        raise AppointmentError(
            _("Die Nachricht darf höchstens %(limit)s Zeichen lang sein.") % {"limit": NOTE_LIMIT},
            "note",
            "too_long",
        )
    return text


def _free_advisor(
    appointment: Appointment,
    start: datetime.datetime,
    end: datetime.datetime,
    advisor: User | None,
) -> int | Literal[False] | None:
    """Whether the time is free at the appointment's branch (after `lock_branch`), with the
    advisor it goes to; an appointment without a branch has no capacity to check."""
    branch = appointment.branch
    if branch is None:
        return advisor.pk if advisor is not None else None
    return availability.find_free_advisor(
        branch,
        start,
        end,
        exclude_appointment=appointment,
        advisor=advisor.pk if advisor is not None else None,
    )


def _lock_branch_of(appointment: Appointment) -> None:
    if appointment.branch is not None:
        availability.lock_branch(appointment.branch)


def _user(user_id: int | None) -> User | None:
    return None if user_id is None else User.objects.filter(pk=user_id).first()


def _release(proposal: AppointmentProposal) -> None:
    """The proposal's slots stop holding capacity."""
    ProposedSlot.objects.filter(proposal=proposal).update(holds_until=None)


def _close_open_proposals(appointment: Appointment, now: datetime.datetime) -> None:
    """Withdraw the appointment's open proposals (a new proposal, a plan, a cancellation)."""
    open_ones = AppointmentProposal.objects.filter(
        appointment=appointment, status=ProposalStatus.OPEN
    )
    ProposedSlot.objects.filter(proposal__in=open_ones).update(holds_until=None)
    open_ones.update(status=ProposalStatus.WITHDRAWN, answered_at=now)


def open_proposal(appointment: Appointment) -> AppointmentProposal | None:
    """The proposal waiting for the customer's answer, with its slots (or None)."""
    return (
        AppointmentProposal.objects.filter(appointment=appointment, status=ProposalStatus.OPEN)
        .prefetch_related("slots")
        .order_by("-created_at", "-pk")
        .first()
    )


def cancel_deadline(appointment: Appointment) -> datetime.datetime:
    """Until when the customer may cancel or ask for another time online (the cut-off)."""
    hours = booking_settings(appointment.tenant).cancel_cutoff_hours
    return appointment.start - datetime.timedelta(hours=hours)


def can_change_online(appointment: Appointment, now: datetime.datetime | None = None) -> bool:
    """The customer may still cancel or ask for another time on their page."""
    return appointment.status in (S.REQUESTED, S.PROPOSED, S.PLANNED) and (
        now or timezone.now()
    ) < cancel_deadline(appointment)


def _check_cutoff(appointment: Appointment, now: datetime.datetime) -> None:
    if now >= cancel_deadline(appointment):
        raise AppointmentError(
            _(
                "Online ist das nur bis %(hours)s Stunden vor dem Termin möglich. Bitte rufen "
                "Sie uns an."
            )
            % {"hours": booking_settings(appointment.tenant).cancel_cutoff_hours},
            None,
            "too_late",
        )


def _notify_error(error: notify.NotifyError, field: str | None = None) -> AppointmentError:
    return AppointmentError(error.messages[0], field or error.field, error.code)


# --- creating a request ------------------------------------------------------------------------


@transaction.atomic
def create_request(
    tenant: Tenant,
    actor: Actor,
    *,
    customer: Customer,
    branch: Branch | None,
    start: datetime.datetime,
    end: datetime.datetime,
    advisor: User | None = None,
    vehicle: Vehicle | None = None,
    work_items: Sequence[WorkItem | dict[str, Any]] = (),
    estimated_cost: Any = None,
    notes: str = "",
) -> Appointment:
    """Staff enter a customer's request ("Anfrage für Termin erstellen"): status
    "Angefragt" in the actions list. No feed event: the back office learns of it when it is
    proposed or planned. No message: the customer is not asked anything further."""
    if branch is None:
        raise AppointmentError(_("Bitte wählen Sie einen Betrieb."), "branch", "required")
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
        status=S.REQUESTED,
        source=AppointmentSource.STAFF,
    )


# --- the proposal ------------------------------------------------------------------------------


def _slot_line(slot: ProposedSlot, language: str) -> str:
    end = timezone.localtime(slot.end).strftime("%H:%M")
    return f"• {format_datetime(slot.start, language)}–{end}"


def _slot_short(slot: ProposedSlot) -> str:
    return timezone.localtime(slot.start).strftime("%d.%m. %H:%M")


def _clean_slots(slots: Sequence[SlotChoice], now: datetime.datetime) -> list[SlotChoice]:
    if not 1 <= len(slots) <= MAX_SLOTS:
        raise AppointmentError(
            _("Bitte schlagen Sie ein bis drei Termine vor."), "slots", "slot_count"
        )
    clean = []
    for slot in slots:
        start, end = _check_span(slot.start, slot.end, "slots")
        if start <= now:
            raise AppointmentError(
                _("Ein vorgeschlagener Termin liegt in der Vergangenheit."), "slots", "past"
            )
        clean.append(SlotChoice(start, end, slot.advisor))
    if len({(s.start, s.end) for s in clean}) != len(clean):
        raise AppointmentError(
            _("Bitte schlagen Sie jeden Termin nur einmal vor."), "slots", "duplicate"
        )
    return sorted(clean, key=lambda s: s.start)


@transaction.atomic
def propose(
    appointment: Appointment,
    actor: Actor,
    *,
    slots: Sequence[SlotChoice],
    by_email: bool = True,
    by_sms: bool = False,
    now: datetime.datetime | None = None,
) -> AppointmentProposal:
    """Offer the customer one to three slots ("Vorschlag anbieten").

    Chain: (1) the appointment locked, then its branch; (2) every slot re-checked as free
    (refused with code "slot_taken" otherwise); (3) older open proposals withdrawn; (4) the
    proposal with its slots, held until the tenant's hold time passes; (5) the appointment
    "Vorgeschlagen" at the first slot; (6) the customer's link and the message by e-mail
    and/or SMS; (7) the feed event `appointment.proposed`.
    """
    now = now or timezone.now()
    if not (by_email or by_sms):
        raise AppointmentError(
            _("Bitte wählen Sie, ob der Vorschlag per E-Mail oder SMS geht."),
            "by_email",
            "no_channel",
        )
    chosen = _clean_slots(slots, now)
    # (1)
    appointment = _lock(appointment)
    _refuse_final(appointment)
    if appointment.branch is None:
        raise AppointmentError(_("Bitte wählen Sie einen Betrieb."), "branch", "required")
    _lock_branch_of(appointment)
    # (2) Own held slots and own planned time do not count against the new ones.
    advisors: list[User | None] = []
    for slot in chosen:
        found = _free_advisor(appointment, slot.start, slot.end, slot.advisor)
        if found is False:
            raise AppointmentError(
                _("Der Termin am %(when)s ist nicht mehr frei. Bitte wählen Sie einen anderen.")
                % {"when": format_datetime(slot.start)},
                "slots",
                "slot_taken",
            )
        advisors.append(slot.advisor or _user(found or None))
    # (3)
    _close_open_proposals(appointment, now)
    # (4)
    expires_at = now + datetime.timedelta(
        hours=booking_settings(appointment.tenant).proposal_hold_hours
    )
    proposal = AppointmentProposal.objects.create(
        tenant=appointment.tenant,
        appointment=appointment,
        by_email=by_email,
        by_sms=by_sms,
        expires_at=expires_at,
        created_at=now,
        created_by_id=actor.user_id,
    )
    rows = ProposedSlot.objects.bulk_create(
        ProposedSlot(
            tenant=appointment.tenant,
            proposal=proposal,
            branch=appointment.branch,
            start=slot.start,
            end=slot.end,
            advisor=advisor,
            holds_until=expires_at,
        )
        for slot, advisor in zip(chosen, advisors, strict=True)
    )
    # (5)
    first, first_advisor = chosen[0], advisors[0]
    appointment, changes = _update(
        appointment,
        actor,
        {
            "status": S.PROPOSED,
            "start": first.start,
            "end": first.end,
            "advisor": first_advisor,
            "confirmed_at": None,
        },
        action="appointment.proposed",
    )
    if not changes:  # proposed again with the same first slot: still a fact of the history
        record(
            appointment.tenant,
            actor,
            "appointment.proposed",
            appointment,
            {"changes": {}, "snapshot": _snapshot(appointment)},
        )
    # (6)
    link = issue_appointment_link(appointment, now)
    for channel, wanted in ((Channel.EMAIL, by_email), (Channel.SMS, by_sms)):
        if not wanted:
            continue
        language = notify.language_of(appointment)
        context = {
            "link": link,
            "slots": "\n".join(_slot_line(row, language) for row in rows),
            "slots_short": ", ".join(_slot_short(row) for row in rows),
            "valid_until": format_datetime(expires_at, language),
        }
        try:
            notify.queue_appointment_message(
                appointment,
                PROPOSAL_PURPOSE,
                channel,
                dedupe_key=f"appointment:{appointment.pk}:proposal:{proposal.pk}",
                context=context,
            )
        except notify.NotifyError as error:
            raise _notify_error(
                error, "by_sms" if channel == Channel.SMS else "by_email"
            ) from error
    # (7)
    _emit(
        appointment,
        "appointment.proposed",
        slots=[
            {
                "start": row.start,
                "end": row.end,
                "advisor_email": row.advisor.email if row.advisor else None,
            }
            for row in rows
        ],
        expires_at=expires_at,
    )
    return proposal


def _lock_proposal(proposal: AppointmentProposal) -> tuple[Appointment, AppointmentProposal]:
    """The proposal's appointment locked first (the one lock order of this module), then
    the proposal read again under it."""
    appointment = _lock(proposal.appointment)
    fresh = AppointmentProposal.objects.select_for_update().get(pk=proposal.pk)
    return appointment, fresh


def _check_open(proposal: AppointmentProposal, now: datetime.datetime) -> None:
    if proposal.status == ProposalStatus.OPEN and proposal.expires_at <= now:
        raise AppointmentError(
            _("Dieser Terminvorschlag ist abgelaufen. Bitte rufen Sie uns an."), None, "expired"
        )
    if proposal.status == ProposalStatus.OPEN:
        return
    messages = {
        ProposalStatus.ACCEPTED: (
            _("Sie haben bereits einen der vorgeschlagenen Termine gewählt."),
            "already_answered",
        ),
        ProposalStatus.COUNTERED: (
            _("Sie haben bereits um einen anderen Termin gebeten."),
            "already_answered",
        ),
        ProposalStatus.EXPIRED: (
            _("Dieser Terminvorschlag ist abgelaufen. Bitte rufen Sie uns an."),
            "expired",
        ),
        ProposalStatus.WITHDRAWN: (
            _("Dieser Terminvorschlag gilt nicht mehr."),
            "withdrawn",
        ),
    }
    message, code = messages[ProposalStatus(proposal.status)]
    raise AppointmentError(message, None, code)


def accept_proposal(
    proposal: AppointmentProposal,
    slot: ProposedSlot,
    actor: Actor,
    *,
    now: datetime.datetime | None = None,
) -> Appointment:
    """The customer picks one of the proposed slots.

    Chain: (1) the appointment, the proposal, then the branch locked; (2) the proposal must
    be open and not expired, the slot one of its own and still free ("slot_taken": the page
    shows the other slots); (3) the proposal accepted, its slots released; (4) the
    appointment planned and confirmed at the slot; (5) the confirmation with the calendar
    file by the proposal's channels; (6) the feed event `appointment.accepted`.
    """
    now = now or timezone.now()
    with tenant_scope(proposal.tenant), transaction.atomic():
        # (1)
        appointment, proposal = _lock_proposal(proposal)
        # (2)
        _check_open(proposal, now)
        chosen = ProposedSlot.objects.filter(pk=slot.pk, proposal=proposal).first()
        if chosen is None:
            raise AppointmentError(
                _("Bitte wählen Sie einen der vorgeschlagenen Termine."), "slot", "invalid_slot"
            )
        if chosen.start <= now:
            raise AppointmentError(
                _("Dieser Termin liegt bereits in der Vergangenheit."), "slot", "past"
            )
        _lock_branch_of(appointment)
        found = _free_advisor(appointment, chosen.start, chosen.end, _user(chosen.advisor_id))
        if found is False:
            raise AppointmentError(
                _(
                    "Dieser Termin wurde gerade vergeben. Bitte wählen Sie einen der anderen "
                    "Termine oder bitten Sie um einen anderen Termin."
                ),
                "slot",
                "slot_taken",
            )
        # (3)
        proposal.status = ProposalStatus.ACCEPTED
        proposal.answered_at = now
        proposal.chosen_slot = chosen
        proposal.save(update_fields=["status", "answered_at", "chosen_slot"])
        _release(proposal)
        # (4)
        advisor = _user(chosen.advisor_id) if chosen.advisor_id else _user(found or None)
        appointment, _changes = _update(
            appointment,
            actor,
            {
                "status": S.PLANNED,
                "start": chosen.start,
                "end": chosen.end,
                "advisor": advisor,
                "confirmed_at": now,
                "overbooked": False,
            },
            action="appointment.accepted",
        )
        # (5) The customer is on a link right now: it must keep working (no supersede).
        link = issue_appointment_link(appointment, now, supersede=False)
        channels = [
            c
            for c, on in ((Channel.EMAIL, proposal.by_email), (Channel.SMS, proposal.by_sms))
            if on
        ]
        for channel in channels:
            try:
                _queue_confirmation(appointment, actor, channel, link)
            except notify.NotifyError:
                # The address went missing since the proposal: the choice still counts;
                # staff can send the confirmation from the appointment page.
                continue
        # (6)
        _emit(appointment, "appointment.accepted", proposal_id=proposal.pk)
    return appointment


def counter_propose(
    proposal: AppointmentProposal,
    actor: Actor,
    note: str,
    *,
    now: datetime.datetime | None = None,
) -> Appointment:
    """The customer asks for another time ("anderen Termin anfragen") with a note: the
    proposal is answered, its slots released, the appointment back to "Angefragt" with the
    note (a counter-proposal in staff's actions list); feed `appointment.counter_proposed`."""
    now = now or timezone.now()
    text = _clean_note(note)
    with tenant_scope(proposal.tenant), transaction.atomic():
        appointment, proposal = _lock_proposal(proposal)
        _check_open(proposal, now)
        proposal.status = ProposalStatus.COUNTERED
        proposal.answered_at = now
        proposal.note = text
        proposal.save(update_fields=["status", "answered_at", "note"])
        _release(proposal)
        appointment = _back_to_request(appointment, actor, text, now)
    return appointment


def _back_to_request(
    appointment: Appointment, actor: Actor, note: str, now: datetime.datetime
) -> Appointment:
    appointment, _changes = _update(
        appointment,
        actor,
        {
            "status": S.REQUESTED,
            "counter_proposal_note": note,
            "counter_proposal_at": now,
            "confirmed_at": None,
        },
        action="appointment.counter_proposed",
    )
    _emit(appointment, "appointment.counter_proposed", note=note)
    return appointment


def request_other_time(
    appointment: Appointment,
    actor: Actor,
    note: str,
    *,
    now: datetime.datetime | None = None,
) -> Appointment:
    """The customer asks for another time for a planned appointment (their page), up to the
    cut-off ("too_late" after it): back to "Angefragt" with the note; an open proposal is
    answered with `counter_propose` instead."""
    now = now or timezone.now()
    text = _clean_note(note)
    with tenant_scope(appointment.tenant), transaction.atomic():
        appointment = _lock(appointment)
        _refuse_final(appointment)
        if appointment.status != S.PLANNED:
            raise AppointmentError(
                _("Für diesen Termin können Sie keinen anderen Termin anfragen."),
                None,
                "not_planned",
            )
        _check_cutoff(appointment, now)
        return _back_to_request(appointment, actor, text, now)


def expire_proposals(now: datetime.datetime | None = None) -> int:
    """Open proposals past their time expire (the periodic task): their slots are released
    and the appointment goes back to "Angefragt" ("Vorschlag abgelaufen" in the actions
    list). Returns how many expired; one proposal per transaction, each under its lock."""
    now = now or timezone.now()
    with scopes_disabled():
        due = list(
            AppointmentProposal.objects.filter(status=ProposalStatus.OPEN, expires_at__lte=now)
            .select_related("tenant")
            .order_by("expires_at", "pk")
            .values_list("pk", "tenant_id")
        )
    expired = 0
    for pk, tenant_id in due:
        with scopes_disabled():
            tenant = Tenant.objects.get(pk=tenant_id)
        with tenant_scope(tenant), transaction.atomic():
            proposal = AppointmentProposal.objects.select_related("appointment").get(pk=pk)
            appointment, proposal = _lock_proposal(proposal)
            if proposal.status != ProposalStatus.OPEN or proposal.expires_at > now:
                continue  # answered meanwhile (the customer was quicker)
            proposal.status = ProposalStatus.EXPIRED
            proposal.save(update_fields=["status"])
            _release(proposal)
            if appointment.status == S.PROPOSED:
                _update(
                    appointment,
                    SYSTEM,
                    {"status": S.REQUESTED, "confirmed_at": None},
                    action="appointment.proposal_expired",
                )
            expired += 1
    return expired


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


# --- messages ----------------------------------------------------------------------------------


def _calendar_attachment(appointment: Appointment, link: str, *, cancel: bool) -> Attachment:
    method = "CANCEL" if cancel else "REQUEST"
    return Attachment(
        ics.filename(appointment),
        ics.calendar_file(appointment, cancel=cancel, link=link),
        f"{ics.CONTENT_TYPE}; method={method}; charset=utf-8",
    )


def _queue_confirmation(
    appointment: Appointment, actor: Actor, channel: str, link: str
) -> OutboundMessage:
    attachments = (
        [_calendar_attachment(appointment, link, cancel=False)] if channel == Channel.EMAIL else []
    )
    message = notify.queue_appointment_message(
        appointment,
        CONFIRMATION_PURPOSE,
        channel,
        dedupe_key=f"appointment:{appointment.pk}:confirmation:v{appointment.version}",
        context={"link": link},
        attachments=attachments,
    )
    record(
        appointment.tenant,
        actor,
        "appointment.confirmation_sent",
        appointment,
        {"channel": channel, "recipient": message.recipient, "version": appointment.version},
    )
    return message


def _queue_cancellation(appointment: Appointment, link: str) -> list[OutboundMessage]:
    return [
        notify.queue_appointment_message(
            appointment,
            CANCELLATION_PURPOSE,
            Channel.EMAIL,
            dedupe_key=f"appointment:{appointment.pk}:cancellation",
            context={"link": link},
            attachments=[_calendar_attachment(appointment, link, cancel=True)],
        )
    ]


@transaction.atomic
def send_confirmation(
    appointment: Appointment,
    actor: Actor,
    channel: str = Channel.EMAIL,
    *,
    now: datetime.datetime | None = None,
) -> OutboundMessage:
    """Send the booking confirmation of a planned appointment: e-mail with the customer
    link and the calendar file (METHOD:REQUEST), or SMS with the link. Marks the
    appointment confirmed (`confirmed_at`). Once per channel and version: a second click
    returns the same message."""
    now = now or timezone.now()
    appointment = _lock(appointment)
    if appointment.status in (S.CANCELLED, S.FINALIZED):
        raise AppointmentError(
            _("Für diesen Termin kann keine Bestätigung mehr gesendet werden."), None, "final"
        )
    if appointment.status != S.PLANNED:
        raise AppointmentError(
            _("Eine Bestätigung kann erst für einen geplanten Termin gesendet werden."),
            None,
            "not_planned",
        )
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise AppointmentError(_("Unbekannter Versandweg."), "channel", "invalid_channel")
    try:
        notify.recipient(appointment, channel)  # refuse before anything changes
    except notify.NotifyError as error:
        raise _notify_error(error) from error
    if appointment.confirmed_at is None:
        appointment = _update(
            appointment, actor, {"confirmed_at": now}, action="appointment.confirmed"
        )[0]
    link = issue_appointment_link(appointment, now)
    try:
        return _queue_confirmation(appointment, actor, channel, link)
    except notify.NotifyError as error:
        raise _notify_error(error) from error


# --- reading -----------------------------------------------------------------------------------


def no_show_rates(
    tenant: Tenant,
    *,
    branch: Branch | None = None,
    months: int = 6,
    now: datetime.datetime | None = None,
) -> list[NoShowRate]:
    """No-shows / planned appointments already past, per branch and month (local months,
    the latest `months` including the current one; finalized ones count as planned).
    Newest month first, then by branch name."""
    now = now or timezone.now()
    tz = availability.zone()
    local = now.astimezone(tz)
    first = local.date().replace(day=1)
    for _step in range(max(months, 1) - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    since = datetime.datetime.combine(first, datetime.time(), tzinfo=tz)
    rows = Appointment.objects.filter(
        tenant=tenant,
        status__in=(S.PLANNED, S.FINALIZED),
        start__gte=since,
        end__lt=now,
    )
    if branch is not None:
        rows = rows.filter(branch=branch)
    grouped = (
        rows.annotate(month=TruncMonth("start", tzinfo=tz))
        .values("branch_id", "branch__name", "month")
        .annotate(total=Count("pk"), no_shows=Count("pk", filter=Q(no_show_at__isnull=False)))
        .order_by()
    )
    rates = [
        NoShowRate(
            row["branch_id"],
            row["branch__name"] or "",
            _as_date(row["month"]),
            row["total"],
            row["no_shows"],
        )
        for row in grouped
    ]
    return sorted(rates, key=lambda r: (-r.month.toordinal(), r.branch_name, r.branch_id or 0))


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.astimezone(availability.zone()).date()
    return value
