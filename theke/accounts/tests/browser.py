"""Helpers of the accounts and tenants browser tests (on top of theke.core.tests.browser)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from theke.core.tests.browser import new_page


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
