"""Appointment reminders (seed 002): rows at the right local time (across both DST changes),
moved and removed with the appointment, never in the past, sent exactly once by the sweep in
the customer's language with the link to the appointment page; the customer's wish."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from theke.appointments import services
from theke.appointments.models import (
    Appointment,
    AppointmentReminder,
    ReminderPreference,
)
from theke.appointments.services import links, reminders
from theke.appointments.services import settings as booking
from theke.appointments.services import workshop as workshop_services
from theke.appointments.services.appointments import AppointmentError
from theke.appointments.tasks import send_appointment_reminders
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, Actor
from theke.core.tasks_backend import PERIODIC_TASKS
from theke.customers import services as customers
from theke.customers.links import LinkState
from theke.customers.models import Contact, CustomerLink
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .conftest import Workshop

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
LINK_PATTERN = re.compile(r"https?://[^/\s]+/termin/([A-Za-z0-9_-]+)/")


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def link_of(message: OutboundMessage) -> Appointment | None:
    """The appointment behind the link to the appointment page in the message (text and
    HTML carry the same)."""
    found = LINK_PATTERN.search(message.body_text)
    assert found is not None, message.body_text
    assert found.group(0) in message.body_html or message.channel == "sms"
    return links.find_appointment_link(found.group(1)).appointment


def link_state(text: str, at: datetime.datetime) -> LinkState:
    """The state at `at` of the link to the appointment page in `text`."""
    found = LINK_PATTERN.search(text)
    assert found is not None, text
    with time_machine.travel(at, tick=False):
        return links.find_appointment_link(found.group(1)).state


@pytest.fixture
def in_a(tenant_a: Any) -> Iterator[Any]:
    with tenant_scope(tenant_a):
        yield tenant_a


@pytest.fixture
def contact(in_a: Any, workshop: Workshop) -> Contact:
    return customers.add_contact(
        workshop.customer,
        SYSTEM,
        first_name="Eva",
        last_name="Berg",
        email="eva@kunde.test",
        mobile_phone="+49 151 23456789",
    )


def book(
    workshop: Workshop, start: datetime.datetime, *, now: datetime.datetime, minutes: int = 60
) -> Appointment:
    """A planned appointment created at `now` (the reminders are made with it)."""
    with time_machine.travel(now, tick=False):
        return services.create_appointment(
            workshop.customer.tenant,
            SYSTEM,
            customer=workshop.customer,
            branch=workshop.branch,
            start=start,
            end=start + datetime.timedelta(minutes=minutes),
            work_items=[services.WorkItem("Inspektion")],
        )


def pending(appointment: Appointment) -> dict[tuple[str, str], datetime.datetime]:
    return {
        (r.kind, r.channel): r.due_at
        for r in AppointmentReminder.objects.filter(appointment=appointment, sent_at__isnull=True)
    }


def sweep(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return reminders.send_due_reminders()


def messages(purpose_prefix: str = "appointment_") -> list[OutboundMessage]:
    with scopes_disabled():
        return list(
            OutboundMessage.objects.filter(purpose__startswith=purpose_prefix).order_by("pk")
        )


def want(contact: Contact, **values: Any) -> ReminderPreference:
    wish = {"days_before": None, "by_email": True, "by_sms": False, "same_day": False}
    return reminders.set_reminder_preference(contact, SYSTEM, **{**wish, **values})


# --- the rows: created at the right local time ---------------------------------------------


def test_created_with_the_appointment_at_the_tenants_time(
    workshop: Workshop, contact: Contact
) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9, 30), now=utc(2026, 6, 1, 8))
    assert pending(appointment) == {("days_before", "email"): berlin(2026, 6, 16, 10)}


@pytest.mark.parametrize(
    ("start", "days", "expected_utc"),
    [
        # Spring forward on 29 March 2026: 10:00 is 08:00 UTC on the day itself ...
        (berlin(2026, 3, 30, 9), 1, utc(2026, 3, 29, 8)),
        # ... and 09:00 UTC the day before (still winter time).
        (berlin(2026, 3, 30, 9), 2, utc(2026, 3, 28, 9)),
        # Fall back on 25 October 2026: 10:00 is 09:00 UTC that day ...
        (berlin(2026, 10, 26, 9), 1, utc(2026, 10, 25, 9)),
        # ... and 08:00 UTC the day before (still summer time).
        (berlin(2026, 10, 26, 9), 2, utc(2026, 10, 24, 8)),
    ],
)
def test_due_at_the_local_time_across_the_dst_changes(
    workshop: Workshop,
    contact: Contact,
    start: datetime.datetime,
    days: int,
    expected_utc: datetime.datetime,
) -> None:
    want(contact, days_before=days)
    appointment = book(workshop, start, now=utc(2026, 3, 1, 12))
    due = pending(appointment)[("days_before", "email")]
    assert due == expected_utc
    assert due.astimezone(BERLIN).time() == datetime.time(10, 0)


@pytest.mark.parametrize(
    ("start", "expected_utc"),
    [
        (berlin(2026, 3, 29, 9), utc(2026, 3, 29, 5)),  # 07:00 summer time, after the switch
        (berlin(2026, 10, 25, 9), utc(2026, 10, 25, 6)),  # 07:00 winter time, after it
    ],
)
def test_the_same_day_reminder_on_the_dst_days(
    workshop: Workshop, contact: Contact, start: datetime.datetime, expected_utc: datetime.datetime
) -> None:
    want(contact, same_day=True)
    appointment = book(workshop, start, now=utc(2026, 3, 1, 12))
    assert pending(appointment)[("same_day", "email")] == expected_utc


def test_the_tenants_own_reminder_times(in_a: Any, workshop: Workshop, contact: Contact) -> None:
    booking.save_booking_settings(
        in_a,
        SYSTEM,
        reminder_days_before=3,
        reminder_time=datetime.time(18, 30),
        same_day_reminder_time=datetime.time(6, 15),
    )
    want(contact, same_day=True)
    appointment = book(workshop, berlin(2026, 6, 17, 9, 30), now=utc(2026, 6, 1, 8))
    assert pending(appointment) == {
        ("days_before", "email"): berlin(2026, 6, 14, 18, 30),
        ("same_day", "email"): berlin(2026, 6, 17, 6, 15),
    }


# --- following the appointment ---------------------------------------------------------------


def test_moved_on_reschedule(workshop: Workshop, contact: Contact) -> None:
    want(contact, same_day=True)
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    with time_machine.travel(utc(2026, 6, 2, 8), tick=False):
        services.update_appointment(
            appointment, SYSTEM, start=berlin(2026, 6, 24, 14), end=berlin(2026, 6, 24, 15)
        )
    assert pending(appointment) == {
        ("days_before", "email"): berlin(2026, 6, 23, 10),
        ("same_day", "email"): berlin(2026, 6, 24, 7),
    }
    assert AppointmentReminder.objects.filter(appointment=appointment).count() == 2


def test_moved_by_the_workshop_reschedule_and_removed_by_its_cancel(
    workshop: Workshop, contact: Contact
) -> None:
    appointment = book(workshop, berlin(2026, 3, 25, 9), now=utc(2026, 3, 1, 8))
    with time_machine.travel(utc(2026, 3, 2, 8), tick=False):
        workshop_services.reschedule(
            appointment,
            SYSTEM,
            start=berlin(2026, 3, 30, 9),
            end=berlin(2026, 3, 30, 10),
            allow_overbooking=True,
        )
    # Across the spring change: 10:00 summer time on 29 March.
    assert pending(appointment) == {("days_before", "email"): utc(2026, 3, 29, 8)}
    with time_machine.travel(utc(2026, 3, 3, 8), tick=False):
        workshop_services.cancel(appointment, SYSTEM)
    assert pending(appointment) == {}


def test_removed_on_cancel(workshop: Workshop, contact: Contact) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    with time_machine.travel(utc(2026, 6, 2, 8), tick=False):
        services.cancel_appointment(appointment, SYSTEM)
    assert not AppointmentReminder.objects.filter(appointment=appointment).exists()


def test_removed_on_finalize_but_a_sent_one_stays(workshop: Workshop, contact: Contact) -> None:
    want(contact, same_day=True)
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    assert sweep(berlin(2026, 6, 16, 10)) == 1
    with time_machine.travel(berlin(2026, 6, 16, 12), tick=False):
        workshop_services.finalize(appointment, SYSTEM)
    rows = AppointmentReminder.objects.filter(appointment=appointment)
    assert [(r.kind, r.sent_at is not None) for r in rows] == [("days_before", True)]


def test_never_in_the_past(workshop: Workshop, contact: Contact) -> None:
    """Booked inside the window: only the reminders still ahead."""
    want(contact, same_day=True)
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=berlin(2026, 6, 16, 15))
    assert pending(appointment) == {("same_day", "email"): berlin(2026, 6, 17, 7)}
    late = book(workshop, berlin(2026, 6, 18, 9), now=berlin(2026, 6, 18, 8))
    assert pending(late) == {}


def test_an_appointment_before_the_same_day_time_gets_no_same_day_reminder(
    workshop: Workshop, contact: Contact
) -> None:
    want(contact, same_day=True)
    appointment = book(workshop, berlin(2026, 6, 17, 6, 30), now=utc(2026, 6, 1, 8))
    assert set(pending(appointment)) == {("days_before", "email")}


def test_no_row_for_a_channel_without_an_address(in_a: Any, workshop: Workshop) -> None:
    customers.add_contact(workshop.customer, SYSTEM, last_name="Berg")  # no e-mail address
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    assert pending(appointment) == {}


def test_the_appointments_own_address_is_enough(in_a: Any, workshop: Workshop) -> None:
    customers.add_contact(workshop.customer, SYSTEM, last_name="Berg")
    with time_machine.travel(utc(2026, 6, 1, 8), tick=False):
        appointment = services.create_appointment(
            in_a,
            SYSTEM,
            customer=workshop.customer,
            start=berlin(2026, 6, 17, 9),
            end=berlin(2026, 6, 17, 10),
            contact_email="eva.privat@kunde.test",
        )
    assert set(pending(appointment)) == {("days_before", "email")}
    sweep(berlin(2026, 6, 16, 10))
    [message] = messages()
    assert message.recipient == "eva.privat@kunde.test"


# --- sending ------------------------------------------------------------------------------


def test_sent_exactly_once_with_the_link(workshop: Workshop, contact: Contact) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9, 30), now=utc(2026, 6, 1, 8))
    assert sweep(berlin(2026, 6, 16, 9, 59)) == 0  # not due yet
    assert sweep(berlin(2026, 6, 16, 10)) == 1
    assert sweep(berlin(2026, 6, 16, 10, 1)) == 0  # the second run finds nothing
    [message] = messages()
    assert message.purpose == "appointment_reminder"
    assert message.recipient == "eva@kunde.test"
    assert message.subject == "Erinnerung: Ihr Termin am 17.06.2026 um 09:30 Uhr"
    assert link_of(message) == appointment
    assert "Alpha Mitte" in message.body_text and "Inspektion" in message.body_text
    reminder = AppointmentReminder.objects.get(appointment=appointment)
    assert reminder.sent_at == berlin(2026, 6, 16, 10)


def test_a_late_sweep_still_sends_once_and_only_before_the_appointment(
    workshop: Workshop, contact: Contact
) -> None:
    book(workshop, berlin(2026, 6, 17, 9, 30), now=utc(2026, 6, 1, 8))
    assert sweep(berlin(2026, 6, 17, 9, 45)) == 0  # the worker was down: too late now
    assert AppointmentReminder.objects.count() == 0
    assert messages() == []


def test_the_same_day_reminder_is_sent_in_the_morning(workshop: Workshop, contact: Contact) -> None:
    want(contact, same_day=True)
    book(workshop, berlin(2026, 6, 17, 9, 30), now=utc(2026, 6, 1, 8))
    assert sweep(berlin(2026, 6, 16, 10)) == 1
    assert sweep(berlin(2026, 6, 17, 7)) == 1
    assert [m.purpose for m in messages()] == [
        "appointment_reminder",
        "appointment_same_day_reminder",
    ]
    assert messages()[1].subject == "Heute um 09:30 Uhr: Ihr Termin bei Alpha Mitte"


def test_in_the_customers_language(in_a: Any, workshop: Workshop) -> None:
    customers.add_contact(
        workshop.customer, SYSTEM, last_name="Berg", email="eva@kunde.test", language="en"
    )
    appointment = book(workshop, berlin(2026, 10, 26, 9, 30), now=utc(2026, 10, 1, 8))
    assert sweep(berlin(2026, 10, 25, 10)) == 1
    [message] = messages()
    assert message.subject == "Reminder: your appointment on 26 October 2026 at 09:30"
    assert "We would like to remind you of your appointment" in message.body_text
    assert link_of(message) == appointment


def test_a_reminder_whose_address_went_missing_is_settled_without_a_message(
    workshop: Workshop, contact: Contact
) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    # The address is gone by the time the reminder is due (no re-sync happened).
    Contact.objects.filter(pk=contact.pk).update(email="")
    assert sweep(berlin(2026, 6, 16, 10)) == 0
    assert messages() == []
    reminder = AppointmentReminder.objects.get(appointment=appointment)
    assert reminder.sent_at is not None  # done: never tried again
    assert sweep(berlin(2026, 6, 16, 10, 1)) == 0
    with scopes_disabled():
        event = AuditEvent.objects.get(action="appointment.reminder_skipped")
    assert event.data == {"kind": "days_before", "channel": "email", "reason": "no_email"}


def test_a_reminder_no_longer_wanted_is_dropped(workshop: Workshop, contact: Contact) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    # Cancelled behind the services' back (e.g. a stale row): the sweep checks the status.
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")
    assert sweep(berlin(2026, 6, 16, 10)) == 0
    assert not AppointmentReminder.objects.exists()
    assert messages() == []


def test_a_later_reminder_time_moves_a_row_instead_of_sending_it_early(
    in_a: Any, workshop: Workshop, contact: Contact
) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    booking.save_booking_settings(in_a, SYSTEM, reminder_time=datetime.time(12, 0))
    assert sweep(berlin(2026, 6, 16, 10)) == 0
    assert pending(appointment) == {("days_before", "email"): berlin(2026, 6, 16, 12)}
    assert sweep(berlin(2026, 6, 16, 12)) == 1


def test_one_broken_reminder_does_not_hold_up_the_others(
    workshop: Workshop, contact: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    book(workshop, berlin(2026, 6, 17, 11), now=utc(2026, 6, 1, 8))
    real = reminders.queue_appointment_message

    def broken_for_first(appointment: Appointment, *args: Any, **kwargs: Any) -> Any:
        if appointment.pk == first.pk:
            raise RuntimeError("template broken")
        return real(appointment, *args, **kwargs)

    monkeypatch.setattr(reminders, "queue_appointment_message", broken_for_first)
    assert sweep(berlin(2026, 6, 16, 10)) == 1
    assert AppointmentReminder.objects.filter(sent_at__isnull=True).count() == 0
    assert len(messages()) == 1


def test_a_broken_reminder_leaves_the_customers_older_link_working(
    workshop: Workshop, contact: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    older = links.issue_appointment_link(appointment, now=utc(2026, 6, 1, 8))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("template broken")

    monkeypatch.setattr(reminders, "queue_appointment_message", broken)
    assert sweep(berlin(2026, 6, 16, 10)) == 0
    assert link_state(older, berlin(2026, 6, 16, 10)) == LinkState.VALID
    with scopes_disabled():
        assert CustomerLink.objects.filter(object_id=str(appointment.uid)).count() == 1


def test_two_reminders_of_one_appointment_in_one_batch_only_the_last_link_works(
    workshop: Workshop, contact: Contact
) -> None:
    want(contact, same_day=True)
    appointment = book(workshop, berlin(2026, 6, 17, 9, 30), now=utc(2026, 6, 1, 8))
    # The worker was down: both reminders are due in the morning's sweep.
    assert sweep(berlin(2026, 6, 17, 7)) == 2
    first, second = messages()
    states = [link_state(m.body_text, berlin(2026, 6, 17, 7)) for m in (first, second)]
    assert states == [LinkState.SUPERSEDED, LinkState.VALID]
    assert link_of(second) == appointment


def test_the_sweeps_queries_do_not_grow_with_the_reminders(
    workshop: Workshop, contact: Contact
) -> None:
    """Per batch a fixed number of statements; per reminder only its outbox row (the
    dedupe look-up and the INSERT, in savepoints)."""

    def statements(day: int, count: int) -> tuple[list[str], list[str]]:
        for number in range(count):
            start = berlin(2026, 6, day, 8) + datetime.timedelta(minutes=5 * number)
            book(workshop, start, now=utc(2026, 6, 1, 8), minutes=5)
        with CaptureQueriesContext(connection) as captured:
            assert sweep(berlin(2026, 6, day - 1, 10)) == count
        sql = [query["sql"] for query in captured.captured_queries]
        per_message = [q for q in sql if "messaging_outboundmessage" in q or "SAVEPOINT" in q]
        return [q for q in sql if q not in per_message], per_message

    few, few_outbox = statements(17, 5)
    many, many_outbox = statements(18, 50)
    assert len(many) == len(few) <= 15
    # The outbox look-up and INSERT of each message, in the savepoints that keep a broken
    # message from leaving anything behind.
    assert len(many_outbox) - len(few_outbox) == 45 * 6


def test_batches_until_everything_due_is_sent(workshop: Workshop, contact: Contact) -> None:
    for hour in range(8, 15):
        book(workshop, berlin(2026, 6, 17, hour), now=utc(2026, 6, 1, 8))
    with time_machine.travel(berlin(2026, 6, 16, 10), tick=False):
        assert reminders.send_due_reminders(limit=3) == 7
    assert len(messages()) == 7


def test_the_worker_runs_the_sweep_every_minute(workshop: Workshop, contact: Contact) -> None:
    assert (
        "theke.appointment_reminders",
        "theke.appointments.tasks.send_appointment_reminders",
        1,
    ) in PERIODIC_TASKS
    book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    with time_machine.travel(berlin(2026, 6, 16, 10) + datetime.timedelta(seconds=30), tick=False):
        assert send_appointment_reminders.call() == 1


# --- the customer's wish --------------------------------------------------------------------


def test_changing_the_wish_resyncs_upcoming_appointments(
    workshop: Workshop, contact: Contact, owner: Any
) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    with time_machine.travel(utc(2026, 6, 2, 8), tick=False):
        preference = reminders.set_reminder_preference(
            contact, Actor.staff(owner), days_before=3, by_email=True, by_sms=False, same_day=True
        )
    assert (preference.days_before, preference.same_day) == (3, True)
    assert pending(appointment) == {
        ("days_before", "email"): berlin(2026, 6, 14, 10),
        ("same_day", "email"): berlin(2026, 6, 17, 7),
    }
    with scopes_disabled():
        event = AuditEvent.objects.get(action="reminder_preference.changed")
    assert event.data["changes"]["days_before"] == [None, 3]
    # The same wish again changes nothing and records nothing.
    want(contact, days_before=3, same_day=True)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="reminder_preference.changed").count() == 1


def test_no_reminders_at_all_when_the_customer_says_so(
    workshop: Workshop, contact: Contact
) -> None:
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    with time_machine.travel(utc(2026, 6, 2, 8), tick=False):
        want(contact, by_email=False)
    assert pending(appointment) == {}


def test_sms_needs_the_tenants_switch(workshop: Workshop, contact: Contact) -> None:
    with pytest.raises(AppointmentError) as refused:
        want(contact, by_sms=True, sms_consent=True)
    assert (refused.value.field, refused.value.code) == ("by_sms", "no_sms")
    contact.refresh_from_db()
    assert not contact.consent_sms
    assert not ReminderPreference.objects.exists()


def test_sms_needs_consent_which_is_recorded_with_its_time(
    in_a: Any, workshop: Workshop, contact: Contact
) -> None:
    in_a.sms_enabled = True
    in_a.save(update_fields=["sms_enabled"])
    with pytest.raises(AppointmentError) as refused:
        want(contact, by_sms=True)
    assert (refused.value.field, refused.value.code) == ("sms_consent", "no_sms_consent")
    appointment = book(workshop, berlin(2026, 6, 17, 9), now=utc(2026, 6, 1, 8))
    moment = utc(2026, 6, 2, 8)
    with time_machine.travel(moment, tick=False):
        want(contact, by_sms=True, sms_consent=True)
    contact.refresh_from_db()
    assert contact.consent_sms and contact.consent_sms_at == moment
    assert set(pending(appointment)) == {("days_before", "email"), ("days_before", "sms")}
    assert sweep(berlin(2026, 6, 16, 10)) == 2
    sms = [m for m in messages() if m.channel == "sms"]
    assert len(sms) == 1 and sms[0].recipient == "+4915123456789"
    assert link_of(sms[0]) == appointment


def test_days_out_of_range_are_refused(contact: Contact) -> None:
    with pytest.raises(AppointmentError) as refused:
        want(contact, days_before=5)
    assert refused.value.field == "days_before"


def test_a_failed_change_keeps_nothing(workshop: Workshop, contact: Contact) -> None:
    with pytest.raises(AppointmentError), transaction.atomic():
        want(contact, days_before=0)
    assert not ReminderPreference.objects.exists()
