"""The OSB settings pages in Chromium on a phone, a tablet and a desktop: nothing sticks out
sideways, and the weekly editor of working hours saves."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.appointments.models import AdvisorWorkingHours
from theke.appointments.services import settings as booking
from theke.audit.services import SYSTEM
from theke.core.tests.browser import new_page, screenshot, wider_than_viewport
from theke.tenants.services import create_branch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 820, 1280]


@pytest.mark.parametrize("width", WIDTHS, ids=[f"w{w}" for w in WIDTHS])
def test_settings_pages_fit_and_the_week_editor_saves(
    browser: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    colleague: Any,
    tenant_a: Any,
    width: int,
) -> None:
    branch = create_branch(
        tenant_a,
        SYSTEM,
        "Alpha Mitte mit einem recht langen Namen",
        postal_code="10115",
        opening_hours=[(day, datetime.time(8), datetime.time(18)) for day in range(5)],
    )
    booking.save_branch_booking(branch, SYSTEM, enabled=True)
    advisor = booking.add_advisor(branch, SYSTEM, colleague)
    booking.add_absence(advisor, SYSTEM, datetime.date(2099, 8, 3), datetime.date(2099, 8, 14))
    booking.create_service(tenant_a, SYSTEM, name="Inspektion", duration_minutes=90)
    client.force_login(owner)
    page = new_page(browser, {"width": width, "height": 900})
    try:
        cookie = client.cookies["sessionid"]
        page.context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
        )
        pages = {
            "osb-settings": reverse("appointments:settings"),
            "osb-branch": reverse("appointments:branch_settings", args=[branch.pk]),
            "osb-services": reverse("appointments:service_list"),
            "osb-service-form": reverse("appointments:service_create"),
            "osb-advisor": reverse("appointments:advisor_settings", args=[advisor.pk]),
        }
        for name, path in pages.items():
            page.goto(live_server.url + path)
            assert wider_than_viewport(page) == [], name
            screenshot(page, name)
        page.locator("#id_week-0-starts_1").fill("08:00")
        page.locator("#id_week-0-ends_1").fill("12:00")
        page.locator("#id_week-0-starts_2").fill("13:00")
        page.locator("#id_week-0-ends_2").fill("17:00")
        page.get_by_role("button", name="Arbeitszeiten speichern").click()
        page.get_by_text("Die Arbeitszeiten wurden gespeichert.").wait_for()
        with scopes_disabled():
            assert AdvisorWorkingHours.objects.filter(advisor=advisor).count() == 2
    finally:
        page.context.close()
