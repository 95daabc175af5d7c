"""A staff member follows the bell to a customer's reply and answers with a file, in Chromium
on a phone and on a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    new_page,
    screenshot,
    wider_than_viewport,
)
from theke.messaging.models import ConversationMessage, OutboundMessage
from theke.messaging.services import conversations
from theke.messaging.services.inbound import receive_message
from theke.messaging.tests.mailtools import PHOTO, QUOTED_REPLY_DE, mail, make_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_from_the_bell_to_the_thread_and_a_reply_with_a_file(
    browser: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    media_root: Any,
    tmp_path: Any,
    viewport: dict[str, int],
) -> None:
    thread = make_thread(tenant_a)
    address = conversations.reply_address(thread.conversation)
    reply = mail(
        to=address,
        text=QUOTED_REPLY_DE.format(reply=address),
        attachments=(("schaden.png", "image/png", PHOTO),),
    )
    assert receive_message(reply).status == "processed"
    client.force_login(owner)
    page = new_page(browser, viewport)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    try:
        page.goto(live_server.url + reverse("core:dashboard"))
        assert page.locator("#notification-count").inner_text() == "1"
        page.locator("#notifications").click()
        page.get_by_text("Neue Nachricht von Hans Müller").click()
        page.wait_for_url(f"**/conversations/{thread.conversation.pk}/")
        assert "Dienstag um 9 Uhr passt mir." in page.locator(".conversation").inner_text()
        assert "schrieb" not in page.locator(".conversation").inner_text()
        assert page.locator("#notification-count").count() == 0
        assert wider_than_viewport(page) == []
        screenshot(page, "conversation-thread")
        upload = tmp_path / "Termin.pdf"
        upload.write_bytes(b"%PDF-1.4 Termin")
        page.get_by_label("Antwort").fill("Danke, wir holen den Wagen am Dienstag ab.")
        page.get_by_label("Anhänge").set_input_files(str(upload))
        page.get_by_role("button", name="Senden").click()
        page.get_by_text("Ihre Nachricht wurde gespeichert.").wait_for()
        assert "Termin.pdf" in page.locator(".conversation").inner_text()
        assert wider_than_viewport(page) == []
    finally:
        page.context.close()
    with scopes_disabled():
        assert ConversationMessage.objects.count() == 2
        outbound = OutboundMessage.objects.get(conversation=thread.conversation)
    assert outbound.reply_to == address
