"""Validators of the customer master."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ISO 3779: 17 characters, digits and capital letters without I, O and Q.
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def normalize_vin(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def validate_vin(value: str) -> None:
    """Refuse anything that is not a 17-character ISO 3779 VIN.

    The check digit (position 9) is only mandatory in North America, so it is not enforced.
    """
    vin = normalize_vin(value)
    if len(vin) != 17:
        raise ValidationError(
            _("Die FIN muss genau 17 Zeichen haben (%(length)s angegeben)."),
            code="vin_length",
            params={"length": len(vin)},
        )
    if not VIN_PATTERN.match(vin):
        raise ValidationError(
            _("Die FIN darf nur Ziffern und Buchstaben außer I, O und Q enthalten."),
            code="vin_characters",
        )


def normalize_plate(value: str) -> str:
    return re.sub(r"\s+", " ", (value or "").strip().upper())
