"""The workshop services' shared ground: constants, the slot and no-show types, and the
helpers every step uses (locks, checks, the feed, the cut-off)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentStatus,
    ProposalStatus,
    ProposedSlot,
)
from theke.appointments.services import availability, notify
from theke.appointments.services.appointments import (
    AppointmentError,
    _final_error,
    event_payload,
)
from theke.appointments.services.settings import booking_settings
from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import Actor

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
