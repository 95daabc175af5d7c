"""API of the customer master: upsert by the back office's own id (external_id)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["customers"])
