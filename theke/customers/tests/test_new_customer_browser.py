"""The new-customer page in Chromium on a phone: the person/company switch shows the company
fields for a company only (CSS, no script), and every problem shows beside its field."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from theke.core.tests.browser import (
    PHONE,
    logged_in_page,
    open_page,  # noqa: F401  # the fixture
    real,
    screenshot,
    watch_errors,
)
from theke.core.tests.browser import wider_than_viewport as overflow
from theke.customers.models import Customer
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switch_between_person_and_company_and_register_a_company(
    open_page: Any,  # noqa: F811  # the fixture imported above
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
) -> None:
    page = logged_in_page(open_page, PHONE, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/staff/customers/new/")
    page.get_by_role("heading", name="Neuer Kunde").wait_for()
    expect(page.locator("#id_company_name")).to_be_hidden()
    page.get_by_label("Firma", exact=True).check()
    expect(page.locator("#id_company_name")).to_be_visible()
    expect(page.get_by_text("Ansprechpartner", exact=True)).to_be_visible()
    page.get_by_label("Nachname").fill("Neumann")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Bitte geben Sie den Namen der Firma an.")).to_be_visible()
    expect(page.locator("#reach-error")).to_be_visible()
    assert page.get_by_label("Firma", exact=True).is_checked(), "the choice survives the refusal"
    assert overflow(page) == []
    screenshot(page, "staff-new-customer-refused")
    page.locator("#id_company_name").fill("Neu AG")
    page.get_by_label("E-Mail", exact=True).fill("info@neu.test")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Der Kunde wurde angelegt.").wait_for()
    with tenant_scope(tenant_a):
        customer = Customer.objects.get()
        assert customer.contacts.get().email == "info@neu.test"
    assert customer.company_name == "Neu AG"
    assert real(errors) == []
