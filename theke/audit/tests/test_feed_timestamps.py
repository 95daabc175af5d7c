from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from theke.audit.feed import emit_event
from theke.tenants.scoping import tenant_scope

BERLIN_WINTER = timezone(timedelta(hours=1))


@pytest.mark.django_db
def test_event_payload_datetimes_are_stored_in_the_one_format(tenant_a: Any) -> None:
    start = datetime(2026, 12, 5, 9, 30, tzinfo=BERLIN_WINTER)
    with tenant_scope(tenant_a):
        event = emit_event(
            tenant_a, "appointment.confirmed", subject_type="appointment", payload={"start": start}
        )
    event.refresh_from_db()
    assert event.payload == {"start": "2026-12-05T08:30:00.000Z"}
