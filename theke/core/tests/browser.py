"""Helpers for the browser tests (pytest-playwright driving Debian's Chromium)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = [PHONE, DESKTOP]
VIEWPORT_IDS = ["phone", "desktop"]

SCREENSHOT_DIR = Path(os.environ.get("THEKE_SCREENSHOT_DIR", "test-results/screenshots"))


def new_page(browser: Any, viewport: dict[str, int], locale: str = "de-DE") -> Any:
    context = browser.new_context(viewport=viewport, locale=locale)
    context.set_default_timeout(10_000)
    return context.new_page()


def screenshot(page: Any, name: str) -> None:
    """Keep a full-page screenshot for a human to look at (test-results/screenshots/)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-{width}.png"), full_page=True)


def log_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/staff/login/")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


# Elements sticking out to the right of the viewport, described by tag, id and classes, so a
# failure names the culprit instead of printing "assert False".
_WIDER_THAN_VIEWPORT = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const offenders = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .slice(0, 10).map(describe);
  return offenders.length ? offenders : ['<document>'];
}"""


def wider_than_viewport(page: Any) -> list[str]:
    """What makes the page scroll sideways (empty when nothing does).

    Waits for the load event first: right after a navigation the text can be in the DOM
    while the stylesheet is still on its way, and an unstyled page overflows on a phone.
    """
    page.wait_for_load_state("load")
    offenders: list[str] = page.evaluate(_WIDER_THAN_VIEWPORT)
    return offenders


def watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def real(errors: list[str]) -> list[str]:
    return [e for e in errors if "favicon" not in e and "404" not in e]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[dict[str, int]], Any]]:
    """new_page(), with every browser context closed after the test.

    Open contexts keep connections to the live server alive; closed later by the server's
    threads, they trip over the test database's shared SQLite connection.
    """
    pages: list[Any] = []

    def opener(viewport: dict[str, int]) -> Any:
        page = new_page(browser, viewport)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.context.close()


def logged_in_page(
    open_page: Callable[[dict[str, int]], Any],
    viewport: dict[str, int],
    client: Any,
    user: Any,
    url: str,
) -> Any:
    client.force_login(user)
    page = open_page(viewport)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": url}])
    return page
