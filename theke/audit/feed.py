"""The tenant's event feed: what happened that a back office or another system may react to.

Domain services call `emit_event` *inside their own transaction*, so an event exists exactly
when the change it reports was committed (a rolled-back change leaves no event). The API
serves the feed (GET /api/v1/events) and delivers it as webhooks; consumers get events at
least once and deduplicate by the event's id.

`EVENT_LISTENERS` are called after the row was created, still inside the caller's
transaction (the API's webhook delivery registers here and enqueues its work with
`transaction.on_commit`). The feed lives below the domains so that no domain imports the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import connection

from theke.audit.models import FeedEvent
from theke.core.timestamps import with_timestamps

if TYPE_CHECKING:
    from theke.tenants.models import Tenant

__all__ = ["EVENT_LISTENERS", "emit_event"]

EVENT_LISTENERS: list[Callable[[FeedEvent], None]] = []

# First key of the advisory lock that orders event writers ("theke" in ASCII, as an int).
EVENTS_LOCK_CLASS = 0x7468656B


def emit_event(
    tenant: Tenant,
    type: str,
    *,
    subject_type: str,
    external_id: str = "",
    payload: dict[str, Any] | None = None,
) -> FeedEvent:
    """Record one event of `tenant`; call it inside the transaction of the change it reports.

    Datetimes in `payload` are stored in the API's one timestamp format (theke.core.timestamps),
    so pass them as datetimes."""
    _serialize_event_writers(tenant)
    event = FeedEvent.objects.create(
        tenant=tenant,
        type=type,
        subject_type=subject_type,
        external_id=external_id or "",
        payload=with_timestamps(payload or {}),
    )
    for listener in EVENT_LISTENERS:
        listener(event)
    return event


def _serialize_event_writers(tenant: Tenant) -> None:
    """Make event ids of a tenant follow commit order, so a cursor never skips an event.

    Without it, on PostgreSQL a transaction holding id 10 could commit after a reader has
    already seen id 11 and moved its cursor past 10. A transaction-scoped advisory lock per
    tenant makes the next writer wait until the previous one has committed. SQLite's
    IMMEDIATE transactions already serialise all writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [(EVENTS_LOCK_CLASS << 32) | tenant.pk]
            )
