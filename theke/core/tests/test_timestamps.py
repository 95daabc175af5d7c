from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from theke.audit.feed import emit_event
from theke.core.timestamps import format_timestamp
from theke.tenants.scoping import tenant_scope

BERLIN_WINTER = timezone(timedelta(hours=1))


def test_a_local_time_is_written_in_utc_with_milliseconds() -> None:
    moment = datetime(2026, 12, 5, 11, 11, 12, 840251, tzinfo=BERLIN_WINTER)
    assert format_timestamp(moment) == "2026-12-05T10:11:12.840Z"


@pytest.mark.django_db
def test_event_payload_datetimes_are_stored_in_the_one_format(tenant_a: Any) -> None:
    start = datetime(2026, 12, 5, 9, 30, tzinfo=BERLIN_WINTER)
    with tenant_scope(tenant_a):
        event = emit_event(
            tenant_a, "appointment.confirmed", subject_type="appointment", payload={"start": start}
        )
    event.refresh_from_db()
    assert event.payload == {"start": "2026-12-05T08:30:00.000Z"}
