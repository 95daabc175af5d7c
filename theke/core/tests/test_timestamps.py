from __future__ import annotations

from datetime import datetime, timedelta, timezone

from theke.core.timestamps import format_timestamp

BERLIN_WINTER = timezone(timedelta(hours=1))


def test_a_local_time_is_written_in_utc_with_milliseconds() -> None:
    moment = datetime(2026, 12, 5, 11, 11, 12, 840251, tzinfo=BERLIN_WINTER)
    assert format_timestamp(moment) == "2026-12-05T10:11:12.840Z"
