"""The portal's figures ("Auswertungen"): what a customer user's orders and invoices add up to
over the last 12 months.

Computed from the rows the user may see (theke.portal.access) with a fixed number of
aggregate queries (three over orders, one over invoices), whatever the number of orders.
Months are calendar months in Europe/Berlin, the current one included, each present even
with nothing in it. An order counts in the month of its date: the planned date where the back
office set one (also for history pushed long after the fact), else the day it was placed.
Cancelled orders and cancelled invoices count nowhere. Costs are the invoices' gross totals
by issue date, only for users who see invoices and prices.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from theke.orders.models import InvoiceStatus, Order, OrderKind, OrderStatus
from theke.portal.access import invoices_of, orders_of
from theke.portal.models import PortalUser

BERLIN = ZoneInfo("Europe/Berlin")
MONTHS = 12


@dataclass(frozen=True)
class Category:
    pk: int | None  # the waste type's or location's id; None: orders without one
    name: str
    value: int


@dataclass(frozen=True)
class Figures:
    months: list[datetime.date]  # first days, oldest first
    orders: list[int]  # per month
    emptyings: list[int]  # per month
    waste_types: list[Category]  # most orders first
    locations: list[Category]  # most orders first
    costs: list[Decimal] | None  # gross per month; None: the user may not see them


def month_starts(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the `count` months up to today's, oldest first."""
    index = today.year * 12 + today.month - 1
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def sees_costs(user: PortalUser) -> bool:
    return user.sees_invoices and user.sees_prices


def _orders_in(user: PortalUser, first: datetime.date, end: datetime.date) -> QuerySet[Order]:
    day = Coalesce("planned_date", TruncDate("created_at", tzinfo=BERLIN), output_field=DateField())
    return (
        orders_of(user)
        .exclude(status=OrderStatus.CANCELLED)
        .annotate(day=day)
        .filter(day__gte=first, day__lt=end)
    )


def _location_name(name: str, street: str, city: str) -> str:
    return name or ", ".join(part for part in (street, city) if part)


def figures_for(user: PortalUser, today: datetime.date | None = None) -> Figures:
    """The user's figures for the 12 months up to `today` (default: today in Berlin)."""
    months = month_starts(today or timezone.localdate(timezone=BERLIN))
    first, end = months[0], _next_month(months[-1])
    orders = _orders_in(user, first, end)

    per_month = {
        row["month"]: row
        for row in orders.annotate(month=TruncMonth("day", output_field=DateField()))
        .values("month")
        .annotate(total=Count("pk"), emptyings=Count("pk", filter=Q(kind=OrderKind.EMPTYING)))
        .order_by()
    }
    waste_types = [
        Category(row["waste_type_id"], row["waste_type__name"] or "", row["total"])
        for row in orders.values("waste_type_id", "waste_type__name")
        .annotate(total=Count("pk"))
        .order_by("-total", "waste_type__name")
    ]
    locations = [
        Category(
            row["location_id"],
            _location_name(
                row["location__name"] or "",
                row["location__street"] or "",
                row["location__city"] or "",
            ),
            row["total"],
        )
        for row in orders.values(
            "location_id", "location__name", "location__street", "location__city"
        )
        .annotate(total=Count("pk"))
        .order_by("-total", "location__name", "location_id")
    ]
    costs = None
    if sees_costs(user):
        sums = {
            row["month"]: row["total"]
            for row in invoices_of(user)
            .exclude(status=InvoiceStatus.CANCELLED)
            .filter(issue_date__gte=first, issue_date__lt=end)
            .annotate(month=TruncMonth("issue_date", output_field=DateField()))
            .values("month")
            .annotate(total=Sum("gross_total"))
            .order_by()
        }
        costs = [Decimal(sums.get(month) or 0) for month in months]
    return Figures(
        months=months,
        orders=[per_month[m]["total"] if m in per_month else 0 for m in months],
        emptyings=[per_month[m]["emptyings"] if m in per_month else 0 for m in months],
        waste_types=waste_types,
        locations=locations,
        costs=costs,
    )
