"""Staff pages of webhooks: create, edit, rotate, on/off, test event, delivery log, resend."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from standardwebhooks import Webhook

from conftest import make_staff
from theke.api.models import WebhookEndpoint
from theke.audit.models import AuditEvent
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.tenants.scoping import tenant_scope

from .conftest import make_endpoint
from .receiver import Receiver
from .test_webhooks import emit, fresh, webhook_messages

pytestmark = pytest.mark.django_db


def only_endpoint() -> WebhookEndpoint:
    with scopes_disabled():
        return WebhookEndpoint.objects.get()


def test_create_then_the_detail_page_shows_the_secret(
    owner_client: Any, loopback_tenant: Any, receiver: Receiver
) -> None:
    response = owner_client.post(
        reverse("api:webhook_create"),
        {"url": receiver.url, "description": "Warenwirtschaft", "event_types": "estimate.*"},
    )
    endpoint = only_endpoint()
    assert response.status_code == 302
    assert response["Location"] == reverse("api:webhook_detail", args=[endpoint.pk])
    assert endpoint.tenant == loopback_tenant and endpoint.event_types == ["estimate.*"]
    detail = owner_client.get(response["Location"])
    assert "no-store" in detail["Cache-Control"]
    html = detail.content.decode()
    assert endpoint.secret in html and "Warenwirtschaft" in html
    assert "Hinterlegen Sie den Signaturschlüssel" in html
    listing = owner_client.get(reverse("api:webhook_list")).content.decode()
    assert receiver.url in listing and endpoint.secret not in listing
    with tenant_scope(loopback_tenant):
        assert AuditEvent.objects.filter(action="webhook.created").count() == 1


def test_create_refuses_loopback_with_a_clear_message(owner_client: Any, tenant_a: Any) -> None:
    response = owner_client.post(
        reverse("api:webhook_create"), {"url": "http://127.0.0.1:8000/hook"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    assert "zeigt auf ein privates oder lokales Netz (127.0.0.1)" in response.content.decode()
    with scopes_disabled():
        assert not WebhookEndpoint.objects.exists()


def test_create_refuses_other_schemes(owner_client: Any, tenant_a: Any) -> None:
    response = owner_client.post(reverse("api:webhook_create"), {"url": "ftp://example.com/x"})
    assert response.status_code == 200
    assert "http:// oder https://" in response.content.decode()


def test_create_refuses_bad_event_types(owner_client: Any, loopback_tenant: Any) -> None:
    response = owner_client.post(
        reverse("api:webhook_create"),
        {"url": "http://127.0.0.1:9/hook", "event_types": "estimate accepted!"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["event_types"]


def test_list_shows_the_operator_setting_read_only(owner_client: Any, tenant_a: Any) -> None:
    html = owner_client.get(reverse("api:webhook_list")).content.decode()
    assert "Private und lokale Zieladressen" in html and "nicht erlaubt" in html
    assert "webhooks_allow_private_targets" not in html


def test_edit_changes_url_and_event_types(owner_client: Any, loopback_tenant: Any) -> None:
    endpoint = make_endpoint(loopback_tenant, "http://127.0.0.1:9/old")
    url = reverse("api:webhook_edit", args=[endpoint.pk])
    assert "http://127.0.0.1:9/old" in owner_client.get(url).content.decode()
    response = owner_client.post(
        url, {"url": "http://127.0.0.1:9/new", "description": "", "event_types": "lead.*"}
    )
    assert response.status_code == 302
    endpoint = fresh(endpoint)
    assert endpoint.url == "http://127.0.0.1:9/new" and endpoint.event_types == ["lead.*"]
    with tenant_scope(loopback_tenant):
        [event] = AuditEvent.objects.filter(action="webhook.updated")
    assert event.data["changes"]["url"] == ["http://127.0.0.1:9/old", "http://127.0.0.1:9/new"]


def test_rotate_asks_then_rotates(owner_client: Any, loopback_tenant: Any) -> None:
    endpoint = make_endpoint(loopback_tenant, "http://127.0.0.1:9/hook")
    url = reverse("api:webhook_rotate", args=[endpoint.pk])
    assert "24 Stunden" in owner_client.get(url).content.decode()
    assert fresh(endpoint).secret == endpoint.secret
    assert owner_client.post(url).status_code == 302
    rotated = fresh(endpoint)
    assert rotated.secret != endpoint.secret
    detail = owner_client.get(reverse("api:webhook_detail", args=[endpoint.pk])).content.decode()
    assert "Der bisherige Schlüssel signiert noch bis" in detail


def test_disable_and_enable_by_hand(owner_client: Any, loopback_tenant: Any) -> None:
    endpoint = make_endpoint(loopback_tenant, "http://127.0.0.1:9/hook")
    assert owner_client.get(reverse("api:webhook_disable", args=[endpoint.pk])).status_code == 405
    owner_client.post(reverse("api:webhook_disable", args=[endpoint.pk]))
    assert not fresh(endpoint).is_active
    detail = owner_client.get(reverse("api:webhook_detail", args=[endpoint.pk])).content.decode()
    assert "Von Hand deaktiviert." in detail
    owner_client.post(reverse("api:webhook_enable", args=[endpoint.pk]))
    assert fresh(endpoint).is_active


def test_test_button_sends_a_signed_test_event(
    owner_client: Any, loopback_tenant: Any, receiver: Receiver
) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    response = owner_client.post(reverse("api:webhook_test", args=[endpoint.pk]), follow=True)
    assert "webhook.test" in response.content.decode()
    assert delivery.deliver_due() == 1
    [request] = receiver.requests
    assert Webhook(endpoint.secret).verify(request.body, request.headers)["type"] == "webhook.test"
    detail = owner_client.get(reverse("api:webhook_detail", args=[endpoint.pk])).content.decode()
    assert "HTTP 200" in detail


def test_delivery_log_shows_attempts_and_redelivers_with_the_same_id(
    owner_client: Any, loopback_tenant: Any, receiver: Receiver
) -> None:
    endpoint = make_endpoint(loopback_tenant, receiver.url)
    receiver.answer(410)
    emit(loopback_tenant)
    delivery.deliver_due()
    [message] = webhook_messages(loopback_tenant)
    assert message.status == OutboundStatus.FAILED
    detail_url = reverse("api:webhook_delivery_detail", args=[message.pk])
    html = owner_client.get(detail_url).content.decode()
    assert "HTTP 410" in html and message.headers["webhook-id"] in html
    assert "KV-4711" in html
    assert "Erneut senden" not in html  # the endpoint was disabled by the 410

    owner_client.post(reverse("api:webhook_enable", args=[endpoint.pk]))
    html = owner_client.get(detail_url).content.decode()
    assert "Erneut senden" in html
    response = owner_client.post(
        reverse("api:webhook_delivery_resend", args=[message.pk]), follow=True
    )
    assert "Die Zustellung wird erneut gesendet." in response.content.decode()
    assert fresh(message).status == OutboundStatus.QUEUED and fresh(message).attempts == 0
    assert delivery.deliver_due() == 1
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert fresh(message).status == OutboundStatus.SENT
    listing = owner_client.get(
        reverse("api:webhook_detail", args=[endpoint.pk]), {"status": "sent"}
    )
    assert "estimate.accepted" in listing.content.decode()


def test_resend_of_a_disabled_endpoints_delivery_is_refused(
    owner_client: Any, loopback_tenant: Any, receiver: Receiver
) -> None:
    make_endpoint(loopback_tenant, receiver.url)
    receiver.answer(410)
    emit(loopback_tenant)
    delivery.deliver_due()
    [message] = webhook_messages(loopback_tenant)
    response = owner_client.post(
        reverse("api:webhook_delivery_resend", args=[message.pk]), follow=True
    )
    assert "Der Endpunkt ist deaktiviert." in response.content.decode()
    assert fresh(message).status == OutboundStatus.FAILED


def test_an_email_is_no_webhook_delivery(owner_client: Any, tenant_a: Any) -> None:
    from theke.messaging.services.outbox import queue_message

    with tenant_scope(tenant_a):
        mail = queue_message(
            tenant_a, channel=Channel.EMAIL, purpose="x", recipient="a@b.test", dedupe_key="x"
        )
    url = reverse("api:webhook_delivery_detail", args=[mail.pk])
    assert owner_client.get(url).status_code == 404


def test_outsider_gets_404_for_endpoints_of_tenant_a(
    outsider_client: Any, loopback_tenant: Any
) -> None:
    endpoint = make_endpoint(loopback_tenant, "http://127.0.0.1:9/hook")
    for name in ("webhook_detail", "webhook_edit", "webhook_rotate"):
        assert outsider_client.get(reverse(f"api:{name}", args=[endpoint.pk])).status_code == 404
    for name in ("webhook_disable", "webhook_rotate", "webhook_test", "webhook_edit"):
        response = outsider_client.post(
            reverse(f"api:{name}", args=[endpoint.pk]), {"url": "http://127.0.0.1:9/x"}
        )
        assert response.status_code == 404
    endpoint = fresh(endpoint)
    assert endpoint.is_active and endpoint.url == "http://127.0.0.1:9/hook"
    with scopes_disabled():
        assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize("role", ["Serviceberater", "Techniker"])
def test_colleagues_without_the_right_are_refused(client: Any, tenant_a: Any, role: str) -> None:
    client.force_login(make_staff(tenant_a, "worker@alpha.test", "Wera Werk", role))
    assert client.get(reverse("api:webhook_list")).status_code == 403
    assert client.post(reverse("api:webhook_create"), {"url": "https://x.test/"}).status_code == 403


def test_anonymous_users_go_to_the_login(client: Any) -> None:
    response = client.get(reverse("api:webhook_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_settings_and_key_pages_link_to_webhooks(owner_client: Any) -> None:
    webhooks = reverse("api:webhook_list")
    assert webhooks in owner_client.get(reverse("tenants:settings")).content.decode()
    assert webhooks in owner_client.get(reverse("api:key_list")).content.decode()


def test_only_platform_operators_switch_private_targets_on(
    owner_client: Any, tenant_a: Any, django_user_model: Any
) -> None:
    from django.test import Client

    from theke.tenants.models import Tenant

    root = django_user_model.objects.create_superuser("root@theke.test", "pw", full_name="Root")
    operator = Client()
    operator.force_login(root)
    page = operator.get(reverse("admin:tenants_tenant_change", args=[tenant_a.pk]))
    assert b"webhooks_allow_private_targets" in page.content
    # The tenant's own settings page does not offer it.
    response = owner_client.get(reverse("tenants:tenant_edit"))
    assert response.status_code == 200
    assert "webhooks_allow_private_targets" not in response.content.decode()
    assert not Tenant.objects.get(pk=tenant_a.pk).webhooks_allow_private_targets


def test_the_general_delivery_log_shows_webhook_deliveries_too(
    owner_client: Any, loopback_tenant: Any, receiver: Receiver
) -> None:
    make_endpoint(loopback_tenant, receiver.url)
    emit(loopback_tenant)
    delivery.deliver_due()
    [message] = webhook_messages(loopback_tenant)
    listing = owner_client.get(reverse("messaging:delivery_list"), {"channel": "webhook"})
    assert receiver.url in listing.content.decode()
    detail = owner_client.get(reverse("messaging:delivery_detail", args=[message.pk]))
    assert detail.status_code == 200 and "estimate.accepted" in detail.content.decode()
