"""Fixtures of the customer master tests: a Techniker (read-only), and a filled tenant A."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_staff
from theke.audit.services import SYSTEM
from theke.customers import services
from theke.customers.models import (
    Article,
    Asset,
    Contact,
    ContainerType,
    Customer,
    Location,
    Vehicle,
    WasteType,
)
from theke.customers.services import catalog
from theke.tenants.scoping import tenant_scope

VIN = "WVWZZZ1JZXW000001"
OTHER_VIN = "WAUZZZ8V5KA123456"


@pytest.fixture
def techniker(tenant_a: Any) -> Any:
    return make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker")


@pytest.fixture
def techniker_client(client: Any, techniker: Any) -> Any:
    client.force_login(techniker)
    return client


@pytest.fixture
def colleague_client(client: Any, colleague: Any) -> Any:
    client.force_login(colleague)
    return client


@pytest.fixture
def in_a(tenant_a: Any) -> Iterator[Any]:
    """Run the test body inside tenant A's scope."""
    with tenant_scope(tenant_a):
        yield tenant_a


@dataclass
class Shop:
    customer: Customer
    contact: Contact
    location: Location
    vehicle: Vehicle
    asset: Asset
    article: Article
    other: Customer
    waste_type: WasteType
    container_type: ContainerType


@pytest.fixture
def shop(tenant_a: Any) -> Shop:
    """One customer of tenant A with one of each child, plus a second customer."""
    with tenant_scope(tenant_a):
        customer = services.create_customer(
            tenant_a,
            SYSTEM,
            kind="company",
            company_name="Müller Logistik GmbH",
            first_name="Hans",
            last_name="Müller",
            number="K-1001",
            external_id="ERP-77",
        )
        contact = services.add_contact(
            customer,
            SYSTEM,
            first_name="Hans",
            last_name="Müller",
            email="Hans.Mueller@Example.COM",
            mobile_phone="0171 1234567",
        )
        location = services.add_location(
            customer, SYSTEM, name="Hof", street="Hauptstr. 1", postal_code="10115", city="Berlin"
        )
        vehicle = services.add_vehicle(customer, SYSTEM, license_plate="b-ab 123", vin=VIN)
        asset = services.add_asset(
            customer, SYSTEM, kind="Absetzcontainer", size="7 m³", location=location
        )
        article = services.create_article(
            tenant_a, SYSTEM, number="A-100", text="Ölwechsel", price=Decimal("49.90")
        )
        other = services.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Erika", last_name="Schulz", number="K-1002"
        )
        waste_type = catalog.create_waste_type(tenant_a, SYSTEM, name="Bauschutt", code="170107")
        container_type = catalog.create_container_type(
            tenant_a,
            SYSTEM,
            name="Abrollcontainer",
            volume_m3="20",
            order_kinds=["exchange", "withdrawal"],
            waste_types=[waste_type],
        )
    return Shop(
        customer, contact, location, vehicle, asset, article, other, waste_type, container_type
    )
