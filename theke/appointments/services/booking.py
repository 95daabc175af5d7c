"""A customer books online, and cancels through the link of the "Anfrage erhalten" e-mail.

`book` re-checks the chosen slot under the branch's lock (`availability.lock_branch`): of
two customers taking the last place of a slot at once, one gets the lead and the other
`SlotTaken` with the next free slots. The lead ("Neu") holds the slot's capacity until staff
decide. `cancel_by_customer` turns it into "Von Kunden storniert" until the tenant's cut-off
before the appointment; a planned lead's appointment is cancelled with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.appointments.messages import (
    BOOKING_CANCELLED,
    BOOKING_CANCELLED_COMPANY,
    BOOKING_RECEIVED,
)
from theke.appointments.models import (
    MAX_MILEAGE_KM,
    AppointmentStatus,
    BookableService,
    Lead,
    LeadStatus,
)
from theke.appointments.services import availability
from theke.appointments.services.appointments import cancel_appointment
from theke.appointments.services.leads import (
    LeadError,
    check_transition,
    lead_payload,
    lock_lead,
    save_transition,
    search_text_of,
)
from theke.appointments.services.settings import (
    booking_enabled,
    booking_settings,
    branch_booking,
)
from theke.appointments.slots import FreeSlot
from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import SYSTEM, Actor, record
from theke.core.errors import ServiceError
from theke.core.formatting import format_datetime
from theke.customers import links as customer_links
from theke.customers.links import LinkKind, LinkState
from theke.customers.models import Contact, CustomerLink
from theke.messaging.models import OutboundMessage
from theke.messaging.purposes import EMAIL
from theke.messaging.services import templates as message_templates
from theke.tenants import services as legal
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import tenant_scope

__all__ = [
    "LINK_KIND",
    "BookingRequest",
    "FoundLead",
    "SlotTaken",
    "book",
    "bookable_services",
    "can_cancel",
    "cancel_by_customer",
    "cancel_deadline",
    "find_lead_link",
    "lead_link_url",
]

LINK_KIND = "lead"
# The link to a lead stays valid this long after the requested appointment.
LINK_DAYS_AFTER = 30
# How many free slots a refusal offers instead of a taken one.
NEXT_SLOTS = 3

customer_links.register_kind(LinkKind(LINK_KIND, gettext_lazy("Terminanfrage"), "lead_pages:page"))


@dataclass(frozen=True)
class BookingRequest:
    """What the customer entered in the booking pages."""

    service_ids: Sequence[int]
    start: datetime.datetime
    last_name: str
    email: str
    first_name: str = ""
    salutation: str = ""
    mobile_phone: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    vin: str = ""
    license_plate: str = ""
    make: str = ""
    model: str = ""
    mileage_km: int | None = None
    customer_number: str = ""
    note: str = ""
    # The consent checkbox and the legal-text versions the page showed (tenants/_consent.html).
    # None (leadsapi): booked through the API; the caller answers for the customer's consent
    # and the lead records none (no text versions, consented_at empty).
    consent: bool | None = False
    terms_version: Any = None
    privacy_version: Any = None
    language: str = "de"


class SlotTaken(LeadError):
    """The slot was given to someone else meanwhile; `next_slots` are free ones after it."""

    def __init__(self, next_slots: list[FreeSlot]) -> None:
        super().__init__(
            _(
                "Dieser Termin wurde gerade vergeben. Bitte wählen Sie einen anderen Termin – "
                "Ihre übrigen Angaben bleiben erhalten."
            ),
            "start",
            "slot_taken",
        )
        self.next_slots = next_slots


def bookable_services(branch: Branch) -> list[BookableService]:
    """The active services offered at the branch (a service without branches: everywhere)."""
    with tenant_scope(branch.tenant):
        found = BookableService.objects.filter(tenant=branch.tenant, is_active=True)
        return [s for s in found.prefetch_related("branches") if _offered(s, branch)]


def _offered(service: BookableService, branch: Branch) -> bool:
    branches = list(service.branches.all())
    return not branches or any(b.pk == branch.pk for b in branches)


def _chosen_services(branch: Branch, ids: Sequence[int]) -> list[BookableService]:
    if not ids:
        raise LeadError(_("Bitte wählen Sie mindestens eine Leistung."), "services", "required")
    offered = {s.pk: s for s in bookable_services(branch)}
    wanted = list(dict.fromkeys(int(pk) for pk in ids))
    if any(pk not in offered for pk in wanted):
        raise LeadError(
            _("Diese Leistung wird in diesem Betrieb nicht online angeboten."),
            "services",
            "service_not_offered",
        )
    return [offered[pk] for pk in wanted]


def _check_time(branch: Branch, start: datetime.datetime, now: datetime.datetime) -> None:
    rules = branch_booking(branch)
    if timezone.is_naive(start):
        raise LeadError(_("Bitte wählen Sie einen Termin."), "start", "required")
    if start < now + datetime.timedelta(hours=rules.min_notice_hours):
        raise LeadError(
            _(
                "Dieser Termin liegt zu kurzfristig. Online buchbar sind Termine ab "
                "%(hours)s Stunden im Voraus."
            )
            % {"hours": rules.min_notice_hours},
            "start",
            "too_soon",
        )
    last_day = timezone.localdate(now) + datetime.timedelta(days=rules.horizon_days)
    if timezone.localdate(start) > last_day:
        raise LeadError(
            _("Dieser Termin liegt zu weit in der Zukunft. Online buchbar sind %(days)s Tage.")
            % {"days": rules.horizon_days},
            "start",
            "too_late",
        )


def _clean_person(request: BookingRequest) -> dict[str, Any]:
    """The contact and vehicle data, stripped and checked (the form checks them too)."""
    values: dict[str, Any] = {
        name: " ".join(str(getattr(request, name) or "").split())
        for name in (
            "salutation",
            "first_name",
            "last_name",
            "email",
            "street",
            "postal_code",
            "city",
            "make",
            "model",
            "customer_number",
        )
    }
    values["vin"] = "".join(str(request.vin or "").split()).upper()
    values["license_plate"] = " ".join(str(request.license_plate or "").split()).upper()
    values["note"] = str(request.note or "").strip()[:2000]
    if not values["last_name"]:
        raise LeadError(_("Bitte geben Sie Ihren Nachnamen ein."), "last_name", "required")
    try:
        validate_email(values["email"])
    except ValidationError as error:
        raise LeadError(
            _("Bitte geben Sie eine gültige E-Mail-Adresse ein."), "email", "invalid"
        ) from error
    if not values["vin"] and not values["license_plate"]:
        raise LeadError(
            _("Bitte geben Sie die Fahrgestellnummer (FIN) oder das Kennzeichen an."),
            "vin",
            "vehicle_required",
        )
    if len(values["vin"]) > 17:
        raise LeadError(_("Die FIN hat höchstens 17 Zeichen."), "vin", "invalid")
    mileage = request.mileage_km
    if mileage is not None and not 0 <= mileage <= MAX_MILEAGE_KM:
        raise LeadError(_("Bitte prüfen Sie den Kilometerstand."), "mileage_km", "invalid")
    values["mileage_km"] = mileage
    values["mobile_phone"] = _phone(request.mobile_phone)
    return values


def _phone(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise LeadError(
            _("Bitte geben Sie eine gültige Mobilnummer ein."), "mobile_phone", "invalid"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def customer_actor(lead: Lead) -> Actor:
    """The customer who booked the lead, as the actor of their own changes."""
    return Actor(ActorType.CONTACT, label=lead.full_name or lead.email)


def book(
    branch: Branch,
    request: BookingRequest,
    *,
    now: datetime.datetime | None = None,
    actor: Actor | None = None,
) -> Lead:
    """Book the request as a lead ("Neu") at the branch, in one transaction with its audit
    event, the API event `lead.created`, the customer link and the "Anfrage erhalten" e-mail.

    Refuses (LeadError) when booking is off, a service is not offered here, the time is too
    soon or too far ahead, a required input is missing or the consent is not given; raises
    SlotTaken (with the next free slots) when the slot was given away meanwhile.
    """
    with tenant_scope(branch.tenant):
        return _book(branch, request, now or timezone.now(), actor)


def _book(
    branch: Branch, request: BookingRequest, now: datetime.datetime, by: Actor | None = None
) -> Lead:
    tenant = branch.tenant
    if not booking_enabled(branch):
        raise LeadError(
            _("In diesem Betrieb können derzeit keine Termine online gebucht werden."),
            None,
            "booking_disabled",
        )
    services = _chosen_services(branch, request.service_ids)
    minutes = sum(s.duration_minutes for s in services)
    start = request.start
    _check_time(branch, start, now)
    values = _clean_person(request)
    with transaction.atomic():
        try:
            consent = (
                None
                if request.consent is None
                else legal.check_consent(
                    tenant,
                    accepted=request.consent,
                    terms_version=request.terms_version,
                    privacy_version=request.privacy_version,
                    field="consent",
                )
            )
        except ServiceError as error:
            raise LeadError(refusal_text(error), "consent", error.code) from error
        availability.lock_branch(branch)
        end = start + datetime.timedelta(minutes=minutes)
        advisor = availability.find_free_advisor(branch, start, end, now=now)
        if advisor is False:
            raise SlotTaken(
                availability.next_free_slots(branch, minutes, start, count=NEXT_SLOTS, now=now)
            )
        lead = Lead(
            tenant=tenant,
            branch=branch,
            advisor_id=advisor,
            start=start,
            end=end,
            services_booked=[
                {
                    "id": s.pk,
                    "name": s.name,
                    "minutes": s.duration_minutes,
                    "price": str(s.price) if s.price is not None else None,
                }
                for s in services
            ],
            language=_language(tenant, request.language),
            created_at=now,
            **values,
        )
        if consent is not None:
            consent.apply_to(lead)
        lead.search_text = search_text_of(lead)
        lead.save(force_insert=True)
        lead.services.set(services)
        actor = by or customer_actor(lead)
        record(
            tenant,
            actor,
            "lead.created",
            lead,
            {
                "start": start.isoformat(),
                "services": [s.name for s in services],
                "terms_version": lead.terms_text.version if lead.terms_text else None,
                "privacy_version": lead.privacy_text.version if lead.privacy_text else None,
            },
        )
        emit_event(tenant, "lead.created", subject_type="lead", payload=lead_payload(lead))
        _link, token = customer_links.issue_link(
            tenant,
            LINK_KIND,
            str(lead.uid),
            expires_at=end + datetime.timedelta(days=LINK_DAYS_AFTER),
            now=now,
            model=CustomerLink,
        )
        _tell_customer(lead, BOOKING_RECEIVED.code, "received", link=lead_link_url(token))
    return lead


def _language(tenant: Tenant, language: str) -> str:
    return message_templates.resolve_language(tenant, language or None)


def lead_link_url(token: str) -> str:
    """The absolute URL of the customer's page of a lead."""
    return customer_links.link_url(LINK_KIND, token)


