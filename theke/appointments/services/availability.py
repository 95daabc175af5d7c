"""STUB of the lead engineer's availability service (helper "convert" codes against its
names until it lands on main; on merge, main's version replaces this file whole).

Only what conversion needs: the branch lock and a capacity check at one time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q
from django.utils import timezone

from theke.appointments.models import (
    ACTIVE_STATUSES,
    Appointment,
    BranchBooking,
    Lead,
    LeadStatus,
    ServiceAdvisor,
)
from theke.appointments.services.settings import booking_settings
from theke.tenants.models import Branch

__all__ = ["FreeSlot", "find_free_advisor", "lock_branch", "next_free_slots"]


@dataclass(frozen=True)
class FreeSlot:
    start: datetime.datetime
    end: datetime.datetime
    advisor_id: int | None


def lock_branch(branch: Branch) -> BranchBooking:
    """The branch's booking row, locked (created first if missing)."""
    BranchBooking.objects.get_or_create(branch=branch, defaults={"tenant_id": branch.tenant_id})
    return BranchBooking.objects.select_for_update().get(branch=branch)


def find_free_advisor(
    branch: Branch,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    exclude_lead: Lead | None = None,
    exclude_appointment: Appointment | None = None,
) -> int | Literal[False] | None:
    """False = taken; None = free (parallel capacity); int = a free advisor's user id."""
    hold_from = timezone.now() - datetime.timedelta(
        hours=booking_settings(branch.tenant).hold_hours
    )
    appointments = Appointment.objects.filter(
        branch=branch, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
    )
    if exclude_appointment is not None:
        appointments = appointments.exclude(pk=exclude_appointment.pk)
    leads = Lead.objects.filter(
        branch=branch, status=LeadStatus.NEW, start__lt=end, end__gt=start
    ).filter(Q(created_at__gte=hold_from))
    if exclude_lead is not None:
        leads = leads.exclude(pk=exclude_lead.pk)
    settings = BranchBooking.objects.filter(branch=branch).first()
    if settings is not None and settings.parallel_capacity:
        taken = appointments.count() + leads.count()
        return None if taken < settings.parallel_capacity else False
    busy = set(appointments.values_list("advisor_id", flat=True))
    busy |= set(leads.values_list("advisor_id", flat=True))
    for user_id in ServiceAdvisor.objects.filter(branch=branch, is_active=True).values_list(
        "user_id", flat=True
    ):
        if user_id not in busy:
            return user_id
    return False


def next_free_slots(
    branch: Branch, duration_minutes: int, after: datetime.datetime, count: int = 3
) -> list[FreeSlot]:
    """The next free starts after `after` on the half hour (stub: no opening hours)."""
    found: list[FreeSlot] = []
    step = datetime.timedelta(minutes=30)
    start = after.replace(minute=0 if after.minute < 30 else 30, second=0, microsecond=0) + step
    for _ in range(48 * 14):
        end = start + datetime.timedelta(minutes=duration_minutes)
        free = find_free_advisor(branch, start, end)
        if free is not False:
            found.append(FreeSlot(start, end, free))
            if len(found) == count:
                break
        start += step
    return found
