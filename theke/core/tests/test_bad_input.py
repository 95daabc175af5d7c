"""Odd input never gives a 500: every staff page without parameters, with junk queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

JUNK = {
    "q": "%_\\'\"<script>alert(1)</script> 0171/234-56 ß ☃ " + "x" * 500,
    "page": "-1",
    "area": "../../etc",
    "actor": "robot",
    "next": "https://evil.example/",
}


def plain_staff_urls() -> list[str]:
    urls: list[str] = []

    def walk(patterns: list[Any], namespace: str | None, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    pattern.namespace or namespace,
                    prefix + str(pattern.pattern),
                )
            elif isinstance(pattern, URLPattern) and not pattern.pattern.converters:
                route = prefix + str(pattern.pattern)
                if route.startswith("staff/") and namespace and pattern.name:
                    urls.append(reverse(f"{namespace}:{pattern.name}"))

    walk(get_resolver().url_patterns, None, "")
    return urls


def test_every_plain_staff_page_survives_junk_query_strings(owner_client):
    urls = plain_staff_urls()
    assert len(urls) >= 15
    for url in urls:
        response = owner_client.get(url, JUNK)
        assert response.status_code < 500, url
        assert b"<script>alert(1)</script>" not in response.content, url


def test_every_plain_staff_page_survives_a_junk_post(owner_client):
    for url in plain_staff_urls():
        response = owner_client.post(url, JUNK)
        assert response.status_code < 500, url


def test_login_redirect_ignores_foreign_next_url(client, owner):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"username": owner.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
