"""Background tasks of messaging (run by the worker)."""

from __future__ import annotations

from django.tasks import task


@task
def deliver_message(message_id: int) -> None:
    """Claim and send one outbound message, if it is still due."""
    from theke.messaging.services import delivery

    delivery.deliver_one(message_id)


@task
def sweep_outbox() -> int:
    """Claim and send every due message (the safety net behind deliver_message)."""
    from theke.messaging.services import delivery

    return delivery.deliver_due()
