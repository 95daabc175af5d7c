"""Workshop appointments made by staff (seed 002): every transition and refusal of
services/workshop/ — request, proposal (accepted, counter-proposed, expired), plan with
the capacity check and overbooking, reschedule, checklist, finalize, no-show, cancel,
confirmation with its calendar file — and the feed events they emit (once; never for the
back office's own pushes)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import icalendar
import pytest
from django.core import mail
from django_scopes import scopes_disabled

from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentSource,
    AppointmentStatus,
    ProposalStatus,
    ProposedSlot,
)
from theke.appointments.services import (
    WorkItem,
    availability,
    create_appointment,
    update_appointment,
    workshop,
)
from theke.appointments.services.links import find_appointment_link
from theke.appointments.services.workshop import SlotChoice
from theke.audit.models import ActorType, AuditEvent, FeedEvent
from theke.audit.services import SYSTEM, Actor
from theke.core.errors import ServiceError
from theke.customers.links import LinkState
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .osb import Osb, berlin, make_osb

S = AppointmentStatus
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def osb(tenant_a: Any, colleague: Any) -> Osb:
    return make_osb(tenant_a, colleague)


@pytest.fixture(autouse=True)
def _scope(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        yield


@pytest.fixture
def staff(osb: Osb) -> Actor:
    return Actor.staff(osb.advisor)


def feed() -> list[str]:
    with scopes_disabled():
        return list(
            FeedEvent.objects.filter(subject_type="appointment")
            .order_by("pk")
            .values_list("type", flat=True)
        )


def actions(appointment: Appointment) -> list[str]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(
                object_id=str(appointment.pk), action__startswith="appointment."
            )
            .order_by("pk")
            .values_list("action", flat=True)
        )


def fresh(appointment: Appointment) -> Appointment:
    return Appointment.objects.get(pk=appointment.pk)


def request(osb: Osb, staff: Actor, **values: Any) -> Appointment:
    fields: dict[str, Any] = {
        "customer": osb.eva,
        "branch": osb.branch,
        "start": osb.start,
        "end": osb.end,
        "vehicle": osb.eva_vehicle,
        "work_items": [WorkItem("Inspektion", Decimal("189.00")), WorkItem("Räderwechsel")],
        "notes": "Kunde rief an",
        **values,
    }
    return workshop.create_request(osb.tenant, staff, **fields)


def three_slots(osb: Osb) -> list[SlotChoice]:
    day = osb.start.date()
    return [
        SlotChoice(berlin(day, 9), berlin(day, 10)),
        SlotChoice(berlin(day, 13), berlin(day, 14)),
        SlotChoice(berlin(day + datetime.timedelta(days=1), 9), berlin(day, 10) + 24 * HOUR),
    ]


def occupy(osb: Osb, start: datetime.datetime, end: datetime.datetime) -> Appointment:
    """Another customer's planned appointment (the branch has one advisor)."""
    return create_appointment(
        osb.tenant,
        SYSTEM,
        customer=osb.other,
        branch=osb.branch,
        start=start,
        end=end,
        advisor=osb.advisor,
        status=S.PLANNED,
    )


def proposed(osb: Osb, staff: Actor, **kwargs: Any) -> AppointmentProposal:
    return workshop.propose(request(osb, staff), staff, slots=three_slots(osb), **kwargs)


def slots_of(proposal: AppointmentProposal) -> list[ProposedSlot]:
    return list(proposal.slots.order_by("start"))


def parse_ics(content: bytes) -> tuple[icalendar.Calendar, Any]:
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def sequence(event: Any) -> int:
    return int(str(event["SEQUENCE"]))


def ics_of(message: OutboundMessage) -> tuple[icalendar.Calendar, Any]:
    [attachment] = list(message.attachments.all())
    assert attachment.content_type.startswith("text/calendar")
    with attachment.file.open("rb") as handle:
        return parse_ics(handle.read())


def messages(purpose: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(purpose=purpose).order_by("pk"))


# --- the request --------------------------------------------------------------------------------


