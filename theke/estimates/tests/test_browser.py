"""The customer's estimate page in Chromium, on a phone and on a desktop."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from PIL import Image, ImageDraw

from theke.audit.services import SYSTEM
from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.estimates import customer_views, services
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


PHOTOS_LOADED = (
    "[...document.querySelectorAll('.photo-grid img')]"
    ".every(img => img.complete && img.naturalWidth > 0)"
)


def wait_until(page: Any, expression: str, timeout_ms: int = 10_000) -> None:
    """Poll a JavaScript expression from here: the page's CSP forbids the `eval` that
    Playwright's wait_for_function needs for a string predicate."""
    for _attempt in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {timeout_ms} ms: {expression}")


def photos_through_test_client(page: Any) -> None:
    """Photos come from the real view, but through Django's test client in this thread.

    With SQLite the live server's threads share the test database's one connection, and the
    page's parallel photo requests trip over each other ("bad parameter or other API
    misuse"); PostgreSQL has no such problem.
    """
    if connection.vendor != "sqlite":
        return
    client = Client()

    def fulfill(route: Any) -> None:
        response = client.get(urlsplit(route.request.url).path)
        body = response.getvalue()
        headers = {"Content-Type": response["Content-Type"]}
        route.fulfill(status=response.status_code, body=body, headers=headers)

    page.route("**/fotos/**", fulfill)


def photo_bytes(colour: str, size: tuple[int, int] = (1200, 900)) -> bytes:
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for offset in range(0, size[0], 60):
        draw.line([(offset, 0), (offset + size[1] // 2, size[1])], fill="#ffffff", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def push_estimate(tenant: Any, customer: Any) -> None:
    """What the back office's PUT and photo uploads do, through the same services."""
    positions: list[dict[str, Any]] = [
        {
            "text": "Fehlerdiagnose",
            "quantity": "0.5",
            "unit": "Std",
            "unit_price": "78.00",
            "vat_rate": "19",
        },
        {
            "text": "Display-Einheit Galaxy S21, Originalteil",
            "quantity": "1",
            "unit": "Stk",
            "unit_price": "189.90",
            "vat_rate": "19",
        },
        {
            "text": "Displaytausch inkl. Dichtung und Funktionstest",
            "quantity": "1",
            "unit": "Std",
            "unit_price": "78.00",
            "vat_rate": "19",
            "discount_percent": "10",
        },
        {
            "text": "Panzerglas-Schutzfolie",
            "quantity": "1",
            "unit": "Stk",
            "unit_price": "19.90",
            "vat_rate": "19",
            "is_optional": True,
        },
    ]
    values = {
        "customer": customer,
        "number": "KV-2025-0815",
        "order_external_id": "RA-4711",
        "object_description": "Smartphone Samsung Galaxy S21",
        "defect_description": "Display gebrochen, Touch reagiert im unteren Drittel nicht. "
        "Gehäuse und Akku ohne Befund.",
        "technician_name": "Tom Technik",
        "valid_until": "2030-10-31",
        "terms": "Der Kostenvoranschlag ist unverbindlich. Abweichungen über 15 % stimmen wir "
        "vorher mit Ihnen ab.",
    }
    with tenant_scope(tenant):
        placeholder = services.live_estimate("KV-1")
        assert placeholder is not None
        for colour, caption in (
            ("#7a4b3a", "Displaybruch"),
            ("#35556e", "Rückseite"),
            ("#4f6b3a", ""),
        ):
            services.add_photo(placeholder, SYSTEM, data=photo_bytes(colour), caption=caption)
        services.save_estimate(tenant, SYSTEM, "KV-1", values, positions)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_available_shortly_page_turns_into_the_estimate(
    open_page: Any,
    live_server: Any,
    tenant_a: Any,
    customer: Any,
    viewport: dict[str, int],
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(customer_views, "POLL_SECONDS", 1)
    tenant_a.phone = "030 1234567"
    tenant_a.street, tenant_a.postal_code = "Hauptstraße 1", "10115"
    tenant_a.save()
    with tenant_scope(tenant_a):
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    page = open_page(viewport)
    errors = watch_errors(page)
    photos_through_test_client(page)
    page.goto(f"{live_server.url}/k/{token}/")
    page.get_by_role(
        "heading", name="Ihr Kostenvoranschlag steht in Kürze zur Verfügung"
    ).wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-pending")
    page.wait_for_timeout(1500)  # a poll or two while nothing has arrived

    # The page's polls wait while the data arrive (with SQLite the live server would read
    # this thread's connection half-way through), then find everything at once.
    page.route(f"**/k/{token}/", lambda route: route.fulfill(status=204))
    push_estimate(tenant_a, customer)
    page.unroute(f"**/k/{token}/")
    page.get_by_role("heading", name="Smartphone Samsung Galaxy S21").wait_for(timeout=15_000)
    assert page.get_by_text("Ihr Kostenvoranschlag steht in Kürze").count() == 0
    assert page.get_by_text("Display-Einheit Galaxy S21, Originalteil").is_visible()
    wait_until(page, PHOTOS_LOADED)
    assert page.locator(".photo-grid img").count() == 3
    gross = page.locator("dd.totals-gross").inner_text()
    assert gross.replace("\N{NO-BREAK SPACE}", " ") == "379,61 €"
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-page")
    assert real(errors) == []

    with tenant_scope(tenant_a):
        services.revoke_links(services.live_estimate("KV-1"), SYSTEM)  # type: ignore[arg-type]
    page.reload()
    page.get_by_role("heading", name="Dieser Kostenvoranschlag ist nicht mehr verfügbar").wait_for()
    assert page.get_by_role("link", name="Anrufen · 030 1234567").is_visible()
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-revoked")
