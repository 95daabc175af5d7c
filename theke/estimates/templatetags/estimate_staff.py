"""Formatting for the staff's estimate pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def quantity(value: Any) -> str:
    """A quantity without trailing zeros, in the current locale: 1,5 · 2 · 0,125."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    plain = format(number.normalize(), "f")
    places = len(plain.split(".")[1]) if "." in plain else 0
    return str(number_format(Decimal(plain), decimal_pos=places, use_l10n=True))
