"""Free slots: the pure computation (theke.appointments.slots) and the service that feeds it
from the database (theke.appointments.services.availability)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from theke.appointments.models import (
    AdvisorAbsence,
    AdvisorWorkingHours,
    Appointment,
    AppointmentStatus,
    BookingSettings,
    BranchBooking,
    Lead,
    LeadStatus,
    ServiceAdvisor,
)
from theke.appointments.services import availability
from theke.appointments.slots import TAKEN, Advisor, Busy, Rules, SlotPlan
from theke.tenants.models import OpeningHours
from theke.tenants.scoping import tenant_scope

BERLIN = ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
T = datetime.time
HOUR = datetime.timedelta(hours=1)
WEEKDAYS_8_TO_17 = {day: [(T(8), T(12)), (T(13), T(17))] for day in range(5)}
NO_NOTICE = Rules(min_notice=datetime.timedelta(0), horizon_days=400)


def berlin(day: str, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=BERLIN)


def plan(
    *,
    advisors: list[Advisor] | None = None,
    busy: list[Busy] | None = None,
    rules: Rules = NO_NOTICE,
    opening: Any = None,
    holidays: frozenset[datetime.date] = frozenset(),
) -> SlotPlan:
    return SlotPlan(
        zone=BERLIN,
        opening=WEEKDAYS_8_TO_17 if opening is None else opening,
        holidays=holidays,
        advisors=[Advisor(1, WEEKDAYS_8_TO_17)] if advisors is None else advisors,
        busy=busy or [],
        rules=rules,
    )


def starts(slots: Any) -> list[str]:
    return [s.start.astimezone(BERLIN).strftime("%H:%M") for s in slots]


def day_slots(p: SlotPlan, day: str, minutes: int = 60, **kw: Any) -> Any:
    now = kw.pop("now", berlin("2026-01-01", 0))
    return p.free_slots(
        datetime.timedelta(minutes=minutes),
        now=now,
        first_day=datetime.date.fromisoformat(day),
        days=kw.pop("days", 1),
    )


# --- the pure computation -------------------------------------------------------------------


def test_slots_fill_opening_hours_and_never_cross_the_lunch_break() -> None:
    # Monday 4 May 2026, open 8–12 and 13–17, half-hour raster, one hour of work.
    found = starts(day_slots(plan(), "2026-05-04"))
    assert found == [
        "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00",
        "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00",
    ]  # fmt: skip
    assert "11:30" not in found  # would run into the lunch break


def test_slot_length_is_the_sum_of_the_services() -> None:
    found = day_slots(plan(), "2026-05-04", minutes=150)
    assert starts(found) == ["08:00", "08:30", "09:00", "09:30", "13:00", "13:30", "14:00", "14:30"]
    assert all(s.end - s.start == datetime.timedelta(minutes=150) for s in found)


def test_closed_days_and_holidays_have_no_slots() -> None:
    p = plan(holidays=frozenset({datetime.date(2026, 5, 1)}))
    assert day_slots(p, "2026-05-01") == []  # Friday, Tag der Arbeit
    assert day_slots(p, "2026-05-02") == []  # Saturday, closed
    assert day_slots(p, "2026-05-04") != []


def test_advisor_hours_and_absences_limit_the_slots() -> None:
    mornings = {day: [(T(8), T(12))] for day in range(5)}
    p = plan(advisors=[Advisor(1, mornings, frozenset({datetime.date(2026, 5, 5)}))])
    assert starts(day_slots(p, "2026-05-04"))[-1] == "11:00"
    assert day_slots(p, "2026-05-05") == []  # absent all day


def test_each_advisor_takes_one_appointment_at_a_time() -> None:
    advisors = [Advisor(1, WEEKDAYS_8_TO_17), Advisor(2, WEEKDAYS_8_TO_17)]
    nine = berlin("2026-05-04", 9)
    one_taken = plan(advisors=advisors, busy=[Busy(nine, nine + HOUR, 1)])
    assert one_taken.advisor_for(nine, nine + HOUR) == 2
    both_taken = plan(
        advisors=advisors, busy=[Busy(nine, nine + HOUR, 1), Busy(nine, nine + HOUR, 2)]
    )
    assert both_taken.advisor_for(nine, nine + HOUR) is TAKEN
    assert both_taken.advisor_for(nine + HOUR, nine + 2 * HOUR) in (1, 2)


def test_unassigned_taken_time_uses_up_one_advisor() -> None:
    advisors = [Advisor(1, WEEKDAYS_8_TO_17), Advisor(2, WEEKDAYS_8_TO_17)]
    nine = berlin("2026-05-04", 9)
    p = plan(advisors=advisors, busy=[Busy(nine, nine + HOUR, None), Busy(nine, nine + HOUR, 1)])
    assert p.advisor_for(nine, nine + HOUR) is TAKEN
    p = plan(advisors=advisors, busy=[Busy(nine, nine + HOUR, None)])
    assert p.advisor_for(nine, nine + HOUR) in (1, 2)


def test_the_least_busy_advisor_of_the_day_gets_the_slot() -> None:
    advisors = [Advisor(1, WEEKDAYS_8_TO_17), Advisor(2, WEEKDAYS_8_TO_17)]
    eight = berlin("2026-05-04", 8)
    p = plan(advisors=advisors, busy=[Busy(eight, eight + HOUR, 1)])
    assert p.advisor_for(eight + 2 * HOUR, eight + 3 * HOUR) == 2


def test_parallel_capacity_replaces_the_advisors() -> None:
    nine = berlin("2026-05-04", 9)
    busy = [Busy(nine, nine + HOUR, None), Busy(nine, nine + HOUR, 7)]
    p = plan(
        advisors=[], busy=busy, rules=Rules(min_notice=datetime.timedelta(0), parallel_capacity=3)
    )
    assert p.advisor_for(nine, nine + HOUR) is None  # free, nobody assigned
    full = plan(
        advisors=[],
        busy=[*busy, Busy(nine, nine + HOUR, None)],
        rules=Rules(min_notice=datetime.timedelta(0), parallel_capacity=3),
    )
    assert full.advisor_for(nine, nine + HOUR) is TAKEN
    assert full.advisor_for(nine + HOUR, nine + 2 * HOUR) is None


def test_parallel_capacity_counts_overlap_at_one_moment() -> None:
    # Two appointments that do not overlap each other leave room for one more of two.
    nine = berlin("2026-05-04", 9)
    busy = [Busy(nine, nine + HOUR / 2, None), Busy(nine + HOUR / 2, nine + HOUR, None)]
    p = plan(
        advisors=[], busy=busy, rules=Rules(min_notice=datetime.timedelta(0), parallel_capacity=2)
    )
    assert p.advisor_for(nine, nine + HOUR) is None


def test_buffer_keeps_time_free_after_each_appointment() -> None:
    nine = berlin("2026-05-04", 9)
    rules = Rules(min_notice=datetime.timedelta(0), buffer_minutes=15, horizon_days=400)
    p = plan(busy=[Busy(nine, nine + HOUR, 1)], rules=rules)
    found = starts(day_slots(p, "2026-05-04"))
    assert "08:00" not in found  # its buffer would run into 09:00
    assert "10:00" not in found  # inside the 09:00 appointment's buffer
    assert "10:30" in found and "07:30" not in found


def test_minimum_notice_and_horizon() -> None:
    rules = Rules(min_notice=datetime.timedelta(hours=24), horizon_days=3)
    p = plan(rules=rules)
    now = berlin("2026-05-04", 10, 15)  # Monday
    found = p.free_slots(HOUR, now=now, first_day=now.date(), days=10)
    assert found[0].start == berlin("2026-05-05", 10, 30)
    assert max(s.start for s in found).date() == datetime.date(2026, 5, 7)  # three days ahead


def test_spring_forward_day_has_the_wall_clock_slots() -> None:
    # 29 March 2026: clocks jump from 02:00 to 03:00 (CET +01:00 -> CEST +02:00).
    sundays = {6: [(T(1), T(4))]}
    p = plan(advisors=[Advisor(1, sundays)], opening=sundays)
    found = day_slots(p, "2026-03-29")
    assert starts(found) == ["01:00", "01:30", "03:00"]  # 01:00–04:00 is two real hours
    assert [s.start.astimezone(UTC).strftime("%H:%M") for s in found] == ["00:00", "00:30", "01:00"]
    assert all(s.end - s.start == HOUR for s in found)


def test_fall_back_day_has_the_repeated_hour() -> None:
    # 25 October 2026: clocks go back from 03:00 to 02:00 (CEST -> CET).
    sundays = {6: [(T(1), T(4))]}
    p = plan(advisors=[Advisor(1, sundays)], opening=sundays)
    found = day_slots(p, "2026-10-25")
    assert starts(found) == ["01:00", "01:30", "02:00", "02:30", "02:00", "02:30", "03:00"]
    assert len({s.start for s in found}) == 7


def test_opening_hours_mean_local_time_on_both_sides_of_the_change() -> None:
    p = plan(
        opening={day: [(T(8), T(17))] for day in range(7)},
        advisors=[Advisor(1, {d: [(T(8), T(17))] for d in range(7)})],
    )
    for day, offset in [("2026-03-28", 1), ("2026-03-30", 2), ("2026-10-24", 2), ("2026-10-26", 1)]:
        first = day_slots(p, day)[0].start
        assert first.astimezone(UTC).hour == 8 - offset
        assert first.astimezone(BERLIN).hour == 8


# --- from the database ----------------------------------------------------------------------


@pytest.fixture
def booking_branch(tenant_a: Any, workshop: Any) -> Any:
    """Alpha Mitte (Bavaria) open Mon–Fri 8–12 and 13–17, two advisors, no notice."""
    branch = workshop.branch
    with tenant_scope(tenant_a):
        branch.state = "BY"
        branch.save()
        for weekday in range(5):
            for opens, closes in [(T(8), T(12)), (T(13), T(17))]:
                OpeningHours.objects.create(
                    tenant=tenant_a, branch=branch, weekday=weekday, opens=opens, closes=closes
                )
        BranchBooking.objects.create(
            tenant=tenant_a, branch=branch, enabled=True, min_notice_hours=0, horizon_days=365
        )
        for user in (workshop.advisor, workshop.advisor_2):
            advisor = ServiceAdvisor.objects.create(tenant=tenant_a, branch=branch, user=user)
            for weekday in range(5):
                for starts_at, ends_at in [(T(8), T(12)), (T(13), T(17))]:
                    AdvisorWorkingHours.objects.create(
                        tenant=tenant_a,
                        advisor=advisor,
                        weekday=weekday,
                        starts=starts_at,
                        ends=ends_at,
                    )
    return branch


@pytest.fixture
def workshop(workshop: Any, owner: Any) -> Any:
    workshop.advisor_2 = owner
    return workshop


NOW = berlin("2026-01-02", 7)  # Friday


def _appointment(tenant: Any, workshop: Any, start: datetime.datetime, advisor: Any) -> Appointment:
    return Appointment.objects.create(
        tenant=tenant,
        customer=workshop.customer,
        branch=workshop.branch,
        advisor=advisor,
        start=start,
        end=start + HOUR,
        status=AppointmentStatus.PLANNED,
    )


def _lead(
    tenant: Any, branch: Any, start: datetime.datetime, created: datetime.datetime, **kw: Any
) -> Lead:
    return Lead.objects.create(
        tenant=tenant,
        branch=branch,
        start=start,
        end=start + HOUR,
        last_name="Neu",
        email="neu@example.org",
        created_at=created,
        **kw,
    )


@pytest.mark.django_db
def test_state_holidays_of_the_branch(tenant_a: Any, booking_branch: Any) -> None:
    with tenant_scope(tenant_a):
        # 6 January 2026 (Tuesday): Heilige Drei Könige in Bavaria.
        assert (
            availability.free_slots(
                booking_branch, 60, now=NOW, first_day=datetime.date(2026, 1, 6), days=1
            )
            == []
        )
        booking_branch.state = "NI"
        booking_branch.save()
        assert availability.free_slots(
            booking_branch, 60, now=NOW, first_day=datetime.date(2026, 1, 6), days=1
        )


@pytest.mark.django_db
def test_appointments_and_absences_take_capacity(
    tenant_a: Any, workshop: Any, booking_branch: Any
) -> None:
    monday = datetime.date(2026, 1, 5)
    nine = berlin("2026-01-05", 9)
    with tenant_scope(tenant_a):
        _appointment(tenant_a, workshop, nine, workshop.advisor)
        slots = availability.free_slots(booking_branch, 60, now=NOW, first_day=monday, days=1)
        at_nine = [s for s in slots if s.start == nine]
        assert [s.advisor_id for s in at_nine] == [workshop.advisor_2.pk]
        advisor_2 = ServiceAdvisor.objects.get(user=workshop.advisor_2)
        AdvisorAbsence.objects.create(
            tenant=tenant_a, advisor=advisor_2, first_day=monday, last_day=monday
        )
        slots = availability.free_slots(booking_branch, 60, now=NOW, first_day=monday, days=1)
        assert nine not in {s.start for s in slots}
        assert {s.advisor_id for s in slots} == {workshop.advisor.pk}


@pytest.mark.django_db
def test_cancelled_appointments_and_inactive_advisors_do_not_count(
    tenant_a: Any, workshop: Any, booking_branch: Any
) -> None:
    monday = datetime.date(2026, 1, 5)
    nine = berlin("2026-01-05", 9)
    with tenant_scope(tenant_a):
        for user in (workshop.advisor, workshop.advisor_2):
            _appointment(tenant_a, workshop, nine, user)
        assert nine not in {
            s.start
            for s in availability.free_slots(booking_branch, 60, now=NOW, first_day=monday, days=1)
        }
        Appointment.objects.filter(advisor=workshop.advisor).update(
            status=AppointmentStatus.CANCELLED
        )
        assert nine in {
            s.start
            for s in availability.free_slots(booking_branch, 60, now=NOW, first_day=monday, days=1)
        }
        ServiceAdvisor.objects.filter(user=workshop.advisor).update(is_active=False)
        assert availability.free_slots(booking_branch, 60, now=NOW, first_day=monday, days=1)
        assert nine not in {
            s.start
            for s in availability.free_slots(booking_branch, 60, now=NOW, first_day=monday, days=1)
        }


@pytest.mark.django_db
def test_open_leads_hold_their_place_until_the_hold_time_passes(
    tenant_a: Any, workshop: Any, booking_branch: Any
) -> None:
    monday = datetime.date(2026, 1, 5)
    nine = berlin("2026-01-05", 9)
    with tenant_scope(tenant_a):
        BookingSettings.objects.create(tenant=tenant_a, hold_hours=24)
        for user in (workshop.advisor, workshop.advisor_2):
            _lead(tenant_a, booking_branch, nine, NOW - 2 * HOUR, advisor=user)

        def free_at_nine(now: datetime.datetime, **kw: Any) -> bool:
            slots = availability.free_slots(
                booking_branch, 60, now=now, first_day=monday, days=1, **kw
            )
            return nine in {s.start for s in slots}

        assert not free_at_nine(NOW)
        assert not free_at_nine(NOW + 21 * HOUR)
        assert free_at_nine(NOW + 22 * HOUR)  # 24 h after the requests came in
        # A decided lead holds nothing; the lead itself is left out when it is re-checked.
        lead = Lead.objects.first()
        assert lead is not None
        assert free_at_nine(NOW, exclude_lead=lead)
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.REJECTED)
        assert free_at_nine(NOW)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_appointments(
    tenant_a: Any, workshop: Any, booking_branch: Any
) -> None:
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            availability.free_slots(booking_branch, 60, now=NOW, days=30)
        return len(queries)

    with tenant_scope(tenant_a):
        few = count_queries()
        for n in range(40):
            start = berlin("2026-01-05", 8) + datetime.timedelta(days=n // 8, hours=n % 8)
            _appointment(tenant_a, workshop, start, workshop.advisor)
            _lead(tenant_a, booking_branch, start, NOW, advisor=workshop.advisor_2)
        assert count_queries() == few
        assert few <= 10


@pytest.mark.django_db
def test_find_free_advisor_under_the_branch_lock(
    tenant_a: Any, workshop: Any, booking_branch: Any
) -> None:
    nine = berlin("2026-01-05", 9)
    with tenant_scope(tenant_a), transaction.atomic():
        assert availability.lock_branch(booking_branch).pk == booking_branch.booking.pk
        first = availability.find_free_advisor(booking_branch, nine, nine + HOUR, now=NOW)
        assert first in (workshop.advisor.pk, workshop.advisor_2.pk)
        _lead(tenant_a, booking_branch, nine, NOW, advisor_id=first)
        second = availability.find_free_advisor(booking_branch, nine, nine + HOUR, now=NOW)
        assert second not in (first, False)
        _lead(tenant_a, booking_branch, nine, NOW, advisor_id=second)
        assert availability.find_free_advisor(booking_branch, nine, nine + HOUR, now=NOW) is False
        # Outside the hours or on a holiday: never free, whatever the capacity.
        assert (
            availability.find_free_advisor(
                booking_branch,
                nine.replace(hour=11, minute=30),
                nine.replace(hour=12, minute=30),
                now=NOW,
            )
            is False
        )


@pytest.mark.django_db
def test_next_free_slots_after_a_taken_one(
    tenant_a: Any, workshop: Any, booking_branch: Any
) -> None:
    nine = berlin("2026-01-05", 9)
    with tenant_scope(tenant_a):
        for user in (workshop.advisor, workshop.advisor_2):
            _appointment(tenant_a, workshop, nine, user)
        found = availability.next_free_slots(booking_branch, 60, nine, 3, now=NOW)
        assert [s.start for s in found] == [nine + HOUR, nine + 1.5 * HOUR, nine + 2 * HOUR]


@pytest.mark.django_db
def test_booking_window(tenant_a: Any, booking_branch: Any) -> None:
    with tenant_scope(tenant_a):
        BranchBooking.objects.filter(branch=booking_branch).update(
            min_notice_hours=24, horizon_days=10
        )
        assert not availability.within_booking_window(booking_branch, NOW + 23 * HOUR, now=NOW)
        assert availability.within_booking_window(booking_branch, NOW + 25 * HOUR, now=NOW)
        assert not availability.within_booking_window(
            booking_branch, NOW + datetime.timedelta(days=11), now=NOW
        )
