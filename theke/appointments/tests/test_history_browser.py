"""The versions list and an old version's page on a phone (390 wide): no sideways scroll,
no WCAG A/AA violation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from theke.appointments import services
from theke.audit.services import Actor
from theke.core.tests.browser import PHONE, new_page, wider_than_viewport
from theke.tenants.scoping import tenant_scope

from .conftest import Workshop, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_history_pages_fit_a_phone_and_pass_axe(
    browser: Any, live_server: Any, client: Any, tenant_a: Any, workshop: Workshop
) -> None:
    with tenant_scope(tenant_a):
        appointment = services.create_appointment(
            tenant_a,
            Actor.staff(workshop.advisor),
            customer=workshop.customer,
            vehicle=workshop.vehicle,
            branch=workshop.branch,
            start=at(14, 9),
            end=at(14, 10),
            work_items=[services.WorkItem("Inspektion", Decimal("289.00"))],
        )
        services.update_appointment(
            appointment,
            Actor.staff(workshop.advisor),
            start=at(15, 9),
            end=at(15, 10),
            workshop_time_confirmed=True,
            notes="Kunde bringt Winterräder mit",
        )
    client.force_login(workshop.advisor)
    page = new_page(browser, PHONE)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    try:
        for url in (
            reverse("appointments:appointment_history", args=[appointment.pk]),
            reverse("appointments:appointment_version", args=[appointment.pk, 1]),
        ):
            page.goto(live_server.url + url)
            page.locator("main").wait_for()
            assert wider_than_viewport(page) == []
            result = Axe().run(page, options=WCAG_AA)
            assert result.violations_count == 0, result.generate_report()
        page.get_by_role("link", name="Nächste Version").click()
        assert "15.10.2025" in page.locator("#appointment-facts").inner_text()
    finally:
        page.context.close()
