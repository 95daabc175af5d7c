"""Staff send every failed message of a period again at once (after an outage that outlasted
the retries): the service, its audit trail and the form on the delivery log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.audit.models import AuditEvent
from theke.audit.services import Actor
from theke.core.tests.concurrency import run_at_once
from theke.messaging import retries
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.outbox import queue_message
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 10)


def failed(
    tenant: Any,
    recipient: str,
    created: datetime,
    channel: str = Channel.EMAIL,
    status: str = OutboundStatus.FAILED,
) -> OutboundMessage:
    with tenant_scope(tenant):
        message = queue_message(
            tenant,
            channel=channel,
            purpose="estimate_link",
            recipient=recipient,
            dedupe_key=f"resend-test:{recipient}",
            subject="Ihr Kostenvoranschlag",
            text="Guten Tag",
        )
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=status,
            attempts=8,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed",
            created_at=created,
        )
    return message


def fresh(message: OutboundMessage) -> OutboundMessage:
    with scopes_disabled():
        return OutboundMessage.objects.get(pk=message.pk)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def period(tenant_a: Any, tenant_b: Any) -> dict[str, OutboundMessage]:
    """Failed messages in and around 10 March (Berlin time), of two channels and tenants."""
    return {
        "morning": failed(tenant_a, "morgens@kunde.test", at(DAY, 0, 10)),
        "late": failed(tenant_a, "spaet@kunde.test", at(DAY, 23, 50)),  # 22:50 UTC
        "sms": failed(tenant_a, "+491712345678", at(DAY, 12), channel=Channel.SMS),
        "day_before": failed(tenant_a, "vorher@kunde.test", at(DAY - timedelta(days=1), 23, 59)),
        "day_after": failed(tenant_a, "nachher@kunde.test", at(DAY + timedelta(days=1), 0, 0)),
        "sent": failed(tenant_a, "gesendet@kunde.test", at(DAY, 9), status=OutboundStatus.SENT),
        "other_tenant": failed(tenant_b, "beta@kunde.test", at(DAY, 9)),
    }


def test_failed_messages_of_the_period_are_queued_again(tenant_a, owner, period):
    count = delivery.resend_failed(tenant_a, Actor.staff(owner), DAY, DAY, Channel.EMAIL)

    assert count == 2
    for name in ("morning", "late"):
        message = fresh(period[name])
        assert message.status == OutboundStatus.QUEUED
        assert message.attempts == 0 and message.max_attempts == retries.MAX_ATTEMPTS
        assert message.last_error == ""
    for name in ("sms", "day_before", "day_after", "other_tenant"):
        assert fresh(period[name]).status == OutboundStatus.FAILED, name
    assert fresh(period["sent"]).status == OutboundStatus.SENT


def test_all_channels_when_none_is_chosen(tenant_a, owner, period):
    assert delivery.resend_failed(tenant_a, Actor.staff(owner), DAY, DAY) == 3
    assert fresh(period["sms"]).status == OutboundStatus.QUEUED


def test_resending_is_audited_once_per_message_and_for_the_period(tenant_a, owner, period):
    delivery.resend_failed(tenant_a, Actor.staff(owner), DAY, DAY, Channel.EMAIL)
    with tenant_scope(tenant_a):
        events = AuditEvent.objects.filter(action__startswith="message.resent")
        summary = events.get(action="message.resent_failed")
        per_message = sorted(
            events.filter(action="message.resent").values_list("data", flat=True),
            key=lambda data: data["message"],
        )
    assert summary.actor_user_id == owner.pk
    assert summary.data["count"] == 2
    assert (summary.data["first_day"], summary.data["last_day"]) == ("2026-03-10", "2026-03-10")
    assert summary.data["channel"] == Channel.EMAIL
    assert [data["message"] for data in per_message] == sorted(
        [period["morning"].pk, period["late"].pk]
    )


def test_resent_messages_are_delivered(smtp_peer, tenant_a, owner, period):
    delivery.resend_failed(tenant_a, Actor.staff(owner), DAY, DAY, Channel.EMAIL)
    assert delivery.deliver_due() == 2
    assert sorted(m["To"] for m in smtp_peer.messages) == ["morgens@kunde.test", "spaet@kunde.test"]


def test_a_period_ending_before_it_starts_is_refused(tenant_a, owner, period):
    with pytest.raises(delivery.DeliveryError):
        delivery.resend_failed(tenant_a, Actor.staff(owner), DAY, DAY - timedelta(days=1))
    assert fresh(period["morning"]).status == OutboundStatus.FAILED


# --- the form on the delivery log -----------------------------------------------------------


URL = reverse("messaging:delivery_resend_failed")


def test_the_delivery_log_offers_the_form(owner_client):
    body = owner_client.get(reverse("messaging:delivery_list")).content.decode()
    assert "Alle fehlgeschlagenen der Zeitspanne erneut senden" in body
    assert f'action="{URL}"' in body


def test_staff_resend_the_period_and_are_told_how_many(owner_client, period):
    response = owner_client.post(
        URL, {"first_day": "2026-03-10", "last_day": "2026-03-10", "channel": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:delivery_list")
    [note] = [str(m) for m in get_messages(response.wsgi_request)]
    assert note == "3 fehlgeschlagene Nachrichten werden erneut gesendet."
    assert fresh(period["morning"]).status == OutboundStatus.QUEUED
    assert fresh(period["other_tenant"]).status == OutboundStatus.FAILED


def test_an_empty_period_says_so(owner_client, period):
    response = owner_client.post(URL, {"first_day": "2026-01-01", "last_day": "2026-01-31"})
    [note] = [str(m) for m in get_messages(response.wsgi_request)]
    assert note == "In dieser Zeitspanne gibt es keine fehlgeschlagenen Nachrichten."


def test_bad_dates_are_shown_next_to_the_field(owner_client, period):
    response = owner_client.post(URL, {"first_day": "2026-03-10", "last_day": "2026-03-09"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Der letzte Tag liegt vor dem ersten." in body
    assert "<details" in body and " open>" in body
    response = owner_client.post(URL, {"first_day": "gestern", "last_day": ""})
    assert response.status_code == 400
    assert fresh(period["morning"]).status == OutboundStatus.FAILED


def test_staff_without_the_delivery_log_may_not_resend(client, tenant_a, period):
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Theo Technik", "Techniker"))
    response = client.post(URL, {"first_day": "2026-03-10", "last_day": "2026-03-10"})
    assert response.status_code == 403
    assert fresh(period["morning"]).status == OutboundStatus.FAILED


def test_staff_of_another_tenant_resend_only_their_own(outsider_client, period):
    outsider_client.post(URL, {"first_day": "2026-03-10", "last_day": "2026-03-10"})
    assert fresh(period["other_tenant"]).status == OutboundStatus.QUEUED
    assert fresh(period["morning"]).status == OutboundStatus.FAILED


def test_resend_failed_only_accepts_post(owner_client):
    assert owner_client.get(URL).status_code == 405


def test_a_period_longer_than_a_year_is_refused(tenant_a, owner, period):
    with pytest.raises(delivery.DeliveryError):
        delivery.resend_failed(tenant_a, Actor.staff(owner), date(2025, 1, 1), DAY)
    assert fresh(period["morning"]).status == OutboundStatus.FAILED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_staff_resending_at_once_queue_each_message_once(tenant_a, owner, colleague, period):
    counts: list[int] = []

    def resend(user: Any) -> Callable[[], None]:
        return lambda: counts.append(
            delivery.resend_failed(tenant_a, Actor.staff(user), DAY, DAY, Channel.EMAIL)
        )

    assert run_at_once(resend(owner), resend(colleague)) == []
    assert sorted(counts) == [0, 2]
    with tenant_scope(tenant_a):
        resent = list(
            AuditEvent.objects.filter(action="message.resent").values_list("data", flat=True)
        )
    assert sorted(data["message"] for data in resent) == sorted(
        [period["morning"].pk, period["late"].pk]
    )


def test_the_audit_log_shows_the_resent_period(owner_client, period):
    owner_client.post(URL, {"first_day": "2026-03-10", "last_day": "2026-03-10"})
    response = owner_client.get(reverse("audit:log"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Fehlgeschlagene Nachrichten einer Zeitspanne erneut gesendet" in body
    assert "10.03.2026 – 10.03.2026 · 3" in body


def test_the_form_proposes_the_days_of_the_list(owner_client):
    with time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=BERLIN), tick=False):
        body = owner_client.get(reverse("messaging:delivery_list")).content.decode()
        assert 'name="first_day" value="2026-03-14"' in body
        body = owner_client.get(
            reverse("messaging:delivery_list"), {"status": "failed", "days": "14"}
        ).content.decode()
        assert 'name="first_day" value="2026-03-07"' in body
        assert 'name="last_day" value="2026-03-20"' in body
