"""The appointments section of the customer page in Chromium, on a phone and on a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from theke.appointments.models import Appointment
from theke.core.tests.browser import (
    PHONE,
    VIEWPORT_IDS,
    VIEWPORTS,
    new_page,
    screenshot,
    wider_than_viewport,
)

from .conftest import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_customer_page_shows_the_appointment(
    browser: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    workshop: Workshop,
    appointment: Appointment,
    viewport: dict[str, int],
) -> None:
    client.force_login(owner)
    page = new_page(browser, viewport)
    try:
        cookie = client.cookies["sessionid"]
        page.context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
        )
        page.goto(live_server.url + reverse("customers:detail", args=[workshop.customer.pk]))
        section = page.locator("#appointments")
        section.get_by_text("Geplant").wait_for()
        assert "09:30–11:00" in section.inner_text()
        assert wider_than_viewport(page) == []
        section.scroll_into_view_if_needed()
        screenshot(page, "appointments-customer-page")
    finally:
        page.context.close()


# --- lead manager ---


def test_navigation_badge_shows_nine_plus_with_ten_new_leads_on_a_phone(
    browser: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    make_lead: Any,
) -> None:
    for _number in range(10):
        make_lead()
    client.force_login(owner)
    page = new_page(browser, PHONE)
    try:
        cookie = client.cookies["sessionid"]
        page.context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
        )
        page.goto(live_server.url + reverse("appointments:lead_list"))
        # Beside the bell, without opening the menu: an icon and the count on a phone.
        button = page.locator(".nav-tools").get_by_role(
            "link", name="Terminanfragen (10 offene Terminanfragen)"
        )
        button.wait_for()
        assert button.locator(".badge").inner_text() == "9+"
        assert button.locator(".nav-tool-icon").is_visible()
        # The menu's entry carries the same count.
        page.get_by_role("button", name="Menü").click()
        entry = page.locator("#staff-nav").get_by_role(
            "link", name="Terminanfragen (10 offene Terminanfragen)"
        )
        entry.wait_for()
        assert entry.locator(".badge").inner_text() == "9+"
        # The list itself shows cards, not the table, on a phone.
        page.locator(".lead-card").first.wait_for()
        assert not page.locator(".lead-table").is_visible()
        assert wider_than_viewport(page) == []
        screenshot(page, "lead-manager-badge")
    finally:
        page.context.close()
