"""A container service with the portal switched on, for the portal's tests.

`make_world(tenant)` builds: the catalog (three waste types, four container types), a customer
"Bau Berg GmbH" with three locations and containers at two of them, a second customer "Abriss
Adler KG" with one location, and portal users of Bau Berg: an admin of all locations, an
orderer of location 1 only, a read-only user; and an admin of Adler. Every user is registered,
has accepted the terms and seen the introduction, and has the password `PASSWORD`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from theke.accounts.services import customer_accounts
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Asset, ContainerType, Customer, Location, WasteType
from theke.customers.services import catalog
from theke.portal.models import PortalCustomer, PortalRole, PortalUser
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope


@dataclass
class World:
    tenant: Tenant
    customer: Customer
    other_customer: Customer
    locations: list[Location]  # Bau Berg's three
    other_location: Location  # Adler's
    waste: dict[str, WasteType]  # "bau", "holz", "asbest"
    containers: dict[str, ContainerType]  # "mulde7", "mulde10", "abroll20", "tonne1"
    assets: list[Asset]  # two at location 0, one at location 1
    other_asset: Asset
    admin: PortalUser
    orderer: PortalUser  # location 0 only, sees no invoices or prices
    reader: PortalUser
    other_admin: PortalUser


def make_portal_user(
    customer: Customer,
    email: str,
    *,
    role: str = PortalRole.ADMIN,
    locations: list[Location] | None = None,
    sees_invoices: bool = True,
    sees_prices: bool = True,
    first_name: str = "Eva",
    last_name: str = "Berg",
    registered: bool = True,
) -> PortalUser:
    """A portal user made directly (tests of the pages, not of the registration)."""
    account = customer_accounts.create_customer_account(
        customer, SYSTEM, email=email, first_name=first_name, last_name=last_name
    )
    if registered:
        account = customer_accounts.set_customer_password(account, PASSWORD, reason="set")
    now = timezone.now()
    with tenant_scope(customer.tenant):
        contact = customers.add_contact(
            customer, SYSTEM, first_name=first_name, last_name=last_name, email=email
        )
        user = PortalUser.objects.create(
            tenant=customer.tenant,
            account=account,
            customer=customer,
            contact=contact,
            role=role,
            sees_invoices=sees_invoices,
            sees_prices=sees_prices,
            all_locations=locations is None,
            invited_at=now,
            registered_at=now if registered else None,
            introduction_seen_at=now if registered else None,
            consented_at=now if registered else None,
        )
        if locations:
            user.locations.set(locations)
    return user


def activate(customer: Customer) -> None:
    with tenant_scope(customer.tenant):
        PortalCustomer.objects.get_or_create(
            tenant=customer.tenant, customer=customer, defaults={"activated_at": timezone.now()}
        )


def make_world(tenant: Tenant) -> World:
    tenant.portal_enabled = True
    tenant.save(update_fields=["portal_enabled"])
    with tenant_scope(tenant):
        waste = {
            "bau": catalog.create_waste_type(tenant, SYSTEM, name="Bauschutt", code="170107"),
            "holz": catalog.create_waste_type(
                tenant, SYSTEM, name="Altholz A I-III", code="170201"
            ),
            "asbest": catalog.create_waste_type(
                tenant, SYSTEM, name="Asbesthaltige Baustoffe", code="170605*"
            ),
        }
        kinds = ["placement", "exchange", "emptying", "withdrawal"]
        containers = {
            "mulde7": catalog.create_container_type(
                tenant,
                SYSTEM,
                name="Absetzmulde",
                volume_m3=Decimal("7"),
                variant="offen",
                order_kinds=kinds,
                price=Decimal("189.00"),
                waste_types=[waste["bau"], waste["holz"]],
            ),
            "mulde10": catalog.create_container_type(
                tenant,
                SYSTEM,
                name="Absetzmulde",
                volume_m3=Decimal("10"),
                variant="mit Deckel",
                order_kinds=kinds,
                price=Decimal("239.00"),
                waste_types=[waste["holz"]],
            ),
            "abroll20": catalog.create_container_type(
                tenant,
                SYSTEM,
                name="Abrollcontainer",
                volume_m3=Decimal("20"),
                order_kinds=["placement", "exchange", "withdrawal"],
                price=Decimal("349.00"),
                waste_types=[waste["bau"]],
            ),
            "tonne1": catalog.create_container_type(
                tenant,
                SYSTEM,
                name="Big Bag",
                volume_m3=Decimal("1"),
                order_kinds=["placement", "withdrawal"],
                price=Decimal("59.00"),
                waste_types=[waste["asbest"]],
            ),
        }
        customer = customers.create_customer(
            tenant, SYSTEM, kind="company", company_name="Bau Berg GmbH", number="K-1001"
        )
        other = customers.create_customer(
            tenant, SYSTEM, kind="company", company_name="Abriss Adler KG", number="K-2002"
        )
        locations = [
            customers.add_location(
                customer,
                SYSTEM,
                name="Baustelle Nord",
                street="Nordstraße 1",
                postal_code="80331",
                city="München",
            ),
            customers.add_location(
                customer,
                SYSTEM,
                name="Lager Süd",
                street="Südring 5",
                postal_code="10115",
                city="Berlin",
            ),
            customers.add_location(
                customer,
                SYSTEM,
                name="Hof West",
                street="Westweg 9",
                postal_code="50667",
                city="Köln",
            ),
        ]
        other_location = customers.add_location(
            other,
            SYSTEM,
            name="Adler Hof",
            street="Adlerweg 2",
            postal_code="20095",
            city="Hamburg",
        )
        placed = timezone.localdate() - datetime.timedelta(days=12)
        assets = [
            customers.add_asset(
                customer,
                SYSTEM,
                location=locations[0],
                container_type=containers["mulde7"],
                waste_type=waste["bau"],
                placed_on=placed,
                serial_number="M7-001",
            ),
            customers.add_asset(
                customer,
                SYSTEM,
                location=locations[0],
                container_type=containers["abroll20"],
                waste_type=waste["bau"],
                placed_on=placed,
                serial_number="A20-002",
            ),
            customers.add_asset(
                customer,
                SYSTEM,
                location=locations[1],
                container_type=containers["mulde10"],
                waste_type=waste["holz"],
                placed_on=placed,
                serial_number="M10-003",
            ),
        ]
        other_asset = customers.add_asset(
            other,
            SYSTEM,
            location=other_location,
            container_type=containers["mulde7"],
            waste_type=waste["bau"],
            placed_on=placed,
            serial_number="M7-900",
        )
    activate(customer)
    activate(other)
    admin = make_portal_user(customer, "eva.berg@bau-berg.test")
    orderer = make_portal_user(
        customer,
        "olaf.ort@bau-berg.test",
        role=PortalRole.ORDERS,
        locations=[locations[0]],
        sees_invoices=False,
        sees_prices=False,
        first_name="Olaf",
        last_name="Ort",
    )
    reader = make_portal_user(
        customer,
        "lea.lese@bau-berg.test",
        role=PortalRole.READ_ONLY,
        first_name="Lea",
        last_name="Lese",
    )
    other_admin = make_portal_user(
        other, "anna.adler@adler.test", first_name="Anna", last_name="Adler"
    )
    return World(
        tenant,
        customer,
        other,
        locations,
        other_location,
        waste,
        containers,
        assets,
        other_asset,
        admin,
        orderer,
        reader,
        other_admin,
    )


def portal_client(user: PortalUser, client: Client | None = None) -> Client:
    """A browser logged in as the portal user (through the real login page)."""
    client = client or Client()
    response = client.post(
        reverse("customer_accounts:login", args=[user.tenant.slug]),
        {"email": user.account.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302, response
    return client


def url(name: str, world_or_tenant: Any, *args: Any) -> str:
    tenant = world_or_tenant.tenant if isinstance(world_or_tenant, World) else world_or_tenant
    return reverse(f"portal:{name}", args=[tenant.slug, *args])
