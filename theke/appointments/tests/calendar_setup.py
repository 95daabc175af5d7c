"""Test setup of the appointment calendar: the online-booking branch of `osb` (open Mon–Fri
7–19, the colleague as advisor) with a second advisor and appointments made fast."""

from __future__ import annotations

import datetime
from typing import Any

from django_scopes import scopes_disabled

from conftest import make_staff
from theke.appointments.models import (
    AdvisorWorkingHours,
    Appointment,
    AppointmentProposal,
    AppointmentStatus,
    ProposedSlot,
    ServiceAdvisor,
)
from theke.tenants.scoping import tenant_scope

from .osb import Osb, berlin


def add_advisor(
    osb: Osb, email: str = "berater2@alpha.test", name: str = "Bea Berater", *, working: bool = True
) -> Any:
    user = make_staff(osb.tenant, email, name, "Serviceberater")
    with tenant_scope(osb.tenant):
        advisor = ServiceAdvisor.objects.create(tenant=osb.tenant, branch=osb.branch, user=user)
        # Working Monday to Friday like the branch's first advisor, so the capacity check
        # agrees with the free cells the calendar draws.
        AdvisorWorkingHours.objects.bulk_create(
            AdvisorWorkingHours(
                tenant=osb.tenant,
                advisor=advisor,
                weekday=weekday,
                starts=datetime.time(7),
                ends=datetime.time(19),
            )
            for weekday in (range(5) if working else ())
        )
    return user


def make_appointment(
    osb: Osb,
    start: datetime.datetime,
    *,
    minutes: int = 60,
    advisor: Any = None,
    status: str = AppointmentStatus.PLANNED,
    **values: Any,
) -> Appointment:
    """An appointment of Eva Berg straight in the table (the services are not under test)."""
    with tenant_scope(osb.tenant):
        return Appointment.objects.create(
            tenant=osb.tenant,
            branch=osb.branch,
            customer=osb.eva,
            vehicle=osb.eva_vehicle,
            advisor=advisor,
            status=status,
            start=start,
            end=start + datetime.timedelta(minutes=minutes),
            **values,
        )


def make_many(osb: Osb, day: datetime.date, count: int, advisors: list[Any]) -> None:
    """`count` appointments spread over the day's advisors and hours (bulk, one query)."""
    with scopes_disabled():
        rows = []
        for index in range(count):
            start = berlin(day, 8 + index % 9, 15 * (index // 9 % 4))
            rows.append(
                Appointment(
                    tenant=osb.tenant,
                    branch=osb.branch,
                    customer=osb.eva,
                    vehicle=osb.eva_vehicle,
                    advisor=advisors[index % len(advisors)],
                    status=AppointmentStatus.PLANNED,
                    start=start,
                    end=start + datetime.timedelta(minutes=30),
                )
            )
        Appointment.objects.bulk_create(rows)


def hold_slot(
    osb: Osb, appointment: Appointment, start: datetime.datetime, holds_until: datetime.datetime
) -> ProposedSlot:
    with tenant_scope(osb.tenant):
        proposal = AppointmentProposal.objects.create(
            tenant=osb.tenant, appointment=appointment, expires_at=holds_until
        )
        return ProposedSlot.objects.create(
            tenant=osb.tenant,
            proposal=proposal,
            branch=osb.branch,
            start=start,
            end=start + datetime.timedelta(hours=1),
            advisor=osb.advisor,
            holds_until=holds_until,
        )
