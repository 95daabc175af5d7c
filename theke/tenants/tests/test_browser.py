"""Tenant settings pages in Chromium, on a phone and on a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    logged_in_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.tenants.models import Branch
from theke.tenants.scoping import tenant_scope
from theke.tenants.tests.conftest import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_admin_edits_tenant_data_and_creates_a_branch(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    viewport: dict[str, int],
    tmp_path: Any,
) -> None:
    page = logged_in_page(open_page, viewport, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(live_server.url + reverse("tenants:settings"))
    assert wider_than_viewport(page) == []
    screenshot(page, "tenants-settings")

    page.get_by_role("link", name="Stammdaten").first.click()
    logo = tmp_path / "logo.png"
    logo.write_bytes(image_bytes("PNG", (240, 80)))
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_label("Telefon").fill("030 1234567")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Die Stammdaten wurden gespeichert.").wait_for()
    page.locator("img.logo-preview").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "tenants-tenant-form")

    page.goto(live_server.url + reverse("tenants:branch_create"))
    page.get_by_label("Name").fill("Alpha Mitte")
    page.locator("#id_hours-5-weekday").select_option(label="Samstag")
    page.locator("#id_hours-5-opens").fill("09:00")
    page.locator("#id_hours-5-closes").fill("12:00")
    assert wider_than_viewport(page) == []
    screenshot(page, "tenants-branch-form")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Samstag 09:00–12:00").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "tenants-branch-list")
    with tenant_scope(tenant_a):
        assert Branch.objects.get(name="Alpha Mitte").opening_hours.count() == 6
    assert real(errors) == []
