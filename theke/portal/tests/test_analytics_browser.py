"""The charts render on a phone: a customer user logs in and opens "Auswertungen"."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from theke.core.tests.browser import (  # noqa: F401  # open_page: fixture
    PHONE,
    open_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.portal.analytics import BERLIN
from theke.portal.tests.test_analytics import spread
from theke.portal.tests.world import World, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_charts_render_on_a_phone(open_page: Any, live_server: Any, world: World) -> None:  # noqa: F811
    spread(world, timezone.localdate(timezone=BERLIN))
    page = open_page(PHONE)
    errors = watch_errors(page)
    page.goto(live_server.url + url("analytics", world))
    page.get_by_label("E-Mail").fill(world.admin.account.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()

    page.get_by_role("heading", name="Auswertungen", exact=True).wait_for()
    charts = page.locator("svg.chart")
    assert charts.count() == 5
    for index in range(5):
        chart = charts.nth(index)
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None and 300 <= box["width"] <= 390 and box["height"] > 50
    orders = page.get_by_role("img", name="Aufträge pro Monat")
    heights = [
        float(bar.get_attribute("height") or 0)
        for bar in orders.locator("rect.bar").all()
        if float(bar.get_attribute("data-value") or 0) > 0
    ]
    assert len(heights) == 12 and all(height > 1 for height in heights)
    # A bar drawn on screen, not only in the markup.
    first = orders.locator("rect.bar").first.bounding_box()
    assert first is not None and first["height"] > 1 and first["width"] > 5
    page.get_by_text("Zahlen als Tabelle").first.click()
    page.get_by_role("table").first.wait_for()
    assert wider_than_viewport(page) == []
    assert real(errors) == []
    screenshot(page, "portal-analytics")
