"""Appointment reminders (seed 002): rows due at a local time, kept in step with the
appointment, sent exactly once by the worker.

`sync_reminders` runs inside every change of an appointment (`services.appointments`):
a planned appointment gets the reminders its contact wants (1-4 days before at the
tenant's reminder time, and on the morning of the day), by e-mail and/or SMS; a moved one
gets them moved; a cancelled, finalized or unplanned one loses those not yet sent. A due
time that has passed is never created: an appointment booked inside the window gets only
the reminders still ahead. Times are wall-clock times in Europe/Berlin, so a reminder at
10:00 is at 10:00 on the days of the DST changes too. A channel without an address (no
e-mail address, no mobile number) gets no row.

`send_due_reminders` is the worker's sweep (every minute, theke.core.tasks_backend): it
claims due rows with FOR UPDATE SKIP LOCKED, checks each is still wanted and queues one
outbox message per row, in one transaction per batch, so each reminder is sent once even
with several workers. `set_reminder_preference` is the customer's (or staff's) change of
the wish; it re-syncs the customer's upcoming appointments.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.appointments.models import (
    Appointment,
    AppointmentReminder,
    AppointmentStatus,
    BookingSettings,
    ReminderChannel,
    ReminderKind,
    ReminderPreference,
)
from theke.appointments.services import links
from theke.appointments.services.appointments import AppointmentError
from theke.appointments.services.notify import (
    NotifyError,
    language_of,
    lead_languages,
    primary_contact,
    queue_appointment_message,
)
from theke.appointments.services.settings import booking_settings
from theke.audit.services import SYSTEM, Actor, record
from theke.customers import services as customers
from theke.customers.models import Contact, Customer, CustomerLink
from theke.messaging.services.templates import TemplateCache
from theke.tenants.models import Tenant
from theke.tenants.scoping import scopes_disabled, tenant_scope

__all__ = [
    "PURPOSE_BY_KIND",
    "Wish",
    "reminder_wish",
    "send_due_reminders",
    "set_reminder_preference",
    "sync_reminders",
    "wanted_reminders",
]

logger = logging.getLogger(__name__)

# The message purpose of each kind of reminder (theke/appointments/messages.py).
PURPOSE_BY_KIND = {
    ReminderKind.DAYS_BEFORE: "appointment_reminder",
    ReminderKind.SAME_DAY: "appointment_same_day_reminder",
}


@dataclass(frozen=True)
class Wish:
    """What a contact wants: days before, channels, the same-day reminder."""

    days_before: int
    by_email: bool
    by_sms: bool
    same_day: bool


def _reachable(appointment: Appointment, contact: Contact | None) -> tuple[bool, bool]:
    """(e-mail, SMS): whether the customer can be written to on the channel at all (the
    same order of addresses as notify.recipient); a reminder without an address is none."""
    email = bool(appointment.contact_email or (contact is not None and contact.email))
    sms = bool(
        appointment.tenant.sms_enabled
        and contact is not None
        and contact.consent_sms
        and (appointment.contact_mobile or contact.mobile_phone)
    )
    return email, sms


def reminder_wish(
    appointment: Appointment,
    contact: Contact | None,
    settings: BookingSettings | None = None,
    *,
    reachable_only: bool = True,
) -> Wish:
    """The contact's preference with the tenant's default for the days; a channel only
    where there is an address, SMS only with the contact's consent and the tenant's SMS
    switch (`reachable_only=False`: the wish as such, for the sweep's re-check, which
    settles a reminder whose address went missing instead of dropping it silently)."""
    settings = settings or booking_settings(appointment.tenant)
    default_days = settings.reminder_days_before
    preference = _preference_of(contact)
    email_ok, sms_ok = _reachable(appointment, contact) if reachable_only else (True, True)
    if preference is None:
        return Wish(default_days, email_ok, False, False)
    return Wish(
        preference.days_before or default_days,
        preference.by_email and email_ok,
        preference.by_sms and sms_ok,
        preference.same_day,
    )


def _preference_of(contact: Contact | None) -> ReminderPreference | None:
    """The contact's stored wish; the sweep hands it over read ahead (`_preference`)."""
    if contact is None:
        return None
    if hasattr(contact, "_preference"):
        return contact._preference
    return ReminderPreference.objects.filter(contact=contact).first()


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The wall-clock moment `time` on `day` in the default zone (fold 0 at a DST change)."""
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_default_timezone())


def _due_times(
    appointment: Appointment, wish: Wish, settings: BookingSettings
) -> dict[tuple[str, str], datetime.datetime]:
    """{(kind, channel): due_at} of a planned appointment, past ones included."""
    if appointment.status != AppointmentStatus.PLANNED:
        return {}
    # The day in the tenant's zone, never the zone a request may have activated.
    day = timezone.localtime(appointment.start, timezone.get_default_timezone()).date()
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
        if moment < appointment.start
    }


def wanted_reminders(
    appointment: Appointment,
    wish: Wish,
    now: datetime.datetime,
    settings: BookingSettings | None = None,
) -> dict[tuple[str, str], datetime.datetime]:
    """{(kind, channel): due_at} the appointment should have now: never one in the past."""
    settings = settings or booking_settings(appointment.tenant)
    return {
        key: moment
        for key, moment in _due_times(appointment, wish, settings).items()
        if now < moment
    }


def sync_reminders(appointment: Appointment, *, now: datetime.datetime | None = None) -> None:
    """Bring the appointment's pending reminders in line with its time, status and the
    contact's wish (inside the caller's transaction; sent ones stay as they are)."""
    now = now or timezone.now()
    settings = booking_settings(appointment.tenant)
    contact = primary_contact(appointment.customer)
    wanted = wanted_reminders(
        appointment, reminder_wish(appointment, contact, settings), now, settings
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


# --- the worker's sweep ---------------------------------------------------------------------


def send_due_reminders(now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Send every reminder due by `now`, batch by batch (one transaction each, at most
    `limit` rows); returns how many messages were queued.

    Stops when a batch was short or changed nothing (its rows all belong to appointments
    being changed right now: they are taken up by the next run).
    """
    now = now or timezone.now()
    queued = 0
    while True:
        claimed, handled, batch_queued = _sweep_batch(now, limit)
        queued += batch_queued
        if claimed < limit or handled == 0:
            return queued


