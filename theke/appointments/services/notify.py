"""Messages to the customer of an appointment: one path for every appointment text.

Confirmation, proposal, cancellation and the reminders all need the same things: the
recipient by channel (the appointment's own contact data first, then the customer's
primary contact), the customer's language, the appointment's placeholders (date, time,
branch, address, work) and one outbox row. They get them here, so no purpose grows a copy.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from theke.appointments.models import Appointment, Lead
from theke.core.errors import ServiceError
from theke.customers.models import Contact, Customer
from theke.messaging.models import Channel, OutboundMessage
from theke.messaging.services import outbox
from theke.messaging.services.outbox import Attachment
from theke.messaging.services.templates import (
    TemplateCache,
    base_context,
    greeting,
    render_message,
)

__all__ = [
    "NotifyError",
    "appointment_context",
    "language_of",
    "lead_languages",
    "primary_contact",
    "queue_appointment_message",
    "recipient",
]


class NotifyError(ServiceError):
    """No way to reach the customer on the channel (no address, no SMS switch)."""


def primary_contact(customer: Customer) -> Contact | None:
    """The customer's main contact (the first by the contacts' ordering)."""
    return Contact.objects.filter(customer=customer).first()


def recipient(appointment: Appointment, channel: str, contact: Contact | None = None) -> str:
    """The address to write to on `channel`; NotifyError names what is missing."""
    contact = contact if contact is not None else primary_contact(appointment.customer)
    if channel == Channel.SMS:
        if not appointment.tenant.sms_enabled:
            raise NotifyError(
                _("SMS ist für Ihr Unternehmen nicht freigeschaltet."), "channel", "no_sms"
            )
        mobile = appointment.contact_mobile or (contact.mobile_phone if contact else None)
        if not mobile:
            raise NotifyError(
                _("Für diesen Termin ist keine Mobilnummer hinterlegt."), "channel", "no_mobile"
            )
        return str(mobile.as_e164)
    if channel != Channel.EMAIL:
        raise NotifyError(_("Unbekannter Versandweg."), "channel", "invalid_channel")
    email = appointment.contact_email or (contact.email if contact else "")
    if not email:
        raise NotifyError(
            _("Für diesen Termin ist keine E-Mail-Adresse hinterlegt."), "channel", "no_email"
        )
    return email


def lead_languages(appointment_ids: Collection[int]) -> dict[int, str]:
    """{appointment id: the language its lead was booked in}, in one query for many
    appointments (a batch of reminders); appointments without a lead are missing."""
    return dict(
        Lead.objects.filter(appointment_id__in=appointment_ids).values_list(
            "appointment_id", "language"
        )
    )


def language_of(
    appointment: Appointment,
    contact: Contact | None = None,
    leads: Mapping[int, str] | None = None,
) -> str:
    """The customer's language: the lead's (what the customer booked in), else the
    contact's, else the tenant's. `leads`: `lead_languages` read ahead for a batch."""
    if leads is None:
        leads = lead_languages([appointment.pk])
    lead_language = leads.get(appointment.pk)
    if lead_language:
        return lead_language
    contact = contact if contact is not None else primary_contact(appointment.customer)
    return (contact.language if contact else "") or appointment.tenant.default_language or "de"


def appointment_context(appointment: Appointment, language: str) -> dict[str, str]:
    """The appointment placeholders every appointment text shares."""
    start, end = timezone.localtime(appointment.start), timezone.localtime(appointment.end)
    branch = appointment.branch
    address = ""
    if branch is not None:
        address = ", ".join(
            p for p in [branch.street, f"{branch.postal_code} {branch.city}".strip()] if p
        )
    date = start.strftime("%d.%m.%Y") if language == "de" else start.strftime("%d %B %Y")
    return {
        "date": date,
        "time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "branch_name": branch.name if branch is not None else appointment.tenant.name,
        "branch_address": address,
        "work": appointment.work_description.replace("\n", ", "),
    }


def _name(appointment: Appointment) -> tuple[Contact, str]:
    customer = appointment.customer
    person = Contact(
        salutation=appointment.contact_salutation or customer.salutation,
        first_name=appointment.contact_first_name or customer.first_name,
        last_name=appointment.contact_last_name or customer.last_name,
    )
    return person, str(person).strip() or customer.display_name


def queue_appointment_message(
    appointment: Appointment,
    purpose: str,
    channel: str,
    *,
    dedupe_key: str,
    context: Mapping[str, Any] | None = None,
    attachments: Sequence[Attachment] = (),
    contact: Contact | None = None,
    language: str | None = None,
    texts: TemplateCache | None = None,
) -> OutboundMessage:
    """Render `purpose` for the appointment's customer and queue it (inside the caller's
    transaction). `context` adds the purpose's own placeholders (a link, the slots).
    A batch (the reminder sweep) hands in what it read ahead for all its messages: the
    customer's `language` (`language_of`) and its cache of `texts`."""
    tenant = appointment.tenant
    contact = contact if contact is not None else primary_contact(appointment.customer)
    address = recipient(appointment, channel, contact)
    language = language or language_of(appointment, contact)
    person, name = _name(appointment)
    full_context = {
        **base_context(tenant, customer=appointment.customer, language=language, name=name),
        "greeting": greeting(person, language, name),
        **appointment_context(appointment, language),
        **(context or {}),
    }
    rendered = render_message(tenant, purpose, channel, language, full_context, texts=texts)
    return outbox.queue_message(
        tenant,
        channel=channel,
        purpose=purpose,
        recipient=address,
        recipient_name=name,
        dedupe_key=dedupe_key,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        contact=contact,
        related=appointment,
        reply_to=tenant.email_reply_to if channel == Channel.EMAIL else "",
        attachments=attachments if channel == Channel.EMAIL else (),
        language=language,
    )
