"""A customer orders a container on a phone: waste type -> size -> location -> date -> review
-> binding order -> confirmation -> the container in the locations overview.

The new container shows at once in the locations overview with its order status."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from theke.core.tests.browser import (
    PHONE,
    open_page,  # noqa: F401
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.customers.models import Asset
from theke.orders.models import Order
from theke.portal.services import shop
from theke.portal.tests.world import World, make_world
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def beside_menu(page: Any) -> list[str]:
    """What scrolls the page sideways, except the portal's top menu, which scrolls inside
    its own box on a phone (the foundation's layout; the generic check counts its items)."""
    return [found for found in wider_than_viewport(page) if "nav" not in found]


def log_in_portal(page: Any, base: str, world: World) -> None:
    page.goto(f"{base}/konto/{world.tenant.slug}/anmelden/")
    page.get_by_label("E-Mail").fill(world.admin.account.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state("load")


def test_customer_orders_a_container_on_a_phone(
    open_page: Any,  # noqa: F811
    live_server: Any,
    tenant_a: Any,
) -> None:
    world = make_world(tenant_a)
    with tenant_scope(tenant_a):
        day = shop.earliest_date(tenant_a, "BE", timezone.localdate())
    page = open_page(PHONE)
    errors = watch_errors(page)
    log_in_portal(page, live_server.url, world)
    page.goto(f"{live_server.url}/portal/{tenant_a.slug}/container-bestellen/")

    page.get_by_role("heading", name="Container bestellen").wait_for()
    page.get_by_label("Bauschutt").check()
    assert beside_menu(page) == []
    screenshot(page, "portal-shop-waste")
    page.get_by_role("button", name="Weiter").click()

    page.get_by_label("Absetzmulde 7 m³ offen").check()
    page.get_by_text("189,00").first.wait_for()  # the admin sees prices
    page.get_by_role("button", name="Weiter").click()

    page.get_by_label("Lager Süd").check()
    assert beside_menu(page) == []
    page.get_by_role("button", name="Weiter").click()

    date_input = page.get_by_label("Wunschtermin")
    assert date_input.input_value() == day.isoformat()  # the earliest date preselected
    page.get_by_label("Hinweis (optional)").fill("Bitte an der Einfahrt abstellen.")
    screenshot(page, "portal-shop-date")
    page.get_by_role("button", name="Weiter").click()

    page.get_by_role("heading", name="Bitte prüfen Sie Ihre Bestellung").wait_for()
    page.get_by_text("Bitte an der Einfahrt abstellen.").wait_for()
    assert beside_menu(page) == []
    screenshot(page, "portal-shop-review")
    page.get_by_role("button", name="Verbindlich bestellen").click()

    page.get_by_role("heading", name="Vielen Dank für Ihre Bestellung").wait_for()
    page.get_by_role("link", name="Zur Standortübersicht").wait_for()
    assert beside_menu(page) == []
    screenshot(page, "portal-shop-done")
    page.get_by_role("link", name="Zur Standortübersicht").click()
    site = page.locator("section", has=page.get_by_role("heading", name="Lager Süd"))
    site.get_by_text("Gestellung").wait_for()
    site.get_by_text("Offen", exact=True).wait_for()
    assert beside_menu(page) == []
    assert real(errors) == []

    with tenant_scope(tenant_a):
        order = Order.objects.get(origin="portal")
        assert order.wish_date == day and order.released_at is not None
        container = Asset.objects.get(orders=order)
        assert container.location == world.locations[1] and container.placed_on is None
