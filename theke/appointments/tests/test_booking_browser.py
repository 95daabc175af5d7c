"""Online booking in Chromium on a phone (390×844): a customer books and cancels through the
link of the e-mail; a booking completes inside the embed on a page of another origin."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.appointments.models import BookingSettings, Lead, LeadStatus
from theke.core.tests.browser import PHONE, screenshot, wider_than_viewport
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .booking_browser import book_through_the_pages, start_url
from .booking_fixtures import Bookable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_books_and_cancels_through_the_link(
    open_page: Any, live_server: Any, bookable: Bookable
) -> None:
    with tenant_scope(bookable.tenant):
        # Half a day: the first free slot is at least a day ahead (the minimum notice).
        BookingSettings.objects.create(tenant=bookable.tenant, cancel_cutoff_hours=12)
    page = open_page(PHONE)
    page.goto(start_url(live_server.url, bookable))
    assert wider_than_viewport(page) == []
    book_through_the_pages(page)
    screenshot(page, "booking-thanks")
    with scopes_disabled():
        lead = Lead.objects.get()
        message = OutboundMessage.objects.get(purpose="booking_received")
    assert lead.status == LeadStatus.NEW and lead.license_plate == "B-EB 123"
    found = re.search(r"/anfrage/[A-Za-z0-9_-]+/", message.body_text)
    assert found is not None
    page.goto(live_server.url + found.group(0))
    page.get_by_role("heading", name="Ihre Terminanfrage").wait_for()
    assert wider_than_viewport(page) == []
    page.get_by_role("button", name="Anfrage stornieren").click()
    page.get_by_role("button", name="Ja, Anfrage stornieren").click()
    page.get_by_text("Ihre Terminanfrage ist storniert.").wait_for()
    page.get_by_text("Von Kunden storniert").wait_for()
    screenshot(page, "booking-lead-cancelled")
    with scopes_disabled():
        assert Lead.objects.get().status == LeadStatus.CANCELLED_BY_CUSTOMER


class _HostPage(http.server.BaseHTTPRequestHandler):
    """The tenant's own website: one page with the booking iframe."""

    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def host_site() -> Iterator[tuple[str, type[_HostPage]]]:
    """Another origin (127.0.0.1, while the live server is localhost) serving the embed."""
    handler = type("HostPage", (_HostPage,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_a_booking_completes_inside_the_embed_on_another_origin(
    open_page: Any,
    live_server: Any,
    bookable: Bookable,
    host_site: tuple[str, type[_HostPage]],
) -> None:
    origin, handler = host_site
    assert "localhost" in live_server.url  # a site other than 127.0.0.1
    with tenant_scope(bookable.tenant):
        BookingSettings.objects.create(tenant=bookable.tenant, embed_origins=origin)
    src = start_url(live_server.url, bookable, embed=True)
    handler.body = (
        "<!doctype html><html lang='de'><head><title>Autohaus Alpha</title></head><body>"
        "<h1>Willkommen</h1>"
        f"<iframe title='Termin buchen' src='{src}' width='380' height='760'></iframe>"
        "</body></html>"
    ).encode()
    page = open_page(PHONE)
    page.goto(origin + "/")
    frame = page.frame_locator("iframe")
    book_through_the_pages(frame)
    screenshot(page, "booking-embed-thanks")
    with scopes_disabled():
        lead = Lead.objects.get()
    assert lead.email == "eva@kunde.test" and lead.status == LeadStatus.NEW


def test_the_embed_is_refused_on_a_site_not_allowed(
    open_page: Any,
    live_server: Any,
    bookable: Bookable,
    host_site: tuple[str, type[_HostPage]],
) -> None:
    origin, handler = host_site
    src = start_url(live_server.url, bookable, embed=True)
    handler.body = f"<!doctype html><iframe title='x' src='{src}'></iframe>".encode()
    page = open_page(PHONE)
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    page.goto(origin + "/")
    page.wait_for_timeout(500)
    frame = page.frames[-1]
    assert frame.url in ("about:blank", "chrome-error://chromewebdata/", src) or blocked
    assert page.frame_locator("iframe").get_by_role("heading", name="Leistungen").count() == 0
