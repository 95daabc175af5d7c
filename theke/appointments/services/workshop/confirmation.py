"""The booking confirmation and the cancellation to the customer, each with its calendar
file (stable UID, SEQUENCE, METHOD:CANCEL)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.appointments.models import (
    Appointment,
)
from theke.appointments.services import ics, notify
from theke.appointments.services.appointments import (
    AppointmentError,
    _lock,
    _update,
)
from theke.appointments.services.links import issue_appointment_link
from theke.appointments.services.workshop.common import (
    CANCELLATION_PURPOSE,
    CONFIRMATION_PURPOSE,
    S,
    _notify_error,
)
from theke.audit.services import Actor, record
from theke.messaging.models import Channel, OutboundMessage
from theke.messaging.services.outbox import Attachment

# --- messages ----------------------------------------------------------------------------------


def _calendar_attachment(appointment: Appointment, link: str, *, cancel: bool) -> Attachment:
    method = "CANCEL" if cancel else "REQUEST"
    return Attachment(
        ics.filename(appointment),
        ics.calendar_file(appointment, cancel=cancel, link=link),
        f"{ics.CONTENT_TYPE}; method={method}; charset=utf-8",
    )


def _queue_confirmation(
    appointment: Appointment, actor: Actor, channel: str, link: str
) -> OutboundMessage:
    attachments = (
        [_calendar_attachment(appointment, link, cancel=False)] if channel == Channel.EMAIL else []
    )
    message = notify.queue_appointment_message(
        appointment,
        CONFIRMATION_PURPOSE,
        channel,
        dedupe_key=f"appointment:{appointment.pk}:confirmation:v{appointment.version}",
        context={"link": link},
        attachments=attachments,
    )
    record(
        appointment.tenant,
        actor,
        "appointment.confirmation_sent",
        appointment,
        {"channel": channel, "recipient": message.recipient, "version": appointment.version},
    )
    return message


def _queue_cancellation(appointment: Appointment, link: str) -> list[OutboundMessage]:
    return [
        notify.queue_appointment_message(
            appointment,
            CANCELLATION_PURPOSE,
            Channel.EMAIL,
            dedupe_key=f"appointment:{appointment.pk}:cancellation",
            context={"link": link},
            attachments=[_calendar_attachment(appointment, link, cancel=True)],
        )
    ]


@transaction.atomic
def send_confirmation(
    appointment: Appointment,
    actor: Actor,
    channel: str = Channel.EMAIL,
    *,
    now: datetime.datetime | None = None,
) -> OutboundMessage:
    """Send the booking confirmation of a planned appointment: e-mail with the customer
    link and the calendar file (METHOD:REQUEST), or SMS with the link. Marks the
    appointment confirmed (`confirmed_at`). Once per channel and version: a second click
    returns the same message."""
    now = now or timezone.now()
    appointment = _lock(appointment)
    if appointment.status in (S.CANCELLED, S.FINALIZED):
        raise AppointmentError(
            _("Für diesen Termin kann keine Bestätigung mehr gesendet werden."), None, "final"
        )
    if appointment.status != S.PLANNED:
        raise AppointmentError(
            _("Eine Bestätigung kann erst für einen geplanten Termin gesendet werden."),
            None,
            "not_planned",
        )
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise AppointmentError(_("Unbekannter Versandweg."), "channel", "invalid_channel")
    try:
        notify.recipient(appointment, channel)  # refuse before anything changes
    except notify.NotifyError as error:
        raise _notify_error(error) from error
    if appointment.confirmed_at is None:
        appointment = _update(
            appointment, actor, {"confirmed_at": now}, action="appointment.confirmed"
        )[0]
    link = issue_appointment_link(appointment, now)
    try:
        return _queue_confirmation(appointment, actor, channel, link)
    except notify.NotifyError as error:
        raise _notify_error(error) from error
