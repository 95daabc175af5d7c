"""The no-show rate per branch and month (no-shows among planned appointments already past)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from theke.appointments.models import (
    Appointment,
)
from theke.appointments.services import availability
from theke.appointments.services.workshop.common import (
    NoShowRate,
    S,
)
from theke.tenants.models import Branch, Tenant

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
