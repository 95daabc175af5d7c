"""An advisor turns a lead into an appointment through the duplicate screen, in Chromium at
1366 wide; the duplicate screen and the appointment page also at 390 (no sideways scroll,
no WCAG A/AA violation)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from theke.appointments.models import Appointment, Lead, LeadStatus
from theke.core.tests.browser import DESKTOP, PHONE, new_page, screenshot, wider_than_viewport
from theke.tenants.scoping import tenant_scope

from .osb import VIN_OTHER, make_lead, make_osb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _page(browser: Any, live_server: Any, client: Any, user: Any, viewport: dict[str, int]) -> Any:
    client.force_login(user)
    page = new_page(browser, viewport)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page


def test_advisor_turns_a_lead_into_an_appointment(
    browser: Any, live_server: Any, client: Any, tenant_a: Any, colleague: Any
) -> None:
    osb = make_osb(tenant_a, colleague)
    lead = make_lead(osb, vin=VIN_OTHER)
    page = _page(browser, live_server, client, colleague, DESKTOP)
    try:
        page.goto(live_server.url + reverse("appointments:lead_convert", args=[lead.pk]))
        candidates = page.locator("#candidates")
        candidates.get_by_text("Eva Berg").wait_for()
        assert candidates.locator(".reason").count() >= 1
        assert page.locator("#compare tr.differs").count() >= 2
        assert "Olaf Schulz" in page.locator("#vehicle-match").inner_text()
        assert wider_than_viewport(page) == []
        screenshot(page, "lead-convert")
        page.get_by_label("In Stammdaten übernehmen").check()
        page.get_by_role("button", name="Daten aus Anfrage übernehmen").click()
        page.locator("#vehicle-warning").wait_for()
        assert "Halter: Olaf Schulz (K-2000)" in page.locator("#vehicle-warning").inner_text()
        assert "Geplant" in page.locator("#appointment-status").inner_text()
        assert "Neue Straße 9" in page.locator("#contact-data").inner_text()
        assert wider_than_viewport(page) == []
        screenshot(page, "appointment-from-lead")
    finally:
        page.context.close()
    with tenant_scope(tenant_a):
        appointment = Appointment.objects.get()
        lead = Lead.objects.get(pk=lead.pk)
        assert lead.status == LeadStatus.PLANNED and lead.appointment_id == appointment.pk
        assert appointment.update_master_data and appointment.vehicle == osb.other_vehicle


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_conversion_pages_fit_and_pass_axe(
    browser: Any,
    live_server: Any,
    client: Any,
    tenant_a: Any,
    colleague: Any,
    viewport: dict[str, int],
) -> None:
    osb = make_osb(tenant_a, colleague)
    lead = make_lead(osb)
    page = _page(browser, live_server, client, colleague, viewport)
    try:
        page.goto(live_server.url + reverse("appointments:lead_convert", args=[lead.pk]))
        page.locator("#ways").wait_for()
        assert wider_than_viewport(page) == []
        result = Axe().run(page, options=WCAG_AA)
        assert result.violations_count == 0, result.generate_report()
        page.get_by_role("button", name="Daten aus Kundenstamm übernehmen").click()
        page.locator("#appointment-facts").wait_for()
        assert wider_than_viewport(page) == []
        result = Axe().run(page, options=WCAG_AA)
        assert result.violations_count == 0, result.generate_report()
        screenshot(page, "appointment-detail")
    finally:
        page.context.close()
