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


# AVV (Abfallverzeichnis-Verordnung): six digits, a trailing "*" marks hazardous waste.
WASTE_CODE_PATTERN = re.compile(r"^[0-9]{6}\*?$")


def normalize_waste_code(value: str) -> str:
    """ "17 06 05 *" as stored: "170605*" (spaces are only how the code is printed)."""
    return re.sub(r"\s+", "", value or "")


def format_waste_code(value: str) -> str:
    """The stored "170605*" as printed: "17 06 05*"."""
    if not WASTE_CODE_PATTERN.match(value or ""):
        return value or ""
    return f"{value[0:2]} {value[2:4]} {value[4:]}"


def validate_waste_code(value: str) -> None:
    """Refuse anything but an AVV waste code: six digits, optionally followed by "*"."""
    if not WASTE_CODE_PATTERN.match(normalize_waste_code(value)):
        raise ValidationError(
            _(
                "Der Abfallschlüssel besteht aus sechs Ziffern, bei gefährlichen Abfällen "
                "mit einem Stern (z. B. 17 01 07 oder 17 06 05*)."
            ),
            code="waste_code",
        )
