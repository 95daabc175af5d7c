"""Staff create a request for a customer and plan it, in Chromium at 1366 wide; the staff
workshop pages at 390, 820 and 1366 (no sideways scroll, screenshots kept)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from theke.appointments import services
from theke.appointments.models import Appointment, AppointmentStatus
from theke.audit.services import SYSTEM
from theke.core.tests.browser import DESKTOP, PHONE, new_page, screenshot, wider_than_viewport
from theke.tenants.scoping import tenant_scope

from .conftest import Workshop
from .workshop_fixtures import open_workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 820, "height": 1180}


def _page(browser: Any, live_server: Any, client: Any, user: Any, viewport: dict[str, int]) -> Any:
    client.force_login(user)
    page = new_page(browser, viewport)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page


def test_staff_create_a_request_and_plan_it(
    browser: Any, live_server: Any, client: Any, tenant_a: Any, workshop: Workshop
) -> None:
    day = open_workshop(tenant_a, workshop)
    page = _page(browser, live_server, client, workshop.advisor, DESKTOP)
    try:
        page.goto(live_server.url + reverse("customers:detail", args=[workshop.customer.pk]))
        page.locator("#customer-new-appointment").click()
        page.locator("#appointment-create-form").wait_for()
        page.get_by_label("Datum").fill(day.isoformat())
        page.get_by_label("Uhrzeit").fill("09:30")
        page.get_by_label("Betrieb").select_option(str(workshop.branch.pk))
        page.get_by_label("Arbeit", exact=True).fill("Inspektion")
        page.get_by_label("Kosten (€)", exact=True).fill("189,50")
        page.locator("#create-appointment").click()
        page.locator("#appointment-status").wait_for()
        assert "Angefragt" in page.locator("#appointment-status").inner_text()
        assert "189,50 €" in page.locator("#total-cost").inner_text()
        page.locator("#present-menu").click()
        page.locator("#appointment-plan").click()
        page.locator("#plan-appointment").click()
        page.locator("#appointment-finalize").wait_for()
        assert "Geplant" in page.locator("#appointment-status").inner_text()
    finally:
        page.context.close()
    with tenant_scope(workshop.branch.tenant):
        assert Appointment.objects.get().status == AppointmentStatus.PLANNED


@pytest.mark.parametrize("viewport", [PHONE, TABLET, DESKTOP], ids=["phone", "tablet", "desktop"])
def test_workshop_pages_fit(
    browser: Any,
    live_server: Any,
    client: Any,
    tenant_a: Any,
    workshop: Workshop,
    viewport: dict[str, int],
) -> None:
    now = timezone.now()
    with tenant_scope(tenant_a):
        appointment = services.create_appointment(
            tenant_a,
            SYSTEM,
            customer=workshop.customer,
            vehicle=workshop.vehicle,
            branch=workshop.branch,
            start=now + datetime.timedelta(days=2),
            end=now + datetime.timedelta(days=2, hours=1),
            status=AppointmentStatus.REQUESTED,
            counter_proposal_note="Lieber am Nachmittag",
            counter_proposal_at=now,
            work_items=[services.WorkItem("Inspektion mit Ölwechsel und Bremsflüssigkeit")],
        )
    pages = {
        "workshop-list": reverse("appointments:appointment_list"),
        "workshop-create": reverse("appointments:appointment_create")
        + f"?customer={workshop.customer.pk}",
        "workshop-detail": reverse("appointments:appointment_detail", args=[appointment.pk]),
        "workshop-propose": reverse("appointments:appointment_propose", args=[appointment.pk]),
        "workshop-plan": reverse("appointments:appointment_plan", args=[appointment.pk]),
        "workshop-customers": reverse("appointments:workshop_customers"),
    }
    page = _page(browser, live_server, client, workshop.advisor, viewport)
    try:
        for name, url in pages.items():
            page.goto(live_server.url + url)
            page.locator("main h1").first.wait_for()
            assert wider_than_viewport(page) == [], name
            screenshot(page, name)
    finally:
        page.context.close()
