"""Staff's changes of a lead in the lead manager: reject it (with the message to the
customer), reopen it, edit its data. Each locks the lead, checks the right on closed leads
and the transition, and writes the audit event (see `leads`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from theke.accounts.models import User
from theke.appointments.messages import LEAD_REJECTION_EMAIL, LEAD_REJECTION_SMS
from theke.appointments.models import Lead, LeadStatus, ServiceAdvisor
from theke.appointments.services.leads import (
    LeadError,
    check_may_touch,
    check_transition,
    lock_lead,
    save_transition,
    search_text_of,
)
from theke.audit.services import Actor, record
from theke.customers.models import Contact
from theke.messaging import textformat
from theke.messaging.models import OutboundMessage
from theke.messaging.purposes import EMAIL, SMS, get_purpose
from theke.messaging.services import outbox
from theke.messaging.services.templates import base_context
from theke.tenants.models import Branch

__all__ = [
    "EDITABLE_FIELDS",
    "REJECTION_PURPOSES",
    "RejectChannel",
    "Rejection",
    "lead_message_context",
    "lead_recipient",
    "reject_lead",
    "reopen_lead",
    "update_lead",
]

RejectChannel = Literal["email", "sms"]

# The purpose whose text prefills the reject form, per channel.
REJECTION_PURPOSES: dict[str, str] = {
    EMAIL: LEAD_REJECTION_EMAIL.code,
    SMS: LEAD_REJECTION_SMS.code,
}

# What staff may change on a lead; the slot changes only through the conversion.
EDITABLE_FIELDS = (
    "customer_number",
    "salutation",
    "first_name",
    "last_name",
    "email",
    "mobile_phone",
    "street",
    "postal_code",
    "city",
    "vin",
    "license_plate",
    "make",
    "model",
    "mileage_km",
    "note",
    "branch",
    "advisor",
)

# Statuses from which a lead goes back to "Neu".
REOPENABLE = frozenset(
    {LeadStatus.REJECTED, LeadStatus.CANCELLED_BY_CUSTOMER, LeadStatus.CANCELLED}
)


@dataclass(frozen=True)
class Rejection:
    """A rejected lead and the message that tells its customer."""

    lead: Lead
    message: OutboundMessage


def lead_recipient(lead: Lead) -> Contact:
    """The lead's customer as an unsaved contact: what the compose form and the greeting
    take. Never saved; the lead's mobile number counts as consent to hear about this request."""
    return Contact(
        salutation=lead.salutation,
        first_name=lead.first_name,
        last_name=lead.last_name,
        email=lead.email,
        mobile_phone=lead.mobile_phone,
        language=lead.language or "de",
        consent_sms=bool(lead.mobile_phone),
    )


def lead_message_context(lead: Lead, language: str) -> dict[str, str]:
    """The values of the lead texts' own placeholders (date, time, branch), in `language`."""
    start = timezone.localtime(lead.start)
    with override(language):
        day = date_format(start.date(), "SHORT_DATE_FORMAT" if language == "de" else "j F Y")
        hour = time_format(start.time(), "H:i" if language == "de" else "g:i a")
    return {
        "appointment_date": day,
        "appointment_time": hour,
        "branch_name": lead.branch.name,
        "branch_phone": lead.branch.phone or lead.tenant.phone,
    }


def _final_texts(lead: Lead, channel: str, subject: str, body: str) -> tuple[str, str]:
    """The subject and text as staff sent them; refuses empty ones and leftover placeholders."""
    purpose = get_purpose(REJECTION_PURPOSES[channel])
    allowed = list(purpose.placeholders)
    text = body.replace("\r\n", "\n").strip()
    subject = " ".join(subject.split()) if channel == EMAIL else ""
    if not text:
        raise LeadError(_("Bitte geben Sie einen Text an."), "text", "required")
    if channel == EMAIL and not subject:
        raise LeadError(_("Bitte geben Sie einen Betreff an."), "subject", "required")
    for field, value in (("subject", subject), ("text", text)):
        left = textformat.placeholders_in(value, allowed)
        if left:
            raise LeadError(
                _("Bitte ersetzen Sie diese Platzhalter durch den gewünschten Text: %(names)s"),
                field,
                "placeholder_left",
                params={"names": textformat.allowed_list(left)},
            )
    return subject, text


def _recipient(lead: Lead, channel: str) -> str:
    """The lead's e-mail address or mobile number (E.164); refuses what cannot be sent."""
    if channel == SMS:
        if not lead.tenant.sms_enabled:
            raise LeadError(
                _("SMS ist für Ihr Unternehmen nicht freigeschaltet."), "channel", "sms_disabled"
            )
        if not lead.mobile_phone:
            raise LeadError(
                _("Für diese Terminanfrage ist keine Mobilnummer angegeben."),
                "channel",
                "no_mobile_phone",
            )
        return str(lead.mobile_phone.as_e164)
    if channel != EMAIL:
        raise LeadError(_("Bitte wählen Sie E-Mail oder SMS."), "channel", "invalid_channel")
    if not lead.email:
        raise LeadError(
            _("Für diese Terminanfrage ist keine E-Mail-Adresse angegeben."), "channel", "no_email"
        )
    return lead.email


