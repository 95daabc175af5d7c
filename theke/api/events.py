"""The door's side of the event feed: cursors and public ids of GET /api/v1/events.

The feed itself (the model, `emit_event`, the listeners) lives below the domains in
`theke.audit.feed`.
"""

from __future__ import annotations

import base64
import binascii

from django.core import signing

from theke.audit.models import FeedEvent

CURSOR_VERSION = "v1"
# The salt keeps its old module name, so that cursors issued before the feed moved stay valid.
_SIGNER = signing.Signer(salt="theke.api.events.cursor")


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


def event_id(event: FeedEvent) -> str:
    """The public, opaque id of an event (stable; use it to deduplicate)."""
    return f"evt_{event.pk}"
