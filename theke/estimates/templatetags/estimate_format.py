"""Amounts, quantities and rates on the customer's estimate page, in the active language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


def _english() -> bool:
    return (get_language() or "de").startswith("en")


@register.filter
def money(value: Any) -> str:
    """1234.5 -> "1.234,50 €" (German) or "€1,234.50" (English)."""
    if value in (None, ""):
        return ""
    amount = number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    if _english():
        return f"-€{amount[1:]}" if amount.startswith("-") else f"€{amount}"
    return f"{amount}\N{NO-BREAK SPACE}€"


def _plain_number(value: Decimal) -> str:
    """Without trailing zeros and without exponent: 2.000 -> "2", 1.500 -> "1,5"."""
    places = max(0, -int(value.normalize().as_tuple().exponent))
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def quantity(value: Any) -> str:
    return "" if value in (None, "") else _plain_number(Decimal(value))


@register.filter
def unit_price(value: Any) -> str:
    """A price with two decimals, or more where it has them (0.3333 stays)."""
    if value in (None, ""):
        return ""
    number = Decimal(value)
    if number == number.quantize(Decimal("0.01")):
        return money(number)
    amount = _plain_number(number)
    return f"€{amount}" if _english() else f"{amount}\N{NO-BREAK SPACE}€"


@register.filter
def percent(value: Any) -> str:
    """19.00 -> "19 %" (German) or "19%" (English)."""
    if value in (None, ""):
        return ""
    number = _plain_number(Decimal(value))
    return f"{number}%" if _english() else f"{number}\N{NO-BREAK SPACE}%"
