"""The customer page's orders, invoices and quotes in Chromium, on a phone and a desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    new_page,
    screenshot,
    wider_than_viewport,
)

from .conftest import PDF, Master
from .test_staff_views import documents  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_customer_page_shows_documents_and_downloads_the_pdf(
    browser: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    master: Master,
    documents: dict[str, Any],  # noqa: F811
    viewport: dict[str, int],
) -> None:
    client.force_login(owner)
    page = new_page(browser, viewport)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    try:
        page.goto(live_server.url + reverse("customers:detail", args=[master.customer.pk]))
        section = page.locator("#documents")
        section.scroll_into_view_if_needed()
        assert section.get_by_role("heading", name="Aufträge, Rechnungen, Angebote").is_visible()
        orders = page.locator("#customer-orders")
        assert "RA-4711" in orders.inner_text() and "Geplant" in orders.inner_text()
        assert wider_than_viewport(page) == []
        screenshot(page, "orders-customer-documents")
        with page.expect_download() as download:
            page.locator("#customer-invoices").get_by_role("link", name="RE-2026-001").click()
        path = download.value.path()
        assert path is not None
        assert Path(path).read_bytes() == PDF
        assert download.value.suggested_filename == "Rechnung-RE-2026-001.pdf"
    finally:
        page.context.close()
