"""The staff bar fits from a small phone to a wide screen, with a long tenant name and every
entry an admin sees: no sideways scrolling, the bell and the user menu always on screen."""

from __future__ import annotations

from typing import Any

import pytest

from theke.core import navigation
from theke.core.navigation import NavEntry
from theke.core.tests.browser import (
    logged_in_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Autohaus Müller-Lüdenscheidt GmbH & Co. KG Niederlassung Mönchengladbach"
WIDTHS = [360, 390, 820, 1200, 1280, 1366, 1400, 1920]
# From here on the entries stand on the bar; below it they are behind the menu button.
INLINE_FROM = 1400

_FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def inside_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    width = page.viewport_size["width"]
    assert box is not None, selector
    return bool(box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] >= 0)


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_bar_fits_with_a_long_tenant_name(
    open_page: Any, live_server: Any, client: Any, owner: Any, tenant_a: Any, width: int
) -> None:
    tenant_a.name = LONG_NAME
    tenant_a.save()
    page = logged_in_page(
        open_page, {"width": width, "height": 800}, client, owner, live_server.url
    )
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/staff/estimates/")
    page.wait_for_load_state("load")

    assert wider_than_viewport(page) == []
    assert page.evaluate(_FITS)
    for toggle in ("#notifications", "#user-menu"):
        assert page.locator(toggle).is_visible(), toggle
        assert inside_viewport(page, toggle), toggle
    brand = page.locator(".navbar-brand")
    assert brand.get_attribute("title") == LONG_NAME
    # The name is cut with an ellipsis wherever it does not fit, never wrapped or spilled.
    name = page.locator(".tenant-name")
    assert name.evaluate("el => getComputedStyle(el).textOverflow") == "ellipsis"
    assert name.evaluate("el => el.getBoundingClientRect().height") < 40
    active = page.locator("#staff-nav .nav-link.active")
    assert active.inner_text() == "Kostenvoranschläge"
    assert active.get_attribute("aria-current") == "page"
    screenshot(page, "staff-nav")

    toggler = page.get_by_role("button", name="Menü")
    if width < INLINE_FROM:
        assert toggler.is_visible()
        assert not page.get_by_role("link", name="Protokoll").is_visible()
        toggler.click()
        page.locator("#staff-nav.show").wait_for()  # the menu has finished opening
        assert page.evaluate(_FITS)
        assert inside_viewport(page, "#user-menu")
        screenshot(page, "staff-nav-open")
    else:
        assert not toggler.is_visible()
        for label in ("Übersicht", "Kunden", "Artikel", "Versand", "Protokoll", "Einstellungen"):
            assert page.get_by_role("link", name=label, exact=True).is_visible(), label

    page.locator("#user-menu").click()
    page.get_by_role("button", name="Abmelden").wait_for()
    assert inside_viewport(page, ".nav-tools .dropdown-menu.show")
    assert page.evaluate(_FITS)
    assert real(errors) == []


@pytest.mark.parametrize("width", [INLINE_FROM, 1920])
def test_staff_bar_has_room_for_the_products_to_come(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    width: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Appointments, the portal and jobs will add an entry each (leads have theirs, with
    its count also beside the bell)."""
    tenant_a.name = LONG_NAME
    tenant_a.save()
    coming = tuple(
        NavEntry(label, "core:dashboard", sections=(f"/staff/{label.lower()}/",))
        for label in ("Termine", "Kundenportal", "Aufträge")
    )
    monkeypatch.setattr(navigation, "ENTRIES", (*navigation.ENTRIES, *coming))
    page = logged_in_page(
        open_page, {"width": width, "height": 800}, client, owner, live_server.url
    )
    page.goto(f"{live_server.url}/staff/estimates/")
    page.get_by_role("link", name="Kundenportal").wait_for()
    assert wider_than_viewport(page) == []
    for toggle in ("#notifications", "#user-menu"):
        assert inside_viewport(page, toggle), toggle
    screenshot(page, "staff-nav-more-products")
