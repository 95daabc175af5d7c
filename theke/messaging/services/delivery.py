"""Delivery of outbound messages by the worker: claim, send, retry with backoff, fail."""

from __future__ import annotations


def deliver_one(message_id: int) -> bool:
    """Claim the message if due and send it. True when this call sent it."""
    raise NotImplementedError


def deliver_due(limit: int | None = None) -> int:
    """Claim and send due messages in batches; returns how many were sent."""
    raise NotImplementedError


from django.utils.functional import Promise  # noqa: E402

# Audit action code -> label, registered by MessagingConfig.ready().
ACTION_LABELS: dict[str, Promise] = {}
