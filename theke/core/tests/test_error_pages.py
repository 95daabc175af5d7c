"""403 and 404 pages in the layout of where they happen, with a way back, with DEBUG on (as in
`make run`) and off: the staff bar under /staff/, the plain customer look on customer paths,
a neutral page elsewhere; the API keeps its problem documents."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

DEBUG = pytest.mark.parametrize("debug", [True, False], ids=["debug", "no-debug"])
STAFF_NAV = 'aria-label="Hauptnavigation"'


def get(client: Client, path: str, debug: bool, **headers: Any) -> Any:
    with override_settings(DEBUG=debug):
        return client.get(path, headers=headers)


@DEBUG
@pytest.mark.parametrize(
    "path", ["/staff/gibt-es-nicht/", "/staff/customers/999999/"], ids=["no-url", "no-object"]
)
def test_staff_404_keeps_the_staff_bar_and_a_way_back(
    owner_client: Client, debug: bool, path: str
) -> None:
    response = get(owner_client, path, debug)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Seite nicht gefunden" in html
    assert STAFF_NAV in html and 'id="user-menu"' in html
    assert 'href="/staff/">Zur Übersicht</a>' in html
    assert "technical_404" not in html and "Using the URLconf" not in html


@DEBUG
def test_staff_403_keeps_the_staff_bar_and_a_way_back(
    client: Client, colleague: Any, debug: bool
) -> None:
    client.force_login(colleague)
    response = get(client, "/staff/settings/users/", debug)  # admins only
    assert response.status_code == 403
    html = response.content.decode()
    assert "Keine Berechtigung" in html
    assert STAFF_NAV in html
    assert 'href="/staff/">Zur Übersicht</a>' in html


@DEBUG
def test_way_back_to_the_page_one_came_from_on_this_site_only(
    owner_client: Client, debug: bool
) -> None:
    came_from = "http://testserver/staff/customers/?q=berg"
    html = get(owner_client, "/staff/gibt-es-nicht/", debug, referer=came_from).content.decode()
    assert f'href="{came_from}">Zurück zur vorigen Seite</a>' in html
    elsewhere = "https://evil.example/phish"
    html = get(owner_client, "/staff/gibt-es-nicht/", debug, referer=elsewhere).content.decode()
    assert "evil.example" not in html and "Zurück zur vorigen Seite" not in html


@DEBUG
@pytest.mark.parametrize("path", ["/k/", "/t/gibt-es-nicht/", "/k/some-token/fotos/x/y/z"], ids=str)
def test_customer_404_has_the_plain_customer_look(client: Client, debug: bool, path: str) -> None:
    response = get(client, path, debug)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Seite nicht gefunden" in html
    assert 'class="customer"' in html
    assert "Bitte öffnen Sie den Link aus der Nachricht" in html
    assert STAFF_NAV not in html and "Zur Übersicht" not in html


@DEBUG
def test_404_elsewhere_is_neutral_with_a_link_home(client: Client, debug: bool) -> None:
    response = get(client, "/gibt-es-nicht/", debug)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Seite nicht gefunden" in html
    assert '<a href="/">Zur Startseite</a>' in html
    assert STAFF_NAV not in html


@DEBUG
def test_anonymous_404_under_staff_shows_no_staff_bar(client: Client, debug: bool) -> None:
    response = get(client, "/staff/gibt-es-nicht/", debug)
    assert response.status_code == 404
    assert STAFF_NAV not in response.content.decode()


@DEBUG
def test_error_pages_in_english(owner_client: Client, debug: bool) -> None:
    owner_client.cookies["django_language"] = "en"
    response = get(owner_client, "/staff/gibt-es-nicht/", debug)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "Go to overview" in html


@override_settings(DEBUG=True, TECHNICAL_ERROR_PAGES=True)
def test_developers_can_ask_for_the_technical_404_page(owner_client: Client) -> None:
    response = owner_client.get("/staff/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Using the URLconf" in response.content.decode()


@DEBUG
def test_api_keeps_its_problem_documents(client: Client, debug: bool) -> None:
    response = get(client, "/api/v1/gibt-es-nicht", debug)
    assert response.status_code in (401, 404)
    assert response["Content-Type"].startswith("application/")
