"""The tenant's event feed: what the back office pulls with GET /api/v1/events.

Domain services call `emit_event` *inside their own transaction*, so an event exists exactly
when the change it reports was committed (a rolled-back change leaves no event). Consumers
get events at least once: a client that crashes before storing its cursor reads the same
events again and must deduplicate by the event's `id`.

`EVENT_LISTENERS` are called after the row was created, still inside the caller's
transaction (webhook deliveries register here and should enqueue work with
`transaction.on_commit`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import connection

from theke.api.models import ApiEvent

if TYPE_CHECKING:
    from theke.tenants.models import Tenant

EVENT_LISTENERS: list[Callable[[ApiEvent], None]] = []

# First key of the advisory lock that orders event writers ("theke" in ASCII, as an int).
EVENTS_LOCK_CLASS = 0x7468656B
CURSOR_VERSION = "v1"
_SIGNER = signing.Signer(salt="theke.api.events.cursor")


def emit_event(
    tenant: Tenant,
    type: str,
    *,
    subject_type: str,
    external_id: str = "",
    payload: dict[str, Any] | None = None,
) -> ApiEvent:
    """Record one event of `tenant`; call it inside the transaction of the change it reports."""
    _serialize_event_writers(tenant)
    event = ApiEvent.objects.create(
        tenant=tenant,
        type=type,
        subject_type=subject_type,
        external_id=external_id or "",
        payload=payload or {},
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


class InvalidCursor(ValueError):
    """A cursor that was not issued by this server for this tenant."""


def encode_cursor(tenant_id: int, last_id: int) -> str:
    """Opaque cursor: base64url of a signed "v1:<tenant>:<last event id>"."""
    signed = _SIGNER.sign(f"{CURSOR_VERSION}:{tenant_id}:{last_id}")
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, tenant_id: int) -> int:
    """The last event id of a cursor issued to `tenant_id`; InvalidCursor otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value = _SIGNER.unsign(raw)
        version, tenant, last_id = value.split(":")
        if version != CURSOR_VERSION or int(tenant) != tenant_id or int(last_id) < 0:
            raise InvalidCursor(cursor)
        return int(last_id)
    except (binascii.Error, UnicodeDecodeError, signing.BadSignature, ValueError) as exc:
        raise InvalidCursor(cursor) from exc


def event_id(event: ApiEvent) -> str:
    """The public, opaque id of an event (stable; use it to deduplicate)."""
    return f"evt_{event.pk}"