def test_a_request_is_requested_by_staff_and_tells_nobody(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    assert appointment.status == S.REQUESTED
    assert appointment.source == AppointmentSource.STAFF
    assert appointment.work_description == "Inspektion\nRäderwechsel"
    assert actions(appointment) == ["appointment.created"]
    assert feed() == []
    assert not OutboundMessage.objects.exists()


def test_a_request_needs_a_branch_and_a_sane_time(osb: Osb, staff: Actor) -> None:
    with pytest.raises(workshop.AppointmentError) as refused:
        request(osb, staff, branch=None)
    assert (refused.value.field, refused.value.code) == ("branch", "required")
    with pytest.raises(workshop.AppointmentError) as refused:
        request(osb, staff, end=osb.start)
    assert refused.value.code == "end_before_start"


# --- the proposal -------------------------------------------------------------------------------


def test_proposal_holds_three_slots_and_tells_the_customer(
    osb: Osb, staff: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = request(osb, staff)
    day = osb.start.date()
    before = {s.start for s in availability.free_slots(osb.branch, 60, first_day=day, days=1)}
    assert berlin(day, 9) in before and berlin(day, 13) in before
    with django_capture_on_commit_callbacks(execute=True):
        proposal = workshop.propose(appointment, staff, slots=three_slots(osb))
    appointment = fresh(appointment)
    assert appointment.status == S.PROPOSED
    assert (appointment.start, appointment.end) == (berlin(day, 9), berlin(day, 10))
    assert appointment.advisor == osb.advisor
    assert proposal.status == ProposalStatus.OPEN
    slots = slots_of(proposal)
    assert len(slots) == 3 and all(s.holds_until == proposal.expires_at for s in slots)
    assert proposal.expires_at - proposal.created_at == datetime.timedelta(hours=48)
    # The held slots are taken for everyone else.
    after = {s.start for s in availability.free_slots(osb.branch, 60, first_day=day, days=1)}
    assert berlin(day, 9) not in after and berlin(day, 13) not in after
    [sent] = mail.outbox
    assert sent.to == ["Eva Berg <eva.berg@example.org>"]
    assert sent.subject.startswith("Terminvorschlag von ")
    assert "/termin/" in sent.body and "09:00–10:00" in sent.body and "13:00–14:00" in sent.body
    assert "Inspektion, Räderwechsel" in sent.body
    assert feed() == ["appointment.proposed"]
    with scopes_disabled():
        event = FeedEvent.objects.get(subject_type="appointment")
    assert len(event.payload["slots"]) == 3 and event.payload["status"] == "proposed"
    assert actions(appointment)[-1] == "appointment.proposed"


@pytest.mark.parametrize(
    ("slots", "code"),
    [
        ([], "slot_count"),
        ("four", "slot_count"),
        ("past", "past"),
        ("twice", "duplicate"),
        ("backwards", "end_before_start"),
    ],
)
def test_proposal_refuses_bad_slots(osb: Osb, staff: Actor, slots: Any, code: str) -> None:
    appointment = request(osb, staff)
    day = osb.start.date()
    choices = (
        []
        if slots == []
        else {
            "four": [*three_slots(osb), SlotChoice(berlin(day, 15), berlin(day, 16))],
            "past": [SlotChoice(berlin(day, 9) - 30 * 24 * HOUR, berlin(day, 10) - 30 * 24 * HOUR)],
            "twice": [three_slots(osb)[0], three_slots(osb)[0]],
            "backwards": [SlotChoice(berlin(day, 10), berlin(day, 9))],
        }[slots]
    )
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.propose(appointment, staff, slots=choices)
    assert (refused.value.field, refused.value.code) == ("slots", code)
    assert fresh(appointment).status == S.REQUESTED and feed() == []


def test_proposal_refuses_a_taken_slot_and_no_channel(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    day = osb.start.date()
    occupy(osb, berlin(day, 13), berlin(day, 14))
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.propose(appointment, staff, slots=three_slots(osb))
    assert (refused.value.field, refused.value.code) == ("slots", "slot_taken")
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.propose(appointment, staff, slots=three_slots(osb)[:1], by_email=False)
    assert refused.value.code == "no_channel"
    assert not AppointmentProposal.objects.exists() and feed() == []


def test_proposal_by_sms_needs_the_switch(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.propose(appointment, staff, slots=three_slots(osb), by_email=False, by_sms=True)
    assert (refused.value.field, refused.value.code) == ("by_sms", "no_sms")
    assert not AppointmentProposal.objects.exists()
    osb.tenant.sms_enabled = True
    osb.tenant.save(update_fields=["sms_enabled"])
    workshop.propose(fresh(appointment), staff, slots=three_slots(osb), by_sms=True)
    [sms] = OutboundMessage.objects.filter(channel="sms")
    assert "/termin/" in sms.body_text and "Bitte wählen Sie bis" in sms.body_text


def test_a_new_proposal_withdraws_the_old_one(osb: Osb, staff: Actor) -> None:
    first = proposed(osb, staff)
    appointment = first.appointment
    second = workshop.propose(fresh(appointment), staff, slots=three_slots(osb)[1:])
    first.refresh_from_db()
    assert first.status == ProposalStatus.WITHDRAWN
    assert all(s.holds_until is None for s in slots_of(first))
    assert second.status == ProposalStatus.OPEN
    assert fresh(appointment).start == three_slots(osb)[1].start
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.accept_proposal(first, slots_of(first)[0], workshop.customer_actor(appointment))
    assert refused.value.code == "withdrawn"


def test_customer_accepts_a_slot_and_gets_the_confirmation(
    osb: Osb, staff: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    proposal = proposed(osb, staff)
    appointment = proposal.appointment
    second = slots_of(proposal)[1]
    customer = workshop.customer_actor(appointment)
    assert customer.type == ActorType.CONTACT and customer.label == "Eva Berg"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = workshop.accept_proposal(proposal, second, customer)
    assert accepted.status == S.PLANNED and accepted.confirmed_at is not None
    assert (accepted.start, accepted.end) == (second.start, second.end)
    assert accepted.advisor == osb.advisor and not accepted.overbooked
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.chosen_slot == second
    assert all(s.holds_until is None for s in slots_of(proposal))
    [sent] = mail.outbox
    assert sent.subject.startswith("Ihr Termin am ")
    assert "/termin/" in sent.body
    [(filename, content, mimetype)] = sent.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar, event = parse_ics(content if isinstance(content, bytes) else content.encode())
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{appointment.uid}@theke"
    assert event.decoded("DTSTART") == second.start
    assert feed() == ["appointment.proposed", "appointment.accepted"]
    assert "appointment.accepted" in actions(appointment)
    assert "appointment.confirmation_sent" in actions(appointment)
    # A second answer (another tab) is refused.
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.accept_proposal(proposal, slots_of(proposal)[0], customer)
    assert refused.value.code == "already_answered"
    assert feed() == ["appointment.proposed", "appointment.accepted"]


def test_accepting_a_slot_taken_meanwhile_is_refused(osb: Osb, staff: Actor) -> None:
    proposal = proposed(osb, staff)
    first = slots_of(proposal)[0]
    # Staff overbooked the advisor meanwhile (the slot engine counted the held slot).
    occupy(osb, first.start, first.end)
    customer = workshop.customer_actor(proposal.appointment)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.accept_proposal(proposal, first, customer)
    assert (refused.value.field, refused.value.code) == ("slot", "slot_taken")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN  # the other slots stay on offer
    accepted = workshop.accept_proposal(proposal, slots_of(proposal)[1], customer)
    assert accepted.status == S.PLANNED


def test_accepting_a_slot_of_another_proposal_or_too_late_is_refused(
    osb: Osb, staff: Actor
) -> None:
    proposal = proposed(osb, staff)
    other = workshop.propose(
        request(osb, staff),
        staff,
        slots=[SlotChoice(berlin(osb.start.date(), 15), berlin(osb.start.date(), 16))],
    )
    customer = workshop.customer_actor(proposal.appointment)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.accept_proposal(proposal, slots_of(other)[0], customer)
    assert refused.value.code == "invalid_slot"
    late = proposal.expires_at + HOUR
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.accept_proposal(proposal, slots_of(proposal)[0], customer, now=late)
    assert refused.value.code == "expired"


def test_customer_asks_for_another_time(osb: Osb, staff: Actor) -> None:
    proposal = proposed(osb, staff)
    customer = workshop.customer_actor(proposal.appointment)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.counter_propose(proposal, customer, "   ")
    assert (refused.value.field, refused.value.code) == ("note", "required")
    appointment = workshop.counter_propose(proposal, customer, "Lieber nächste Woche, vormittags")
    assert appointment.status == S.REQUESTED
    assert appointment.counter_proposal_note == "Lieber nächste Woche, vormittags"
    assert appointment.counter_proposal_at is not None
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.COUNTERED and proposal.note
    assert all(s.holds_until is None for s in slots_of(proposal))
    assert feed() == ["appointment.proposed", "appointment.counter_proposed"]
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.counter_propose(proposal, customer, "Noch einmal")
    assert refused.value.code == "already_answered"


def test_expired_proposals_free_their_slots_and_return_to_requested(osb: Osb, staff: Actor) -> None:
    proposal = proposed(osb, staff)
    day = osb.start.date()
    held = {s.start for s in availability.free_slots(osb.branch, 60, first_day=day, days=1)}
    assert berlin(day, 13) not in held
    assert workshop.expire_proposals() == 0  # not yet due
    later = proposal.expires_at + datetime.timedelta(minutes=1)
    assert workshop.expire_proposals(now=later) == 1
    assert workshop.expire_proposals(now=later) == 0
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXPIRED
    assert all(s.holds_until is None for s in slots_of(proposal))
    appointment = fresh(proposal.appointment)
    assert appointment.status == S.REQUESTED
    assert actions(appointment)[-1] == "appointment.proposal_expired"
    free = {s.start for s in availability.free_slots(osb.branch, 60, first_day=day, days=1)}
    assert berlin(day, 9) in free and berlin(day, 13) in free
    assert feed() == ["appointment.proposed"]  # expiry is no feed event


def test_the_periodic_task_expires_proposals(osb: Osb, staff: Actor) -> None:
    from theke.appointments.tasks import expire_appointment_proposals
    from theke.core.tasks_backend import PERIODIC_TASKS

    paths = [path for _name, path, _minutes in PERIODIC_TASKS]
    assert "theke.appointments.tasks.expire_appointment_proposals" in paths
    proposal = proposed(osb, staff)
    AppointmentProposal.objects.filter(pk=proposal.pk).update(expires_at=proposal.created_at - HOUR)
    assert expire_appointment_proposals.call() == {"expired": 1}


# --- planning -----------------------------------------------------------------------------------


def test_plan_checks_capacity_and_allows_overbooking_when_confirmed(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    occupy(osb, osb.start, osb.end)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.plan(appointment, staff)
    assert (refused.value.field, refused.value.code) == (None, "overbooking")
    assert fresh(appointment).status == S.REQUESTED and feed() == []
    planned = workshop.plan(appointment, staff, allow_overbooking=True)
    assert planned.status == S.PLANNED and planned.overbooked
    assert planned.is_provisional
    assert feed() == ["appointment.planned"]
    # A second click changes nothing.
    workshop.plan(planned, staff, allow_overbooking=True)
    assert feed() == ["appointment.planned"]


def test_plan_at_a_free_time_picks_the_advisor_and_withdraws_the_proposal(
    osb: Osb, staff: Actor
) -> None:
    proposal = proposed(osb, staff)
    day = osb.start.date()
    planned = workshop.plan(proposal.appointment, staff, start=berlin(day, 15), end=berlin(day, 16))
    assert planned.status == S.PLANNED and not planned.overbooked
    assert planned.advisor == osb.advisor and planned.start == berlin(day, 15)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert feed() == ["appointment.proposed", "appointment.planned"]


def test_reschedule_moves_a_planned_appointment(osb: Osb, staff: Actor) -> None:
    planned = workshop.plan(request(osb, staff), staff)
    version = planned.version
    day = osb.start.date()
    occupy(osb, berlin(day, 14), berlin(day, 15))
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.reschedule(planned, staff, start=berlin(day, 14), end=berlin(day, 15))
    assert refused.value.code == "overbooking"
    moved = workshop.reschedule(planned, staff, start=berlin(day, 15), end=berlin(day, 16))
    assert moved.start == berlin(day, 15) and moved.version == version + 1
    assert feed() == ["appointment.planned", "appointment.rescheduled"]
    assert actions(moved)[-1] == "appointment.rescheduled"
    # The same time again: nothing changes, nothing is told.
    workshop.reschedule(moved, staff, start=berlin(day, 15), end=berlin(day, 16))
    assert feed() == ["appointment.planned", "appointment.rescheduled"]


def test_reschedule_to_no_advisor_unassigns_but_still_needs_room(osb: Osb, staff: Actor) -> None:
    planned = workshop.plan(request(osb, staff), staff)
    assert planned.advisor == osb.advisor
    day = osb.start.date()
    kept = workshop.reschedule(planned, staff, start=berlin(day, 9), end=berlin(day, 10))
    assert kept.advisor == osb.advisor, "without an advisor given, it stays with its own"
    unassigned = workshop.reschedule(
        kept, staff, start=berlin(day, 9), end=berlin(day, 10), advisor=None
    )
    assert unassigned.advisor is None and not unassigned.overbooked
    assert feed()[-1] == "appointment.rescheduled"
    # The only advisor is busy at 14: an unassigned appointment finds no room either.
    occupy(osb, berlin(day, 14), berlin(day, 15))
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.reschedule(
            unassigned, staff, start=berlin(day, 14), end=berlin(day, 15), advisor=None
        )
    assert refused.value.code == "overbooking"


def test_reschedule_of_a_request_only_changes_its_times(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    day = osb.start.date()
    occupy(osb, berlin(day, 14), berlin(day, 15))
    moved = workshop.reschedule(appointment, staff, start=berlin(day, 14), end=berlin(day, 15))
    assert moved.status == S.REQUESTED and moved.start == berlin(day, 14)
    assert feed() == []


def test_checklist_clears_the_provisional_mark(osb: Osb, staff: Actor) -> None:
    planned = workshop.plan(request(osb, staff), staff)
    assert planned.is_provisional and not planned.checklist_complete
    done = workshop.set_checklist(
        planned, staff, workshop_time_confirmed=True, work_order_ready=True, parts_ready=True
    )
    assert done.checklist_complete and not done.is_provisional
    assert actions(done)[-1] == "appointment.checklist_changed"
    assert feed() == ["appointment.planned"]


def test_finalize_only_a_planned_appointment(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.finalize(appointment, staff)
    assert refused.value.code == "invalid_transition"
    planned = workshop.plan(appointment, staff)
    finalized = workshop.finalize(planned, staff)
    assert finalized.status == S.FINALIZED
    workshop.finalize(finalized, staff)
    assert feed() == ["appointment.planned", "appointment.finalized"]
    for change in (
        lambda: workshop.plan(finalized, staff),
        lambda: workshop.cancel(finalized, staff),
        lambda: workshop.record_no_show(finalized, staff),
        lambda: workshop.propose(finalized, staff, slots=three_slots(osb)),
    ):
        with pytest.raises(workshop.AppointmentError) as refused:
            change()
        assert refused.value.code == "final"


def test_no_show_only_after_the_start(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.record_no_show(appointment, staff)
    assert refused.value.code == "not_planned"
    planned = workshop.plan(appointment, staff)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.record_no_show(planned, staff)
    assert refused.value.code == "not_started"
    later = osb.start + datetime.timedelta(minutes=20)
    missed = workshop.record_no_show(planned, staff, now=later)
    assert missed.no_show_at == later and missed.status == S.PLANNED
    workshop.record_no_show(missed, staff, now=later + HOUR)
    assert fresh(missed).no_show_at == later
    assert workshop.finalize(missed, staff).status == S.FINALIZED
    assert feed() == ["appointment.planned", "appointment.no_show", "appointment.finalized"]


def test_no_show_rate_per_branch_and_month(osb: Osb, staff: Actor) -> None:
    now = osb.end + 30 * 24 * HOUR
    shown = workshop.plan(request(osb, staff), staff)
    missed = workshop.plan(
        request(osb, staff, start=osb.start + 2 * HOUR, end=osb.end + 2 * HOUR), staff
    )
    workshop.record_no_show(missed, staff, now=missed.start + HOUR)
    workshop.finalize(shown, staff)
    request(osb, staff, start=osb.start + 4 * HOUR, end=osb.end + 4 * HOUR)  # not planned
    [rate] = workshop.no_show_rates(osb.tenant, now=now)
    assert (rate.branch_name, rate.appointments, rate.no_shows) == ("Alpha Süd", 2, 1)
    assert rate.month == osb.start.date().replace(day=1) and rate.percent == 50
    # Appointments still ahead do not count.
    assert workshop.no_show_rates(osb.tenant, now=osb.start - HOUR) == []


# --- cancel and the customer's page -------------------------------------------------------------


def test_cancel_by_staff_tells_a_confirmed_customer_with_a_cancel_ics(
    osb: Osb, staff: Actor
) -> None:
    planned = workshop.plan(request(osb, staff), staff)
    workshop.send_confirmation(planned, staff)
    confirmed = fresh(planned)
    cancelled = workshop.cancel(confirmed, staff)
    assert cancelled.status == S.CANCELLED
    [message] = messages("appointment_cancellation")
    assert message.subject.startswith("Storniert: Ihr Termin am")
    calendar, event = ics_of(message)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{planned.uid}@theke"
    assert sequence(event) == cancelled.version > confirmed.version
    workshop.cancel(cancelled, staff)  # again: nothing
    assert feed() == ["appointment.planned", "appointment.cancelled"]


def test_cancelling_an_unconfirmed_appointment_sends_nothing(osb: Osb, staff: Actor) -> None:
    proposal = proposed(osb, staff)
    cancelled = workshop.cancel(proposal.appointment, staff)
    assert cancelled.status == S.CANCELLED
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert messages("appointment_cancellation") == []


def test_customer_cancels_only_before_the_cutoff(osb: Osb, staff: Actor) -> None:
    planned = workshop.plan(request(osb, staff), staff)
    customer = workshop.customer_actor(planned)
    late = osb.start - HOUR  # the default cut-off is 24 hours
    assert not workshop.can_change_online(planned, late)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.cancel(planned, customer, by_customer=True, now=late)
    assert refused.value.code == "too_late"
    assert workshop.can_change_online(planned)
    cancelled = workshop.cancel(planned, customer, by_customer=True)
    assert cancelled.status == S.CANCELLED
    assert feed() == ["appointment.planned", "appointment.cancelled"]
    with scopes_disabled():
        last = FeedEvent.objects.filter(subject_type="appointment").last()
    assert last is not None and last.payload["by_customer"] is True


def test_customer_asks_for_another_time_for_a_planned_appointment(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    customer = workshop.customer_actor(appointment)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.request_other_time(appointment, customer, "Später bitte")
    assert refused.value.code == "not_planned"
    planned = workshop.plan(appointment, staff)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.request_other_time(planned, customer, "Später bitte", now=osb.start - HOUR)
    assert refused.value.code == "too_late"
    again = workshop.request_other_time(planned, customer, "Später bitte")
    assert again.status == S.REQUESTED and again.counter_proposal_note == "Später bitte"
    assert feed() == ["appointment.planned", "appointment.counter_proposed"]


# --- the confirmation ---------------------------------------------------------------------------


def test_confirmation_only_for_planned_appointments(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.send_confirmation(appointment, staff)
    assert refused.value.code == "not_planned"
    planned = workshop.plan(appointment, staff)
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.send_confirmation(planned, staff, "fax")
    assert refused.value.code == "invalid_channel"
    with pytest.raises(workshop.AppointmentError) as refused:
        workshop.send_confirmation(planned, staff, "sms")
    assert refused.value.code == "no_sms"
    assert fresh(planned).confirmed_at is None


def test_confirmation_has_a_calendar_file_whose_sequence_rises(osb: Osb, staff: Actor) -> None:
    planned = workshop.plan(request(osb, staff), staff)
    first = workshop.send_confirmation(planned, staff)
    confirmed = fresh(planned)
    assert confirmed.confirmed_at is not None
    assert "/termin/" in first.body_text
    calendar, event = ics_of(first)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{planned.uid}@theke"
    assert sequence(event) == confirmed.version
    assert event.decoded("DTSTART") == osb.start
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert "Hauptstraße 1, 10115 Berlin" in str(event["LOCATION"])
    assert "Inspektion" in str(event["DESCRIPTION"]) and "/termin/" in str(event["DESCRIPTION"])
    # A second click: the same message.
    assert workshop.send_confirmation(confirmed, staff).pk == first.pk
    moved = workshop.reschedule(
        confirmed, staff, start=osb.start + 3 * HOUR, end=osb.end + 3 * HOUR
    )
    second = workshop.send_confirmation(moved, staff)
    assert second.pk != first.pk
    _calendar, moved_event = ics_of(second)
    assert str(moved_event["UID"]) == str(event["UID"])
    assert sequence(moved_event) > sequence(event)
    # Only the newest link opens the page.
    assert workshop.customer_actor(moved).label == "Eva Berg"


def test_the_newest_link_supersedes_the_older_ones(osb: Osb, staff: Actor) -> None:
    planned = workshop.plan(request(osb, staff), staff)
    first = workshop.send_confirmation(planned, staff)
    old_token = first.body_text.split("/termin/")[1].split("/")[0]
    found = find_appointment_link(old_token)
    assert found.state == LinkState.VALID and found.appointment == planned
    moved = workshop.reschedule(planned, staff, start=osb.start + HOUR, end=osb.end + HOUR)
    workshop.send_confirmation(moved, staff)
    assert find_appointment_link(old_token).state == LinkState.SUPERSEDED
    assert find_appointment_link("nonsense").state == LinkState.UNKNOWN


# --- the back office's own changes are not echoed -------------------------------------------------


def test_back_office_pushes_emit_no_feed_events(osb: Osb) -> None:
    pushed = create_appointment(
        osb.tenant,
        Actor.api_key(1, "WWS"),
        customer=osb.eva,
        branch=osb.branch,
        start=osb.start,
        end=osb.end,
        status=S.REQUESTED,
        external_id="T-1",
    )
    update_appointment(pushed, Actor.api_key(1, "WWS"), status=S.PLANNED)
    update_appointment(pushed, Actor.api_key(1, "WWS"), start=osb.start + HOUR, end=osb.end + HOUR)
    update_appointment(pushed, Actor.api_key(1, "WWS"), status=S.FINALIZED)
    assert feed() == []


def test_refusals_are_service_errors_with_a_german_message(osb: Osb, staff: Actor) -> None:
    appointment = request(osb, staff)
    occupy(osb, osb.start, osb.end)
    with pytest.raises(ServiceError) as refused:
        workshop.plan(appointment, staff)
    assert "Überbuchung" in refused.value.messages[0]


# --- the API reads appointments made in Theke by their uid ---------------------------------------


def test_api_reads_an_appointment_made_in_theke_by_its_uid(
    osb: Osb, staff: Actor, api_as: Any, tenant_b: Any
) -> None:
    planned = workshop.plan(request(osb, staff), staff)
    workshop.send_confirmation(planned, staff)
    client = api_as(osb.tenant)
    response = client.get(f"/api/v1/appointments/by-uid/{planned.uid}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["uid"] == str(planned.uid) and body["external_id"] == ""
    assert body["status"] == "planned" and body["confirmed"] is True
    assert [item["text"] for item in body["work_items"]] == ["Inspektion", "Räderwechsel"]
    assert client.get("/api/v1/appointments/by-uid/not-a-uuid").status_code == 422
    unknown = client.get("/api/v1/appointments/by-uid/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    assert api_as(tenant_b).get(f"/api/v1/appointments/by-uid/{planned.uid}").status_code == 404
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["paths"]["/api/v1/appointments/by-uid/{uid}"]) == {"get"}
