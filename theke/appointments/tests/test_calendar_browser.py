"""The appointment calendar in Chromium: staff plan an appointment from a free cell and move
it by dragging at 1366 wide; the calendar on a tablet (820) and a phone (390)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django_scopes import scopes_disabled

from theke.appointments.models import Appointment
from theke.core.tests.browser import DESKTOP, PHONE, new_page, screenshot, wider_than_viewport

from .calendar_setup import add_advisor, make_appointment
from .osb import berlin, make_lead, make_osb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def _page(browser: Any, live_server: Any, client: Any, user: Any, viewport: dict[str, int]) -> Any:
    client.force_login(user)
    page = new_page(browser, viewport)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page


def _calendar(live_server: Any, osb: Any, view: str = "day") -> str:
    day = osb.start.date().isoformat()
    query = f"branch={osb.branch.pk}&date={day}&view={view}"
    return f"{live_server.url}/staff/appointments/calendar/?{query}"


def _plan_from_free_cell(page: Any, osb: Any, second: Any) -> Appointment:
    """Click the free 09:00 cell of the second advisor; fill "new appointment" when the page
    exists (helper "staff"), else plan the same appointment the way that page would."""
    day = osb.start.date()
    cell = page.locator(
        f'.cal-free[data-start="{day.isoformat()}T09:00"][data-advisor="{second.pk}"]'
    )
    try:
        reverse("appointments:appointment_create")
    except NoReverseMatch:
        assert cell.evaluate("el => el.tagName") == "DIV"  # no link until the page exists
        return make_appointment(osb, berlin(day, 9), advisor=second)
    cell.click()
    page.wait_for_url("**/staff/appointments/new/**")
    assert f"advisor={second.pk}" in page.url and f"start={day.isoformat()}T09%3A00" in page.url
    # The cell knows branch, advisor and time; the customer is chosen on the page (here by
    # its parameter, as the customer search would), then "Termin anlegen" and "Termin planen".
    page.goto(f"{page.url}&customer={osb.eva.pk}")
    page.locator("#create-appointment").click()
    page.locator("#present-menu").click()
    page.locator("#appointment-plan").click()
    page.locator("#plan-appointment").click()
    page.get_by_text("Der Termin ist geplant.").wait_for()
    with scopes_disabled():
        return Appointment.objects.order_by("-pk").first()  # type: ignore[return-value]


def test_staff_plan_from_a_free_cell_and_drag_it(
    browser: Any, live_server: Any, client: Any, tenant_a: Any, colleague: Any
) -> None:
    osb = make_osb(tenant_a, colleague)
    second = add_advisor(osb)
    page = _page(browser, live_server, client, colleague, DESKTOP)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(_calendar(live_server, osb))
        page.locator("#cal-grid").wait_for()
        appointment = _plan_from_free_cell(page, osb, second)
        page.goto(_calendar(live_server, osb))
        block = page.locator(f"#cal-a{appointment.pk}")
        block.wait_for()
        day = osb.start.date().isoformat()
        target = page.locator(f'.cal-free[data-start="{day}T13:30"][data-advisor="{colleague.pk}"]')
        # The drop posts the move and reloads the page when the server agreed.
        with page.expect_navigation():
            block.drag_to(target)
        page.wait_for_load_state("load")
        moved_block = page.locator(f"#cal-a{appointment.pk}")
        assert "cal-r28" in (moved_block.get_attribute("class") or "")  # 13:30 from 7:00
        with scopes_disabled():
            moved = Appointment.objects.get(pk=appointment.pk)
        assert moved.start == berlin(osb.start.date(), 13, 30)
        assert moved.end - moved.start == appointment.end - appointment.start
        assert moved.advisor_id == colleague.pk
        assert wider_than_viewport(page) == []
        screenshot(page, "calendar-day")
        assert errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [TABLET, PHONE, DESKTOP], ids=["tablet", "phone", "desktop"])
def test_calendar_fits_tablet_and_phone(
    browser: Any,
    live_server: Any,
    client: Any,
    tenant_a: Any,
    colleague: Any,
    viewport: dict[str, int],
) -> None:
    osb = make_osb(tenant_a, colleague)
    second = add_advisor(osb)
    add_advisor(osb, "berater3@alpha.test", "Dora Dienst")
    planned = make_appointment(osb, osb.start, advisor=colleague)
    make_appointment(osb, osb.start + datetime.timedelta(minutes=30), advisor=colleague)
    make_appointment(osb, osb.start - datetime.timedelta(hours=2), advisor=second, minutes=120)
    make_lead(
        osb,
        start=osb.start + datetime.timedelta(hours=4),
        end=osb.start + datetime.timedelta(hours=5),
    )
    page = _page(browser, live_server, client, colleague, viewport)
    try:
        page.goto(_calendar(live_server, osb))
        page.wait_for_load_state("load")
        assert wider_than_viewport(page) == []
        if viewport is PHONE:
            assert page.locator("#cal-day-list").is_visible()
            assert not page.locator("#cal-grid").is_visible()
            page.get_by_role("link", name="Verschieben").first.wait_for()
        else:
            assert page.locator("#cal-grid").is_visible()
            block = page.locator(f"#cal-a{planned.pk}")
            assert block.is_visible()
            box = block.bounding_box()
            assert box and box["width"] > 40 and box["x"] + box["width"] <= viewport["width"]
            assert page.locator("#cal-lead-panel").is_visible()
        screenshot(page, "calendar-day")
        page.goto(_calendar(live_server, osb, "week"))
        page.wait_for_load_state("load")
        assert wider_than_viewport(page) == []
        if viewport is not PHONE:
            assert page.locator("#cal-week").is_visible()
            assert page.locator(f"#cal-a{planned.pk}").is_visible()
        screenshot(page, "calendar-week")
    finally:
        page.context.close()
