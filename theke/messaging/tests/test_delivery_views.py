"""The delivery log: per-tenant list with filters, detail, "send again", the customer page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.outbox import queue_message
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        customer = customers.create_customer(tenant_a, SYSTEM, kind="person", last_name="Kunde")
        customers.add_contact(customer, SYSTEM, last_name="Kunde", email="klara@kunde.test")
        return customer


def queue(tenant: Any, recipient: str, channel: str = Channel.EMAIL, **values: Any) -> Any:
    with tenant_scope(tenant):
        return queue_message(
            tenant,
            channel=channel,
            purpose="estimate_link",
            recipient=recipient,
            dedupe_key=f"view-test:{recipient}",
            subject=values.pop("subject", f"Betreff für {recipient}"),
            text="Hallo",
            **values,
        )


def set_status(message: Any, status: str, **values: Any) -> None:
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=message.pk).update(status=status, **values)


def test_list_shows_the_tenants_messages_only(owner_client, tenant_a, tenant_b):
    queue(tenant_a, "anna@kunde.test")
    queue(tenant_b, "bernd@beta.test")
    response = owner_client.get(reverse("messaging:delivery_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "anna@kunde.test" in body
    assert "bernd@beta.test" not in body
    assert 'href="/staff/messages/deliveries/"' in body  # the "Versand" nav entry


def test_list_filters_by_status_channel_and_recipient(owner_client, tenant_a):
    failed = queue(tenant_a, "fehler@kunde.test")
    set_status(failed, OutboundStatus.FAILED, last_error="550 mailbox unavailable")
    queue(tenant_a, "wartet@kunde.test")
    queue(tenant_a, "+491712345678", channel=Channel.SMS)
    url = reverse("messaging:delivery_list")

    body = owner_client.get(url, {"status": "failed"}).content.decode()
    assert "fehler@kunde.test" in body
    assert "wartet@kunde.test" not in body

    body = owner_client.get(url, {"channel": "sms"}).content.decode()
    assert "+491712345678" in body
    assert "wartet@kunde.test" not in body

    body = owner_client.get(url, {"q": "WARTET"}).content.decode()
    assert "wartet@kunde.test" in body
    assert "fehler@kunde.test" not in body

    # Unknown filter values are ignored, not an error.
    response = owner_client.get(url, {"status": "x", "channel": "y", "customer": "z", "page": "9"})
    assert response.status_code == 200


def test_list_answers_htmx_with_the_results_only(owner_client, tenant_a):
    queue(tenant_a, "anna@kunde.test")
    response = owner_client.get(
        reverse("messaging:delivery_list"), {"q": "anna"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "anna@kunde.test" in body
    assert "<nav" not in body.split("anna@kunde.test")[0]  # no page layout around it


def test_detail_shows_content_attempts_and_last_error(owner_client, tenant_a):
    message = queue(tenant_a, "fehler@kunde.test", html="<p>HTML-Teil</p>")
    set_status(message, OutboundStatus.FAILED, attempts=3, last_error="550 5.1.1 unknown user")
    response = owner_client.get(reverse("messaging:delivery_detail", args=[message.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Betreff für fehler@kunde.test" in body
    assert "550 5.1.1 unknown user" in body
    assert "&lt;p&gt;HTML-Teil&lt;/p&gt;" in body  # shown as source, never rendered
    assert reverse("messaging:delivery_resend", args=[message.pk]) in body


def test_resend_button_puts_a_failed_message_back_in_the_queue(owner_client, tenant_a):
    message = queue(tenant_a, "fehler@kunde.test")
    set_status(message, OutboundStatus.FAILED, attempts=8, last_error="boom")
    url = reverse("messaging:delivery_resend", args=[message.pk])

    assert owner_client.get(url).status_code == 405
    response = owner_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:delivery_detail", args=[message.pk])
    with scopes_disabled():
        message.refresh_from_db()
    assert message.status == OutboundStatus.QUEUED
    assert message.attempts == 0
    assert message.last_error == ""


def test_resend_of_a_waiting_message_is_refused_with_a_message(owner_client, tenant_a):
    message = queue(tenant_a, "wartet@kunde.test")
    response = owner_client.post(
        reverse("messaging:delivery_resend", args=[message.pk]), follow=True
    )
    assert "wird gerade gesendet oder wartet bereits" in response.content.decode()


def test_outsider_gets_404(outsider_client, tenant_a):
    message = queue(tenant_a, "anna@kunde.test")
    set_status(message, OutboundStatus.FAILED)
    assert (
        outsider_client.get(reverse("messaging:delivery_detail", args=[message.pk])).status_code
        == 404
    )
    response = outsider_client.post(reverse("messaging:delivery_resend", args=[message.pk]))
    assert response.status_code == 404
    with scopes_disabled():
        assert OutboundMessage.objects.get(pk=message.pk).status == OutboundStatus.FAILED


def test_staff_without_the_permission_is_refused(client, tenant_a):
    techniker = make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker")
    client.force_login(techniker)
    message = queue(tenant_a, "anna@kunde.test")
    assert client.get(reverse("messaging:delivery_list")).status_code == 403
    assert client.get(reverse("messaging:delivery_detail", args=[message.pk])).status_code == 403
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'href="/staff/messages/deliveries/"' not in body


def test_colleague_has_the_delivery_log(colleague, client, tenant_a):
    client.force_login(colleague)
    assert client.get(reverse("messaging:delivery_list")).status_code == 200


def test_customer_page_lists_messages_to_its_contacts(owner_client, tenant_a, customer):
    with tenant_scope(tenant_a):
        contact = customer.contacts.get()
    message = queue(tenant_a, "klara@kunde.test", contact=contact)
    set_status(message, OutboundStatus.FAILED, last_error="550 mailbox unavailable")
    queue(tenant_a, "fremd@kunde.test")

    body = owner_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()

    assert "Gesendete Nachrichten" in body
    assert reverse("messaging:delivery_detail", args=[message.pk]) in body
    assert "550 mailbox unavailable" in body
    assert "fremd@kunde.test" not in body

    filtered = owner_client.get(reverse("messaging:delivery_list"), {"customer": customer.pk})
    assert "klara@kunde.test" in filtered.content.decode()
    assert "fremd@kunde.test" not in filtered.content.decode()


def test_customer_page_without_the_permission_has_no_delivery_log(client, tenant_a, customer):
    techniker = make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker")
    client.force_login(techniker)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Gesendete Nachrichten" not in body


def test_deliveries_partial_renders_for_any_object(tenant_a, customer):
    from django.template.loader import render_to_string

    queue(tenant_a, "anna@kunde.test", related=customer)
    with tenant_scope(tenant_a):
        html = render_to_string(
            "messaging/_deliveries.html",
            {"deliveries": list(delivery.deliveries_for(customer)), "deliveries_url": "/x/"},
        )
    assert "anna@kunde.test" in html
    assert 'href="/x/"' in html


def test_failed_deliveries_wait_on_the_start_page_for_a_while(owner_client, tenant_a):
    from datetime import timedelta

    from django.utils import timezone

    recent = queue(tenant_a, "neu@kunde.test")
    set_status(recent, OutboundStatus.FAILED)
    old = queue(tenant_a, "alt@kunde.test")
    set_status(old, OutboundStatus.FAILED, created_at=timezone.now() - timedelta(days=20))
    queue(tenant_a, "wartet@kunde.test")

    dashboard = owner_client.get(reverse("core:dashboard")).content.decode()
    link = f"{reverse('messaging:delivery_list')}?status=failed&amp;days=14"
    tile = dashboard.split(f'href="{link}"', 1)[1].split("</a>", 1)[0]
    assert '<span class="todo-count" aria-hidden="true">1</span>' in tile
    assert "Fehlgeschlagene Zustellungen" in tile

    listed = owner_client.get(link.replace("&amp;", "&")).content.decode()
    assert "neu@kunde.test" in listed
    assert "alt@kunde.test" not in listed  # older than the tile's days
    assert "wartet@kunde.test" not in listed


def test_the_detail_names_the_purpose_in_words(owner_client, tenant_a):
    message = queue(tenant_a, "anna@kunde.test")
    body = owner_client.get(reverse("messaging:delivery_detail", args=[message.pk]))
    assert "Link zum Kostenvoranschlag" in body.content.decode()
    assert ">estimate_link<" not in body.content.decode()