@dataclass
class _Batch:
    """One sweep batch: what it reads once for all its reminders, and what it writes once
    at its end (`_finish`). A single due reminder goes the same way, as a batch of one, so
    the cost of a batch grows with its rows only by the outbox row of each message."""

    now: datetime.datetime
    contacts: dict[int, Contact]  # the primary contact by customer id
    leads: dict[int, str]  # the language of the lead by appointment id
    texts: TemplateCache = field(default_factory=TemplateCache)
    settings: dict[int, BookingSettings] = field(default_factory=dict)  # by tenant id
    settled: list[int] = field(default_factory=list)  # reminders done, message or not
    dropped: list[int] = field(default_factory=list)  # reminders no longer wanted
    moved: list[AppointmentReminder] = field(default_factory=list)  # due later now
    links: list[CustomerLink] = field(default_factory=list)  # of the messages queued

    def settings_of(self, tenant: Tenant) -> BookingSettings:
        if tenant.pk not in self.settings:
            self.settings[tenant.pk] = booking_settings(tenant)
        return self.settings[tenant.pk]


@transaction.atomic
def _sweep_batch(now: datetime.datetime, limit: int) -> tuple[int, int, int]:
    """One batch: (rows claimed, rows handled, messages queued)."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    with scopes_disabled():
        due = AppointmentReminder.objects.filter(sent_at__isnull=True, due_at__lte=now).order_by(
            "due_at", "pk"
        )
        if skip_locked:
            # Another worker's rows are skipped, never waited for: no reminder twice.
            due = due.select_for_update(skip_locked=True)
        reminders = list(due[:limit])
        if not reminders:
            return 0, 0, 0
        appointments = (
            Appointment.objects.filter(pk__in={r.appointment_id for r in reminders})
            .select_related("tenant", "customer", "branch")
            .prefetch_related("work_items")
            .order_by("pk")
        )
        if skip_locked:
            # An appointment being changed (moved, cancelled) holds its lock; its reminders
            # wait for the next run instead of being sent on the old state. Never waiting
            # here also rules out a deadlock with sync_reminders (appointment, then rows).
            appointments = appointments.select_for_update(skip_locked=True, of=("self",))
        by_pk = {appointment.pk: appointment for appointment in appointments}
        batch = _Batch(
            now,
            contacts=_primary_contacts({a.customer_id for a in by_pk.values()}),
            leads=lead_languages(by_pk.keys()),
        )
    handled = queued = 0
    for reminder in reminders:
        appointment = by_pk.get(reminder.appointment_id)
        if appointment is None:
            continue
        with tenant_scope(appointment.tenant):
            queued += _send_one(reminder, appointment, batch)
        handled += 1
    _finish(batch)
    return len(reminders), handled, queued


def _primary_contacts(customer_ids: set[int]) -> dict[int, Contact]:
    """{customer id: primary contact} as notify.primary_contact picks it (the first by the
    contacts' ordering), each with its stored wish, read ahead for a whole batch."""
    found: dict[int, Contact] = {}
    for contact in Contact.objects.filter(customer_id__in=customer_ids).select_related("tenant"):
        found.setdefault(contact.customer_id, contact)
    preferences = {
        p.contact_id: p for p in ReminderPreference.objects.filter(contact__in=found.values())
    }
    for contact in found.values():
        contact._preference = preferences.get(contact.pk)  # type: ignore[attr-defined]
    return found


def _send_one(reminder: AppointmentReminder, appointment: Appointment, batch: _Batch) -> int:
    """Queue the reminder's message (1), or settle it without one (0); what it writes
    besides the outbox row is noted in the batch and written by `_finish`."""
    now = batch.now
    contact = batch.contacts.get(appointment.customer_id)
    settings = batch.settings_of(appointment.tenant)
    key = (reminder.kind, reminder.channel)
    due = None
    if appointment.start > now:
        wish = reminder_wish(appointment, contact, settings, reachable_only=False)
        due = _due_times(appointment, wish, settings).get(key)
    if due is None:
        # Cancelled, finalized, begun, or the wish changed meanwhile: not wanted any more.
        logger.info("reminder %s dropped: no longer wanted", reminder.pk)
        batch.dropped.append(reminder.pk)
        return 0
    if due > now:
        # The tenant moved the reminder time later: the row follows instead of going early.
        reminder.due_at = due
        batch.moved.append(reminder)
        return 0
    # Sent from here on, whatever becomes of the message: a refused or broken one is
    # settled without a message, never tried again.
    batch.settled.append(reminder.pk)
    try:
        link, url = links.new_appointment_link(appointment, now)
        with transaction.atomic():  # a broken message leaves no half-written rows behind
            queue_appointment_message(
                appointment,
                PURPOSE_BY_KIND[ReminderKind(reminder.kind)],
                reminder.channel,
                dedupe_key=f"appointment:{appointment.pk}:reminder:{reminder.pk}",
                context={"link": url},
                contact=contact,
                language=language_of(appointment, contact, batch.leads),
                texts=batch.texts,
            )
    except NotifyError as error:
        # No address (any more): settled without a message, never retried.
        record(
            appointment.tenant,
            SYSTEM,
            "appointment.reminder_skipped",
            appointment,
            {"kind": reminder.kind, "channel": reminder.channel, "reason": error.code},
        )
        return 0
    except Exception:
        # A fault in one reminder (a broken template) must not hold up the others or come
        # back every minute: logged for the operator, settled without a message.
        logger.exception("reminder %s could not be queued", reminder.pk)
        return 0
    # Only a queued message's link is stored: without a message, the customer's older
    # link keeps working.
    batch.links.append(link)
    return 1


def _finish(batch: _Batch) -> None:
    """Write what the batch's reminders noted, in one statement each (inside the batch's
    transaction, so a reminder is marked sent together with its message)."""
    with scopes_disabled():
        if batch.dropped:
            AppointmentReminder.objects.filter(pk__in=batch.dropped).delete()
        if batch.moved:
            AppointmentReminder.objects.bulk_update(batch.moved, ["due_at"])
        if batch.settled:
            AppointmentReminder.objects.filter(pk__in=batch.settled).update(sent_at=batch.now)
        links.store_appointment_links(batch.links, batch.now)


# --- the customer's wish ------------------------------------------------------------------


@transaction.atomic
def set_reminder_preference(
    contact: Contact,
    actor: Actor,
    *,
    days_before: int | None,
    by_email: bool,
    by_sms: bool,
    same_day: bool,
    sms_consent: bool = False,
) -> ReminderPreference:
    """Store the contact's wish for reminders and re-sync the customer's upcoming planned
    appointments. `sms_consent` records the contact's consent to SMS (with the time, through
    the customers' service); SMS reminders need it and the tenant's SMS switch.
    `days_before` None: the tenant's default."""
    tenant = contact.tenant
    now = timezone.now()
    with tenant_scope(tenant):
        if days_before is not None and not 1 <= days_before <= 4:
            raise AppointmentError(
                _("Bitte wählen Sie 1 bis 4 Tage vor dem Termin."), "days_before", "invalid_days"
            )
        # The customer's lock first, as the customers' services take it: two changes of
        # the wish at once are one after the other, and the first one creates the row.
        Customer.objects.select_for_update().get(pk=contact.customer_id)
        contact = Contact.objects.select_related("tenant").get(pk=contact.pk)
        tenant = contact.tenant
        if by_sms and not tenant.sms_enabled:
            raise AppointmentError(
                _("Erinnerungen per SMS sind zurzeit nicht möglich."), "by_sms", "no_sms"
            )
        consent_recorded = sms_consent and not contact.consent_sms
        if consent_recorded:
            contact = customers.update_contact(contact, actor, consent_sms=True)
        if by_sms and not contact.consent_sms:
            raise AppointmentError(
                _("Für Erinnerungen per SMS brauchen wir Ihre Einwilligung."),
                "sms_consent",
                "no_sms_consent",
            )
        values = {
            "days_before": days_before,
            "by_email": by_email,
            "by_sms": by_sms,
            "same_day": same_day,
        }
        preference = ReminderPreference.objects.filter(contact=contact).first()
        created = preference is None
        if preference is None:
            preference = ReminderPreference(tenant=tenant, contact=contact)
        changes = {
            name: [None if created else getattr(preference, name), value]
            for name, value in values.items()
            if created or getattr(preference, name) != value
        }
        if not changes and not consent_recorded:
            return preference
        for name, value in values.items():
            setattr(preference, name, value)
        preference.save()
        record(tenant, actor, "reminder_preference.changed", preference, {"changes": changes})
        upcoming = Appointment.objects.filter(
            customer_id=contact.customer_id, status=AppointmentStatus.PLANNED, start__gt=now
        ).order_by("pk")
        for appointment in upcoming.select_for_update(of=("self",)).select_related("tenant"):
            sync_reminders(appointment, now=now)
    return preference
