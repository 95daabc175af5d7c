"""Strict input types of the API: what the OpenAPI document states is what the API accepts.

Input schemas (theke.api.resources.StrictIn) validate strictly: a boolean is `true`/`false`
(not 0, 1 or "yes"), an integer is a JSON integer (not "5"), text is a JSON string. Types whose
JSON form is a string with rules (decimals, dates, date-times, one-line names) are defined here
once: the same regular expression validates the value and is published as its `pattern`.

Use them as metadata of `Annotated`, e.g. `Annotated[str, SingleLine(100)]`,
`Annotated[Decimal, Money]`, `Annotated[int, IntegerRange(0, 365)]`; `Date` and
`OffsetDateTime` are complete types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from theke.core.validators import has_line_breaking_characters

# --- texts -------------------------------------------------------------------------------------

SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"


def _single_line(value: str) -> str:
    if has_line_breaking_characters(value):
        raise PydanticCustomError(
            "control_characters",
            "Line breaks, tabs and other control characters are not allowed here.",
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("required", "This field must not be empty.")
    return value


@dataclass(frozen=True)
class SingleLine(GroupedMetadata):
    """A one-line text such as a name (it ends up in e-mail headers and SMS)."""

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[Any]:
        yield Field(
            min_length=self.min_length,
            max_length=self.max_length,
            json_schema_extra={"pattern": SINGLE_LINE_PATTERN},
        )
        yield AfterValidator(_single_line)


@dataclass(frozen=True)
class Required(GroupedMetadata):
    """A text that must contain more than spaces (numbers, addresses, article texts)."""

    max_length: int

    def __iter__(self) -> Iterator[Any]:
        yield Field(min_length=1, max_length=self.max_length, json_schema_extra={"pattern": r"\S"})
        yield AfterValidator(_not_blank)


@dataclass(frozen=True)
class RequiredLine(GroupedMetadata):
    """A one-line text that must contain more than spaces (catalog names)."""

    max_length: int

    def __iter__(self) -> Iterator[Any]:
        line = SINGLE_LINE_PATTERN.removeprefix("^").removesuffix("*$")  # "[^<controls>]"
        visible = "[^\\s" + line.removeprefix("[^")  # neither a control nor a space
        yield Field(
            min_length=1,
            max_length=self.max_length,
            json_schema_extra={"pattern": f"^{line}*{visible}{line}*$"},
        )
        yield AfterValidator(_single_line)
        yield AfterValidator(_not_blank)


# --- integers ----------------------------------------------------------------------------------


def _integral(value: Any) -> Any:
    # JSON Schema counts 2.0 as an integer; so does the API.
    return int(value) if isinstance(value, float) and value.is_integer() else value


@dataclass(frozen=True)
class IntegerRange(GroupedMetadata):
    """A JSON integer from `ge` to `le` (2.0 counts as 2, as in JSON Schema)."""

    ge: int
    le: int

    def __iter__(self) -> Iterator[Any]:
        yield Field(ge=self.ge, le=self.le)
        yield BeforeValidator(_integral)


# --- decimals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecimalText(GroupedMetadata):
    """A decimal sent as a JSON string matching `pattern`, or as a JSON integer from `low` to
    `high` (a fraction must be a string: a float cannot carry 0.10 exactly)."""

    pattern: str
    example: str
    low: int
    high: int

    def parse(self, value: Any) -> Decimal:
        value = _integral(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if not self.low <= value <= self.high:
                raise PydanticCustomError(
                    "decimal_range",
                    "Expected a number from {low} to {high}.",
                    {"low": self.low, "high": self.high},
                )
            return Decimal(value)
        if not isinstance(value, str):
            raise PydanticCustomError(
                "decimal_type",
                "Send the decimal as a string (e.g. {example}) or an integer.",
                {"example": self.example},
            )
        if not re.match(self.pattern, value):
            raise PydanticCustomError(
                "decimal_format",
                "Expected a decimal matching {pattern}, e.g. {example}.",
                {"pattern": self.pattern, "example": self.example},
            )
        try:
            return Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only decimals
            raise PydanticCustomError("decimal_parsing", "Not a decimal.") from exc

    def __iter__(self) -> Iterator[Any]:
        yield BeforeValidator(self.parse)
        yield WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "pattern": self.pattern},
                    {"type": "integer", "minimum": self.low, "maximum": self.high},
                ],
                "examples": [self.example],
            }
        )


def decimal_digits(integer: int, places: int, example: str) -> DecimalText:
    """A decimal of at least 0 with at most `integer` digits before the point and `places`
    after it (a database column of max_digits=integer+places, decimal_places=places)."""
    pattern = f"^[0-9]{{1,{integer}}}(\\.[0-9]{{1,{places}}})?$"
    return DecimalText(pattern, example, 0, 10**integer - 1)


# Money amounts: up to 10 digits before the point, 2 after ("119.00").
Money = decimal_digits(10, 2, "119.00")
# Unit prices may carry 4 places ("0.1234" per gram).
UnitPrice = decimal_digits(10, 4, "49.90")
# Percentages 0 to 100 with up to two places ("19.00", "7").
Percent = DecimalText(r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$", "19.00", 0, 100)
# A quantity above 0 with up to three places ("1.5").
Quantity = DecimalText(r"^(?=.*[1-9])[0-9]{1,9}(\.[0-9]{1,3})?$", "1.5", 1, 10**9 - 1)


# --- dates and date-times ----------------------------------------------------------------------

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE = re.compile(DATE_PATTERN)


def _parse_date(value: Any) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise PydanticCustomError("date_type", "Expected a date as YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise PydanticCustomError("date_parsing", "Not a calendar date.") from exc


Date = Annotated[
    date,
    BeforeValidator(_parse_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-12-05"]}),
]

# RFC 3339 with a required offset, years 1970 to 2199 (what calendars and e-mails handle).
DATE_TIME_PATTERN = (
    r"^(19[7-9][0-9]|2[01][0-9][0-9])-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
_DATE_TIME = re.compile(DATE_TIME_PATTERN)


def _refuse_date_time(value: Any) -> None:
    """Why a value is not a date-time of the API, as precisely as it can be told."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is None:
        raise PydanticCustomError(
            "timezone_required",
            "The date-time has no UTC offset; send it as ISO 8601 with offset, "
            "e.g. 2025-10-14T09:30:00+02:00 or 2025-10-14T07:30:00Z.",
        )
    if parsed is not None and not 1970 <= parsed.year < 2200:
        raise PydanticCustomError(
            "datetime_out_of_range", "The date-time must lie between 1970 and 2199."
        )
    raise PydanticCustomError(
        "datetime_type",
        "Expected an RFC 3339 date-time with UTC offset between 1970 and 2199, "
        "e.g. 2025-10-14T09:30:00+02:00 or 2025-10-14T07:30:00Z.",
    )


def _parse_date_time(value: Any) -> datetime:
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        _refuse_date_time(value)
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise PydanticCustomError("datetime_parsing", "Not a valid date-time.") from exc


OffsetDateTime = Annotated[
    datetime,
    BeforeValidator(_parse_date_time),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": DATE_TIME_PATTERN,
            "description": "RFC 3339 date-time with UTC offset, 1970 to 2199.",
            "examples": ["2025-10-14T09:30:00+02:00"],
        }
    ),
]
