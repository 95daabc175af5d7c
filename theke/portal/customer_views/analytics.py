"""The portal's analytics ("Auswertungen"): charts of the user's figures, and a CSV of the
same numbers.

Both are built from one list of `Chart`s, so what is drawn and what is downloaded cannot
differ: the page's bars carry their values (`data-value`), the CSV has one row per bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from theke.core.formatting import money, number
from theke.portal import charts
from theke.portal.access import portal_page, portal_user_of
from theke.portal.analytics import Category, Figures, figures_for
from theke.portal.downloads import csv_response
from theke.tenants.models import Tenant

EMPTYING_COLOR = "#2d6a3e"  # 6.5:1 on white
COST_COLOR = "#7a3e8f"  # 7:1 on white


@dataclass(frozen=True)
class Chart:
    name: str  # "orders", "emptyings", "waste_types", "locations", "costs"
    title: str
    desc: str
    bars: list[charts.Bar]
    money: bool
    svg: SafeString
    empty: str  # what the page says instead of an empty category chart


def _month_bars(
    figures: Figures, values: Sequence[int | Decimal], as_money: bool
) -> list[charts.Bar]:
    bars = []
    for index, (month, value) in enumerate(zip(figures.months, values, strict=True)):
        short = str(formats.date_format(month, "M"))
        if index == 0 or month.month == 1:
            short = f"{short}\n{month.year}"
        bars.append(
            charts.Bar(
                key=month.strftime("%Y-%m"),
                label=short,
                title=str(formats.date_format(month, "F Y")),
                value=Decimal(value),
                text=money(value) if as_money else number(value),
            )
        )
    return bars


def _category_bars(rows: list[Category], unnamed: str) -> list[charts.Bar]:
    return [
        charts.Bar(
            key=row.name or unnamed,
            label=row.name or unnamed,
            title=row.name or unnamed,
            value=Decimal(row.value),
            text=number(row.value),
        )
        for row in rows
    ]


def _summary(bars: list[charts.Bar], unit: Callable[[charts.Bar], str]) -> str:
    if not bars or all(bar.value == 0 for bar in bars):
        return _("Keine Werte im Zeitraum.")
    top = max(bars, key=lambda bar: bar.value)
    return _("Höchster Wert: %(label)s mit %(value)s.") % {"label": top.title, "value": unit(top)}


def _chart(
    name: str, title: str, bars: list[charts.Bar], *, monthly: bool, as_money: bool, color: str
) -> Chart:
    span = _("Letzte 12 Monate.") if monthly else _("Letzte 12 Monate, nach Anzahl der Aufträge.")
    desc = f"{span} {_summary(bars, lambda bar: bar.text)}"
    draw = charts.column_chart if monthly else charts.bar_chart
    markup = draw(f"chart-{name}", bars, title=title, desc=desc, section=title, color=color)
    svg = mark_safe(markup)  # noqa: S308  # charts.py escapes every text it writes
    return Chart(name, title, desc, bars, as_money, svg, _("Keine Aufträge im Zeitraum."))


def charts_of(figures: Figures) -> list[Chart]:
    """The page's charts, in the page's order; costs only where the figures have them."""
    found = [
        _chart(
            "orders",
            _("Aufträge pro Monat"),
            _month_bars(figures, figures.orders, False),
            monthly=True,
            as_money=False,
            color=charts.BAR,
        ),
        _chart(
            "emptyings",
            _("Leerungen pro Monat"),
            _month_bars(figures, figures.emptyings, False),
            monthly=True,
            as_money=False,
            color=EMPTYING_COLOR,
        ),
        _chart(
            "waste_types",
            _("Aufträge nach Abfallart"),
            _category_bars(figures.waste_types, _("Ohne Abfallart")),
            monthly=False,
            as_money=False,
            color=charts.BAR,
        ),
        _chart(
            "locations",
            _("Aufträge nach Standort"),
            _category_bars(figures.locations, _("Ohne Standort")),
            monthly=False,
            as_money=False,
            color=charts.BAR,
        ),
    ]
    if figures.costs is not None:
        found.append(
            _chart(
                "costs",
                _("Kosten pro Monat (brutto, nach Rechnungsdatum)"),
                _month_bars(figures, figures.costs, True),
                monthly=True,
                as_money=True,
                color=COST_COLOR,
            )
        )
    return found


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.customer_account.tenant  # type: ignore[attr-defined]
    return tenant


@portal_page()
def analytics(request: HttpRequest, slug: str) -> HttpResponse:
    user = portal_user_of(request)
    found = charts_of(figures_for(user))
    total = sum(int(bar.value) for bar in found[0].bars)
    return render(
        request,
        "portal/customer/analytics.html",
        {
            "tenant": _tenant(request),
            "menu": "analytics",
            "charts": found,
            "total": total,
            "total_text": _("Aufträge in den letzten 12 Monaten: %(count)s")
            % {"count": number(total)},
        },
    )


def _csv_value(bar: charts.Bar, as_money: bool) -> str:
    """German spreadsheet numbers: decimal comma, no thousands separator."""
    if as_money:
        return f"{bar.value:.2f}".replace(".", ",")
    return str(int(bar.value))


@portal_page()
def analytics_csv(request: HttpRequest, slug: str) -> HttpResponse:
    user = portal_user_of(request)
    rows = (
        [chart.title, bar.key, _csv_value(bar, chart.money)]
        for chart in charts_of(figures_for(user))
        for bar in chart.bars
    )
    return csv_response(_("Auswertungen"), [_("Bereich"), _("Bezeichnung"), _("Wert")], rows)
