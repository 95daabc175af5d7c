"""Staff pages and pages behind customer links are never stored (issue 11, item 17)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

UNKNOWN = "/k/" + "x" * 32


def no_store(response: Any) -> bool:
    value = response.get("Cache-Control", "")
    return "no-store" in value and "private" in value


@pytest.mark.parametrize(
    "path", ["/staff/", "/staff/customers/", "/staff/messages/deliveries/", "/staff/nowhere/"]
)
def test_staff_pages_and_their_errors_send_no_store(owner_client: Client, path: str) -> None:
    assert no_store(owner_client.get(path))


def test_login_and_password_reset_pages_send_no_store(client: Client) -> None:
    assert no_store(client.get("/staff/login/"))
    assert no_store(client.get("/staff/password/reset/"))
    assert no_store(client.get("/staff/customers/"))  # the redirect to the login too


def test_every_response_behind_a_customer_link_sends_no_store(client: Client) -> None:
    assert no_store(client.get(UNKNOWN + "/"))  # the token page itself (token_pages.protect)
    missing_photo = client.get(UNKNOWN + "/fotos/abc")  # an error page under the token
    assert missing_photo.status_code == 404 and no_store(missing_photo)


def test_static_files_stay_cacheable(client: Client) -> None:
    response = client.get("/static/theke/theke.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    response.close()
