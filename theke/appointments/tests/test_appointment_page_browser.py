"""The customer's appointment page in Chromium: a customer picks one of three proposed slots
on a phone (390×844); the page at tablet and desktop widths, nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.appointments.models import AppointmentStatus
from theke.core.tests.browser import PHONE, screenshot, wider_than_viewport

from .appointment_page_fixtures import CustomerPage, make_customer_page, propose_three

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def scene(tenant_a: Any, colleague: Any) -> CustomerPage:
    return make_customer_page(tenant_a, colleague)


def test_a_customer_picks_one_of_three_proposed_slots_on_a_phone(
    open_page: Any, live_server: Any, scene: CustomerPage
) -> None:
    proposal = propose_three(scene)
    page = open_page(PHONE)
    page.goto(live_server.url + scene.path)
    page.get_by_role("heading", name="Bitte wählen Sie Ihren Termin").wait_for()
    assert wider_than_viewport(page) == []
    choices = page.locator('input[name="slot"]')
    assert choices.count() == 3
    # Large targets on a phone: each choice is a full-width card at least 44 px high.
    box = page.locator("label.slot-choice").nth(1).bounding_box()
    assert box["height"] >= 44 and box["width"] > 300
    screenshot(page, "appointment-proposal")
    page.locator("label.slot-choice").nth(1).click()
    assert choices.nth(1).is_checked()
    page.get_by_role("button", name="Termin bestätigen").click()
    page.get_by_text("Vielen Dank! Ihr Termin ist bestätigt.").wait_for()
    page.get_by_text("11:00 bis 12:00 Uhr").first.wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "appointment-accepted")
    appointment = scene.refresh()
    assert appointment.status == AppointmentStatus.PLANNED
    with scopes_disabled():
        chosen = proposal.slots.order_by("start")[1]
    assert appointment.start == chosen.start


@pytest.mark.parametrize("viewport", [PHONE, TABLET, DESKTOP], ids=["390", "820", "1280"])
def test_the_page_at_every_width(
    open_page: Any, live_server: Any, scene: CustomerPage, viewport: dict[str, int]
) -> None:
    page = open_page(viewport)
    page.goto(live_server.url + scene.path)
    page.get_by_role("heading", name="Ihr Termin").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "appointment-planned")
    page.get_by_role("button", name="Termin stornieren").click()
    page.get_by_role("heading", name="Termin wirklich stornieren?").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "appointment-cancel")
    propose_three(scene)
    page.goto(live_server.url + scene.path)
    page.get_by_role("heading", name="Bitte wählen Sie Ihren Termin").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "appointment-proposal")
