"""The customer's estimate page from the cache: the same page for every view of the same
state, with the request's own token, CSRF token and nonce, and never a stale page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.estimates import customer_page, services
from theke.estimates.models import Estimate, EstimateLink
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import update_tenant

from .conftest import ESTIMATE, estimate_body, image_bytes, post_json, put_json

pytestmark = pytest.mark.django_db


def new_page(api_client: Any, **body: Any) -> str:
    assert put_json(api_client, ESTIMATE, estimate_body(**body)).status_code in (200, 201)
    response = post_json(api_client, ESTIMATE + "/link", {})
    assert response.status_code == 201, response.content
    return str(response.json()["url"]).removeprefix("https://theke.example")


def text(client: Client, path: str, **extra: Any) -> str:
    response = client.get(path, **extra)
    assert response.status_code == 200
    return str(response.content.decode())


def csrf_value(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_second_view_comes_from_the_cache_with_its_own_csrf_token_and_nonce(
    api_client: Any, client: Client, customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = new_page(api_client)
    token = path.split("/")[2]
    stored: list[customer_page.CachedPage] = []
    store = customer_page.store

    def keep(key: str, page: customer_page.CachedPage) -> None:
        stored.append(page)
        store(key, page)

    monkeypatch.setattr(customer_page, "store", keep)
    first = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(path)
    assert len(stored) == 1  # rendered once
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert len(queries) <= 3 and "estimateposition" not in sql and "estimatedecision" not in sql
    # The cached page holds neither the token nor a CSRF token or nonce of a request.
    assert token not in stored[0].html and 'csrfmiddlewaretoken" value="c' in stored[0].html
    pages = [first.content.decode(), second.content.decode()]
    assert csrf_value(pages[0]) != csrf_value(pages[1])  # masked anew for every request
    for response, page in zip((first, second), pages, strict=True):
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert nonce is not None and f'nonce="{nonce.group(1)}"' in page
        assert f'action="/k/{token}/annehmen"' in page and "Display tauschen" in page
        assert f'"X-CSRFToken": "{csrf_value(page)}"' in page
        assert response["Referrer-Policy"] == "same-origin"
        assert "no-store" in response["Cache-Control"]


def test_page_follows_photos_messages_shop_and_customer_changes(
    api_client: Any, client: Client, customer: Any, tenant_a: Any
) -> None:
    path = new_page(api_client)
    assert "Riss im Display" not in text(client, path)
    photo = SimpleUploadedFile("riss.png", image_bytes(), content_type="image/png")
    response = api_client.post(ESTIMATE + "/photos", {"file": photo, "caption": "Riss im Display"})
    assert response.status_code in (200, 201), response.content
    assert "Riss im Display" in text(client, path)  # the same version: the photo moved it

    client.post(path + "nachricht", {"body": "Wann ist es fertig?"})
    assert "Wann ist es fertig?" in text(client, path)

    update_tenant(tenant_a, SYSTEM, brand_color="#123456", phone="+49 30 999")
    page = text(client, path)
    assert "--brand: #123456" in page and "+49 30 999" in page

    with tenant_scope(tenant_a):
        customers.update_customer(customer, SYSTEM, last_name="Berg-Neu")
    assert "für Eva Berg-Neu" in text(client, path)


def test_cached_page_turns_into_the_decision_and_the_next_version(
    api_client: Any, client: Client, customer: Any
) -> None:
    path = new_page(api_client)
    assert "Annehmen</button>" in text(client, path)
    body = estimate_body()
    body["positions"][0]["text"] = "Display und Rahmen tauschen"
    put_json(api_client, ESTIMATE, body)  # sent and viewed: a new version
    page = text(client, path)
    assert "Display und Rahmen tauschen" in page and 'name="version" value="2"' in page
    signed = {"confirm": "1", "name": "Eva Berg", "terms": "on", "version": "2"}
    assert client.post(path + "annehmen", signed).status_code == 302
    decided = text(client, path)
    assert "Sie haben den Kostenvoranschlag angenommen." in decided
    assert "Annehmen</button>" not in decided


def test_cached_page_expires_with_its_validity(
    api_client: Any, client: Client, customer: Any
) -> None:
    valid_until = timezone.localdate() + timedelta(days=3)
    path = new_page(api_client, valid_until=valid_until.isoformat())
    assert "abgelaufen" not in text(client, path)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        page = text(client, path)
    assert "abgelaufen" in page and "Annehmen</button>" not in page


def test_cached_page_per_language(
    api_client: Any, client: Client, customer: Any, tenant_a: Any
) -> None:
    path = new_page(api_client)
    assert "Gesamtbetrag" in text(client, path)
    with scopes_disabled():
        contact = customer.contacts.get()
    with tenant_scope(tenant_a):
        customers.update_contact(contact, SYSTEM, language="en")
    page = text(client, path)
    assert '<html lang="en">' in page and "€284.29" in page


def test_flash_messages_are_shown_and_never_cached(
    api_client: Any, client: Client, customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = new_page(api_client)
    monkeypatch.setattr(customer_page, "has_flash_messages", lambda request: True)
    stored: list[Any] = []
    monkeypatch.setattr(customer_page, "store", lambda key, page: stored.append(page))
    assert "Display tauschen" in text(client, path)
    assert stored == []


def test_find_link_loads_what_the_orm_loads(api_client: Any, customer: Any) -> None:
    """The hand-written lookup gives the same instances as querysets (types converted)."""
    path = new_page(api_client, contact_external_id="C-1")
    found = services.find_link(path.split("/")[2])
    assert found.state == "valid" and found.link is not None and found.estimate is not None
    with scopes_disabled():
        link = EstimateLink.objects.select_related("tenant", "contact").get()
        estimate = Estimate.objects.select_related("customer", "contact", "vehicle").get()
    pairs: list[tuple[Any, Any]] = [
        (found.link, link),
        (found.link.tenant, link.tenant),
        (found.estimate, estimate),
        (found.estimate.customer, estimate.customer),
        (found.estimate.contact, estimate.contact),
    ]
    for loaded, expected in pairs:
        for field in type(expected)._meta.concrete_fields:
            value = getattr(loaded, field.attname)
            assert value == getattr(expected, field.attname), field.name
            assert type(value) is type(getattr(expected, field.attname)), field.name
    assert found.estimate.primary_contact_language == "de"  # type: ignore[attr-defined]
