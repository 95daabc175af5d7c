"""Test setup of online booking for the conversion tests: a branch open Monday to Friday
with one advisor (the colleague), a lead in a free slot some days ahead, a known customer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.accounts.middleware import role_codes
from theke.accounts.models import Membership
from theke.appointments.models import (
    AdvisorWorkingHours,
    BookingSettings,
    BranchBooking,
    Lead,
    ServiceAdvisor,
)
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Customer, Vehicle
from theke.tenants.models import Branch
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

BERLIN = ZoneInfo("Europe/Berlin")
VIN_EVA = "WVWZZZ1JZXW000011"
VIN_OTHER = "WAUZZZ8V5KA123411"
VIN_NEW = "WDB9066331S123411"


def slot_day(after_days: int = 4) -> datetime.date:
    """A Tuesday to Thursday some days ahead that is no public holiday in Berlin."""
    days_off = holidays.country_holidays("DE", subdiv="BE")
    day = timezone.localdate() + datetime.timedelta(days=after_days)
    while day.weekday() not in (1, 2, 3) or day in days_off:
        day += datetime.timedelta(days=1)
    return day


def berlin(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BERLIN)


@dataclass
class Osb:
    tenant: Any
    branch: Branch
    advisor: Any
    eva: Customer
    eva_vehicle: Vehicle
    other: Customer
    other_vehicle: Vehicle
    start: datetime.datetime
    end: datetime.datetime


def make_osb(tenant: Any, advisor: Any) -> Osb:
    tenant.online_booking_enabled = True
    tenant.save(update_fields=["online_booking_enabled"])
    hours = [(d, datetime.time(7), datetime.time(19)) for d in range(5)]
    branch = create_branch(
        tenant,
        SYSTEM,
        "Alpha Süd",
        opening_hours=hours,
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
    )
    with tenant_scope(tenant):
        BranchBooking.objects.create(
            tenant=tenant, branch=branch, enabled=True, min_notice_hours=0, horizon_days=365
        )
        person = ServiceAdvisor.objects.create(tenant=tenant, branch=branch, user=advisor)
        for weekday in range(5):
            AdvisorWorkingHours.objects.create(
                tenant=tenant,
                advisor=person,
                weekday=weekday,
                starts=datetime.time(8),
                ends=datetime.time(17),
            )
        eva = customers.register_customer(
            tenant,
            SYSTEM,
            {"kind": "person", "salutation": "Frau", "first_name": "Eva", "last_name": "Berg"},
            {
                "salutation": "Frau",
                "first_name": "Eva",
                "last_name": "Berg",
                "email": "eva.berg@example.org",
                "mobile_phone": "+491711111111",
            },
        )
        customers.update_customer(eva, SYSTEM, number="K-1000")
        customers.add_location(
            eva, SYSTEM, street="Alte Straße 5", postal_code="10117", city="Berlin"
        )
        eva = Customer.objects.get(pk=eva.pk)
        eva_vehicle = customers.add_vehicle(eva, SYSTEM, vin=VIN_EVA, license_plate="B-EB 11")
        other = customers.create_customer(
            tenant, SYSTEM, kind="person", first_name="Olaf", last_name="Schulz", number="K-2000"
        )
        other_vehicle = customers.add_vehicle(other, SYSTEM, vin=VIN_OTHER, license_plate="B-OS 22")
    day = slot_day()
    return Osb(
        tenant,
        branch,
        advisor,
        eva,
        eva_vehicle,
        other,
        other_vehicle,
        berlin(day, 10),
        berlin(day, 11),
    )


def make_lead(osb: Osb, **values: Any) -> Lead:
    """A new lead of "Eva Berg" (new mobile and address) at the fixture's slot."""
    fields: dict[str, Any] = {
        "tenant": osb.tenant,
        "branch": osb.branch,
        "advisor": osb.advisor,
        "start": osb.start,
        "end": osb.end,
        "services_booked": [{"name": "Inspektion", "minutes": 60, "price": "189.00"}],
        "first_name": "Eva",
        "last_name": "Berg",
        "email": "eva.berg@example.org",
        "mobile_phone": "+491722222222",
        "street": "Neue Straße 9",
        "postal_code": "10119",
        "city": "Berlin",
        "vin": VIN_NEW,
        "license_plate": "B-XY 99",
        "make": "VW",
        "model": "Golf",
        "mileage_km": 48210,
        "note": "Bitte Wischerblätter prüfen",
        "consented_at": timezone.now(),
    }
    fields.update(values)
    with tenant_scope(osb.tenant):
        return Lead.objects.create(**fields)


def set_cash_customer(osb: Osb) -> Customer:
    with tenant_scope(osb.tenant):
        cash = customers.create_customer(
            osb.tenant, SYSTEM, kind="company", company_name="Barverkauf", number="BAR"
        )
        BookingSettings.objects.update_or_create(
            tenant=osb.tenant, defaults={"cash_customer_number": "BAR"}
        )
    return cash


def with_rights(user: Any) -> Any:
    """The user with the rights of their role (the tenant middleware does this per request)."""
    with scopes_disabled():
        membership = Membership.objects.select_related("role").get(user=user)
    user._theke_permissions = role_codes(membership.role)
    return user
