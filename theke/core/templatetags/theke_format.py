"""Amounts and numbers in templates, in the active language: `{{ total|money }}`,
`{{ invoice.gross_total|money:invoice.currency }}`, `{{ rate|percent }}`, `{{ qty|number }}`.

Days need no filter of ours: Django's `|date:"SHORT_DATE_FORMAT"` is localised already.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import InvalidOperation
from typing import Any

from django import template

from theke.core import formatting

register = template.Library()


def _shown(format_value: Callable[[], str], value: Any) -> str:
    # A template shows what it cannot read as a number as it is, rather than failing the page.
    try:
        return format_value()
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def money(value: Any, currency: str = "EUR") -> str:
    return _shown(lambda: formatting.money(value, currency or "EUR"), value)


@register.filter
def unit_price(value: Any, currency: str = "EUR") -> str:
    return _shown(lambda: formatting.unit_price(value, currency or "EUR"), value)


@register.filter
def number(value: Any) -> str:
    return _shown(lambda: formatting.number(value), value)


@register.filter
def percent(value: Any) -> str:
    return _shown(lambda: formatting.percent(value), value)
