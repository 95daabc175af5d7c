"""One retry schedule for every channel, spread over more than a day: an outage of the mail
server, the SMS gateway or a webhook receiver of up to a day loses no message."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.messaging import retries
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.outbox import queue_message
from theke.tenants.scoping import tenant_scope

from .conftest import SmtpPeer, free_port

pytestmark = pytest.mark.django_db


def queue(tenant: Any, recipient: str, channel: str = Channel.EMAIL) -> OutboundMessage:
    with tenant_scope(tenant):
        return queue_message(
            tenant,
            channel=channel,
            purpose="estimate_link",
            recipient=recipient,
            dedupe_key=f"retry-test:{recipient}",
            subject="Ihr Kostenvoranschlag",
            text="Guten Tag",
        )


def fresh(message: OutboundMessage) -> OutboundMessage:
    with scopes_disabled():
        return OutboundMessage.objects.get(pk=message.pk)


def next_due() -> datetime | None:
    with scopes_disabled():
        due = OutboundMessage.objects.filter(status=OutboundStatus.QUEUED).order_by(
            "next_attempt_at"
        )
        return due.values_list("next_attempt_at", flat=True).first()


def test_the_schedule_spans_more_than_a_day_for_every_channel() -> None:
    assert retries.span_seconds() >= 24 * 3600
    assert len(retries.SCHEDULE) == retries.MAX_ATTEMPTS - 1
    for attempts, planned in enumerate(retries.SCHEDULE, start=1):
        assert planned <= retries.delay(attempts) <= planned * (1 + retries.JITTER)
    # The old per-channel settings are gone: the schedule is the one place.
    for name in ("OUTBOX_MAX_ATTEMPTS", "OUTBOX_RETRY_BASE_SECONDS", "OUTBOX_RETRY_CAP_SECONDS"):
        assert not hasattr(settings, name)


def test_an_email_is_tried_for_more_than_a_day_before_it_fails(smtp_down, tenant_a):
    message = queue(tenant_a, "klara@kunde.test")
    first_attempt = timezone.now()
    delivery.deliver_due()
    while fresh(message).status == OutboundStatus.QUEUED:
        last_attempt = fresh(message).next_attempt_at + timedelta(seconds=1)
        with time_machine.travel(last_attempt, tick=False):
            delivery.deliver_due()
    message = fresh(message)
    assert message.status == OutboundStatus.FAILED
    assert message.attempts == retries.MAX_ATTEMPTS
    assert last_attempt - first_attempt >= timedelta(hours=24)


def test_a_thirty_minute_smtp_outage_loses_no_email(smtp_down: SmtpPeer, tenant_a):
    """Messages queued when the server goes away arrive once it is back (~45 % failed for
    good with the old 8 attempts in about 30 minutes)."""
    messages = [queue(tenant_a, f"kunde{number}@kunde.test") for number in range(20)]
    outage_ends = timezone.now() + timedelta(minutes=30)
    delivery.deliver_due()
    while (due := next_due()) is not None:
        if due >= outage_ends and smtp_down.controller is None:
            smtp_down.start()
        with time_machine.travel(due + timedelta(seconds=1), tick=False):
            delivery.deliver_due()
    statuses = {fresh(message).status for message in messages}
    assert statuses == {OutboundStatus.SENT}
    assert len(smtp_down.messages) == 20


def test_an_sms_waits_by_the_same_schedule(settings, tenant_a):
    tenant_a.sms_enabled = True
    tenant_a.save()
    settings.SMS_BACKEND = "theke.messaging.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{free_port()}/sms"  # the gateway is down
    message = queue(tenant_a, "+491712345678", channel=Channel.SMS)
    now = timezone.now()
    for attempt, planned in enumerate(retries.SCHEDULE[:3], start=1):
        with time_machine.travel(now, tick=False):
            delivery.deliver_due()
        message = fresh(message)
        assert message.status == OutboundStatus.QUEUED and message.attempts == attempt
        wait = (message.next_attempt_at - now).total_seconds()
        assert planned <= wait <= planned * (1 + retries.JITTER)
        now = message.next_attempt_at + timedelta(seconds=1)


def test_a_leftover_retry_setting_is_named_by_the_system_check(monkeypatch):
    from theke.messaging import checks

    assert checks.obsolete_retry_settings() == []
    monkeypatch.setenv("THEKE_OUTBOX_MAX_ATTEMPTS", "20")
    [warning] = checks.obsolete_retry_settings()
    assert warning.id == "theke.messaging.W001"
    assert "THEKE_OUTBOX_MAX_ATTEMPTS" in warning.msg
