"""Strict input types of the API: what the OpenAPI document states is what the API accepts.

Input schemas (theke.api.resources.StrictIn) validate strictly: a boolean is `true`/`false`
(not 0, 1 or "yes"), an integer is a JSON integer (not "5"), text is a JSON string. Types whose
JSON form is a string with rules (decimals, dates, date-times, one-line names) are defined here
once: the same regular expression validates the value and is published as its `pattern`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from theke.core.validators import has_line_breaking_characters

# --- one-line text (names) -------------------------------------------------------------------

SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"


def _single_line(value: str) -> str:
    if has_line_breaking_characters(value):
        raise PydanticCustomError(
            "control_characters",
            "Line breaks, tabs and other control characters are not allowed here.",
        )
    return value


def SingleLine(max_length: int, *, min_length: int = 0) -> Any:
    """A one-line text such as a name (it ends up in e-mail headers and SMS)."""
    return Annotated[
        str,
        Field(
            min_length=min_length,
            max_length=max_length,
            json_schema_extra={"pattern": SINGLE_LINE_PATTERN},
        ),
        AfterValidator(_single_line),
    ]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("required", "This field must not be empty.")
    return value


def Required(max_length: int) -> Any:
    """A text that must contain more than spaces (names, numbers, addresses)."""
    return Annotated[
        str,
        Field(min_length=1, max_length=max_length, json_schema_extra={"pattern": r"\S"}),
        AfterValidator(_not_blank),
    ]


def _integral(value: Any) -> Any:
    # JSON Schema counts 2.0 as an integer; so does the API.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def Integer(*, ge: int, le: int) -> Any:
    """A JSON integer from `ge` to `le` (2.0 counts as 2, as in JSON Schema)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_integral)]


# --- decimals ---------------------------------------------------------------------------------


def DecimalString(pattern: str, example: str, integers: tuple[int, int]) -> Any:
    """A decimal sent as a JSON string matching `pattern`, or as a JSON integer within
    `integers` (a fraction must be a string: a float cannot carry 0.10 exactly)."""
    compiled = re.compile(pattern)
    low, high = integers

    def parse(value: Any) -> Decimal:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema: 2.0 is an integer
        if isinstance(value, int) and not isinstance(value, bool):
            if not low <= value <= high:
                raise PydanticCustomError(
                    "decimal_range",
                    "Expected a number from {low} to {high}.",
                    {"low": low, "high": high},
                )
            return Decimal(value)
        if not isinstance(value, str):
            raise PydanticCustomError(
                "decimal_type",
                "Send the decimal as a string (e.g. {example}) or an integer.",
                {"example": example},
            )
        if not compiled.match(value):
            raise PydanticCustomError(
                "decimal_format",
                "Expected a decimal matching {pattern}, e.g. {example}.",
                {"pattern": pattern, "example": example},
            )
        try:
            return Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only decimals
            raise PydanticCustomError("decimal_parsing", "Not a decimal.") from exc

    return Annotated[
        Decimal,
        BeforeValidator(parse),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "pattern": pattern},
                    {"type": "integer", "minimum": low, "maximum": high},
                ],
                "examples": [example],
            }
        ),
    ]


def decimal_digits(integer: int, places: int, example: str) -> Any:
    """A decimal of at least 0 with at most `integer` digits before the point and `places`
    after it (a database column of max_digits=integer+places, decimal_places=places)."""
    pattern = f"^[0-9]{{1,{integer}}}(\\.[0-9]{{1,{places}}})?$"
    return DecimalString(pattern, example, (0, 10**integer - 1))


# Money amounts: up to 10 digits before the point, 2 after ("119.00").
Money = decimal_digits(10, 2, "119.00")
# Unit prices may carry 4 places ("0.1234" per gram).
UnitPrice = decimal_digits(10, 4, "49.90")
# Percentages 0 to 100 with up to two places ("19.00", "7").
Percent = DecimalString(r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$", "19.00", (0, 100))
# A quantity above 0 with up to three places ("1.5").
Quantity = DecimalString(r"^(?=.*[1-9])[0-9]{1,9}(\.[0-9]{1,3})?$", "1.5", (1, 10**9 - 1))


# --- dates and date-times --------------------------------------------------------------------

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
