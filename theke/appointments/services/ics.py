"""The appointment as a calendar file (iCalendar, RFC 5545) for the customer's calendar.

Calendars recognise an event by its UID and take the copy with the highest SEQUENCE, so the
UID is stable per appointment (`<uid>@theke`) and SEQUENCE is the appointment's version,
raised on every change: a moved appointment updates the entry instead of adding a second
one, and METHOD:CANCEL with STATUS:CANCELLED removes it. Times carry the Europe/Berlin
TZID (with its VTIMEZONE), so the entry stays right across the DST changes.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from theke.appointments.models import Appointment
from theke.appointments.services.availability import zone

__all__ = ["CONTENT_TYPE", "calendar_file", "event_uid", "filename"]

CONTENT_TYPE = "text/calendar"
PRODUCT_ID = "-//Theke//Werkstatttermine//DE"


def event_uid(appointment: Appointment) -> str:
    return f"{appointment.uid}@theke"


def filename(appointment: Appointment) -> str:
    return f"termin-{appointment.uid}.ics"


def _summary(appointment: Appointment) -> str:
    place = appointment.branch.name if appointment.branch else appointment.tenant.name
    # The customer's calendar shows this title: who and what, in the tenant's words.
    return f"{appointment.tenant.name}: {place}" if place != appointment.tenant.name else place


def _location(appointment: Appointment) -> str:
    branch = appointment.branch
    if branch is None:
        return ""
    return ", ".join(p for p in [branch.name, branch.address_line] if p)


def _description(appointment: Appointment, link: str) -> str:
    lines = [item.text for item in appointment.work_items.all()]
    if link:
        lines += ["", link]
    return "\n".join(lines).strip()


def calendar_file(
    appointment: Appointment,
    *,
    cancel: bool = False,
    link: str = "",
    now: datetime.datetime | None = None,
) -> bytes:
    """The appointment as an .ics file: METHOD:REQUEST, or METHOD:CANCEL when `cancel`.

    `link`: the customer's appointment page, put into the description."""
    tz = zone()
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("sequence", appointment.version)
    event.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", appointment.start.astimezone(tz))
    event.add("dtend", appointment.end.astimezone(tz))
    event.add("summary", _summary(appointment))
    location = _location(appointment)
    if location:
        event.add("location", location)
    description = _description(appointment, link)
    if description:
        event.add("description", description)
    if link:
        event.add("url", link)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer_mail = appointment.tenant.email_reply_to or appointment.tenant.email
    if organizer_mail:
        organizer = vCalAddress(f"mailto:{organizer_mail}")
        organizer.params["cn"] = vText(appointment.tenant.name)
        event.add("organizer", organizer)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
