"""Workers at once against PostgreSQL: claims never overlap, no message is sent twice."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from theke.core.tests.concurrency import run_at_once
from theke.messaging.models import OutboundMessage, OutboundStatus
from theke.messaging.services import delivery, outbox
from theke.messaging.services.outbox import queue_message
from theke.tenants.scoping import tenant_scope

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

COUNT = 200


@pytest.fixture(autouse=True)
def no_kick(monkeypatch: Any) -> None:
    """Queue without the on-commit delivery, so the workers below find every row due."""
    monkeypatch.setattr(outbox, "_kick_worker", lambda message_id: None)


def test_two_workers_never_send_the_same_message_twice(smtp_peer, tenant_a, tenant_b, settings):
    settings.OUTBOX_BATCH_SIZE = 15
    recipients = []
    for number in range(COUNT):
        tenant = tenant_a if number % 2 else tenant_b
        recipient = f"kunde{number}@kunde.test"
        recipients.append(recipient)
        with tenant_scope(tenant):
            queue_message(
                tenant,
                channel="email",
                purpose="test",
                recipient=recipient,
                dedupe_key=f"race:{number}",
                subject=f"Nachricht {number}",
                text="Hallo",
            )
    with scopes_disabled():
        ids = list(OutboundMessage.objects.values_list("pk", flat=True))
        assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"queued"}
    random.shuffle(ids)

    def sweeper() -> None:
        delivery.deliver_due()

    def single_sends() -> None:
        # What the huey tasks enqueued on commit do, racing the sweepers.
        for message_id in ids:
            delivery.deliver_one(message_id)

    errors = run_at_once(sweeper, sweeper, single_sends)

    assert errors == []
    received = Counter(rcpt for env in smtp_peer.recorder.envelopes for rcpt in env.rcpt_tos)
    assert sorted(received) == sorted(recipients)
    assert set(received.values()) == {1}
    assert len(set(smtp_peer.recorder.peers)) >= 2  # more than one worker did send
    with scopes_disabled():
        rows = list(OutboundMessage.objects.values_list("status", "attempts"))
    assert len(rows) == COUNT
    assert {status for status, _attempts in rows} == {OutboundStatus.SENT}
    assert {attempts for _status, attempts in rows} == {1}


def test_claims_of_two_workers_do_not_overlap(tenant_a):
    with tenant_scope(tenant_a):
        for number in range(60):
            queue_message(
                tenant_a,
                channel="email",
                purpose="test",
                recipient=f"k{number}@kunde.test",
                dedupe_key=f"claim:{number}",
            )
    claims: list[list[int]] = []

    def claim() -> None:
        while True:
            messages, _token = delivery.claim_batch(7)
            if not messages:
                return
            claims.append([message.pk for message in messages])

    assert run_at_once(claim, claim, claim) == []
    claimed = [pk for batch in claims for pk in batch]
    assert len(claimed) == 60
    assert len(set(claimed)) == 60
