"""Fixtures of the appointment tests: a workshop in tenant A (two customers with a vehicle
each, a branch with its back-office id, a service advisor) and a customer of tenant B."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import forget_setup_events
from theke.api.services import create_api_key
from theke.appointments import services
from theke.appointments.models import Appointment
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Customer, Vehicle
from theke.tenants.models import Branch
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

BASE = "/api/v1"
BERLIN = ZoneInfo("Europe/Berlin")
VIN_1 = "WVWZZZ1JZXW000001"
VIN_2 = "WAUZZZ8V5KA123456"
VIN_B = "WDB9066331S123456"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A Berlin time in October 2025 (summer time, +02:00)."""
    return datetime.datetime(2025, 10, day, hour, minute, tzinfo=BERLIN)


@dataclass
class Workshop:
    customer: Customer
    vehicle: Vehicle
    other: Customer
    other_vehicle: Vehicle
    branch: Branch
    advisor: Any
    outsider_customer: Customer
    outsider_vehicle: Vehicle


@pytest.fixture
def workshop(tenant_a: Any, tenant_b: Any, colleague: Any, outsider: Any) -> Workshop:
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Eva", last_name="Berg", external_id="K-1"
        )
        vehicle = customers.add_vehicle(
            customer, SYSTEM, vin=VIN_1, license_plate="B-EB 1", external_id="V-1"
        )
        other = customers.create_customer(
            tenant_a, SYSTEM, kind="person", last_name="Schulz", external_id="K-2"
        )
        other_vehicle = customers.add_vehicle(
            other, SYSTEM, vin=VIN_2, license_plate="B-ES 2", external_id="V-2"
        )
    branch = create_branch(tenant_a, SYSTEM, "Alpha Mitte", external_id="B-1")
    with tenant_scope(tenant_b):
        outsider_customer = customers.create_customer(
            tenant_b, SYSTEM, kind="person", last_name="Fremd", external_id="KB-1"
        )
        outsider_vehicle = customers.add_vehicle(
            outsider_customer, SYSTEM, vin=VIN_B, external_id="VB-1"
        )
    forget_setup_events()
    return Workshop(
        customer,
        vehicle,
        other,
        other_vehicle,
        branch,
        colleague,
        outsider_customer,
        outsider_vehicle,
    )


@pytest.fixture
def appointment(tenant_a: Any, workshop: Workshop) -> Appointment:
    """A planned appointment of Eva Berg's car, known to the back office as T-1."""
    with tenant_scope(tenant_a):
        return services.create_appointment(
            tenant_a,
            SYSTEM,
            customer=workshop.customer,
            vehicle=workshop.vehicle,
            branch=workshop.branch,
            start=at(14, 9, 30),
            end=at(14, 11),
            external_id="T-1",
            work_items=[services.WorkItem("Inspektion")],
        )


@pytest.fixture
def api_as(client: Any) -> Callable[..., Any]:
    """api_as(tenant) -> the Django test client sending a real API key of that tenant."""

    def use(tenant: Any) -> Any:
        with tenant_scope(tenant):
            _key, plaintext = create_api_key(tenant, SYSTEM, "ERP")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
        return client

    return use


def put(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.put(BASE + path, json.dumps(body), content_type="application/json")


def post(client: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        BASE + path, json.dumps(body), content_type="application/json", headers=headers
    )


APPOINTMENT: dict[str, Any] = {
    "customer_external_id": "K-1",
    "vehicle_external_id": "V-1",
    "branch_external_id": "B-1",
    "advisor_email": "colleague@alpha.test",
    "start": "2025-10-14T09:30:00+02:00",
    "end": "2025-10-14T11:00:00+02:00",
    "work_description": "Inspektion nach Herstellervorgabe, Bremsflüssigkeit wechseln",
    "notes": "Kunde bringt Winterreifen mit",
    "mileage_km": 48210,
    "customer_waits": True,
    "replacement_car": False,
    "estimated_cost": "289.50",
}


# --- lead manager ---


@pytest.fixture
def make_lead(tenant_a: Any, workshop: Workshop) -> Callable[..., Any]:
    """make_lead(**fields) -> a lead of tenant A at the workshop's branch (default: new,
    Mia Lang, 14 October 2025 09:30–10:30, an inspection)."""
    from theke.appointments.models import Lead
    from theke.appointments.services.leads import search_text_of

    def make(**fields: Any) -> Lead:
        tenant = fields.pop("tenant", tenant_a)
        values: dict[str, Any] = {
            "tenant": tenant,
            "branch": workshop.branch,
            "start": at(14, 9, 30),
            "end": at(14, 10, 30),
            "first_name": "Mia",
            "last_name": "Lang",
            "email": "mia.lang@kunde.test",
            "license_plate": "B-ML 77",
            "make": "VW",
            "model": "Golf",
            "services_booked": [{"name": "Inspektion", "minutes": 60, "price": "189.00"}],
            **fields,
        }
        with tenant_scope(tenant):
            lead = Lead(**values)
            lead.search_text = search_text_of(lead)
            lead.save()
        return lead

    return make


# --- booking ---
from theke.appointments.tests.booking_fixtures import bookable  # noqa: E402, F401
from theke.core.tests.browser import open_page  # noqa: E402, F401  # fixture of the browser tests
