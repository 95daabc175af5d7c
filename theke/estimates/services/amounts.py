"""Amounts of positions and totals of an estimate (Decimal, rounded half up to the cent).

Per position: net = quantity × unit price × (1 − discount), rounded; VAT = net × rate,
rounded; gross = net + VAT. The estimate's totals are the sums of its positions, so what the
customer sees adds up line by line (and an optional position left out later changes the
total by exactly its own amounts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from theke.estimates.models import (
    EstimatePosition,
)

CENT = Decimal("0.01")

HUNDRED = Decimal("100")


def position_amounts(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, vat_rate: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, gross) of one position, each rounded half up to the cent."""
    net = (quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    vat = (net * vat_rate / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    return net, vat, net + vat


@dataclass(frozen=True)
class RateTotal:
    vat_rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    by_rate: tuple[RateTotal, ...]


def compute_totals(positions: Iterable[EstimatePosition]) -> Totals:
    """The sums of the positions' amounts, overall and per VAT rate."""
    by_rate: dict[Decimal, list[Decimal]] = {}
    for position in positions:
        sums = by_rate.setdefault(position.vat_rate, [Decimal("0.00")] * 3)
        sums[0] += position.net_amount
        sums[1] += position.vat_amount
        sums[2] += position.gross_amount
    rates = tuple(
        RateTotal(rate, *sums) for rate, sums in sorted(by_rate.items(), key=lambda i: i[0])
    )
    zero = Decimal("0.00")
    return Totals(
        sum((r.net for r in rates), zero),
        sum((r.vat for r in rates), zero),
        sum((r.gross for r in rates), zero),
        rates,
    )
