"""Staff find a failed message in the delivery log and send it again, on phone and desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import PASSWORD
from theke.audit.services import SYSTEM
from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    log_in,
    new_page,
    screenshot,
    wider_than_viewport,
)
from theke.customers import services as customers
from theke.messaging.models import OutboundMessage, OutboundStatus
from theke.messaging.services import outbox
from theke.messaging.services.outbox import queue_message
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def failed_message(tenant_a: Any, monkeypatch: Any) -> Any:
    monkeypatch.setattr(outbox, "_kick_worker", lambda message_id: None)
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Greta", last_name="Hartmann"
        )
        contact = customers.add_contact(
            customer, SYSTEM, last_name="Hartmann", email="greta.hartmann@example.com"
        )
        queue_message(
            tenant_a,
            channel="email",
            purpose="estimate_link",
            recipient="andere@example.com",
            dedupe_key="ok",
            subject="Ihr Termin",
            text="Hallo",
        )
        message = queue_message(
            tenant_a,
            channel="email",
            purpose="estimate_link",
            recipient="greta.hartmann@example.com",
            recipient_name="Greta Hartmann",
            contact=contact,
            related=customer,
            dedupe_key="failed",
            subject="Ihr Kostenvoranschlag Nr. 4711 für Ihren BMW 320d Touring",
            text="Guten Tag Frau Hartmann,\nhier ist Ihr Kostenvoranschlag.",
            html="<p>Guten Tag Frau Hartmann,</p>",
        )
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundStatus.FAILED,
            attempts=8,
            last_error="SMTPRecipientsRefused: {'greta.hartmann@example.com': (550, "
            "b'5.1.1 mailbox unavailable')}",
        )
    return message


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_staff_resend_a_failed_message_from_the_delivery_log(
    browser: Any, live_server: Any, colleague: Any, failed_message: Any, viewport: Any
) -> None:
    page = new_page(browser, viewport)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    try:
        log_in(page, live_server.url, colleague.email, PASSWORD)
        page.goto(f"{live_server.url}/staff/messages/deliveries/")
        page.get_by_label("Status").select_option(label="fehlgeschlagen")
        results = page.locator("#delivery-results")
        expect(results.get_by_text("andere@example.com")).to_have_count(0)
        expect(results.get_by_role("link", name="greta.hartmann@example.com")).to_be_visible()
        assert wider_than_viewport(page) == []
        screenshot(page, "staff-deliveries")

        results.get_by_role("link", name="greta.hartmann@example.com").click()
        expect(page.get_by_text("5.1.1 mailbox unavailable")).to_be_visible()
        assert wider_than_viewport(page) == []
        screenshot(page, "staff-delivery-detail")

        page.get_by_role("button", name="Erneut senden").click()
        expect(page.get_by_text("Die Nachricht wird erneut gesendet.")).to_be_visible()
        # The test task backend delivers at once (to Django's test mailer).
        expect(page.locator("header .badge", has_text="gesendet")).to_be_visible()
        with scopes_disabled():
            message = OutboundMessage.objects.get(pk=failed_message.pk)
        assert message.status == OutboundStatus.SENT
        assert message.attempts == 1
        assert problems == []
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_staff_resend_every_failed_message_of_a_period(
    browser: Any, live_server: Any, colleague: Any, failed_message: Any, viewport: Any
) -> None:
    page = new_page(browser, viewport)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    try:
        log_in(page, live_server.url, colleague.email, PASSWORD)
        page.goto(f"{live_server.url}/staff/messages/deliveries/")
        form = page.locator("#resend-failed")
        form.get_by_text("Alle fehlgeschlagenen der Zeitspanne erneut senden").click()
        # The last seven days are proposed.
        expect(form.get_by_label("Letzter Tag")).not_to_have_value("")
        assert wider_than_viewport(page) == []
        screenshot(page, "staff-deliveries-resend-failed")

        form.get_by_role("button", name="Erneut senden").click()
        expect(
            page.get_by_text("1 fehlgeschlagene Nachricht wird erneut gesendet.")
        ).to_be_visible()
        # The test task backend runs the sweep at once (to Django's test mailer).
        with scopes_disabled():
            message = OutboundMessage.objects.get(pk=failed_message.pk)
        assert message.status == OutboundStatus.SENT
        assert problems == []
    finally:
        page.context.close()
