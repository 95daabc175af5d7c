"""Money, numbers and dates for people, in the active (or a given) language.

The one place every domain formats amounts and days: pages, e-mails, PDFs. German puts the
unit after the number ("1.234,56 €", "19 %"), English before or against it ("€1,234.56",
"19%"). Amount and unit are joined by a no-break space so a line never splits them; the PDF
letterhead (core/pdf.py) writes it as a plain space.
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.utils import formats, timezone, translation

NBSP = "\N{NO-BREAK SPACE}"
CENT = Decimal("0.01")
# Currencies written as a symbol; any other stands as its ISO code ("1.234,56 CHF").
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

Number = Decimal | int | float | str


def _language(language: str | None) -> Any:
    return translation.override(language) if language else nullcontext()


def _symbol_first() -> bool:
    return (translation.get_language() or "de").startswith("en")


def to_decimal(value: Number) -> Decimal:
    """A Decimal of what a form, the database or the API hands over (a float by its digits)."""
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _grouped(value: Decimal, places: int) -> str:
    return str(formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True))


def _places(value: Decimal) -> int:
    """How many decimals a number shows without trailing zeros: 2.000 -> 0, 1.50 -> 1."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _with_currency(amount: str, currency: str) -> str:
    symbol = SYMBOLS.get(currency, currency)
    if not _symbol_first():
        return f"{amount}{NBSP}{symbol}"
    sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    # "€1,234.56" but "CHF 1,234.56": a code needs a space, a symbol does not.
    return f"{sign}{symbol}{digits}" if currency in SYMBOLS else f"{sign}{symbol}{NBSP}{digits}"


def round_cents(value: Number) -> Decimal:
    """Rounded half up to the cent, as amounts are computed (0.005 -> 0.01), never "-0.00"."""
    number = to_decimal(value)
    with localcontext() as context:
        context.prec = max(28, number.adjusted() + 4)  # room for any amount's digits
        cents = number.quantize(CENT, rounding=ROUND_HALF_UP)
    return cents if cents else abs(cents)


def money(value: Number | None, currency: str = "EUR", language: str | None = None) -> str:
    """1234.5 -> "1.234,50 €" (German) or "€1,234.50" (English); None -> ""."""
    if value is None or value == "":
        return ""
    with _language(language):
        return _with_currency(_grouped(round_cents(value), 2), currency)


def unit_price(value: Number | None, currency: str = "EUR", language: str | None = None) -> str:
    """A price with two decimals, or more where it has them: 0.3333 stays "0,3333 €"."""
    if value is None or value == "":
        return ""
    number = to_decimal(value)
    if number == round_cents(number):
        return money(number, currency, language)
    with _language(language):
        return _with_currency(_grouped(number, _places(number)), currency)


def number(value: Number | None, language: str | None = None) -> str:
    """A quantity without trailing zeros: 2.000 -> "2", 1.500 -> "1,5", 1234 -> "1.234"."""
    if value is None or value == "":
        return ""
    plain = to_decimal(value)
    with _language(language):
        return _grouped(plain, _places(plain))


def percent(value: Number | None, language: str | None = None) -> str:
    """19.00 -> "19 %" (German) or "19%" (English)."""
    if value is None or value == "":
        return ""
    with _language(language):
        text = number(value)
        return f"{text}%" if _symbol_first() else f"{text}{NBSP}%"


def format_date(
    value: datetime.date | None, language: str | None = None, short: bool = False
) -> str:
    """A day: "14. Oktober 2025" / "Oct. 14, 2025", short "14.10.2025" / "10/14/2025".

    A moment counts as the day it is in the current time zone.
    """
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localdate(value)
    with _language(language):
        return str(formats.date_format(value, "SHORT_DATE_FORMAT" if short else "DATE_FORMAT"))


def format_datetime(
    value: datetime.datetime | None, language: str | None = None, short: bool = False
) -> str:
    """A moment in the current time zone: "14. Oktober 2025 09:30" / "14.10.2025 09:30"."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    with _language(language):
        name = "SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT"
        return str(formats.date_format(value, name))
