"""The customer list and page in Chromium, on a phone and on a desktop."""

from __future__ import annotations

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
from theke.customers.tests.conftest import Shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in_page(browser: Any, viewport: dict[str, int], client: Any, user: Any, url: str) -> Any:
    client.force_login(user)
    page = new_page(browser, viewport)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": url}])
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_search_as_you_type_and_customer_page(
    browser: Any, live_server: Any, client: Any, owner: Any, shop: Shop, viewport: dict[str, int]
) -> None:
    page = logged_in_page(browser, viewport, client, owner, live_server.url)
    try:
        check_list_and_customer_page(page, live_server.url, shop)
    finally:
        # Close before the live server goes: late requests would hit a torn-down database.
        page.context.close()


def check_list_and_customer_page(page: Any, base_url: str, shop: Shop) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(base_url + reverse("customers:list"))
    results = page.locator("#customer-results")
    assert "Müller Logistik GmbH" in results.inner_text()
    page.locator("#customer-search").press_sequentially("schulz", delay=20)
    page.wait_for_url("**/staff/customers/?q=schulz")
    results.get_by_text("Erika Schulz").wait_for()
    assert "Müller Logistik GmbH" not in results.inner_text()
    assert wider_than_viewport(page) == []
    screenshot(page, "customers-list-search")

    page.goto(base_url + reverse("customers:detail", args=[shop.customer.pk]))
    page.get_by_role("heading", name="Verlauf").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "customers-detail")

    page.goto(base_url + reverse("customers:contact_create", args=[shop.customer.pk]))
    assert wider_than_viewport(page) == []
    screenshot(page, "customers-contact-form")
    # No CSP refusal and no script error (the missing favicon's 404 is not ours).
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []
