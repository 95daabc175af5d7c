"""GET /api/v1/events: the tenant's event feed, in order, paged by an opaque cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from theke.api.errors import FieldError, problem
from theke.api.events import InvalidCursor, decode_cursor, encode_cursor, event_id
from theke.audit.models import FeedEvent

router = Router(tags=["events"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class EventOut(Schema):
    id: str
    type: str
    subject_type: str
    external_id: str
    payload: dict[str, Any]
    created_at: datetime


class EventPage(Schema):
    events: list[EventOut]
    next_cursor: str = Field(description="Pass as `after` to read on; also when `events` is empty.")
    has_more: bool


class EventQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    after: str | None = Field(
        None,
        description="The `next_cursor` of the previous page; leave out to start at the beginning.",
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get(
    "/events",
    response=EventPage,
    operation_id="list_events",
    summary="Read the event feed in order (at-least-once; deduplicate by id)",
)
def list_events(request: HttpRequest, query: Query[EventQuery]) -> dict[str, Any]:
    tenant = request.auth.tenant  # type: ignore[attr-defined]
    last_id = 0
    if query.after:
        try:
            last_id = decode_cursor(query.after, tenant.pk)
        except InvalidCursor as exc:
            message = "This cursor is not valid for this key; use a next_cursor from this API."
            raise problem(400, message, [FieldError("after", message, "invalid_cursor")]) from exc
    rows = list(
        FeedEvent.objects.filter(tenant=tenant, pk__gt=last_id).order_by("pk")[: query.limit + 1]
    )
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    if rows:
        last_id = rows[-1].pk
    return {
        "events": [
            {
                "id": event_id(event),
                "type": event.type,
                "subject_type": event.subject_type,
                "external_id": event.external_id,
                "payload": event.payload,
                "created_at": event.created_at,
            }
            for event in rows
        ],
        "next_cursor": encode_cursor(tenant.pk, last_id),
        "has_more": has_more,
    }
