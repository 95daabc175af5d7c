"""Shared setup of the staff workshop tests: a branch with hours, an advisor, a reachable
customer (so planning and proposing find capacity and an address)."""

from __future__ import annotations

import datetime
from typing import Any

from theke.appointments.models import AdvisorWorkingHours, BranchBooking, ServiceAdvisor
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.tenants.models import OpeningHours
from theke.tenants.scoping import tenant_scope

from .booking_fixtures import OPENING, bookable_day
from .conftest import Workshop


def open_workshop(tenant: Any, workshop: Workshop) -> datetime.date:
    """Opening and working hours for the workshop's branch and advisor, a reachable customer;
    returns a bookable day (so planning and proposing find capacity)."""
    with tenant_scope(tenant):
        for weekday, opens, closes in OPENING:
            OpeningHours.objects.create(
                tenant=tenant, branch=workshop.branch, weekday=weekday, opens=opens, closes=closes
            )
            BranchBooking.objects.get_or_create(tenant=tenant, branch=workshop.branch)
        person = ServiceAdvisor.objects.create(
            tenant=tenant, branch=workshop.branch, user=workshop.advisor
        )
        for weekday, starts, ends in OPENING:
            AdvisorWorkingHours.objects.create(
                tenant=tenant, advisor=person, weekday=weekday, starts=starts, ends=ends
            )
        customers.add_contact(workshop.customer, SYSTEM, last_name="Berg", email="eva@kunde.test")
    return bookable_day()
