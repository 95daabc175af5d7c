"""The decision in reach on a phone (issue 11, item 3): the bar with the total and both
answers shows on the first screen, follows the ticked positions, accepts from where it is,
and never covers the end of the page; the decided page says what happens next."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.core.tests.browser import (
    PHONE,
    SCREENSHOT_DIR,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.estimates.models import EstimateDecision

from .test_browser import wait_until
from .test_decision_browser import open_estimate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 900}


def _box(page: Any, selector: str) -> dict[str, float]:
    box: dict[str, float] = page.locator(selector).bounding_box()
    return box


def _in_viewport(page: Any, selector: str) -> bool:
    box = _box(page, selector)
    height = page.viewport_size["height"]
    return bool(box["y"] >= 0 and box["y"] + box["height"] <= height)


def _overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_decision_bar_is_on_the_first_phone_screen_and_accepts(
    open_page: Any, live_server: Any, tenant_a: Any, customer: Any
) -> None:
    page = open_estimate(open_page, live_server, tenant_a, customer, PHONE)
    errors = watch_errors(page)
    bar = page.get_by_role("region", name="Ihre Entscheidung")
    assert _in_viewport(page, "#answer-bar")
    assert bar.get_by_role("button", name="Annehmen").is_visible()
    assert bar.get_by_role("button", name="Ablehnen").is_visible()
    assert bar.locator("#bar-total").inner_text().replace("\N{NO-BREAK SPACE}", " ") == "379,61 €"
    # The far end of the page (the message form) is not covered by the bar.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert not _overlaps(_box(page, "#answer-bar"), _box(page, "#messages"))
    page.evaluate("window.scrollTo(0, 0)")
    # Unticking an optional position updates the bar's total too.
    page.get_by_label("gewünscht").uncheck()
    wait_until(page, "document.querySelector('#bar-total').textContent.includes('355,93')")
    assert wider_than_viewport(page) == []
    screenshot(page, "answer-bar-first-screen")
    bar.get_by_role("button", name="Annehmen").click()
    page.get_by_role("heading", name="Auftrag erteilen").wait_for()
    page.get_by_label("Ihr Name").fill("Eva Berg")
    page.get_by_label("Ich habe den Kostenvoranschlag").check()
    page.get_by_role("button", name="Verbindlich annehmen").click()
    page.get_by_text("Sie haben den Kostenvoranschlag angenommen.").wait_for()
    assert page.get_by_role("heading", name="Wie geht es weiter?").is_visible()
    assert page.get_by_role("link", name="Ihre Antwort als PDF").is_visible()
    assert page.locator("#answer-bar").count() == 0
    screenshot(page, "answer-bar-accepted")
    assert real(errors) == []
    with scopes_disabled():
        assert str(EstimateDecision.objects.get().gross_total) == "355.93"


@pytest.mark.parametrize("viewport", [PHONE, TABLET, DESKTOP], ids=["390", "820", "1280"])
def test_decision_bar_at_every_width(
    open_page: Any, live_server: Any, tenant_a: Any, customer: Any, viewport: dict[str, int]
) -> None:
    page = open_estimate(open_page, live_server, tenant_a, customer, viewport)
    assert _in_viewport(page, "#answer-bar")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"answer-bar-first-view-{viewport['width']}.png"))
    # Keyboard order: the optional position's box, then the bar's buttons.
    page.get_by_label("gewünscht").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Annehmen"
    assert wider_than_viewport(page) == []
    screenshot(page, "answer-bar")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert not _overlaps(_box(page, "#answer-bar"), _box(page, "#messages"))
    page.screenshot(path=str(SCREENSHOT_DIR / f"answer-bar-end-view-{viewport['width']}.png"))
