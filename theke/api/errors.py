"""RFC 9457 problem documents: the one error shape of the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """One invalid input, e.g. path "contacts.0.email" (items of bulk requests: "items.3.vin")."""

    path: str
    message: str
    code: str = "invalid"


@dataclass
class Problem(Exception):
    """Raise anywhere in an API view; the API turns it into application/problem+json."""

    status: int
    title: str
    detail: str = ""
    type: str = "about:blank"
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
