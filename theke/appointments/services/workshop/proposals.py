"""Creating a request and the proposal: staff offer one to three held slots; the customer
accepts one, counter-proposes or asks for another time; unanswered proposals expire."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentSource,
    ProposalStatus,
    ProposedSlot,
)
from theke.appointments.services import notify
from theke.appointments.services.appointments import (
    AppointmentError,
    WorkItem,
    _lock,
    _snapshot,
    _update,
    create_appointment,
)
from theke.appointments.services.links import issue_appointment_link
from theke.appointments.services.settings import booking_settings
from theke.appointments.services.workshop.common import (
    MAX_SLOTS,
    PROPOSAL_PURPOSE,
    S,
    SlotChoice,
    _check_cutoff,
    _check_span,
    _clean_note,
    _close_open_proposals,
    _emit,
    _free_advisor,
    _lock_branch_of,
    _notify_error,
    _refuse_final,
    _release,
    _user,
)
from theke.appointments.services.workshop.confirmation import (
    _queue_confirmation,
)
from theke.audit.services import SYSTEM, Actor, record
from theke.core.formatting import format_datetime
from theke.customers.models import Customer, Vehicle
from theke.messaging.models import Channel
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import scopes_disabled, tenant_scope

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