def _day(value: datetime.datetime, language: str) -> str:
    with translation.override(language):
        pattern = "l, j F Y" if language == "en" else "l, j. F Y"
        return str(formats.date_format(timezone.localtime(value), pattern))


def _booking_context(lead: Lead, language: str) -> dict[str, str]:
    """The values of the booking placeholders (messages.BOOKING_PLACEHOLDERS)."""
    branch = lead.branch
    vehicle = " ".join(p for p in (lead.make, lead.model) if p)
    plate = lead.license_plate or lead.vin
    return {
        "date": _day(lead.start, language),
        "time": timezone.localtime(lead.start).strftime("%H:%M"),
        "services": ", ".join(str(s.get("name", "")) for s in lead.services_booked),
        "vehicle": ", ".join(p for p in (vehicle, plate) if p),
        "branch_name": branch.name,
        "branch_address": branch.address_line,
        "branch_phone": branch.phone or branch.tenant.phone,
    }


def _greeting_contact(lead: Lead) -> Contact:
    """An unsaved contact with the lead's name: the greeting "Guten Tag Frau Berg"."""
    return Contact(salutation=lead.salutation, first_name=lead.first_name, last_name=lead.last_name)


def _tell_customer(lead: Lead, purpose: str, what: str, *, link: str = "") -> OutboundMessage:
    """An e-mail of `purpose` to the address the customer entered, in the lead's language;
    with `link` (the customer link) also until when the request may be cancelled."""
    tenant = lead.tenant
    language = _language(tenant, lead.language)
    context: dict[str, str] = {
        "greeting": message_templates.greeting(_greeting_contact(lead), language),
        "customer_name": lead.full_name,
        **_booking_context(lead, language),
    }
    if link:
        context["link"] = link
        context["cancel_until"] = format_datetime(cancel_deadline(lead), language)
    return message_templates.send_templated(
        tenant,
        purpose=purpose,
        channel=EMAIL,
        contact=None,
        context=context,
        related=lead,
        dedupe_key=f"lead:{lead.pk}:{what}",
        language=language,
        recipient=lead.email,
        recipient_name=lead.full_name,
    )


