"""Opaque cursors of lists ordered by (updated_at, id): `GET /leads`, `GET /jobs`.

A cursor is base64url of a signed "v1:<tenant>:<updated_at in µs>:<id>" of the last row read;
each list signs with its own salt, so a cursor of one list is refused by another, and a
cursor issued to one tenant's key by every other key.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from django.core import signing

from theke.api.errors import FieldError, Problem

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INVALID_CURSOR = "This cursor is not valid for this key; use a next_cursor from this API."


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


class UpdatedCursor:
    """Encodes and decodes the position of one list (its own salt)."""

    def __init__(self, salt: str) -> None:
        self._signer = signing.Signer(salt=salt)

    def encode(self, tenant_id: int, updated_at: datetime | None, row_id: int) -> str:
        micros = _micros(updated_at) if updated_at is not None else -1
        signed = self._signer.sign(f"v1:{tenant_id}:{micros}:{row_id}")
        return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")

    def decode(self, cursor: str, tenant_id: int) -> tuple[datetime | None, int]:
        """(updated_at, id) of the last row read; a 400 Problem for a cursor not issued to
        this tenant by this list."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            version, tenant, micros, row_id = self._signer.unsign(raw).split(":")
            if version != "v1" or int(tenant) != tenant_id:
                raise ValueError(cursor)
            moment = _EPOCH + timedelta(microseconds=int(micros)) if int(micros) >= 0 else None
            return moment, int(row_id)
        except (binascii.Error, UnicodeDecodeError, signing.BadSignature, ValueError) as exc:
            raise Problem(
                400,
                "Bad Request",
                INVALID_CURSOR,
                errors=[FieldError("after", INVALID_CURSOR, "invalid_cursor")],
            ) from exc
