"""Webhook deliveries against a real HTTP receiver on 127.0.0.1: signatures (Standard
Webhooks), rotation, retries on the schedule, disabling, target checks, type filters."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from theke.api.models import DisableReason, WebhookAttempt, WebhookEndpoint
from theke.api.webhooks import services, targets
from theke.audit.feed import emit_event
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.messaging import retries
from theke.messaging.models import Channel, InternalMessage, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.inbox import visible_messages
from theke.tenants.scoping import tenant_scope

from .conftest import make_endpoint
from .receiver import Receiver

pytestmark = pytest.mark.django_db


def emit(tenant: Any, type: str = "estimate.accepted", external_id: str = "KV-4711") -> Any:
    with tenant_scope(tenant):
        return emit_event(
            tenant,
            type,
            subject_type=type.split(".")[0],
            external_id=external_id,
            payload={"number": external_id, "total": "1.234,50 €"},
        )


def webhook_messages(tenant: Any) -> list[OutboundMessage]:
    with tenant_scope(tenant):
        return list(OutboundMessage.objects.filter(channel=Channel.WEBHOOK).order_by("pk"))


def fresh(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def verify(secret: str, request: Any) -> Any:
    return Webhook(secret).verify(request.body, request.headers)


# --- signing and payload --------------------------------------------------------------------


def test_delivery_is_signed_and_verifies_with_standardwebhooks(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url, description="ERP")
    event = emit(loopback_tenant)

    assert delivery.deliver_due() == 1

    [request] = receiver.requests
    assert request.path == "/hooks/theke"
    payload = verify(endpoint.secret, request)
    assert payload["type"] == "estimate.accepted"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"] == {
        "id": f"evt_{event.pk}",
        "type": "estimate.accepted",
        "subject_type": "estimate",
        "external_id": "KV-4711",
        "payload": {"number": "KV-4711", "total": "1.234,50 €"},
        "created_at": payload["timestamp"],
    }
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "Theke-Webhooks/1"
    assert endpoint.secret.startswith("whsec_")
    [message] = webhook_messages(loopback_tenant)
    assert request.headers["webhook-id"] == message.headers["webhook-id"]
    assert request.headers["webhook-id"].startswith("msg_")
    assert message.status == OutboundStatus.SENT
    assert message.provider_id == message.headers["webhook-id"]
    with tenant_scope(loopback_tenant):
        [attempt] = WebhookAttempt.objects.filter(message=message)
    assert attempt.response_status == 200 and attempt.response_body == "ok"
    assert fresh(endpoint).last_success_at is not None


def test_a_wrong_secret_or_changed_body_fails_verification(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    make_endpoint(loopback_tenant, receiver.url)
    emit(loopback_tenant)
    delivery.deliver_due()
    [request] = receiver.requests
    with pytest.raises(WebhookVerificationError):
        verify(services.new_secret(), request)
    tampered = request.body.replace(b"KV-4711", b"KV-4712")
    with scopes_disabled():
        secret = WebhookEndpoint.objects.get().secret
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, request.headers)


def test_rotation_signs_with_both_secrets_for_24_hours(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    old_secret = endpoint.secret
    with tenant_scope(loopback_tenant):
        endpoint = services.rotate_secret(endpoint, SYSTEM)
    assert endpoint.secret != old_secret and endpoint.secret.startswith("whsec_")

    emit(loopback_tenant, external_id="A")
    delivery.deliver_due()
    signatures = receiver.requests[-1].headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    verify(old_secret, receiver.requests[-1])
    verify(endpoint.secret, receiver.requests[-1])

    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1), tick=False):
        emit(loopback_tenant, external_id="B")
        delivery.deliver_due()
        request = receiver.requests[-1]
        assert len(request.headers["webhook-signature"].split(" ")) == 1
        verify(endpoint.secret, request)
        with pytest.raises(WebhookVerificationError):
            verify(old_secret, request)


def test_a_second_rotation_keeps_both_earlier_secrets_signing(loopback_tenant: Any) -> None:
    endpoint = make_endpoint(loopback_tenant, "http://127.0.0.1:9/hook")
    first = endpoint.secret
    with tenant_scope(loopback_tenant):
        second = services.rotate_secret(endpoint, SYSTEM).secret
        third = services.rotate_secret(endpoint, SYSTEM)
        assert services.signing_secrets(third) == [third.secret, first, second]
        actions = list(
            AuditEvent.objects.filter(action="webhook.secret_rotated").values_list(
                "data", flat=True
            )
        )
    assert len(actions) == 2
    assert all(first not in json.dumps(data) for data in actions)


# --- retries and the schedule ---------------------------------------------------------------


def test_retry_on_500_then_success_keeps_the_webhook_id(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    receiver.answer((500, "database down"))
    emit(loopback_tenant)

    assert delivery.deliver_due() == 0
    [message] = webhook_messages(loopback_tenant)
    assert message.status == OutboundStatus.QUEUED
    assert message.attempts == 1 and message.max_attempts == 8
    assert "HTTP 500: database down" in message.last_error
    wait = (message.next_attempt_at - timezone.now()).total_seconds()
    assert 3 <= wait <= 6
    assert fresh(endpoint).failure_count == 1

    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=False):
        assert delivery.deliver_due() == 1
    message = fresh(message)
    assert message.status == OutboundStatus.SENT and message.attempts == 2
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    endpoint = fresh(endpoint)
    assert endpoint.failure_count == 0 and endpoint.failing_since is None
    with tenant_scope(loopback_tenant):
        statuses = list(
            WebhookAttempt.objects.filter(message=message)
            .order_by("attempted_at", "pk")
            .values_list("response_status", flat=True)
        )
    assert statuses == [500, 200]


def test_webhooks_follow_the_outbox_schedule_of_more_than_a_day() -> None:
    assert retries.MAX_ATTEMPTS == 8
    assert retries.span_seconds() >= 24 * 3600
    assert retries.SCHEDULE[:3] == (5, 300, 1800)


def test_connection_refused_is_retried(loopback_tenant: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = make_endpoint(loopback_tenant, f"http://127.0.0.1:{port}/nobody")
    emit(loopback_tenant)
    emit(loopback_tenant, external_id="second")
    assert delivery.deliver_due() == 0
    first, second = webhook_messages(loopback_tenant)
    assert first.status == second.status == OutboundStatus.QUEUED
    assert "NewConnectionError" in first.last_error or "refused" in first.last_error.lower()
    # The second delivery of the same run was not tried against a receiver that is down.
    assert second.last_error.startswith("Not attempted")
    assert fresh(endpoint).is_active


# --- disabling ------------------------------------------------------------------------------


def run_until_final(message: OutboundMessage) -> list[float]:
    """Deliver, jump to each next attempt, until the message is no longer queued."""
    waits: list[float] = []
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        while True:
            delivery.deliver_due()
            message = fresh(message)
            if message.status != OutboundStatus.QUEUED:
                return waits
            waits.append((message.next_attempt_at - timezone.now()).total_seconds())
            traveller.move_to(message.next_attempt_at + timedelta(seconds=1))


def test_endpoint_is_disabled_after_the_last_attempt_fails_and_staff_are_told(
    loopback_tenant: Any, receiver: Receiver, owner: Any, colleague: Any
) -> None:
    loopback_tenant.notification_email = "it@alpha.test"
    loopback_tenant.save()
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    receiver.default = (503, "maintenance")
    emit(loopback_tenant)
    [message] = webhook_messages(loopback_tenant)

    waits = run_until_final(message)

    assert len(receiver.requests) == 8
    assert len(waits) == 7 and sum(waits) >= 24 * 3600
    message = fresh(message)
    assert message.status == OutboundStatus.FAILED and message.attempts == 8
    endpoint = fresh(endpoint)
    assert not endpoint.is_active
    assert endpoint.disabled_reason == DisableReason.FAILING
    assert "HTTP 503" in endpoint.disabled_detail
    assert endpoint.failure_count == 8
    with tenant_scope(loopback_tenant):
        assert AuditEvent.objects.filter(action="webhook.disabled").count() == 1
        [note] = visible_messages(owner, loopback_tenant)
        assert note.subject == f"Webhook deaktiviert: {receiver.url}"
        assert "GET /api/v1/events" in note.body
        assert note.url == f"/staff/api/webhooks/{endpoint.pk}/"
        assert not visible_messages(colleague, loopback_tenant).exists()
        assert InternalMessage.objects.count() == 1
        [mail] = OutboundMessage.objects.filter(channel=Channel.EMAIL)
    assert mail.recipient == "it@alpha.test"
    assert mail.subject == note.subject
    assert f"/staff/api/webhooks/{endpoint.pk}/" in mail.body_text

    emit(loopback_tenant, external_id="after")
    assert len(webhook_messages(loopback_tenant)) == 1  # a disabled endpoint gets nothing


def test_one_refused_event_does_not_disable_an_endpoint_that_works(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    receiver.answer(422)
    emit(loopback_tenant, external_id="bad")
    delivery.deliver_due()
    emit(loopback_tenant, external_id="good")
    delivery.deliver_due()
    bad, good = webhook_messages(loopback_tenant)
    assert good.status == OutboundStatus.SENT
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=bad.pk).update(attempts=7, next_attempt_at=timezone.now())
    receiver.answer(422)
    delivery.deliver_due()
    assert fresh(bad).status == OutboundStatus.FAILED
    assert fresh(endpoint).is_active


def test_410_gone_disables_the_endpoint_at_once(loopback_tenant: Any, receiver: Receiver) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    receiver.answer(410)
    emit(loopback_tenant)
    delivery.deliver_due()
    [message] = webhook_messages(loopback_tenant)
    assert message.status == OutboundStatus.FAILED and message.attempts == 1
    endpoint = fresh(endpoint)
    assert not endpoint.is_active and endpoint.disabled_reason == DisableReason.GONE


def test_disabling_cancels_waiting_deliveries_and_enabling_resets_the_count(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    receiver.answer(500)
    emit(loopback_tenant)
    delivery.deliver_due()
    with tenant_scope(loopback_tenant):
        assert services.disable_endpoint(endpoint, SYSTEM)
        assert not services.disable_endpoint(endpoint, SYSTEM)
    [message] = webhook_messages(loopback_tenant)
    assert message.status == OutboundStatus.CANCELLED
    with tenant_scope(loopback_tenant):
        assert not visible_messages_exist(loopback_tenant)  # by hand: nobody is notified
        assert services.enable_endpoint(endpoint, SYSTEM)
    endpoint = fresh(endpoint)
    assert endpoint.is_active and endpoint.failure_count == 0 and not endpoint.disabled_reason


def visible_messages_exist(tenant: Any) -> bool:
    return InternalMessage.objects.filter(tenant=tenant).exists()


# --- target checks --------------------------------------------------------------------------


PRIVATE_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://2130706433/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_and_loopback_targets_are_refused_at_save(tenant_a: Any, url: str) -> None:
    with tenant_scope(tenant_a), pytest.raises(ServiceError) as refused:
        services.create_endpoint(tenant_a, SYSTEM, url=url)
    assert refused.value.code == "private_address"
    assert "privates oder lokales Netz" in refused.value.messages[0]
    with scopes_disabled():
        assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://example.com/",
        "//example.com/hook",
        "example.com/hook",
        "http:///nohost",
        "https://user:secret@example.com/hook",
        "http://example.com:99999/",
    ],
)
def test_urls_other_than_http_and_https_are_refused(tenant_a: Any, url: str) -> None:
    with tenant_scope(tenant_a), pytest.raises(ServiceError) as refused:
        services.create_endpoint(tenant_a, SYSTEM, url=url)
    assert refused.value.code in {"scheme", "invalid_url", "credentials"}


def test_public_addresses_pass_the_check() -> None:
    target = targets.check_target("https://93.184.216.34/hooks?x=1", allow_private=False)
    assert target.addresses == ("93.184.216.34",)
    assert target.port == 443 and target.path == "/hooks?x=1"


def test_the_address_is_checked_again_at_send_time(
    tenant_a: Any, receiver: Receiver, monkeypatch: Any
) -> None:
    """DNS rebinding: public when saved, 127.0.0.1 when sent — nothing leaves Theke."""
    answers = {"now": "93.184.216.34"}

    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        assert host == "hooks.example.com"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers["now"], port))]

    monkeypatch.setattr(targets.socket, "getaddrinfo", fake_getaddrinfo)
    endpoint = make_endpoint(tenant_a, f"http://hooks.example.com:{receiver.port}/hooks/theke")
    answers["now"] = "127.0.0.1"
    emit(tenant_a)

    delivery.deliver_due()  # sends only the "disabled" notice e-mail to the company

    assert receiver.requests == []
    [message] = webhook_messages(tenant_a)
    assert message.status == OutboundStatus.FAILED
    assert "privates oder lokales Netz" in message.last_error
    endpoint = fresh(endpoint)
    assert not endpoint.is_active
    assert endpoint.disabled_reason == DisableReason.PRIVATE_ADDRESS


def test_the_request_goes_to_the_checked_address_with_the_host_name(
    loopback_tenant: Any, receiver: Receiver, monkeypatch: Any
) -> None:
    asked: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        if host == "erp.alpha.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    make_endpoint(loopback_tenant, f"http://erp.alpha.test:{receiver.port}/in?src=theke")
    emit(loopback_tenant)
    assert delivery.deliver_due() == 1
    # Looked up when saved and when sent; the connection used the checked address.
    assert asked == ["erp.alpha.test", "erp.alpha.test", "127.0.0.1"]
    [request] = receiver.requests
    assert request.headers["host"] == f"erp.alpha.test:{receiver.port}"
    assert request.path == "/in?src=theke"


# --- which events go where ------------------------------------------------------------------


def test_event_types_filter_the_deliveries(loopback_tenant: Any, receiver: Receiver) -> None:
    estimates = make_endpoint(loopback_tenant, receiver.url, event_types="estimate.*")
    customers = make_endpoint(loopback_tenant, receiver.url, event_types=["customer.created"])
    everything = make_endpoint(loopback_tenant, receiver.url)
    emit(loopback_tenant, "estimate.accepted")
    emit(loopback_tenant, "customer.updated")
    emit(loopback_tenant, "customer.created")
    got = {(m.object_id, m.subject) for m in webhook_messages(loopback_tenant)}
    assert got == {
        (str(estimates.pk), "estimate.accepted"),
        (str(everything.pk), "estimate.accepted"),
        (str(everything.pk), "customer.updated"),
        (str(everything.pk), "customer.created"),
        (str(customers.pk), "customer.created"),
    }


def test_event_types_are_validated(tenant_a: Any) -> None:
    assert services.clean_event_types("estimate.accepted, estimate.*\nlead.cancelled") == [
        "estimate.accepted",
        "estimate.*",
        "lead.cancelled",
    ]
    assert services.clean_event_types("  ") == []
    assert services.clean_event_types("*") == []
    with pytest.raises(ServiceError) as refused:
        services.clean_event_types("estimate.accepted; <script>")
    assert refused.value.field == "event_types"


def test_a_rolled_back_event_queues_no_delivery(loopback_tenant: Any, receiver: Receiver) -> None:
    make_endpoint(loopback_tenant, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(loopback_tenant)
        raise RuntimeError("the business change failed")
    assert webhook_messages(loopback_tenant) == []


def test_other_tenants_endpoints_get_nothing(
    loopback_tenant: Any, tenant_b: Any, receiver: Receiver
) -> None:
    make_endpoint(loopback_tenant, receiver.url)
    emit(tenant_b)
    assert webhook_messages(loopback_tenant) == []
    with tenant_scope(tenant_b):
        assert not OutboundMessage.objects.exists()


# --- test event and redelivery --------------------------------------------------------------


def test_test_event_goes_to_one_endpoint_only_also_when_disabled(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    make_endpoint(loopback_tenant, receiver.url)
    with tenant_scope(loopback_tenant):
        services.disable_endpoint(endpoint, SYSTEM)
        services.send_test(endpoint, SYSTEM)
    assert delivery.deliver_due() == 1
    [request] = receiver.requests
    payload = verify(endpoint.secret, request)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["id"].startswith("evt_test_")


def test_redeliver_sends_the_same_webhook_id_again(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    make_endpoint(loopback_tenant, receiver.url)
    emit(loopback_tenant)
    delivery.deliver_due()
    [message] = webhook_messages(loopback_tenant)
    with tenant_scope(loopback_tenant):
        services.redeliver(message, SYSTEM)
        with pytest.raises(ServiceError):
            services.redeliver(message, SYSTEM)  # still waiting: not twice
    assert delivery.deliver_due() == 1
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert fresh(message).attempts == 1


def test_disabled_endpoint_mail_falls_back_to_the_tenant_main_address(
    loopback_tenant: Any, receiver: Receiver
) -> None:
    loopback_tenant.notification_email = ""
    loopback_tenant.email = "info@alpha.test"
    loopback_tenant.save()
    endpoint = make_endpoint(loopback_tenant, receiver.url)

    with tenant_scope(loopback_tenant):
        assert services.disable_endpoint(endpoint, SYSTEM, DisableReason.FAILING, "HTTP 503")
        [mail] = OutboundMessage.objects.filter(channel=Channel.EMAIL)
    assert mail.recipient == "info@alpha.test"