def _tell_company(lead: Lead, now: datetime.datetime) -> OutboundMessage | None:
    tenant = lead.tenant
    recipient = tenant.notification_address
    if not recipient:
        record(tenant, SYSTEM, "lead.company_mail_skipped", lead, {"reason": "no_address"})
        return None
    language = _language(tenant, "")
    contact = ", ".join(p for p in (lead.email, str(lead.mobile_phone or "")) if p)
    context = {
        **_booking_context(lead, language),
        "customer_name": lead.full_name,
        "customer_contact": contact,
        "cancelled_at": format_datetime(now, language),
    }
    return message_templates.send_templated(
        tenant,
        purpose=BOOKING_CANCELLED_COMPANY.code,
        channel=EMAIL,
        contact=None,
        context=context,
        related=lead,
        dedupe_key=f"lead:{lead.pk}:cancelled_company",
        language=language,
        recipient=recipient,
        recipient_name=tenant.name,
    )


# --- the customer's cancellation -------------------------------------------------------------


def _appointment_start(lead: Lead) -> datetime.datetime:
    """When the customer is expected: the planned appointment's start, else the request's."""
    appointment = lead.appointment if lead.appointment_id else None
    return appointment.start if appointment is not None else lead.start


def cancel_deadline(lead: Lead) -> datetime.datetime:
    """Until when the customer may cancel online (the tenant's cut-off before the start)."""
    with tenant_scope(lead.tenant):
        hours = booking_settings(lead.tenant).cancel_cutoff_hours
        return _appointment_start(lead) - datetime.timedelta(hours=hours)


