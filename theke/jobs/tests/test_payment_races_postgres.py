"""Payments under concurrency against PostgreSQL: notifications of one checkout arriving at
the same moment settle it once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from theke.audit.models import FeedEvent
from theke.core.tests.concurrency import run_at_once
from theke.jobs.models import JobChange, Payment, PaymentStatus
from theke.jobs.payments import TEST_PROVIDER
from theke.jobs.services import payments
from theke.jobs.services.jobs import Who, activate_phase
from theke.jobs.tests.world import make_job_world
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_notifications_arriving_at_once_settle_the_payment_once(tenant_a: Any, owner: Any) -> None:
    world = make_job_world(tenant_a)
    job = world.start(assignee=owner)
    job = activate_phase(job, "bestellung", Who.staff(owner), expected_phase="rueckruf")
    payment = payments.create_payment(job, "bezahlung", "99,00", "", Who.staff(owner))
    body, headers = TEST_PROVIDER.notification(payment.reference, "paid")

    def notify() -> None:
        payments.receive_notification("test", body, headers)

    assert run_at_once(notify, notify, notify) == []
    with scopes_disabled():
        assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID
        lines = JobChange.objects.filter(job=job, field_key="bezahlung", new="bezahlt")
        assert lines.count() == 1
        assert FeedEvent.objects.filter(type="job.payment_received").count() == 1
        notices = OutboundMessage.objects.filter(purpose=payments.PAID_PURPOSE)
        assert notices.count() == 1
