"""The appointment's calendar file (services/ics.py), parsed back with `icalendar`: stable
UID, SEQUENCE = version, METHOD REQUEST/CANCEL, Europe/Berlin times across DST."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from theke.appointments.models import Appointment
from theke.appointments.services import WorkItem, create_appointment, update_appointment
from theke.appointments.services.ics import calendar_file, event_uid
from theke.audit.services import SYSTEM
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

from .conftest import Workshop

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
LINK = "https://theke.example/termin/abc/"


@pytest.fixture
def appointment(tenant_a: Any, workshop: Workshop) -> Appointment:
    branch = create_branch(
        tenant_a,
        SYSTEM,
        "Alpha Süd",
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
    )
    with tenant_scope(tenant_a):
        return create_appointment(
            tenant_a,
            SYSTEM,
            customer=workshop.customer,
            branch=branch,
            # The Sunday the clocks go back: 02:30 comes twice; 09:00 is +01:00 already.
            start=datetime.datetime(2025, 10, 26, 9, 0, tzinfo=BERLIN),
            end=datetime.datetime(2025, 10, 26, 10, 30, tzinfo=BERLIN),
            work_items=[WorkItem("Inspektion", Decimal("189.00")), WorkItem("Ölwechsel")],
        )


def parse(content: bytes) -> tuple[icalendar.Calendar, Any]:
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_the_calendar_file_describes_the_appointment(tenant_a: Any, appointment: Any) -> None:
    with tenant_scope(tenant_a):
        calendar, event = parse(calendar_file(appointment, link=LINK))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == f"{appointment.uid}@theke" == event_uid(appointment)
    assert int(str(event["SEQUENCE"])) == appointment.version == 1
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == appointment.start and end == appointment.end
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert start.utcoffset() == datetime.timedelta(hours=1)  # winter time that day
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(event["LOCATION"]) == "Alpha Süd, Hauptstraße 1, 10115 Berlin"
    assert str(event["DESCRIPTION"]) == f"Inspektion\nÖlwechsel\n\n{LINK}"
    assert str(event["SUMMARY"]) == "Autohaus Alpha: Alpha Süd"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_uid_stays_and_sequence_rises_on_every_change(tenant_a: Any, appointment: Any) -> None:
    with tenant_scope(tenant_a):
        _calendar, before = parse(calendar_file(appointment))
        moved = update_appointment(
            appointment,
            SYSTEM,
            start=appointment.start + datetime.timedelta(days=1),
            end=appointment.end + datetime.timedelta(days=1),
        )
        _calendar, after = parse(calendar_file(moved))
    assert str(after["UID"]) == str(before["UID"])
    assert int(str(after["SEQUENCE"])) == int(str(before["SEQUENCE"])) + 1
    assert after.decoded("DTSTART") == moved.start


def test_cancel_makes_a_cancel_method(tenant_a: Any, appointment: Any) -> None:
    with tenant_scope(tenant_a):
        calendar, event = parse(calendar_file(appointment, cancel=True))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{appointment.uid}@theke"
