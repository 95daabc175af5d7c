"""The one timestamp format of the API, its event payloads and webhooks.

ISO 8601 in UTC with milliseconds and `Z`, e.g. `2026-12-05T10:11:12.840Z`, always the same
length (also at a full second), so clients may parse or even compare the strings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def format_timestamp(moment: datetime) -> str:
    """`moment` as `2026-12-05T10:11:12.840Z` (UTC, milliseconds)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def with_timestamps(value: Any) -> Any:
    """`value` (a JSON-like structure) with every datetime in it formatted as a timestamp."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, dict):
        return {key: with_timestamps(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [with_timestamps(item) for item in value]
    return value


class TimestampJSONEncoder(DjangoJSONEncoder):
    """Django's JSON encoder with datetimes in the one timestamp format."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return format_timestamp(o)
        return super().default(o)