def can_cancel(lead: Lead, now: datetime.datetime | None = None) -> bool:
    """The customer may still cancel online: the lead is new or planned, before the cut-off."""
    if lead.status not in (LeadStatus.NEW, LeadStatus.PLANNED):
        return False
    return (now or timezone.now()) < cancel_deadline(lead)


def cancel_by_customer(lead: Lead, actor: Actor, *, now: datetime.datetime | None = None) -> Lead:
    """The customer cancels the request ("Von Kunden storniert"), with a planned lead's
    appointment; refuses after the cut-off or when it is no longer open. Tells the company
    (its notification address) and confirms to the customer."""
    now = now or timezone.now()
    with tenant_scope(lead.tenant), transaction.atomic():
        lead = lock_lead(lead)
        if lead.status == LeadStatus.CANCELLED_BY_CUSTOMER:
            raise LeadError(
                _("Sie haben diese Terminanfrage bereits storniert."), None, "already_cancelled"
            )
        if lead.status not in (LeadStatus.NEW, LeadStatus.PLANNED):
            raise LeadError(
                _("Diese Terminanfrage kann nicht mehr online storniert werden."),
                None,
                "not_cancellable",
            )
        appointment = lead.appointment if lead.appointment_id else None
        if appointment is not None and appointment.status == AppointmentStatus.FINALIZED:
            raise LeadError(
                _("Diese Terminanfrage kann nicht mehr online storniert werden."),
                None,
                "not_cancellable",
            )
        if now >= cancel_deadline(lead):
            raise LeadError(
                _(
                    "Eine Stornierung ist online nur bis %(hours)s Stunden vor dem Termin "
                    "möglich. Bitte rufen Sie uns an."
                )
                % {"hours": booking_settings(lead.tenant).cancel_cutoff_hours},
                None,
                "past_cutoff",
            )
        check_transition(lead, LeadStatus.CANCELLED_BY_CUSTOMER)
        # The lead first: cancelling its appointment afterwards finds it no longer planned and
        # leaves it "Von Kunden storniert" instead of "Storniert".
        save_transition(
            lead,
            LeadStatus.CANCELLED_BY_CUSTOMER,
            actor,
            action="lead.cancelled_by_customer",
            event="lead.cancelled_by_customer",
        )
        if appointment is not None and appointment.status != AppointmentStatus.CANCELLED:
            cancel_appointment(appointment, actor)
        _tell_company(lead, now)
        _tell_customer(lead, BOOKING_CANCELLED.code, "cancelled")
    return lead


# --- the customer's page behind the link ------------------------------------------------------


@dataclass(frozen=True)
class FoundLead:
    state: LinkState
    link: CustomerLink | None = None
    lead: Lead | None = None


def find_lead_link(token: str) -> FoundLead:
    """The link behind a token and its lead, with the link's state (outside any scope: the
    token decides the tenant)."""
    resolved = customer_links.resolve(token, LINK_KIND, CustomerLink)
    link = resolved.link
    if resolved.state == LinkState.UNKNOWN or link is None:
        return FoundLead(LinkState.UNKNOWN)
    with tenant_scope(link.tenant):
        lead = (
            Lead.objects.select_related("branch", "appointment", "tenant")
            .filter(tenant=link.tenant, uid=link.object_id)
            .first()
        )
    if lead is None:
        return FoundLead(LinkState.UNKNOWN)
    return FoundLead(resolved.state, link, lead)


def refusal_text(error: ServiceError) -> str:
    return " ".join(str(m) for m in error.messages)
