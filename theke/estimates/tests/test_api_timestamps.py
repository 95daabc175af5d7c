"""One timestamp format in the whole API: responses, event payloads and webhook bodies all
say `2026-12-05T10:11:12.840Z` (UTC, milliseconds, `Z`), as `created_at` always did."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django_scopes import scopes_disabled

from theke.api.webhooks.services import event_body
from theke.audit.models import FeedEvent
from theke.estimates import services
from theke.estimates.models import EstimateLink
from theke.estimates.services import hash_token

from .conftest import ESTIMATE, estimate_body, post_json, put_json

pytestmark = pytest.mark.django_db

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LOOKS_LIKE_A_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT")


def moments(value: Any) -> list[str]:
    """Every string in a JSON structure that is a date with a time."""
    if isinstance(value, str):
        return [value] if LOOKS_LIKE_A_MOMENT.match(value) else []
    if isinstance(value, dict):
        return [found for item in value.values() for found in moments(item)]
    if isinstance(value, list):
        return [found for item in value for found in moments(item)]
    return []


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 5, 10, 11, 12, 840251, tzinfo=UTC), "2026-12-05T10:11:12.840Z"),
        # A full second keeps its milliseconds: every timestamp has the same shape.
        (datetime(2026, 12, 5, 10, 11, 12, tzinfo=UTC), "2026-12-05T10:11:12.000Z"),
    ],
)
def test_decision_and_events_share_one_timestamp_format(
    api_client: Any, customer: Any, moment: datetime, expected: str
) -> None:
    with time_machine.travel(moment, tick=False):
        assert put_json(api_client, ESTIMATE, estimate_body()).status_code == 201
        url = post_json(api_client, f"{ESTIMATE}/link", {}).json()["url"]
        with scopes_disabled():
            link = EstimateLink.objects.get(token_hash=hash_token(url.rstrip("/").split("/")[-1]))
            services.record_view(link, link.estimate)
            services.accept_estimate(
                link, name="Eva Berg", terms_accepted=True, ip="203.0.113.5", user_agent="T"
            )

    estimate = api_client.get(ESTIMATE).json()
    assert estimate["decision"]["decided_at"] == expected
    assert estimate["created_at"] == expected
    feed = api_client.get("/api/v1/events").json()["events"]
    payloads = {event["type"]: event["payload"] for event in feed}
    assert payloads["estimate.accepted"]["decided_at"] == expected
    assert payloads["estimate.viewed"]["viewed_at"] == expected
    assert all(
        event["created_at"] == expected for event in feed if event["subject_type"] == "estimate"
    )
    with scopes_disabled():
        webhook = json.loads(event_body(FeedEvent.objects.get(type="estimate.accepted")))
    found = moments(estimate) + moments(feed) + moments(webhook)
    assert found and all(TIMESTAMP.match(value) for value in found), found
