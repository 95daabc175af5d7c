"""Money, numbers and dates for people (theke.core.formatting and its template filters)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from theke.core.formatting import (
    format_date,
    format_datetime,
    money,
    number,
    percent,
    round_cents,
    unit_price,
)

NBSP = "\N{NO-BREAK SPACE}"


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


# --- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "german", "english"),
    [
        (Decimal("1234.56"), "1.234,56 €", "€1,234.56"),
        (Decimal("1234.5"), "1.234,50 €", "€1,234.50"),
        (Decimal("0"), "0,00 €", "€0.00"),
        (Decimal("-1234.56"), "-1.234,56 €", "-€1,234.56"),
        (Decimal("-0.50"), "-0,50 €", "-€0.50"),
        (7, "7,00 €", "€7.00"),
        ("19.9", "19,90 €", "€19.90"),
        (Decimal("9999999999.99"), "9.999.999.999,99 €", "€9,999,999,999.99"),
        (
            Decimal("123456789012345678901234567890.12"),
            "123.456.789.012.345.678.901.234.567.890,12 €",
            "€123,456,789,012,345,678,901,234,567,890.12",
        ),
    ],
)
def test_money_in_german_and_english(value, german, english):
    assert plain(money(value, language="de")) == german
    assert plain(money(value, language="en")) == english


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.005"), "0,01 €"),  # half up, not to the even cent
        (Decimal("0.015"), "0,02 €"),
        (Decimal("0.025"), "0,03 €"),  # banker's rounding would give 0,02
        (Decimal("2.675"), "2,68 €"),
        (Decimal("0.0049"), "0,00 €"),
        (Decimal("-0.005"), "-0,01 €"),
        (Decimal("-0.004"), "0,00 €"),  # never "-0,00 €"
        (2.675, "2,68 €"),  # a float by its digits, not by its binary value 2.67499…
        (Decimal("999.995"), "1.000,00 €"),
    ],
)
def test_money_rounds_half_up_to_the_cent(value, expected):
    assert plain(money(value, language="de")) == expected


def test_round_cents_keeps_a_huge_amount_exact():
    value = Decimal("1" * 40 + ".125")
    assert round_cents(value) == Decimal("1" * 40 + ".13")


@pytest.mark.parametrize("empty", [None, ""])
def test_money_of_nothing_is_empty(empty):
    assert money(empty) == ""
    assert unit_price(empty) == ""
    assert number(empty) == ""
    assert percent(empty) == ""


def test_amount_and_unit_stay_together_on_a_line():
    assert money(Decimal("5"), language="de") == f"5,00{NBSP}€"
    assert percent(Decimal("19"), language="de") == f"19{NBSP}%"


def test_money_follows_the_active_language():
    with translation.override("en"):
        assert money(Decimal("1234.5")) == "€1,234.50"
    with translation.override("de"):
        assert plain(money(Decimal("1234.5"))) == "1.234,50 €"


def test_a_given_language_wins_and_is_restored():
    with translation.override("de"):
        assert money(Decimal("1"), language="en") == "€1.00"
        assert translation.get_language() == "de"


@pytest.mark.parametrize(
    ("currency", "german", "english"),
    [
        ("USD", "1.234,50 $", "$1,234.50"),
        ("GBP", "-3,00 £", "-£3.00"),
        ("CHF", "1.234,50 CHF", "CHF 1,234.50"),  # a code without a symbol stays a code
    ],
)
def test_other_currencies(currency, german, english):
    value = Decimal("-3") if currency == "GBP" else Decimal("1234.5")
    assert plain(money(value, currency, "de")) == german
    assert plain(money(value, currency, "en")) == english


# --- unit prices, numbers, percentages ------------------------------------------------------


def test_unit_price_keeps_the_decimals_it_has():
    assert plain(unit_price(Decimal("0.3333"), language="de")) == "0,3333 €"
    assert plain(unit_price(Decimal("12.5000"), language="de")) == "12,50 €"
    assert unit_price(Decimal("1234.125"), language="en") == "€1,234.125"


@pytest.mark.parametrize(
    ("value", "german", "english"),
    [
        (Decimal("2.000"), "2", "2"),
        (Decimal("1.500"), "1,5", "1.5"),
        (Decimal("0.125"), "0,125", "0.125"),
        (Decimal("1234"), "1.234", "1,234"),
        (Decimal("-2.5"), "-2,5", "-2.5"),
        (Decimal("1E+3"), "1.000", "1,000"),
    ],
)
def test_number_without_trailing_zeros(value, german, english):
    assert number(value, "de") == german
    assert number(value, "en") == english


def test_percent():
    assert plain(percent(Decimal("19.00"), "de")) == "19 %"
    assert plain(percent(Decimal("7.50"), "de")) == "7,5 %"
    assert percent(Decimal("19.00"), "en") == "19%"


# --- dates ----------------------------------------------------------------------------------


def test_dates_in_german_and_english():
    day = datetime.date(2025, 10, 14)
    assert format_date(day, "de") == "14. Oktober 2025"
    assert format_date(day, "en") == "Oct. 14, 2025"
    assert format_date(day, "de", short=True) == "14.10.2025"
    assert format_date(day, "en", short=True) == "10/14/2025"
    assert format_date(None) == ""


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_moment_is_shown_in_the_local_time_zone():
    # 23:30 UTC on the 14th is already the 15th in Berlin.
    moment = datetime.datetime(2025, 10, 14, 23, 30, tzinfo=datetime.UTC)
    assert format_date(moment, "de", short=True) == "15.10.2025"
    assert format_datetime(moment, "de", short=True) == "15.10.2025 01:30"
    assert format_datetime(moment, "de") == "15. Oktober 2025 01:30"
    assert format_datetime(None) == ""


# --- template filters -----------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load theke_format %}" + source).render(Context(context))


def test_filters_format_in_the_active_language():
    with translation.override("de"):
        text = render(
            "{{ a|money }}|{{ a|money:'CHF' }}|{{ p|unit_price }}|{{ q|number }}|{{ r|percent }}",
            a=Decimal("1234.5"),
            p=Decimal("0.3333"),
            q=Decimal("1.500"),
            r=Decimal("19.00"),
        )
    assert plain(text) == "1.234,50 €|1.234,50 CHF|0,3333 €|1,5|19 %"
    with translation.override("en"):
        assert render("{{ a|money }}", a=Decimal("-5")) == "-€5.00"


def test_filters_show_what_is_no_number_as_it_is():
    assert render("{{ a|money }}|{{ b|money }}", a="n/a", b=None) == "n/a|"
