"""Validators no single domain owns."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (C0, DEL, C1; CR and LF among them) and the Unicode line and paragraph
# separators. A name goes into e-mail headers ("Eva Berg" <eva@…>), SMS and PDF lines: a line
# break there makes every message to that contact fail (or injects a header).
LINE_BREAKING = "\x00-\x1f\x7f-\x9f\u2028\u2029"
SINGLE_LINE_PATTERN = f"^[^{LINE_BREAKING}]*$"
_LINE_BREAKING = re.compile(f"[{LINE_BREAKING}]")


def has_line_breaking_characters(value: str) -> bool:
    return bool(_LINE_BREAKING.search(value))


def validate_single_line(value: str) -> None:
    """Refuse line breaks and other control characters in names and one-line texts."""
    if has_line_breaking_characters(value or ""):
        raise ValidationError(
            _("Bitte ohne Zeilenumbrüche, Tabulatoren oder Steuerzeichen eingeben."),
            code="control_characters",
        )
