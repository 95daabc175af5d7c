"""Appointment reminders (seed 002): rows due at a local time, kept in step with the
appointment, sent exactly once by the worker.

`sync_reminders` runs inside every change of an appointment (`services.appointments`):
a planned appointment gets the reminders its contact wants (1-4 days before at the
tenant's reminder time, and on the morning of the day), by e-mail and/or SMS; a moved one
gets them moved; a cancelled, finalized or unplanned one loses those not yet sent. A due
time that has passed is never created: an appointment booked inside the window gets only
the reminders still ahead. Times are wall-clock times in Europe/Berlin, so a reminder at
10:00 is at 10:00 on the days of the DST changes too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from theke.appointments.models import (
    Appointment,
    AppointmentReminder,
    AppointmentStatus,
    ReminderChannel,
    ReminderKind,
    ReminderPreference,
)
from theke.appointments.services.notify import primary_contact
from theke.appointments.services.settings import booking_settings
from theke.customers.models import Contact

__all__ = ["Wish", "reminder_wish", "sync_reminders", "wanted_reminders"]


@dataclass(frozen=True)
class Wish:
    """What a contact wants: days before, channels, the same-day reminder."""

    days_before: int
    by_email: bool
    by_sms: bool
    same_day: bool


def reminder_wish(appointment: Appointment, contact: Contact | None) -> Wish:
    """The contact's preference with the tenant's default for the days; SMS only with the
    contact's consent and the tenant's SMS switch."""
    default_days = booking_settings(appointment.tenant).reminder_days_before
    preference = (
        ReminderPreference.objects.filter(contact=contact).first() if contact is not None else None
    )
    sms_allowed = bool(appointment.tenant.sms_enabled and contact and contact.consent_sms)
    if preference is None:
        return Wish(default_days, True, False, False)
    return Wish(
        preference.days_before or default_days,
        preference.by_email,
        preference.by_sms and sms_allowed,
        preference.same_day,
    )


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The wall-clock moment `time` on `day` in the default zone (fold 0 at a DST change)."""
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_default_timezone())


def wanted_reminders(
    appointment: Appointment, wish: Wish, now: datetime.datetime
) -> dict[tuple[str, str], datetime.datetime]:
    """{(kind, channel): due_at} the appointment should have now."""
    if appointment.status != AppointmentStatus.PLANNED:
        return {}
    settings = booking_settings(appointment.tenant)
    day = timezone.localtime(appointment.start).date()
    due: dict[str, datetime.datetime] = {
        ReminderKind.DAYS_BEFORE: _at(
            day - datetime.timedelta(days=wish.days_before), settings.reminder_time
        )
    }
    if wish.same_day:
        due[ReminderKind.SAME_DAY] = _at(day, settings.same_day_reminder_time)
    channels = [
        channel
        for channel, wanted in (
            (ReminderChannel.EMAIL, wish.by_email),
            (ReminderChannel.SMS, wish.by_sms),
        )
        if wanted
    ]
    return {
        (kind, channel): moment
        for kind, moment in due.items()
        for channel in channels
        if now < moment < appointment.start
    }


def sync_reminders(appointment: Appointment, *, now: datetime.datetime | None = None) -> None:
    """Bring the appointment's pending reminders in line with its time, status and the
    contact's wish (inside the caller's transaction; sent ones stay as they are)."""
    now = now or timezone.now()
    wanted = wanted_reminders(
        appointment, reminder_wish(appointment, primary_contact(appointment.customer)), now
    )
    pending = AppointmentReminder.objects.filter(appointment=appointment, sent_at__isnull=True)
    for reminder in pending:
        key = (reminder.kind, reminder.channel)
        due = wanted.pop(key, None)
        if due is None:
            reminder.delete()
        elif reminder.due_at != due:
            reminder.due_at = due
            reminder.save(update_fields=["due_at"])
    AppointmentReminder.objects.bulk_create(
        AppointmentReminder(
            tenant_id=appointment.tenant_id,
            appointment=appointment,
            kind=kind,
            channel=channel,
            due_at=due,
        )
        for (kind, channel), due in wanted.items()
    )
