"""Workshop appointments under concurrency against PostgreSQL: two tabs of the customer
accepting two slots at once, a customer accepting while the expiry task runs, two
customers' appointments planned into the advisor's last free hour — one outcome each."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentStatus,
    ProposalStatus,
    ProposedSlot,
)
from theke.appointments.services import workshop
from theke.appointments.services.workshop import SlotChoice
from theke.audit.models import FeedEvent
from theke.audit.services import Actor
from theke.core.tests.concurrency import run_at_once
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .osb import Osb, berlin, make_osb

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

S = AppointmentStatus


@pytest.fixture
def osb(tenant_a: Any, colleague: Any) -> Osb:
    return make_osb(tenant_a, colleague)


def _request(osb: Osb, **values: Any) -> Appointment:
    with tenant_scope(osb.tenant):
        return workshop.create_request(
            osb.tenant,
            Actor.staff(osb.advisor),
            customer=osb.eva,
            branch=osb.branch,
            start=osb.start,
            end=osb.end,
            **values,
        )


def _propose(osb: Osb, appointment: Appointment) -> AppointmentProposal:
    day = osb.start.date()
    with tenant_scope(osb.tenant):
        return workshop.propose(
            appointment,
            Actor.staff(osb.advisor),
            slots=[
                SlotChoice(berlin(day, 9), berlin(day, 10)),
                SlotChoice(berlin(day, 13), berlin(day, 14)),
            ],
        )


def _slots(proposal: AppointmentProposal) -> list[ProposedSlot]:
    with scopes_disabled():
        return list(ProposedSlot.objects.filter(proposal=proposal).order_by("start"))


def _feed(type: str) -> int:
    with scopes_disabled():
        return FeedEvent.objects.filter(type=type).count()


def test_two_tabs_accepting_two_slots_at_once_plan_one(osb: Osb) -> None:
    proposal = _propose(osb, _request(osb))
    first, second = _slots(proposal)
    customer = workshop.customer_actor(proposal.appointment)
    refused: list[workshop.AppointmentError] = []

    def accept(slot: ProposedSlot) -> Any:
        def job() -> None:
            try:
                workshop.accept_proposal(proposal, slot, customer)
            except workshop.AppointmentError as error:
                refused.append(error)

        return job

    assert run_at_once(accept(first), accept(second)) == []
    assert [error.code for error in refused] == ["already_answered"]
    with scopes_disabled():
        appointment = Appointment.objects.get(pk=proposal.appointment_id)
        chosen = AppointmentProposal.objects.get(pk=proposal.pk).chosen_slot
        assert appointment.status == S.PLANNED and chosen is not None
        assert appointment.start == chosen.start
        assert OutboundMessage.objects.filter(purpose="appointment_confirmation").count() == 1
    assert _feed("appointment.accepted") == 1


def test_accepting_while_the_proposal_expires_has_one_outcome(osb: Osb) -> None:
    proposal = _propose(osb, _request(osb))
    first, _second = _slots(proposal)
    customer = workshop.customer_actor(proposal.appointment)
    # The customer's click a moment before the end; the task's run a moment after it.
    before = proposal.expires_at - datetime.timedelta(seconds=1)
    after = proposal.expires_at + datetime.timedelta(seconds=1)
    expired: list[int] = []

    def accept() -> None:
        try:
            workshop.accept_proposal(proposal, first, customer, now=before)
        except workshop.AppointmentError as error:
            assert error.code == "expired"

    def expire() -> None:
        expired.append(workshop.expire_proposals(now=after))

    assert run_at_once(accept, expire) == []
    with scopes_disabled():
        status = AppointmentProposal.objects.get(pk=proposal.pk).status
        appointment = Appointment.objects.get(pk=proposal.appointment_id)
    if status == ProposalStatus.ACCEPTED:
        assert appointment.status == S.PLANNED and expired == [0]
        assert _feed("appointment.accepted") == 1
    else:
        assert status == ProposalStatus.EXPIRED
        assert appointment.status == S.REQUESTED and expired == [1]
        assert _feed("appointment.accepted") == 0
    assert all(slot.holds_until is None for slot in _slots(proposal))


def test_two_plans_for_the_last_free_hour_give_one_and_one_refusal(osb: Osb) -> None:
    one, two = _request(osb), _request(osb, customer=osb.other)
    staff = Actor.staff(osb.advisor)
    refused: list[str] = []

    def plan(appointment: Appointment) -> Any:
        def job() -> None:
            with tenant_scope(osb.tenant):
                try:
                    workshop.plan(appointment, staff)
                except workshop.AppointmentError as error:
                    refused.append(error.code or "")

        return job

    assert run_at_once(plan(one), plan(two)) == []
    assert refused == ["overbooking"]
    with scopes_disabled():
        statuses = sorted(
            Appointment.objects.filter(pk__in=[one.pk, two.pk]).values_list("status", flat=True)
        )
    assert statuses == [S.PLANNED, S.REQUESTED]
    assert _feed("appointment.planned") == 1
