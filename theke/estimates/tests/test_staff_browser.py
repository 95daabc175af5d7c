"""The staff's estimate pages in Chromium, on a phone and on a desktop: list → detail → send."""

from __future__ import annotations

from typing import Any

import pytest

from theke.audit.services import SYSTEM
from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    logged_in_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.estimates import services
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def push(tenant: Any, customer: Any) -> None:
    positions: list[dict[str, Any]] = [
        {
            "text": "Bremsbeläge vorne",
            "quantity": "1",
            "unit": "Satz",
            "unit_price": "149.00",
            "vat_rate": "19",
        },
        {
            "text": "Bremsscheiben vorne, beidseitig, inkl. Montage und Probefahrt",
            "quantity": "2",
            "unit": "Stk",
            "unit_price": "89.50",
            "vat_rate": "19",
            "discount_percent": "10",
        },
        {
            "text": "Arbeitszeit",
            "quantity": "1.5",
            "unit": "Std",
            "unit_price": "95.00",
            "vat_rate": "19",
        },
        {
            "text": "Prüfbuch",
            "quantity": "1",
            "unit": "Stk",
            "unit_price": "10.00",
            "vat_rate": "7",
            "is_optional": True,
        },
    ]
    values = {
        "customer": customer,
        "number": "KV-2026-0042",
        "order_external_id": "RA-4711",
        "object_description": "VW Golf VII, B-TK 1234",
        "defect_description": "Bremsen quietschen, Scheiben unter Verschleißgrenze.",
        "technician_name": "Tom Technik",
        "valid_until": "2030-10-31",
    }
    with tenant_scope(tenant):
        services.save_estimate(tenant, SYSTEM, "KV-1", values, positions)
        services.save_estimate(
            tenant,
            SYSTEM,
            "KV-2",
            {"customer": customer, "number": "KV-2026-0041", "object_description": "iPhone 12"},
            [{"text": "Akku", "quantity": "1", "unit_price": "79", "vat_rate": "19"}],
        )


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_list_detail_send(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    customer: Any,
    viewport: dict[str, int],
) -> None:
    push(tenant_a, customer)
    page = logged_in_page(open_page, viewport, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/staff/estimates/")
    page.get_by_role("heading", name="Kostenvoranschläge").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "staff-estimate-list")

    page.get_by_role("link", name="KV-2026-0042").click()
    page.get_by_role("heading", name="Kostenvoranschlag KV-2026-0042").wait_for()
    gross = page.locator("#total-gross").inner_text().replace("\N{NO-BREAK SPACE}", " ")
    assert gross == "549,30 €"
    assert wider_than_viewport(page) == []
    screenshot(page, "staff-estimate-detail")

    assert page.get_by_label("E-Mail").is_checked()
    page.locator("#send-button").click()
    page.get_by_text("Der Link zum Kostenvoranschlag wird gesendet an: eva@kunde.test").wait_for()
    assert page.get_by_role("button", name="Erneut senden").is_visible()
    assert wider_than_viewport(page) == []
    screenshot(page, "staff-estimate-sent")
    with tenant_scope(tenant_a):
        message = OutboundMessage.objects.get(purpose="estimate_link")
    assert "/k/" in message.body_text

    page.goto(f"{live_server.url}/staff/estimates/open/")
    page.get_by_text("seit heute").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "staff-estimate-open")
    assert real(errors) == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_staff_enter_an_estimate_from_the_customer_page(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    customer: Any,
    viewport: dict[str, int],
) -> None:
    page = logged_in_page(open_page, viewport, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/staff/customers/{customer.pk}/")
    page.get_by_role("link", name="Kostenvoranschlag anlegen").click()
    page.get_by_role("heading", name="Neuer Kostenvoranschlag").wait_for()
    page.get_by_label("Gegenstand").fill("Smartphone Galaxy S21")
    page.get_by_label("Fehlerbeschreibung").fill("Display gebrochen")
    page.locator("#id_positions-0-text").fill("Display tauschen")
    page.locator("#id_positions-0-unit_price").fill("149,90")
    page.get_by_role("button", name="Position hinzufügen").click()
    page.locator("#id_positions-1-text").fill("Panzerglas")
    page.locator("#id_positions-1-unit_price").fill("19,99")
    page.locator("#id_positions-1-is_optional").check()
    page.get_by_role("button", name="Position hinzufügen").click()
    page.locator("#id_positions-2-text").wait_for()
    assert page.locator("#id_positions-0-text").input_value() == "Display tauschen"
    assert wider_than_viewport(page) == []
    screenshot(page, "staff-estimate-form")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Der Kostenvoranschlag wurde gespeichert.").wait_for()
    gross = page.locator("#total-gross").inner_text().replace("\N{NO-BREAK SPACE}", " ")
    assert gross == "202,17 €"  # 178.38 + 23.79
    assert page.get_by_role("button", name="Online-KV senden").count() == 1
    assert wider_than_viewport(page) == []
    screenshot(page, "staff-estimate-entered")
    assert real(errors) == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_admin_switches_on_the_reminder(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    viewport: dict[str, int],
) -> None:
    page = logged_in_page(open_page, viewport, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/staff/settings/")
    page.get_by_role("link", name="Kostenvoranschläge Gültigkeit der Links").click()
    page.get_by_role("heading", name="Einstellungen der Kostenvoranschläge").wait_for()
    page.get_by_label("Erinnerung nach (Tagen)").fill("0")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("größer oder gleich 1").wait_for()
    page.get_by_label("Erinnerung nach (Tagen)").fill("5")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Die Einstellungen der Kostenvoranschläge wurden gespeichert.").wait_for()
    assert page.get_by_label("Erinnerung nach (Tagen)").input_value() == "5"
    assert wider_than_viewport(page) == []
    screenshot(page, "staff-estimate-settings")
    assert services.current_settings(tenant_a).reminder_days == 5
    assert real(errors) == []
