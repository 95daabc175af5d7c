"""Fixtures of the orders tests: tenant A's customer master, API clients with real keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

from conftest import forget_setup_events
from theke.api.services import create_api_key
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Asset, Customer, Location, Vehicle
from theke.tenants.scoping import tenant_scope

BASE = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
BOUNDARY = "ThekeTestBoundary"


@dataclass
class Master:
    customer: Customer
    vehicle: Vehicle
    location: Location
    asset: Asset
    other: Customer
    other_vehicle: Vehicle
    other_location: Location


@pytest.fixture
def master(tenant_a: Any) -> Master:
    """Customer K-1 with vehicle V-1, location L-1 and asset A-1; customer K-2 with V-2, L-2."""
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="company", company_name="Kraft Bau GmbH", external_id="K-1"
        )
        location = customers.add_location(
            customer,
            SYSTEM,
            external_id="L-1",
            street="Hafenweg 1",
            postal_code="20457",
            city="Hamburg",
        )
        other = customers.create_customer(
            tenant_a, SYSTEM, kind="person", last_name="Berg", external_id="K-2"
        )
        master = Master(
            customer=customer,
            vehicle=customers.add_vehicle(
                customer, SYSTEM, external_id="V-1", license_plate="HH-KB 1"
            ),
            location=location,
            asset=customers.add_asset(
                customer, SYSTEM, external_id="A-1", kind="Absetzcontainer", location=location
            ),
            other=other,
            other_vehicle=customers.add_vehicle(
                other, SYSTEM, external_id="V-2", license_plate="B-EB 2"
            ),
            other_location=customers.add_location(
                other, SYSTEM, external_id="L-2", street="Weg 2", postal_code="10115", city="Berlin"
            ),
        )
    forget_setup_events()
    return master


@pytest.fixture
def api_as(client: Any) -> Callable[..., Any]:
    """api_as(tenant, name) -> the Django test client sending a real API key of that tenant."""

    def use(tenant: Any, name: str = "ERP") -> Any:
        key, plaintext = create_api_key(tenant, SYSTEM, name)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
        client.key = key
        return client

    return use


@pytest.fixture
def api(api_as: Callable[..., Any], tenant_a: Any, master: Master) -> Any:
    return api_as(tenant_a)


def put(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.put(BASE + path, json.dumps(body), content_type="application/json")


def post(client: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        BASE + path, json.dumps(body), content_type="application/json", headers=headers
    )


def upload(client: Any, path: str, data: bytes, name: str = "beleg.pdf") -> Any:
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(name, data, "application/pdf")})
    return client.put(BASE + path, body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body
