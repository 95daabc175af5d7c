"""An admin sets up a webhook on a phone, sends a test event and reads the delivery log."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from conftest import PASSWORD
from theke.core.tests.browser import PHONE, log_in, new_page, screenshot, wider_than_viewport

from .receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_creates_a_webhook_sends_a_test_and_reads_the_log_on_a_phone(
    browser: Any, live_server: Any, owner: Any, loopback_tenant: Any, receiver: Receiver
) -> None:
    page = new_page(browser, PHONE)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    try:
        log_in(page, live_server.url, owner.email, PASSWORD)
        page.goto(f"{live_server.url}/staff/settings/")
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
        page.get_by_role("link", name="Neuer Endpunkt").click()

        page.get_by_label("Adresse (URL)").fill(receiver.url)
        page.get_by_label("Beschreibung").fill("Warenwirtschaft Filiale Nord")
        page.get_by_label("Ereignistypen").fill("estimate.*\nlead.cancelled")
        assert wider_than_viewport(page) == []
        screenshot(page, "staff-webhook-form")
        page.get_by_role("button", name="Speichern").click()

        expect(page.get_by_text("Der Endpunkt wurde angelegt.")).to_be_visible()
        expect(page.get_by_role("heading", name="Warenwirtschaft Filiale Nord")).to_be_visible()
        page.get_by_text("Schlüssel anzeigen").click()
        secret = page.get_by_role("textbox", name="Signaturschlüssel").input_value()
        assert secret.startswith("whsec_")
        assert wider_than_viewport(page) == []
        screenshot(page, "staff-webhook-detail")

        # The test task backend sends at once, to the receiver on 127.0.0.1.
        page.get_by_role("button", name="Test senden").click()
        expect(page.get_by_text("Ein Testereignis (webhook.test)")).to_be_visible()
        [request] = receiver.requests
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"
        delivery = page.get_by_role("link", name="webhook.test")
        expect(delivery).to_contain_text("HTTP 200")
        expect(delivery).to_contain_text("gesendet")
        assert wider_than_viewport(page) == []
        screenshot(page, "staff-webhook-log")

        delivery.click()
        expect(page.get_by_text(request.headers["webhook-id"])).to_be_visible()
        expect(page.get_by_text("HTTP 200")).to_be_visible()
        assert wider_than_viewport(page) == []
        screenshot(page, "staff-webhook-delivery")

        page.get_by_role("button", name="Erneut senden").click()
        expect(page.get_by_text("Die Zustellung wird erneut gesendet.")).to_be_visible()
        assert len(receiver.requests) == 2
        assert receiver.requests[1].headers["webhook-id"] == request.headers["webhook-id"]
        assert problems == []
    finally:
        page.context.close()
