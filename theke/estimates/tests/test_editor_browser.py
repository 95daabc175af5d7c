"""The staff estimate editor in Chromium at a desktop width: the article search fills a row,
the running total follows the rows, and the saved estimate carries Theke's own number."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from theke.audit.services import SYSTEM
from theke.core.tests.browser import (
    DESKTOP,
    logged_in_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.customers import services as customers
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def gross(page: Any, scope: str) -> str:
    text: str = page.locator(f"{scope} #total-gross").inner_text()
    return text.replace("\N{NO-BREAK SPACE}", " ")


def test_article_search_fills_a_row_and_the_total_follows(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    customer: Any,
    article: Any,
) -> None:
    with tenant_scope(tenant_a):
        customers.create_article(
            tenant_a, SYSTEM, number="A-7", text="Arbeitszeit", unit="Std", price="95.00"
        )
    page = logged_in_page(open_page, DESKTOP, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/staff/estimates/new/?customer={customer.pk}")
    page.get_by_role("heading", name="Neuer Kostenvoranschlag").wait_for()
    assert page.locator("#position-rows > li").count() == 1, "one empty row, not three"
    assert page.get_by_label("Ansprechpartner").locator("option:checked").inner_text() == "Eva Berg"
    page.get_by_label("Gegenstand").fill("Smartphone Galaxy S21")

    page.locator("#id_positions-0-article_number").press_sequentially("displ")
    page.get_by_role("button", name="D-100 Displayeinheit").wait_for()
    screenshot(page, "staff-estimate-editor-results")
    page.get_by_role("button", name="D-100 Displayeinheit").click()
    assert page.locator("#id_positions-0-text").input_value() == "Displayeinheit"
    assert page.locator("#id_positions-0-unit").input_value() == "Stk"
    assert page.locator("#id_positions-0-unit_price").input_value() == "120"
    assert page.locator("#id_positions-0-vat_rate").input_value() == "19"
    assert page.locator("#id_positions-0-article_number").input_value() == "D-100"
    expect(page.locator("#running-totals #total-gross")).to_contain_text("142,80")

    page.get_by_role("button", name="Position hinzufügen").click()
    page.locator("#id_positions-1-article_number").press_sequentially("arbeit")
    page.get_by_role("button", name="A-7 Arbeitszeit").click()
    page.locator("#id_positions-1-quantity").fill("1,5")
    # 120 + 142.50 net, 19 % VAT per position: 142.80 + 169.58 (169.575)
    expect(page.locator("#running-totals #total-gross")).to_contain_text("312,38")
    assert "MwSt. 19" in page.locator("#running-totals").inner_text()
    assert wider_than_viewport(page) == []
    screenshot(page, "staff-estimate-editor-search")

    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Der Kostenvoranschlag wurde gespeichert.").wait_for()
    number = f"KV-{timezone.localdate().year}-0001"
    page.get_by_role("heading", name=f"Kostenvoranschlag {number}").wait_for()
    assert gross(page, "#positions") == "312,38 €"
    assert real(errors) == []
