"""A customer on a phone (390 x 844) sees the red count at "Angebote", reads sales' answer
with its PDF and answers with a file; the answer goes to sales by e-mail."""

from __future__ import annotations

from typing import Any

import pytest

from theke.core.tests.browser import PHONE, new_page, wider_than_viewport
from theke.messaging.models import OutboundMessage
from theke.messaging.services.inbound import receive_message
from theke.portal.services import quotes
from theke.portal.tests.quotetools import SALES, new_request, sales_answer, set_sales
from theke.portal.tests.world import make_world, portal_client, url
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_reading_and_answering_a_quote_on_a_phone(
    browser: Any, live_server: Any, tenant_a: Any, media_root: Any, tmp_path: Any
) -> None:
    world = make_world(tenant_a)
    set_sales(tenant_a)
    request = new_request(world.admin, location=world.locations[0])
    assert receive_message(sales_answer(request, "reply_address")).status == "processed"
    client = portal_client(world.admin)
    page = new_page(browser, PHONE)
    page.context.add_cookies(
        [
            {"name": name, "value": morsel.value, "url": live_server.url}
            for name, morsel in client.cookies.items()
        ]
    )
    try:
        page.goto(live_server.url + url("quotes", world))
        menu_item = page.locator(".portal-menu .nav-link.active")
        assert "1" in menu_item.inner_text()
        page.locator("#quote-tabs").get_by_role("link", name="Ungelesen").click()
        page.get_by_text(request.number).click()
        page.wait_for_url(f"**/angebote/anfragen/{request.pk}/")
        thread = page.locator("#quote-thread")
        assert "anbei unser Angebot" in thread.inner_text()
        with page.expect_download() as download:
            page.get_by_role("link", name="Angebot 4711.pdf").click()
        assert download.value.suggested_filename == "Angebot 4711.pdf"
        assert wider_than_viewport(page) == []
        assert page.locator(".portal-menu .badge").count() == 0  # read now
        upload = tmp_path / "Rückfrage.pdf"
        upload.write_bytes(b"%PDF-1.4\n%%EOF\n")
        page.get_by_label("Nachricht").fill("Geht es auch ab April?")
        page.get_by_label("Anhänge").set_input_files(str(upload))
        page.get_by_role("button", name="Antwort senden").click()
        page.get_by_text("Ihre Antwort wurde gesendet.").wait_for()
        assert "Geht es auch ab April?" in page.locator("#quote-thread").inner_text()
        assert "Rückfrage.pdf" in page.locator("#quote-thread").inner_text()
    finally:
        page.context.close()
    with tenant_scope(tenant_a):
        sent = OutboundMessage.objects.filter(recipient=SALES).order_by("-id").first()
        assert quotes.unread_count(world.admin) == 0
    assert sent is not None and "Geht es auch ab April?" in sent.body_text
