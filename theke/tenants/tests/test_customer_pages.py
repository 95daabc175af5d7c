"""The public, tenant-branded contact page: the customer layout on a phone and a desktop."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from theke.audit.services import SYSTEM
from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    new_page,
    screenshot,
    wider_than_viewport,
)
from theke.tenants.services import create_branch, update_tenant


def png_logo() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (240, 80), "#ffffff").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def branded_tenant(tenant_a: Any) -> Any:
    from theke.tenants.scoping import tenant_scope

    with tenant_scope(tenant_a):
        update_tenant(
            tenant_a, SYSTEM, brand_color="#aa3300", phone="+49 30 555111", logo=png_logo()
        )
        create_branch(
            tenant_a,
            SYSTEM,
            "Alpha Mitte",
            street="Torstraße 1",
            postal_code="10119",
            city="Berlin",
            opening_hours=[
                (0, datetime.time(8), datetime.time(12)),
                (0, datetime.time(13), datetime.time(17)),
                (5, datetime.time(9), datetime.time(12)),
            ],
        )
    tenant_a.refresh_from_db()
    return tenant_a


@pytest.mark.django_db
def test_contact_page_lists_branches_and_opening_hours(client, branded_tenant):
    response = client.get(reverse("tenant_pages:contact", args=[branded_tenant.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Mitte" in body
    assert '08:00–12:00</span>, <span class="text-nowrap">13:00–17:00' in body
    assert "geschlossen" in body
    assert "--brand: #aa3300" in body


@pytest.mark.django_db
def test_contact_page_of_unknown_or_inactive_tenant_is_404(client, tenant_a):
    assert client.get(reverse("tenant_pages:contact", args=["nope"])).status_code == 404
    tenant_a.is_active = False
    tenant_a.save()
    assert client.get(reverse("tenant_pages:contact", args=[tenant_a.slug])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_customer_layout_carries_logo_and_colour_and_loads_nothing_from_elsewhere(
    browser: Any, live_server: Any, branded_tenant: Any, viewport: Any
) -> None:
    page = new_page(browser, viewport)
    hosts: set[str] = set()
    errors: list[str] = []
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/t/{branded_tenant.slug}/")
        expect(page.get_by_role("heading", name="Kontakt und Öffnungszeiten")).to_be_visible()
        logo = page.get_by_role("img", name=branded_tenant.name)
        expect(logo).to_be_visible()
        assert logo.evaluate("img => img.naturalWidth") == 240
        header_colour = page.locator(".brand-bar").evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        assert header_colour == "rgb(170, 51, 0)"
        expect(page.get_by_role("link", name="Anrufen · +49 30 555111")).to_be_visible()
        assert wider_than_viewport(page) == []
        screenshot(page, "customer-contact")
        assert hosts == {urlparse(live_server.url).netloc}
        assert [e for e in errors if "favicon" not in e] == []
    finally:
        page.context.close()
