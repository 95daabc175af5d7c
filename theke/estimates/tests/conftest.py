"""Fixtures of the estimate tests: an API client of tenant A, a customer with a contact,
articles, and helpers to push an estimate and open its link."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.cache import caches
from PIL import Image

from theke.api.tests.conftest import make_key
from theke.audit.services import SYSTEM
from theke.core.tests.browser import (  # noqa: F401  # fixtures of the browser tests
    open_page,
    production_static_server,
)
from theke.customers import services as customers
from theke.estimates.customer_page import CACHE_ALIAS
from theke.tenants.scoping import tenant_scope

ESTIMATE = "/api/v1/estimates/KV-1"


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#3a6ea5").save(buffer, format=image_format)
    return buffer.getvalue()


def put_json(client: Any, url: str, data: Any, **headers: str) -> Any:
    return client.put(url, json.dumps(data), content_type="application/json", headers=headers)


def post_json(client: Any, url: str, data: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def estimate_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_external_id": "K-1",
        "order_external_id": "A-1",
        "number": "KV-4711",
        "object_description": "Smartphone Galaxy S21",
        "defect_description": "Display gebrochen, Touch reagiert nicht.",
        "technician": {"name": "Tom Technik", "email": "tom@alpha.test"},
        "valid_until": "2030-12-31",
        "terms": "Preise gelten nur bei Auftragserteilung innerhalb der Gültigkeit.",
        "positions": [
            {
                "text": "Display tauschen",
                "quantity": "1",
                "unit": "Std",
                "unit_price": "89.00",
                "vat_rate": "19",
            },
            {
                "text": "Ersatzdisplay Original",
                "quantity": "1",
                "unit": "Stk",
                "unit_price": "149.90",
                "vat_rate": "19",
            },
        ],
    }
    body.update(overrides)
    return body


@pytest.fixture(autouse=True)
def fresh_page_cache() -> None:
    """Cached customer pages are per process; a test must not see another test's page."""
    caches[CACHE_ALIAS].clear()


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "https://theke.example"


@pytest.fixture
def key_a(tenant_a: Any) -> tuple[Any, str]:
    return make_key(tenant_a)


@pytest.fixture
def api_client(client: Any, key_a: tuple[Any, str]) -> Any:
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key_a[1]}"
    return client


@pytest.fixture
def customer(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Eva", last_name="Berg", external_id="K-1"
        )
        customers.add_contact(
            customer,
            SYSTEM,
            salutation="Frau",
            first_name="Eva",
            last_name="Berg",
            email="eva@kunde.test",
            mobile_phone="+49 151 23456789",
            external_id="C-1",
        )
    return customer


@pytest.fixture
def article(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        return customers.create_article(
            tenant_a,
            SYSTEM,
            number="D-100",
            text="Displayeinheit",
            unit="Stk",
            price="120.00",
            vat_rate="19.00",
            external_id="ART-1",
        )
