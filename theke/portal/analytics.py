"""The portal's figures ("Auswertungen"): what a customer user's orders and invoices add up to
over the last 12 months.

Computed from the rows the user may see (theke.portal.access) with a fixed number of
aggregate queries (one over orders, one over invoices, one each for the names of the
locations and waste types found), whatever the number of orders.
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

from django.db.models import Case, Count, DateField, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from theke.customers.models import WasteType
from theke.orders.models import InvoiceStatus, Order, OrderKind, OrderStatus
from theke.portal.access import invoices_of, locations_of, orders_of
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


def _bucket(field: str, months: list[datetime.date], end: datetime.date) -> Case:
    """The index of the month a day falls in (one CASE per row, compared as plain dates)."""
    bounds = [*months[1:], end]
    return Case(
        *[When(**{f"{field}__lt": stop}, then=Value(i)) for i, stop in enumerate(bounds)],
        output_field=IntegerField(),
    )


def _sorted(totals: dict[int | None, int], names: dict[int, str]) -> list[Category]:
    """Most orders first, then by name (the same order on every database)."""
    found = [Category(pk, names.get(pk, "") if pk else "", value) for pk, value in totals.items()]
    return sorted(found, key=lambda c: (-c.value, c.name, c.pk or 0))


def figures_for(user: PortalUser, today: datetime.date | None = None) -> Figures:
    """The user's figures for the 12 months up to `today` (default: today in Berlin)."""
    months = month_starts(today or timezone.localdate(timezone=BERLIN))
    first, end = months[0], _next_month(months[-1])
    # One pass over the orders, grouped by (month, waste type, location) on the order's own
    # columns (no join per order); the names come from the few locations and waste types.
    groups = (
        _orders_in(user, first, end)
        .annotate(month=_bucket("day", months, end))
        .values_list("month", "waste_type_id", "location_id")
        .annotate(total=Count("pk"), emptyings=Count("pk", filter=Q(kind=OrderKind.EMPTYING)))
        .order_by()
    )
    orders = [0] * len(months)
    emptyings = [0] * len(months)
    per_waste: dict[int | None, int] = {}
    per_location: dict[int | None, int] = {}
    for month, waste_type, location, total, emptied in groups:
        orders[month] += total
        emptyings[month] += emptied
        per_waste[waste_type] = per_waste.get(waste_type, 0) + total
        per_location[location] = per_location.get(location, 0) + total
    waste_names = dict(
        WasteType.objects.filter(pk__in=[pk for pk in per_waste if pk]).values_list("pk", "name")
    )
    location_names = {
        pk: _location_name(name, street, city)
        for pk, name, street, city in locations_of(user)
        .filter(pk__in=[pk for pk in per_location if pk])
        .values_list("pk", "name", "street", "city")
    }
    costs = None
    if sees_costs(user):
        costs = [Decimal(0)] * len(months)
        for month, total in (
            invoices_of(user)
            .exclude(status=InvoiceStatus.CANCELLED)
            .filter(issue_date__gte=first, issue_date__lt=end)
            .annotate(month=_bucket("issue_date", months, end))
            .values_list("month")
            .annotate(total=Sum("gross_total"))
            .order_by()
        ):
            costs[month] += total or 0
    return Figures(
        months=months,
        orders=orders,
        emptyings=emptyings,
        waste_types=_sorted(per_waste, waste_names),
        locations=_sorted(per_location, location_names),
        costs=costs,
    )
