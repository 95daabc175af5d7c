"""The `{placeholder}` text format of message templates, and the length of an SMS.

Pure functions, no database: the template services and the editor's live preview use them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils.html import escape
from django.utils.translation import gettext as _

from theke.core.errors import ServiceError

logger = logging.getLogger(__name__)

# --- the renderer ---------------------------------------------------------------------------

# `{{` and `}}` are literal braces; `{name}` a placeholder; anything else with braces is refused.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Placeholder:
    name: str


Part = str | Placeholder


class TemplateError(ServiceError):
    """A text that cannot be rendered: unknown placeholder, bad syntax, unbalanced brace."""


def _line(source: str, position: int) -> int:
    return source.count("\n", 0, position) + 1


def allowed_list(allowed: Sequence[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in allowed)


def parse(
    source: str, allowed: Sequence[str] | None = None, field: str | None = None
) -> list[Part]:
    """Split a text into literal parts and placeholders; refuses what it cannot render."""
    parts: list[Part] = []
    literal: list[str] = []
    position = 0
    for match in _TOKEN.finditer(source):
        literal.append(source[position : match.start()])
        position = match.end()
        piece = match.group(0)
        if piece == "{{":
            literal.append("{")
        elif piece == "}}":
            literal.append("}")
        elif piece == "{":
            raise TemplateError(
                _(
                    "Zeile %(line)s: Die geschweifte Klammer „{“ wird nicht geschlossen. "
                    "Für eine Klammer als Text schreiben Sie {{."
                ),
                field,
                code="unclosed_brace",
                params={"line": _line(source, match.start())},
            )
        elif piece == "}":
            raise TemplateError(
                _(
                    "Zeile %(line)s: Zur geschweiften Klammer „}“ fehlt die öffnende Klammer. "
                    "Für eine Klammer als Text schreiben Sie }}."
                ),
                field,
                code="unopened_brace",
                params={"line": _line(source, match.start())},
            )
        else:
            name = match.group(1)
            if not _NAME.fullmatch(name):
                raise TemplateError(
                    _(
                        "Zeile %(line)s: „%(token)s“ ist kein gültiger Platzhalter. "
                        "Ein Platzhalter ist ein Name in geschweiften Klammern, "
                        "z. B. {customer_name}; für Klammern als Text schreiben Sie {{ und }}."
                    ),
                    field,
                    code="bad_placeholder",
                    params={"line": _line(source, match.start()), "token": piece},
                )
            if allowed is not None and name not in allowed:
                raise TemplateError(
                    _("Unbekannter Platzhalter „{%(name)s}“. Erlaubt sind: %(allowed)s."),
                    field,
                    code="unknown_placeholder",
                    params={"name": name, "allowed": allowed_list(allowed)},
                )
            parts.append("".join(literal))
            literal = []
            parts.append(Placeholder(name))
    literal.append(source[position:])
    parts.append("".join(literal))
    return [part for part in parts if part != ""]


def _value(value: Any, *, as_html: bool) -> str:
    text = "" if value is None else str(value)
    if as_html:
        return escape(text).replace("\n", "<br>\n")
    return text


def render_parts(
    parts: Sequence[Part],
    context: Mapping[str, Any],
    *,
    as_html: bool = False,
    keep_missing: bool = False,
) -> str:
    """Join the parts, values in place of placeholders (HTML-escaped for an HTML part).

    A placeholder without a value renders empty, or stays as `{name}` with keep_missing
    (for a draft staff fill in by hand).
    """
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.name in context:
            out.append(_value(context[part.name], as_html=as_html))
        elif keep_missing:
            out.append(f"{{{part.name}}}")
        else:
            logger.warning("message placeholder {%s} has no value", part.name)
    return "".join(out)


def render_string(
    source: str,
    context: Mapping[str, Any],
    allowed: Sequence[str] | None = None,
    *,
    as_html: bool = False,
    keep_missing: bool = False,
    field: str | None = None,
) -> str:
    """Render one text with `{placeholder}` syntax."""
    parts = parse(source, allowed, field)
    return render_parts(parts, context, as_html=as_html, keep_missing=keep_missing)


def placeholders_in(source: str, allowed: Sequence[str]) -> list[str]:
    """The purpose's placeholders still present as `{name}` in a final text (in order)."""
    found = []
    for name in re.findall(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})", source):
        if name in allowed and name not in found:
            found.append(name)
    return found


# --- SMS length -----------------------------------------------------------------------------

# GSM 03.38 default alphabet (without ESC) and its extension table (two septets each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")


class SmsLength(NamedTuple):
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _segments(units: Sequence[int], single: int, multi: int) -> int:
    """Count segments; a unit (escape pair, surrogate pair) is never split across two."""
    total = sum(units)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for size in units:
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return segments


def sms_length(text: str) -> SmsLength:
    """Characters and segments of an SMS: GSM-7 (160, or 153 per part) else UCS-2 (70/67)."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        units = [2 if char in GSM_EXTENSION else 1 for char in text]
        return SmsLength("GSM-7", sum(units), _segments(units, 160, 153))
    units = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return SmsLength("UCS-2", sum(units), _segments(units, 70, 67))
