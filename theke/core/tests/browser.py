"""Helpers for the browser tests (pytest-playwright driving Debian's Chromium)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Debian's Chromium without background chatter (conftest.py launches it the same way).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

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


# --- the weight of a page's first view ------------------------------------------------------

# A phone as customers hold it: 390 × 844 CSS pixels at 3 device pixels each (iPhone 12-15).
PHONE_DEVICE: dict[str, Any] = {
    "viewport": PHONE,
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


@dataclass(frozen=True)
class Transfer:
    url: str
    content_type: str
    encoding: str  # Content-Encoding ("" when sent as it is)
    body: int  # bytes of the body as transferred (compressed when it was)
    headers: int  # bytes of the response headers


@dataclass
class FirstView:
    transfers: list[Transfer] = field(default_factory=list)

    @property
    def body_bytes(self) -> int:
        return sum(t.body for t in self.transfers)

    @property
    def total_bytes(self) -> int:
        return sum(t.body + t.headers for t in self.transfers)

    def table(self) -> str:
        """One line per response, largest first (for a failure message or a bench)."""
        lines = [
            f"{t.body / 1024:8.1f} KB  {t.content_type:<24} {t.encoding or '-':<5} {t.url}"
            for t in sorted(self.transfers, key=lambda t: -t.body)
        ]
        return "\n".join(lines)


def first_view(page: Any, url: str) -> FirstView:
    """What the browser fetches to show `url` at first: the page, its styles, scripts and
    images, including lazy ones it loads without scrolling (Chromium loads those near the
    viewport), until the network is idle. Counts each response's body as transferred
    (compressed when the server compressed it) and its headers.

    Requests a route fulfils (see photos_through_test_client) are counted by the body given.
    """
    view = FirstView()

    def finished(request: Any) -> None:
        response = request.response()
        if response is None or response.status >= 300 or request.url.startswith("data:"):
            return
        sizes = request.sizes()
        body = sizes["responseBodySize"]
        if body <= 0:  # fulfilled by a route: the browser saw no transfer, count the body
            body = len(response.body())
        headers = response.headers
        view.transfers.append(
            Transfer(
                request.url,
                headers.get("content-type", "").split(";")[0],
                headers.get("content-encoding", ""),
                body,
                max(0, sizes["responseHeadersSize"]),
            )
        )

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)  # a lazy image decided on after the idle moment
    page.remove_listener("requestfinished", finished)
    return view


@pytest.fixture
def production_static_server(
    settings: Any, tmp_path: Path, transactional_db: None
) -> Iterator[Any]:
    """A live server that serves static files as production does: collected with hashed
    names and compressed (whitenoise's CompressedManifestStaticFilesStorage), by whitenoise,
    which answers `Accept-Encoding: gzip` (or br, if brotli is installed) with the compressed
    file. pytest-django's live_server serves them uncompressed from the finders instead."""
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    call_command("collectstatic", "--no-input", verbosity=0)
    server = LiveServer("localhost", start=False)
    # No static handler in front: the request reaches whitenoise's middleware.
    server.thread.static_handler = lambda application: application  # type: ignore[assignment]
    server.start()
    try:
        yield server
    finally:
        server.stop()
