"""SMS: backends (locmem, a real local HTTP gateway), retries, and the status callback."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.messaging import sms
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.outbox import queue_message, sms_allowed
from theke.tenants.scoping import tenant_scope

from .conftest import free_port

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-callback-path-0123456789"


@pytest.fixture
def sms_tenant(tenant_a: Any) -> Any:
    tenant_a.sms_enabled = True
    tenant_a.sms_sender = "Alpha"
    tenant_a.save()
    return tenant_a


@pytest.fixture
def contact(sms_tenant: Any) -> Any:
    with tenant_scope(sms_tenant):
        customer = customers.create_customer(sms_tenant, SYSTEM, kind="person", last_name="Kunde")
        return customers.add_contact(
            customer,
            SYSTEM,
            last_name="Kunde",
            mobile_phone="+49 171 2345678",
            consent_sms=True,
        )


def queue_sms(tenant: Any, recipient: str = "+491712345678", **values: Any) -> OutboundMessage:
    values.setdefault("text", "Ihr Termin am 3.5. um 9:00 Uhr ist bestätigt.")
    with tenant_scope(tenant):
        return queue_message(
            tenant,
            channel=Channel.SMS,
            purpose="appointment_confirmation",
            recipient=recipient,
            dedupe_key=values.pop("dedupe_key", f"sms:{recipient}"),
            **values,
        )


def fresh(message: OutboundMessage) -> OutboundMessage:
    with scopes_disabled():
        return OutboundMessage.objects.get(pk=message.pk)


# --- in-memory backend ----------------------------------------------------------------------


def test_sms_is_sent_to_the_contacts_mobile_in_e164(sms_tenant, contact, sms_outbox):
    assert sms_allowed(sms_tenant, contact)
    message = queue_sms(sms_tenant, str(contact.mobile_phone), contact=contact)

    assert delivery.deliver_due() == 1

    [sent] = sms_outbox
    assert sent.to == "+491712345678"
    assert sent.text == "Ihr Termin am 3.5. um 9:00 Uhr ist bestätigt."
    assert sent.sender == "Alpha"
    assert sent.reference == str(message.pk)
    message = fresh(message)
    assert message.status == OutboundStatus.SENT
    assert message.provider_id == "locmem-1"


def test_invalid_phone_number_fails_at_once(sms_tenant, sms_outbox):
    message = queue_sms(sms_tenant, "+49 123")
    assert delivery.deliver_due() == 0
    message = fresh(message)
    assert message.status == OutboundStatus.FAILED
    assert message.attempts == 1
    assert "invalid phone number" in message.last_error
    assert sms_outbox == []


def test_sms_of_a_tenant_without_the_feature_is_not_sent(tenant_a, sms_outbox):
    message = queue_sms(tenant_a)
    delivery.deliver_due()
    assert fresh(message).status == OutboundStatus.FAILED
    assert sms_outbox == []


def test_sms_needs_the_switch_a_mobile_and_consent(sms_tenant, contact):
    assert sms_allowed(sms_tenant, contact)
    contact.consent_sms = False
    assert not sms_allowed(sms_tenant, contact)
    contact.consent_sms = True
    sms_tenant.sms_enabled = False
    assert not sms_allowed(sms_tenant, contact)


# --- HTTP gateway ---------------------------------------------------------------------------


@dataclass
class Gateway:
    """A local HTTP server standing in for the SMS provider."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    # (status, body) answers, used in turn; the last one repeats.
    answers: list[tuple[int, str]] = field(default_factory=list)

    def answer(self) -> tuple[int, str]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    gateway = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            gateway.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": self.rfile.read(length),
                }
            )
            status, body = gateway.answer()
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    gateway.answers = [(201, '{"id": "gw-4711", "status": "accepted"}')]
    settings.SMS_BACKEND = "theke.messaging.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TOKEN = "token-123"
    settings.SMS_HTTP_TIMEOUT = 5
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


def test_http_gateway_gets_the_json_body_and_its_id_is_stored(gateway, sms_tenant):
    text = 'Sagen Sie "ja" oder \\nein\\ –\nZeile 2 {to}'
    message = queue_sms(sms_tenant, text=text)

    assert delivery.deliver_due() == 1

    [request] = gateway.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["Authorization"] == "Bearer token-123"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {
        "to": "+491712345678",
        "text": text,
        "from": "Alpha",
        "reference": str(message.pk),
    }
    message = fresh(message)
    assert message.status == OutboundStatus.SENT
    assert message.provider_id == "gw-4711"


