"""The reminder sweep against PostgreSQL: two workers at once (each its own connection)
queue each reminder exactly once; a sweep never waits for an appointment being changed."""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django_scopes import scopes_disabled

from theke.appointments import services
from theke.appointments.models import Appointment, AppointmentReminder
from theke.appointments.services import reminders
from theke.audit.services import SYSTEM
from theke.core.tests.concurrency import run_at_once
from theke.customers import services as customers
from theke.messaging.models import OutboundMessage
from theke.messaging.services import outbox
from theke.tenants.scoping import tenant_scope

from .conftest import Workshop

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

BERLIN = ZoneInfo("Europe/Berlin")
COUNT = 60
DUE = datetime.datetime(2026, 6, 16, 10, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No on-commit delivery (the outbox rows are what is counted)."""
    monkeypatch.setattr(outbox, "_kick_worker", lambda message_id: None)


def make_due(tenant: Any, workshop: Workshop) -> list[Appointment]:
    """COUNT planned appointments on 17 June, each with a reminder and a same-day one."""
    made = []
    with tenant_scope(tenant):
        contact = customers.add_contact(
            workshop.customer, SYSTEM, last_name="Berg", email="eva@kunde.test"
        )
        reminders.set_reminder_preference(
            contact, SYSTEM, days_before=None, by_email=True, by_sms=False, same_day=True
        )
        with time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=BERLIN), tick=False):
            for number in range(COUNT):
                start = datetime.datetime(2026, 6, 17, 8, tzinfo=BERLIN) + datetime.timedelta(
                    minutes=5 * number
                )
                made.append(
                    services.create_appointment(
                        tenant,
                        SYSTEM,
                        customer=workshop.customer,
                        branch=workshop.branch,
                        start=start,
                        end=start + datetime.timedelta(minutes=30),
                    )
                )
    return made


def test_two_sweepers_send_each_reminder_once(tenant_a: Any, workshop: Workshop) -> None:
    make_due(tenant_a, workshop)
    with scopes_disabled():
        assert AppointmentReminder.objects.count() == 2 * COUNT
    morning = datetime.datetime(2026, 6, 17, 7, 30, tzinfo=BERLIN)  # both kinds are due
    counts: list[int] = []

    def sweeper() -> None:
        counts.append(reminders.send_due_reminders(now=morning, limit=7))

    assert run_at_once(sweeper, sweeper) == []
    # A row skipped because the other worker held its appointment is taken up next time.
    counts.append(reminders.send_due_reminders(now=morning))
    with scopes_disabled():
        keys = list(OutboundMessage.objects.values_list("dedupe_key", flat=True))
        unsent = AppointmentReminder.objects.filter(sent_at__isnull=True).count()
    assert sum(counts) == len(keys)
    # Only reminders not yet past their appointment: all start at 08:00 or later.
    assert len(keys) == 2 * COUNT
    assert set(Counter(keys).values()) == {1}
    assert unsent == 0
    assert counts[0] > 0 and counts[1] > 0  # both workers did send


def test_a_sweep_skips_an_appointment_being_changed_without_waiting(
    tenant_a: Any, workshop: Workshop
) -> None:
    first = make_due(tenant_a, workshop)[0]
    locked = threading.Event()
    release = threading.Event()

    def staff_change() -> None:
        # Holds the appointment's lock as a reschedule does, until the sweep has run.
        with scopes_disabled(), transaction.atomic():
            Appointment.objects.select_for_update().get(pk=first.pk)
            locked.set()
            release.wait(timeout=30)

    def sweep() -> None:
        locked.wait(timeout=30)
        try:
            reminders.send_due_reminders(now=DUE)
        finally:
            release.set()

    assert run_at_once(staff_change, sweep) == []
    with scopes_disabled():
        waiting = AppointmentReminder.objects.filter(sent_at__isnull=True, due_at__lte=DUE)
        assert list(waiting.values_list("appointment_id", flat=True)) == [first.pk]
        assert OutboundMessage.objects.count() == COUNT - 1
    reminders.send_due_reminders(now=DUE)
    with scopes_disabled():
        assert OutboundMessage.objects.count() == COUNT
