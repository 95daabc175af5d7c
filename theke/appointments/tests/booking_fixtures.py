"""A branch customers can book at, for the booking tests: tenant A with online booking on,
the branch "Alpha Mitte" (Berlin, Monday to Friday 8–17), one advisor working those hours,
and three services (one offered only at another branch). Times are real: the test slot is a
working day at least a week ahead that is no public holiday in Berlin."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.utils import timezone

from conftest import forget_setup_events
from theke.appointments.models import (
    AdvisorWorkingHours,
    BookableService,
    BranchBooking,
    ServiceAdvisor,
)
from theke.appointments.services.booking import BookingRequest
from theke.audit.services import SYSTEM
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

BERLIN = ZoneInfo("Europe/Berlin")
OPENING = [(day, datetime.time(8), datetime.time(17)) for day in range(5)]


def bookable_day(days_ahead: int = 7) -> datetime.date:
    """A Tuesday to Thursday at least `days_ahead` days from today, no holiday in Berlin."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    closed = holidays.country_holidays("DE", subdiv="BE", years=[day.year, day.year + 1])
    while day.weekday() not in (1, 2, 3) or day in closed:
        day += datetime.timedelta(days=1)
    return day


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), BERLIN)


@dataclass
class Bookable:
    tenant: Tenant
    branch: Branch
    other_branch: Branch
    advisor: Any
    inspection: BookableService  # 60 minutes, 189 €
    wheels: BookableService  # 30 minutes, no price
    elsewhere: BookableService  # only at the other branch
    day: datetime.date

    @property
    def slot(self) -> datetime.datetime:
        return at(self.day, 9)


def make_bookable(tenant: Tenant, advisor: Any) -> Bookable:
    """Switch booking on for the tenant and set up the branch, its advisor and services."""
    tenant.online_booking_enabled = True
    tenant.phone = "030 1234567"
    tenant.save()
    branch = create_branch(
        tenant,
        SYSTEM,
        "Alpha Mitte",
        opening_hours=OPENING,
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
        phone="030 7654321",
        external_id="B-1",
    )
    other = create_branch(tenant, SYSTEM, "Alpha Nord", opening_hours=OPENING, city="Berlin")
    with tenant_scope(tenant):
        BranchBooking.objects.create(tenant=tenant, branch=branch, enabled=True)
        person = ServiceAdvisor.objects.create(tenant=tenant, branch=branch, user=advisor)
        for day, starts, ends in OPENING:
            AdvisorWorkingHours.objects.create(
                tenant=tenant, advisor=person, weekday=day, starts=starts, ends=ends
            )
        inspection = BookableService.objects.create(
            tenant=tenant,
            name="Inspektion",
            duration_minutes=60,
            price=Decimal("189.00"),
            position=1,
        )
        wheels = BookableService.objects.create(
            tenant=tenant, name="Räderwechsel", duration_minutes=30, position=2
        )
        elsewhere = BookableService.objects.create(
            tenant=tenant, name="Klimaservice", duration_minutes=45, position=3
        )
        elsewhere.branches.set([other])
    forget_setup_events()
    return Bookable(tenant, branch, other, advisor, inspection, wheels, elsewhere, bookable_day())


@pytest.fixture
def bookable(tenant_a: Tenant, colleague: Any) -> Bookable:
    return make_bookable(tenant_a, colleague)


def booking_request(setup: Bookable, **changes: Any) -> BookingRequest:
    """A complete request: the inspection at the test slot, Eva Berg's Golf."""
    values: dict[str, Any] = {
        "service_ids": [setup.inspection.pk],
        "start": setup.slot,
        "salutation": "Frau",
        "first_name": "Eva",
        "last_name": "Berg",
        "email": "eva@kunde.test",
        "mobile_phone": "0151 23456789",
        "postal_code": "10115",
        "city": "Berlin",
        "license_plate": "B-EB 123",
        "make": "Volkswagen",
        "model": "Golf",
        "mileage_km": 48210,
        "consent": True,
        "terms_version": 0,
        "privacy_version": 0,
    }
    values.update(changes)
    return BookingRequest(**values)
