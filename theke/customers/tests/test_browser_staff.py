"""A service advisor logs in through the form and finds a customer by plate, phone and desktop."""

from __future__ import annotations

from typing import Any

import pytest
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
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer_with_car(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Greta", last_name="Hartmann", number="4711"
        )
        customers.add_contact(
            customer, SYSTEM, first_name="Greta", last_name="Hartmann", mobile_phone="0171 2345678"
        )
        customers.add_vehicle(
            customer, SYSTEM, vin="WBA8E5C50HK123456", license_plate="B-TK 4711", make="BMW"
        )
        customers.create_customer(tenant_a, SYSTEM, kind="person", last_name="Andere")
    return customer


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_staff_logs_in_and_finds_customer_by_plate(
    browser: Any, live_server: Any, colleague: Any, customer_with_car: Any, viewport: Any
) -> None:
    page = new_page(browser, viewport)
    try:
        page.goto(f"{live_server.url}/staff/customers/")
        expect(page).to_have_url(f"{live_server.url}/staff/login/?next=/staff/customers/")
        screenshot(page, "staff-login")

        log_in(page, live_server.url, colleague.email, "wrong password")
        expect(page.get_by_role("alert")).to_be_visible()

        log_in(page, live_server.url, colleague.email.upper(), PASSWORD)
        expect(page.get_by_role("heading", name="Guten Tag, Carl")).to_be_visible()
        screenshot(page, "staff-dashboard")

        page.get_by_role("searchbox").first.fill("b-tk4711")
        page.get_by_role("searchbox").first.press("Enter")
        results = page.locator("#customer-results")
        expect(results.get_by_role("link", name="Greta Hartmann")).to_be_visible()
        expect(results.get_by_role("link", name="Andere")).to_have_count(0)
        results.get_by_role("link", name="Greta Hartmann").click()
        expect(page.get_by_text("FIN WBA8E5C50HK123456")).to_be_visible()
        screenshot(page, "staff-customer-found")
        assert wider_than_viewport(page) == []
    finally:
        page.context.close()
