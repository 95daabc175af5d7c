"""The portal's figures ("Auswertungen"): what a customer user's orders and invoices add up to
over the last 12 months.

Computed from the rows the user may see (theke.portal.access) with a fixed number of
aggregate queries (one over orders, one over invoices), whatever the number of orders.
Months are calendar months in Europe/Berlin, the current one included, each present even
with nothing in it. An order counts in the month of its date: the planned date where the back
office set one (also for history pushed long after the fact), else the day it was placed.
Cancelled orders and cancelled invoices count nowhere. Costs are the invoices' gross totals
by issue date, only for users who see invoices and prices.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
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


def _categories(totals: dict[int | None, tuple[str, int]]) -> list[Category]:
    found = [Category(pk, name, value) for pk, (name, value) in totals.items()]
    return sorted(found, key=lambda c: (-c.value, c.name, c.pk or 0))


def figures_for(user: PortalUser, today: datetime.date | None = None) -> Figures:
    """The user's figures for the 12 months up to `today` (default: today in Berlin)."""
    months = month_starts(today or timezone.localdate(timezone=BERLIN))
    first, end = months[0], _next_month(months[-1])
    bounds = list(zip(months, [*months[1:], end], strict=True))
    # One pass over the orders: per (waste type, location), the count of each month and of
    # each month's emptyings as conditional aggregates (no per-row month function, which
    # SQLite would call in Python); the categories' totals are summed up here.
    per_month = {
        f"m{i}": Count("pk", filter=Q(day__gte=start, day__lt=stop))
        for i, (start, stop) in enumerate(bounds)
    }
    emptyings = {
        f"e{i}": Count("pk", filter=Q(day__gte=start, day__lt=stop, kind=OrderKind.EMPTYING))
        for i, (start, stop) in enumerate(bounds)
    }
    groups = (
        _orders_in(user, first, end)
        .values(
            "waste_type_id",
            "waste_type__name",
            "location_id",
            "location__name",
            "location__street",
            "location__city",
        )
        .annotate(**per_month, **emptyings)
        .order_by()
    )
    orders = [0] * len(months)
    emptied = [0] * len(months)
    waste_types: dict[int | None, tuple[str, int]] = {}
    locations: dict[int | None, tuple[str, int]] = {}
    rows: Iterable[dict[str, Any]] = groups  # type: ignore[assignment]  # keys built above
    for row in rows:
        total = 0
        for i in range(len(months)):
            orders[i] += row[f"m{i}"]
            emptied[i] += row[f"e{i}"]
            total += row[f"m{i}"]
        name, value = waste_types.get(row["waste_type_id"], (row["waste_type__name"] or "", 0))
        waste_types[row["waste_type_id"]] = (name, value + total)
        place = _location_name(
            row["location__name"] or "", row["location__street"] or "", row["location__city"] or ""
        )
        name, value = locations.get(row["location_id"], (place, 0))
        locations[row["location_id"]] = (name, value + total)
    costs = None
    if sees_costs(user):
        sums = (
            invoices_of(user)
            .exclude(status=InvoiceStatus.CANCELLED)
            .filter(issue_date__gte=first, issue_date__lt=end)
            .aggregate(
                **{
                    f"m{i}": Sum(
                        "gross_total", filter=Q(issue_date__gte=start, issue_date__lt=stop)
                    )
                    for i, (start, stop) in enumerate(bounds)
                }
            )
        )
        costs = [Decimal(sums[f"m{i}"] or 0) for i in range(len(months))]
    return Figures(
        months=months,
        orders=orders,
        emptyings=emptied,
        waste_types=_categories(waste_types),
        locations=_categories(locations),
        costs=costs,
    )
