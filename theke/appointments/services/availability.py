"""Free slots of a branch, read from the database in a constant number of queries and
computed by `theke.appointments.slots` (pure).

Taken time is every planned appointment of the branch, every slot of an open proposal
(held until the customer answers or the proposal expires) and every open lead ("Neu")
younger than the tenant's hold time: a request holds its place until staff decide it or the
hold runs out. Writers that take capacity (a booking, a conversion) first call `lock_branch`
inside their transaction and then ask `find_free_advisor`, so two of them never both get
the last place: the branch's booking row is the one lock all of them queue on.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from theke.appointments.models import (
    CAPACITY_STATUSES,
    AdvisorAbsence,
    AdvisorWorkingHours,
    Appointment,
    BranchBooking,
    Lead,
    LeadStatus,
    ProposedSlot,
    ServiceAdvisor,
)
from theke.appointments.services.settings import booking_settings, branch_booking
from theke.appointments.slots import TAKEN, Advisor, Busy, FreeSlot, Rules, SlotPlan
from theke.tenants.federal_states import public_holidays
from theke.tenants.models import Branch

__all__ = [
    "TAKEN",
    "FreeSlot",
    "advisors_of",
    "find_free_advisor",
    "free_slots",
    "lock_branch",
    "next_free_slots",
    "slot_plan",
    "within_booking_window",
]

DAY = datetime.timedelta(days=1)


def zone() -> ZoneInfo:
    """The zone opening and working hours are meant in (Europe/Berlin by default)."""
    current = timezone.get_default_timezone()
    assert isinstance(current, ZoneInfo)
    return current


def lock_branch(branch: Branch) -> BranchBooking:
    """Lock the branch's booking row (created with the defaults if missing); every writer
    that takes capacity at the branch calls this first, inside its transaction."""
    row, _created = BranchBooking.objects.select_for_update().get_or_create(
        branch=branch, defaults={"tenant_id": branch.tenant_id}
    )
    return row


def rules_of(row: BranchBooking) -> Rules:
    return Rules(
        slot_minutes=row.slot_minutes,
        buffer_minutes=row.buffer_minutes,
        min_notice=datetime.timedelta(hours=row.min_notice_hours),
        horizon_days=row.horizon_days,
        parallel_capacity=row.parallel_capacity,
    )


def slot_plan(
    branch: Branch,
    first_day: datetime.date,
    last_day: datetime.date,
    *,
    now: datetime.datetime | None = None,
    exclude_lead: Lead | None = None,
    exclude_appointment: Appointment | None = None,
) -> SlotPlan:
    """What the slot computation needs for the days first_day..last_day (both included)."""
    now = now or timezone.now()
    tz = zone()
    # Taken time reaching into the days: a day early for long appointments over midnight.
    window_start = datetime.datetime.combine(first_day - DAY, datetime.time(), tzinfo=tz)
    window_end = datetime.datetime.combine(last_day + 2 * DAY, datetime.time(), tzinfo=tz)
    overlapping = Q(start__lt=window_end, end__gt=window_start)

    appointments = Appointment.objects.filter(
        overlapping, branch=branch, status__in=CAPACITY_STATUSES
    )
    held = ProposedSlot.objects.filter(overlapping, branch=branch, holds_until__gt=now)
    if exclude_appointment is not None:
        appointments = appointments.exclude(pk=exclude_appointment.pk)
        held = held.exclude(proposal__appointment_id=exclude_appointment.pk)
    hold = datetime.timedelta(hours=booking_settings(branch.tenant).hold_hours)
    leads = Lead.objects.filter(
        overlapping, branch=branch, status=LeadStatus.NEW, created_at__gt=now - hold
    )
    if exclude_lead is not None:
        leads = leads.exclude(pk=exclude_lead.pk)
    busy = [
        Busy(start, end, advisor_id)
        for query in (appointments, held, leads)
        for start, end, advisor_id in query.values_list("start", "end", "advisor_id")
    ]

    opening: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for weekday, opens, closes in branch.opening_hours.values_list("weekday", "opens", "closes"):
        opening.setdefault(weekday, []).append((opens, closes))

    years = range(first_day.year, last_day.year + 1)
    holidays = frozenset(day for year in years for day in public_holidays(branch.state, year))

    return SlotPlan(
        zone=tz,
        opening=opening,
        holidays=holidays,
        advisors=advisors_of(branch, first_day, last_day),
        busy=busy,
        rules=rules_of(branch_booking(branch)),
    )


def advisors_of(branch: Branch, first_day: datetime.date, last_day: datetime.date) -> list[Advisor]:
    """The branch's active advisors with their hours and the days they are absent between
    first_day and last_day (three queries of plain values: this runs for every slot
    question, and the calendar draws its free cells from the same hours)."""
    active = ServiceAdvisor.objects.filter(branch=branch, is_active=True, user__is_active=True)
    users = dict(active.order_by("user_id").values_list("pk", "user_id"))
    hours: dict[int, dict[int, list[tuple[datetime.time, datetime.time]]]] = {
        advisor_id: {} for advisor_id in users
    }
    for advisor_id, weekday, starts, ends in AdvisorWorkingHours.objects.filter(
        advisor_id__in=users
    ).values_list("advisor_id", "weekday", "starts", "ends"):
        hours[advisor_id].setdefault(weekday, []).append((starts, ends))
    absent: dict[int, set[datetime.date]] = defaultdict(set)
    for advisor_id, first, last in AdvisorAbsence.objects.filter(
        advisor_id__in=users, first_day__lte=last_day, last_day__gte=first_day
    ).values_list("advisor_id", "first_day", "last_day"):
        absent[advisor_id].update(first + DAY * n for n in range((last - first).days + 1))
    return [
        Advisor(user_id, hours[advisor_id], frozenset(absent[advisor_id]))
        for advisor_id, user_id in users.items()
    ]


def free_slots(
    branch: Branch,
    duration_minutes: int,
    *,
    now: datetime.datetime | None = None,
    first_day: datetime.date | None = None,
    days: int | None = None,
    exclude_lead: Lead | None = None,
) -> list[FreeSlot]:
    """The free slots for an appointment of `duration_minutes` from `first_day` (default:
    today) for `days` days (default: up to the horizon), within notice and horizon."""
    now = now or timezone.now()
    today = now.astimezone(zone()).date()
    first_day = max(first_day or today, today)
    row = branch_booking(branch)
    last_day = today + datetime.timedelta(days=row.horizon_days)
    if days is not None:
        last_day = min(last_day, first_day + datetime.timedelta(days=days - 1))
    if last_day < first_day:
        return []
    plan = slot_plan(branch, first_day, last_day, now=now, exclude_lead=exclude_lead)
    return plan.free_slots(
        datetime.timedelta(minutes=duration_minutes),
        now=now,
        first_day=first_day,
        days=(last_day - first_day).days + 1,
    )


def next_free_slots(
    branch: Branch,
    duration_minutes: int,
    after: datetime.datetime,
    count: int = 3,
    *,
    now: datetime.datetime | None = None,
    exclude_lead: Lead | None = None,
) -> list[FreeSlot]:
    """The first `count` free slots from `after` on (what a customer who just lost a slot is
    offered instead), looking a week at a time up to the horizon."""
    now = now or timezone.now()
    day = after.astimezone(zone()).date()
    found: list[FreeSlot] = []
    horizon = now.astimezone(zone()).date() + DAY * branch_booking(branch).horizon_days
    while len(found) < count and day <= horizon:
        week = free_slots(
            branch, duration_minutes, now=now, first_day=day, days=7, exclude_lead=exclude_lead
        )
        found.extend(slot for slot in week if slot.start >= after)
        day += 7 * DAY
    return found[:count]


def find_free_advisor(
    branch: Branch,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    exclude_lead: Lead | None = None,
    exclude_appointment: Appointment | None = None,
    now: datetime.datetime | None = None,
    advisor: int | None = None,
) -> int | Literal[False] | None:
    """Whether [start, end) is free at the branch, after `lock_branch`: False when taken,
    None when free at a branch with parallel capacity, else the advisor it goes to.
    Checks hours, holidays, absences and capacity; notice and horizon are the caller's
    (`within_booking_window`), since staff may plan inside them. `advisor` (a user id):
    staff chose the advisor, who must be free then (when the branch knows them)."""
    day = start.astimezone(zone()).date()
    plan = slot_plan(
        branch,
        day,
        end.astimezone(zone()).date(),
        now=now,
        exclude_lead=exclude_lead,
        exclude_appointment=exclude_appointment,
    )
    return plan.advisor_for(start, end, advisor)


def within_booking_window(
    branch: Branch, start: datetime.datetime, *, now: datetime.datetime | None = None
) -> bool:
    """Whether a customer may book a slot starting at `start`: after the minimum notice
    and no later than the horizon."""
    now = now or timezone.now()
    row = branch_booking(branch)
    plan_rules = rules_of(row)
    last_day = now.astimezone(zone()).date() + DAY * plan_rules.horizon_days
    return start >= now + plan_rules.min_notice and start.astimezone(zone()).date() <= last_day