def reject_lead(
    lead: Lead,
    actor: Actor,
    user: User,
    *,
    channel: RejectChannel | str,
    subject: str = "",
    body: str,
) -> Rejection:
    """Reject the lead ("Abgelehnt") and send the customer exactly the text staff wrote,
    by e-mail or (where the tenant has SMS) by SMS; the API event `lead.rejected` follows."""
    with transaction.atomic():
        locked = lock_lead(lead)
        check_may_touch(user, locked)
        check_transition(locked, LeadStatus.REJECTED)
        address = _recipient(locked, channel)
        subject, text = _final_texts(locked, channel, subject, body)
        save_transition(
            locked,
            LeadStatus.REJECTED,
            actor,
            action="lead.rejected",
            data={"channel": channel, "recipient": address},
            event="lead.rejected",
        )
        assert locked.decided_at is not None
        message = outbox.queue_message(
            locked.tenant,
            channel=channel,
            purpose=REJECTION_PURPOSES[channel],
            recipient=address,
            # One message per rejection: a lead reopened and rejected again writes again.
            dedupe_key=f"lead:{locked.pk}:rejected:{locked.decided_at.timestamp():.6f}",
            subject=subject,
            text=text,
            recipient_name=locked.full_name,
            related=locked,
            reply_to=locked.tenant.email_reply_to if channel == EMAIL else "",
            language=locked.language,
        )
    return Rejection(locked, message)


def reopen_lead(lead: Lead, actor: Actor, user: User) -> Lead:
    """Set a rejected or cancelled lead back to "Neu"; rejected and customer-cancelled leads
    need the right "Stornierte Terminleads bearbeiten"."""
    with transaction.atomic():
        locked = lock_lead(lead)
        check_may_touch(user, locked)
        if locked.status not in REOPENABLE:
            raise LeadError(
                _("Nur abgelehnte oder stornierte Terminanfragen können wieder geöffnet werden."),
                None,
                "invalid_transition",
            )
        check_transition(locked, LeadStatus.NEW)
        previous = locked.status
        return save_transition(
            locked, LeadStatus.NEW, actor, action="lead.reopened", data={"from": previous}
        )


def _shown(value: Any) -> Any:
    """A changed value as the audit trail keeps it (JSON: text, number or None)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _key(value: Any) -> Any:
    """What makes two values the same change-wise: a row's id, else the value ("" = None)."""
    if isinstance(value, Model):
        return (type(value).__name__, value.pk)
    return _shown(value or None)


def _check_branch_and_advisor(lead: Lead, branch: Branch, advisor: User | None) -> None:
    if branch.tenant_id != lead.tenant_id or not branch.is_active:
        raise LeadError(_("Bitte wählen Sie einen aktiven Betrieb."), "branch", "invalid_branch")
    if advisor is None:
        return
    is_advisor = ServiceAdvisor.objects.filter(
        tenant=lead.tenant, branch=branch, user=advisor, is_active=True
    ).exists()
    if not is_advisor:
        raise LeadError(
            _("%(name)s ist kein aktiver Annehmer des Betriebs %(branch)s."),
            "advisor",
            "invalid_advisor",
            params={"name": str(advisor), "branch": branch.name},
        )


def update_lead(lead: Lead, actor: Actor, user: User, **fields: Any) -> Lead:
    """Change the customer and vehicle data, the note, the branch or the advisor of a lead.

    Rejected and customer-cancelled leads need the right "Stornierte Terminleads
    bearbeiten"; a lead that became an appointment is changed on its appointment.
    """
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"update_lead cannot change {', '.join(unknown)}")
    with transaction.atomic():
        locked = lock_lead(lead)
        check_may_touch(user, locked)
        if locked.status == LeadStatus.PLANNED:
            raise LeadError(
                _(
                    "Die Terminanfrage ist bereits als Termin angelegt. Bitte ändern Sie "
                    "den Termin."
                ),
                None,
                "planned",
            )
        before = {name: getattr(locked, name) for name in fields}
        for name, value in fields.items():
            if value is None and name not in {"branch", "advisor", "mileage_km"}:
                value = ""
            setattr(locked, name, value)
        # Checked only when changed: an advisor who left meanwhile must not block a note.
        if _key(before.get("branch", locked.branch)) != _key(locked.branch) or _key(
            before.get("advisor", locked.advisor)
        ) != _key(locked.advisor):
            _check_branch_and_advisor(locked, locked.branch, locked.advisor)
        scalar = [name for name in fields if name not in {"branch", "advisor"}]
        exclude = [f.name for f in Lead._meta.concrete_fields if f.name not in scalar]
        try:
            # Also normalises the input (e.g. a phone number to E.164) before comparing.
            locked.clean_fields(exclude=exclude)
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            raise LeadError(messages[0], name, "invalid") from error
        changes = {
            name: [_shown(old), _shown(getattr(locked, name))]
            for name, old in before.items()
            if _key(old) != _key(getattr(locked, name))
        }
        if not changes:
            return locked
        locked.search_text = search_text_of(locked)
        locked.save()
        record(locked.tenant, actor, "lead.updated", locked, {"changes": changes})
    return locked


def base_lead_context(lead: Lead, language: str) -> dict[str, str]:
    """Every placeholder value of a lead text: the recipient, the company and the lead."""
    return {
        **base_context(lead.tenant, contact=lead_recipient(lead), language=language),
        **lead_message_context(lead, language),
    }
