"""Analytics: the figures of the last 12 months, drawn as SVG and downloaded as CSV — the same
numbers both ways, only from the rows the user may see."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from html.parser import HTMLParser
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from theke.customers.models import Location
from theke.orders.models import Invoice, Order
from theke.portal.analytics import BERLIN, figures_for, month_starts
from theke.portal.tests.world import World, portal_client, url
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

_numbers = count(1)


def _order(
    world: World, location: Location | None, day: datetime.date | None, **values: Any
) -> Order:
    customer = location.customer if location is not None else world.customer
    with tenant_scope(world.tenant):
        return Order.objects.create(
            tenant=world.tenant,
            customer=customer,
            location=location,
            number=f"A-{next(_numbers)}",
            kind=values.pop("kind", "placement"),
            planned_date=day,
            **values,
        )


def _invoice(world: World, order: Order, day: datetime.date, gross: str, **values: Any) -> None:
    with tenant_scope(world.tenant):
        number = next(_numbers)
        Invoice.objects.create(
            tenant=world.tenant,
            customer=order.customer,
            order=order,
            external_id=f"R-{number}",
            number=f"R-{number}",
            issue_date=day,
            gross_total=Decimal(gross),
            net_total=Decimal(gross),
            **values,
        )


def spread(world: World, today: datetime.date) -> None:
    """Orders and invoices over the 12 months up to `today`, and some that must not count."""
    months = month_starts(today)
    bau, holz = world.waste["bau"], world.waste["holz"]
    for index, month in enumerate(months):
        day = month + datetime.timedelta(days=index % 27)
        # Location 0: index % 3 + 1 orders a month, the first an emptying.
        for n in range(index % 3 + 1):
            order = _order(
                world,
                world.locations[0],
                day,
                kind="emptying" if n == 0 else "exchange",
                waste_type=bau,
            )
        _invoice(world, order, day, f"{100 + index}.50")
        # Location 1: every other month one order of wood, invoiced.
        if index % 2:
            other = _order(world, world.locations[1], day, waste_type=holz)
            _invoice(world, other, day, "1000.25")
    # Not counted: cancelled, before the window, after today's month, another customer's,
    # a cancelled invoice.
    first = months[0]
    _order(world, world.locations[0], first, status="cancelled", waste_type=bau)
    _order(world, world.locations[0], first - datetime.timedelta(days=1), waste_type=bau)
    nxt = months[-1] + datetime.timedelta(days=40)
    _order(world, world.locations[0], nxt, waste_type=bau)
    adler = _order(world, world.other_location, months[-1], waste_type=bau)
    _invoice(world, adler, months[-1], "999.00")
    _invoice(world, order, months[-1], "5000.00", status="cancelled")


def _expected_orders(today: datetime.date, location: int | None) -> list[int]:
    counts = []
    for index in range(12):
        at0 = index % 3 + 1
        at1 = 1 if index % 2 else 0
        counts.append({None: at0 + at1, 0: at0, 1: at1}[location])
    return counts


# --- the figures -----------------------------------------------------------------------------


def test_figures_count_the_last_twelve_months_of_the_visible_orders(world: World) -> None:
    today = datetime.date(2026, 6, 15)
    spread(world, today)
    with tenant_scope(world.tenant):
        figures = figures_for(world.admin, today)
    assert figures.months[0] == datetime.date(2025, 7, 1)
    assert figures.months[-1] == datetime.date(2026, 6, 1)
    assert figures.orders == _expected_orders(today, None)
    assert figures.emptyings == [1] * 12
    assert [(c.name, c.value) for c in figures.waste_types] == [
        ("Bauschutt", sum(i % 3 + 1 for i in range(12))),
        ("Altholz A I-III", 6),
    ]
    assert [(c.name, c.value) for c in figures.locations] == [
        ("Baustelle Nord", 24),
        ("Lager Süd", 6),
    ]
    assert figures.costs == [
        Decimal(f"{100 + i}.50") + (Decimal("1000.25") if i % 2 else 0) for i in range(12)
    ]


def test_orderer_sees_only_their_location_and_no_costs(world: World) -> None:
    today = datetime.date(2026, 6, 15)
    spread(world, today)
    with tenant_scope(world.tenant):
        figures = figures_for(world.orderer, today)
    assert figures.orders == _expected_orders(today, 0)
    assert [c.name for c in figures.locations] == ["Baustelle Nord"]
    assert figures.costs is None


def test_restricted_user_with_prices_sees_costs_of_their_location_only(world: World) -> None:
    today = datetime.date(2026, 6, 15)
    spread(world, today)
    with tenant_scope(world.tenant):
        world.reader.all_locations = False
        world.reader.save(update_fields=["all_locations"])
        world.reader.locations.set([world.locations[1]])
        figures = figures_for(world.reader, today)
    assert figures.orders == _expected_orders(today, 1)
    assert figures.emptyings == [0] * 12
    assert figures.costs == [Decimal("1000.25") if i % 2 else Decimal(0) for i in range(12)]


def test_month_is_the_berlin_month_of_an_unplanned_order(world: World) -> None:
    order = _order(world, world.locations[0], None)
    # 23:30 UTC on 31 January is already 1 February in Berlin.
    late = datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC)
    with tenant_scope(world.tenant):
        Order.objects.filter(pk=order.pk).update(created_at=late)
        figures = figures_for(world.admin, datetime.date(2026, 2, 10))
    assert figures.orders[-2:] == [0, 1]
    assert late.astimezone(BERLIN).month == 2


def test_figures_take_a_fixed_number_of_queries(world: World) -> None:
    today = timezone.localdate(timezone=BERLIN)
    spread(world, today)
    with tenant_scope(world.tenant), CaptureQueriesContext(connection) as few:
        figures_for(world.admin, today)
    spread(world, today)
    with tenant_scope(world.tenant), CaptureQueriesContext(connection) as more:
        figures_for(world.admin, today)
    assert len(few) == len(more) == 4


# --- the page and the CSV --------------------------------------------------------------------


class Bars(HTMLParser):
    """The bars of the page's charts: (section, key, value) in drawing order."""

    def __init__(self) -> None:
        super().__init__()
        self.section = ""
        self.sections: list[str] = []
        self.bars: list[tuple[str, str, Decimal]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "svg":
            self.section = found["data-section"] or ""
            self.sections.append(self.section)
        elif tag == "rect" and "bar" in (found.get("class") or "").split():
            self.bars.append(
                (self.section, found["data-key"] or "", Decimal(found["data-value"] or ""))
            )


def _drawn(client: Any, world: World) -> Bars:
    response = client.get(url("analytics", world))
    assert response.status_code == 200
    parser = Bars()
    parser.feed(response.content.decode())
    return parser


def _csv(client: Any, world: World) -> list[tuple[str, str, Decimal]]:
    response = client.get(url("analytics_csv", world))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["Bereich", "Bezeichnung", "Wert"]
    return [(s, k, Decimal(v.replace(",", "."))) for s, k, v in rows[1:]]


def test_values_drawn_equal_the_csv(world: World) -> None:
    spread(world, timezone.localdate(timezone=BERLIN))
    client = portal_client(world.admin)
    drawn = _drawn(client, world)
    assert drawn.bars == _csv(client, world)
    assert len(drawn.sections) == 5
    assert "Kosten pro Monat (brutto, nach Rechnungsdatum)" in drawn.sections
    orders = [value for section, _, value in drawn.bars if section == "Aufträge pro Monat"]
    assert orders == _expected_orders(timezone.localdate(), None)


def test_orderer_gets_no_costs_on_the_page_nor_in_the_csv(world: World) -> None:
    spread(world, timezone.localdate(timezone=BERLIN))
    client = portal_client(world.orderer)
    drawn = _drawn(client, world)
    rows = _csv(client, world)
    assert drawn.bars == rows
    assert not any(section.startswith("Kosten") for section, _, _ in rows)
    assert "Kosten" not in client.get(url("analytics", world)).content.decode()
    assert {key for section, key, _ in rows if section == "Aufträge nach Standort"} == {
        "Baustelle Nord"
    }
    orders = [value for section, _, value in rows if section == "Aufträge pro Monat"]
    assert orders == _expected_orders(timezone.localdate(), 0)


def test_page_is_labelled_for_assistive_technology(world: World) -> None:
    spread(world, timezone.localdate(timezone=BERLIN))
    html = portal_client(world.admin).get(url("analytics", world)).content.decode()
    assert html.count('role="img"') == 5
    assert 'aria-labelledby="chart-orders-title chart-orders-desc"' in html
    assert "<title>" in html and "<details>" in html
    assert 'viewBox="0 0 360' in html and 'width="100%"' in html
    assert "1.101,75\N{NO-BREAK SPACE}€" in html  # German number format: 101,50 + 1.000,25


def test_empty_world_shows_zero_months_and_no_categories(world: World) -> None:
    client = portal_client(world.admin)
    drawn = _drawn(client, world)
    assert drawn.bars == _csv(client, world)
    assert [v for s, _, v in drawn.bars if s == "Aufträge pro Monat"] == [0] * 12
    assert "Keine Aufträge im Zeitraum." in client.get(url("analytics", world)).content.decode()


def test_csv_cells_cannot_start_a_formula(world: World) -> None:
    with tenant_scope(world.tenant):
        Location.objects.filter(pk=world.locations[0].pk).update(name="=HYPERLINK(1)")
    _order(world, world.locations[0], timezone.localdate(timezone=BERLIN))
    rows = _csv(portal_client(world.admin), world)
    assert ("Aufträge nach Standort", "'=HYPERLINK(1)", Decimal(1)) in rows


def test_another_customers_user_sees_only_their_own(world: World) -> None:
    spread(world, timezone.localdate(timezone=BERLIN))
    rows = _csv(portal_client(world.other_admin), world)
    assert {key for section, key, _ in rows if section == "Aufträge nach Standort"} == {"Adler Hof"}
    assert sum(v for s, _, v in rows if s == "Aufträge pro Monat") == 1