def test_http_gateway_with_own_body_basic_auth_and_nested_id(gateway, sms_tenant, settings):
    settings.SMS_HTTP_TOKEN = ""
    settings.SMS_HTTP_USERNAME = "alpha"
    settings.SMS_HTTP_PASSWORD = "geheim"
    settings.SMS_HTTP_BODY = '{"messages": [{"destination": "{to}", "content": "{text}"}]}'
    settings.SMS_HTTP_ID_FIELD = "messages.0.messageId"
    gateway.answers = [(200, '{"messages": [{"messageId": "m-1"}]}')]
    message = queue_sms(sms_tenant)

    delivery.deliver_due()

    [request] = gateway.requests
    expected = "Basic " + base64.b64encode(b"alpha:geheim").decode()
    assert request["headers"]["Authorization"] == expected
    body = json.loads(request["body"])
    assert body["messages"][0]["destination"] == "+491712345678"
    assert fresh(message).provider_id == "m-1"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_http_gateway_server_errors_are_retried(gateway, sms_tenant, status):
    gateway.answers = [(status, '{"error": "busy"}')]
    message = queue_sms(sms_tenant)
    assert delivery.deliver_due() == 0
    message = fresh(message)
    assert message.status == OutboundStatus.QUEUED
    assert message.attempts == 1
    assert str(status) in message.last_error


@pytest.mark.parametrize("status", [400, 401, 422])
def test_http_gateway_refusal_fails_at_once(gateway, sms_tenant, status):
    gateway.answers = [(status, '{"error": "invalid destination"}')]
    message = queue_sms(sms_tenant)
    assert delivery.deliver_due() == 0
    message = fresh(message)
    assert message.status == OutboundStatus.FAILED
    assert message.attempts == 1
    assert "invalid destination" in message.last_error
    with tenant_scope(sms_tenant):
        assert AuditEvent.objects.filter(action="message.failed").count() == 1


def test_unreachable_gateway_is_retried(settings, sms_tenant):
    settings.SMS_BACKEND = "theke.messaging.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{free_port()}/sms"
    message = queue_sms(sms_tenant)
    assert delivery.deliver_due() == 0
    message = fresh(message)
    assert message.status == OutboundStatus.QUEUED
    assert "not reachable" in message.last_error


def test_accepted_message_without_an_id_is_not_sent_twice(gateway, sms_tenant):
    gateway.answers = [(202, "accepted")]
    message = queue_sms(sms_tenant)
    assert delivery.deliver_due() == 1
    message = fresh(message)
    assert message.status == OutboundStatus.SENT
    assert message.provider_id == ""


def test_json_escaping_of_the_body_template(settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/"
    backend = sms.HttpSmsBackend()
    body = backend.body(sms.SmsMessage(to="+491712345678", text='a"b\\c\n\u2603', sender="X"))
    assert json.loads(body)["text"] == 'a"b\\c\n\u2603'


# --- delivery-status callback ---------------------------------------------------------------


@pytest.fixture
def sent_sms(sms_tenant: Any, settings: Any) -> OutboundMessage:
    settings.SMS_CALLBACK_SECRET = SECRET
    message = queue_sms(sms_tenant)
    delivery.deliver_due()
    return fresh(message)


def callback(client: Any, payload: Any, secret: str = SECRET) -> Any:
    url = reverse("messaging_hooks:sms_status", args=[secret])
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url, body, content_type="application/json")


def test_status_callback_stores_the_delivery_status(client, sent_sms):
    response = callback(client, {"id": sent_sms.provider_id, "status": "delivered"})
    assert response.status_code == 200
    assert response.json() == {"id": sent_sms.provider_id, "status": "delivered"}
    assert fresh(sent_sms).delivery_status == "delivered"
    with tenant_scope(sent_sms.tenant):
        assert not AuditEvent.objects.filter(action="message.undelivered").exists()


def test_status_callback_reporting_failure_is_audited(client, sent_sms):
    assert callback(client, {"id": sent_sms.provider_id, "status": "FAILED"}).status_code == 200
    assert fresh(sent_sms).delivery_status == "failed"
    with tenant_scope(sent_sms.tenant):
        assert AuditEvent.objects.filter(action="message.undelivered").count() == 1


def test_status_callback_with_a_wrong_secret_is_not_found(client, sent_sms):
    response = callback(client, {"id": sent_sms.provider_id, "status": "delivered"}, "wrong")
    assert response.status_code == 404
    assert fresh(sent_sms).delivery_status == ""


def test_status_callback_is_off_without_a_configured_secret(client, sent_sms, settings):
    settings.SMS_CALLBACK_SECRET = ""
    response = callback(client, {"id": sent_sms.provider_id, "status": "delivered"}, "x")
    assert response.status_code == 404
    assert (
        client.post("/hooks/sms/status//", "{}", content_type="application/json").status_code == 404
    )


@pytest.mark.parametrize(
    "body", ["{not json", b"\xff\xfe", "[1, 2]", '"delivered"', '{"id": "x"}', '{"status": 5}']
)
def test_status_callback_with_bad_json_answers_400_problem(client, sent_sms, body):
    response = callback(client, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_status_callback_for_an_unknown_id_is_not_found(client, sent_sms):
    response = callback(client, {"id": "gw-unknown", "status": "delivered"})
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_status_callback_only_accepts_post(client, sent_sms):
    url = reverse("messaging_hooks:sms_status", args=[SECRET])
    assert client.get(url).status_code == 405


def test_status_callback_needs_no_csrf_token(sent_sms):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = callback(csrf_client, {"id": sent_sms.provider_id, "status": "delivered"})
    assert response.status_code == 200
