"""The customer's appointment page behind its customer link (/termin/<token>/, seed 002).

What the customer sees depends on the appointment's state:

* an open proposal: its one to three slots as large choices, "Termin bestätigen", or
  "Anderen Termin anfragen" with a note (the counter-proposal);
* otherwise the details: status, date and time, the branch with its address and a plain map
  link (nothing embedded), the work items with the total, the advisor, what to bring, the
  calendar file, and — until the tenant's cut-off — cancel or ask for another time, each
  behind a confirmation step; after the cut-off the branch's phone number;
* the reminder preference of the link's contact;
* "Meine Termine": the customer's past and future appointments, grouped by vehicle, shown
  read-only here (other appointments' links are stored hashed, so none can be shown; and
  only this customer's appointments are ever read).

Every page answers through the shared token-page protections (theke.core.token_pages): an
unknown token gets the neutral page, an expired or revoked link the "no longer available"
page, like the lead's page. GET never changes state. Every POST re-reads the appointment
and lets the service decide under its lock, so a second click or a second tab gets the
state that the first one made, never a 500.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentStatus,
    BookableService,
    ProposedSlot,
    ReminderPreference,
)
from theke.appointments.services import AppointmentError, total_cost, workshop
from theke.appointments.services import ics as appointment_ics
from theke.appointments.services import links as appointment_links
from theke.appointments.services import reminders as reminder_services
from theke.appointments.services.notify import primary_contact
from theke.appointments.services.settings import booking_settings
from theke.core import token_pages
from theke.core.errors import ServiceError
from theke.customers import links as customer_links
from theke.customers.links import LinkState
from theke.customers.models import Contact, CustomerLink
from theke.tenants.scoping import tenant_scope

MAP_SEARCH = "https://www.openstreetmap.org/search?query="
NOTE_MAX_LENGTH = workshop.NOTE_LIMIT
# What the page says after a POST went through (the redirect's `?done=`).
DONE_MESSAGES = {
    "accepted": gettext_lazy("Vielen Dank! Ihr Termin ist bestätigt."),
    "countered": gettext_lazy(
        "Vielen Dank! Wir melden uns mit einem neuen Terminvorschlag bei Ihnen."
    ),
    "cancelled": gettext_lazy("Ihr Termin ist storniert."),
    "reminders": gettext_lazy("Ihre Erinnerungseinstellungen sind gespeichert."),
    "answered": gettext_lazy("Dieser Terminvorschlag ist nicht mehr offen."),
}


@dataclass(frozen=True)
class Found:
    """The link behind a token, its appointment and whom it was sent to."""

    link: CustomerLink
    appointment: Appointment
    contact: Contact | None


# --- opening a token ---------------------------------------------------------------------------


def _language(request: HttpRequest, found: Found) -> str:
    return token_pages.page_language(
        request, found.contact.language if found.contact is not None else None
    )


def _open(request: HttpRequest, token: str) -> Found | HttpResponse:
    """The appointment behind the token, or the shared page that says why it does not open."""
    resolved = appointment_links.find_appointment_link(token)
    link, appointment = resolved.link, resolved.appointment
    if resolved.state == LinkState.UNKNOWN or link is None or appointment is None:
        return token_pages.invalid_page(request)
    with tenant_scope(link.tenant):
        # Whom the link was sent to; else the customer's main contact (their preference).
        contact = link.contact or primary_contact(appointment.customer)
    found = Found(link, appointment, contact)
    if resolved.state != LinkState.VALID:
        return token_pages.unavailable_page(
            request, resolved.state, {"tenant": link.tenant}, language=_language(request, found)
        )
    return found


def _page_url(token: str, done: str = "") -> str:
    url = reverse("appointment_pages:page", args=[token])
    return f"{url}?done={done}" if done else url


def _back_to_page(token: str, done: str = "") -> HttpResponse:
    return token_pages.protect(redirect(_page_url(token, done)))


def _already_answered(token: str, appointment: Appointment) -> HttpResponse:
    """A second answer (double click, another tab) gets the state the first one made."""
    fresh = Appointment.objects.only("status").get(pk=appointment.pk)
    return _back_to_page(
        token, "accepted" if fresh.status == AppointmentStatus.PLANNED else "answered"
    )


# --- what the page shows -----------------------------------------------------------------------


def open_proposal(
    appointment: Appointment, now: datetime.datetime | None = None
) -> AppointmentProposal | None:
    """The proposal the customer can still answer (workshop.open_proposal). One past its
    time is no choice any more, even before the periodic task marks it expired."""
    if appointment.status != AppointmentStatus.PROPOSED:
        return None
    proposal = workshop.open_proposal(appointment)
    if proposal is None or proposal.expires_at <= (now or timezone.now()):
        return None
    return proposal


def proposal_slots(proposal: AppointmentProposal | None) -> list[ProposedSlot]:
    if proposal is None:
        return []
    return list(proposal.slots.select_related("branch", "advisor").order_by("start", "pk"))


def map_url(appointment: Appointment) -> str:
    """A plain OpenStreetMap search for the branch's address (a link, nothing embedded)."""
    branch = appointment.branch
    if branch is None or not branch.address_line:
        return ""
    return MAP_SEARCH + quote_plus(f"{branch.name}, {branch.address_line}")


def what_to_bring(appointment: Appointment) -> list[str]:
    """The work items' services' "Bitte mitbringen" texts, each once, in the items' order."""
    ids = [item.service_id for item in appointment.work_items.all() if item.service_id]
    texts = dict(
        BookableService.objects.filter(pk__in=ids)
        .exclude(what_to_bring="")
        .values_list("pk", "what_to_bring")
    )
    seen: list[str] = []
    for service_id in ids:
        text = texts.get(service_id, "").strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def advisor_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or "").strip()


@dataclass(frozen=True)
class VehicleGroup:
    """One vehicle's appointments in "Meine Termine" (label "" = without vehicle)."""

    label: str
    upcoming: list[Appointment]
    past: list[Appointment]


def my_appointments(
    appointment: Appointment, now: datetime.datetime | None = None
) -> list[VehicleGroup]:
    """Every appointment of this appointment's customer (and no one else's), by vehicle:
    the upcoming ones first (soonest first), then the past ones (latest first)."""
    now = now or timezone.now()
    rows = list(
        Appointment.objects.filter(tenant=appointment.tenant, customer=appointment.customer)
        .select_related("vehicle", "branch")
        .prefetch_related("work_items")
        .order_by("start", "pk")
    )
    groups: dict[Any, tuple[str, list[Appointment], list[Appointment]]] = {}
    for row in rows:
        key = row.vehicle_id or (row.walk_in_license_plate or row.walk_in_vin or None)
        if key not in groups:
            groups[key] = (_vehicle_label(row), [], [])
        _label, upcoming, past = groups[key]
        (upcoming if row.end >= now else past).append(row)
    ordered = sorted(groups.values(), key=lambda g: (g[0] == "", g[0].lower()))
    return [
        VehicleGroup(label, upcoming, list(reversed(past))) for label, upcoming, past in ordered
    ]


def _vehicle_label(appointment: Appointment) -> str:
    vehicle = appointment.vehicle
    if vehicle is not None:
        parts = [vehicle.license_plate, f"{vehicle.make} {vehicle.model}".strip()]
        return " · ".join(p for p in parts if p) or vehicle.vin or _("Fahrzeug")
    parts = [
        appointment.walk_in_license_plate,
        f"{appointment.walk_in_make} {appointment.walk_in_model}".strip(),
    ]
    return " · ".join(p for p in parts if p) or appointment.walk_in_vin


# --- forms -------------------------------------------------------------------------------------


class NoteForm(forms.Form):
    """What the customer writes when asking for another time."""

    note = forms.CharField(
        label=gettext_lazy("Ihr Terminwunsch"),
        help_text=gettext_lazy("Zum Beispiel: „Nächste Woche, am liebsten vormittags.“"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Bitte schreiben Sie uns, wann es Ihnen passt.")},
    )


def days_choices(default_days: int) -> list[tuple[str, str]]:
    default = translation.ngettext(
        "Standard (%(days)s Tag vorher)", "Standard (%(days)s Tage vorher)", default_days
    ) % {"days": default_days}
    choices = [("", default)]
    for days in range(1, 5):
        label = translation.ngettext("%(days)s Tag vorher", "%(days)s Tage vorher", days)
        choices.append((str(days), label % {"days": days}))
    return choices


class ReminderForm(forms.Form):
    """The link's contact's reminder preference (SMS only with the tenant's SMS and consent)."""

    days_before = forms.TypedChoiceField(
        label=gettext_lazy("Erinnerung"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    by_email = forms.BooleanField(label=gettext_lazy("per E-Mail"), required=False)
    by_sms = forms.BooleanField(label=gettext_lazy("per SMS"), required=False)
    sms_consent = forms.BooleanField(
        label=gettext_lazy(
            "Ich bin einverstanden, dass Sie mir Terminerinnerungen per SMS an meine "
            "Mobilnummer schicken. Ich kann das jederzeit hier abschalten."
        ),
        required=False,
    )
    same_day = forms.BooleanField(
        label=gettext_lazy("Zusätzlich am Morgen des Termins erinnern"), required=False
    )

    def __init__(
        self, *args: Any, default_days: int, sms: bool, consented: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sms = sms
        self.consented = consented
        days = self.fields["days_before"]
        assert isinstance(days, forms.ChoiceField)
        days.choices = days_choices(default_days)
        if not sms:
            del self.fields["by_sms"]
            del self.fields["sms_consent"]
        elif consented:
            del self.fields["sms_consent"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.sms and data.get("by_sms") and not self.consented and not data.get("sms_consent"):
            self.add_error(
                "sms_consent",
                _("Bitte bestätigen Sie Ihr Einverständnis, damit wir Ihnen SMS schicken dürfen."),
            )
        return data


def _sms_possible(found: Found) -> bool:
    contact = found.contact
    return bool(found.link.tenant.sms_enabled and contact is not None and contact.mobile_phone)


def reminder_form(found: Found, data: Any = None) -> ReminderForm | None:
    """The preference form of the link's contact (None: no contact to keep it for)."""
    contact = found.contact
    if contact is None:
        return None
    preference = ReminderPreference.objects.filter(contact=contact).first()
    initial = {
        "days_before": ""
        if preference is None or preference.days_before is None
        else str(preference.days_before),
        "by_email": True if preference is None else preference.by_email,
        "by_sms": bool(preference and preference.by_sms),
        "same_day": bool(preference and preference.same_day),
    }
    return ReminderForm(
        data,
        initial=initial,
        default_days=booking_settings(found.appointment.tenant).reminder_days_before,
        sms=_sms_possible(found),
        consented=contact.consent_sms,
    )


# --- rendering ---------------------------------------------------------------------------------


def _context(found: Found, token: str, request: HttpRequest) -> dict[str, Any]:
    appointment = (
        Appointment.objects.select_related("branch", "advisor", "vehicle", "customer", "tenant")
        .prefetch_related("work_items")
        .get(pk=found.appointment.pk)
    )
    fresh = Found(found.link, appointment, found.contact)
    proposal = open_proposal(appointment)
    done = request.GET.get("done", "")
    return {
        "tenant": found.link.tenant,
        "token": token,
        "appointment": appointment,
        "branch": appointment.branch,
        "phone": (appointment.branch.phone if appointment.branch else "")
        or found.link.tenant.phone,
        "proposal": proposal,
        "slots": proposal_slots(proposal),
        "work_items": list(appointment.work_items.all()),
        "total": total_cost(appointment),
        "advisor": advisor_name(appointment.advisor),
        "what_to_bring": what_to_bring(appointment),
        "map_url": map_url(appointment),
        "can_change": workshop.can_change_online(appointment),
        "can_ask_other_time": appointment.status == AppointmentStatus.PLANNED,
        "deadline": workshop.cancel_deadline(appointment),
        "is_past": appointment.end < timezone.now(),
        "reminder_form": reminder_form(fresh),
        "my_appointments": my_appointments(appointment),
        # The reminder form's answer shows next to it (its POST returns to #erinnerungen).
        "done_message": "" if done == "reminders" else DONE_MESSAGES.get(done, ""),
        "reminders_saved": DONE_MESSAGES["reminders"] if done == "reminders" else "",
        "note_form": NoteForm(),
    }


def _render(
    request: HttpRequest,
    found: Found,
    token: str,
    template: str = "appointments/customer/appointment.html",
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    language = _language(request, found)
    with translation.override(language), tenant_scope(found.link.tenant):
        context = {**_context(found, token, request), **(extra or {})}
    return token_pages.render_token_page(
        request, template, context, language=language, status=status
    )


def _refusal(error: ServiceError) -> str:
    return " ".join(str(m) for m in error.messages)


# --- the views ---------------------------------------------------------------------------------


@require_safe
def page(request: HttpRequest, token: str) -> HttpResponse:
    """The appointment: the proposal to answer, or the details; reminders; my appointments."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    customer_links.record_view(found.link)
    return _render(request, found, token)


@require_safe
def ics(request: HttpRequest, token: str) -> HttpResponse:
    """The appointment as a calendar file (a cancelled one as METHOD:CANCEL)."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    appointment = found.appointment
    page_url = settings.BASE_URL + _page_url(token)
    with tenant_scope(found.link.tenant):
        body = appointment_ics.calendar_file(
            appointment, cancel=appointment.status == AppointmentStatus.CANCELLED, link=page_url
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{appointment_ics.filename(appointment)}"'
    )
    return token_pages.protect(response)


def _chosen_slot(request: HttpRequest, slots: Sequence[ProposedSlot]) -> ProposedSlot | None:
    wanted = request.POST.get("slot", "")
    return next((slot for slot in slots if str(slot.pk) == wanted), None)


@require_POST
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The customer takes one of the proposed slots. A second click (or tab) finds the
    proposal answered and shows the appointment as it now is."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    with tenant_scope(found.link.tenant):
        proposal = open_proposal(found.appointment)
        if proposal is None:
            return _already_answered(token, found.appointment)
        slots = proposal_slots(proposal)
        slot = _chosen_slot(request, slots)
        if slot is None:
            error = _("Bitte wählen Sie einen der Termine aus.")
            return _render(request, found, token, extra={"slot_error": error}, status=400)
        try:
            workshop.accept_proposal(proposal, slot, workshop.customer_actor(found.appointment))
        except AppointmentError as error:
            if error.code != "slot_taken" and open_proposal(found.appointment) is None:
                return _already_answered(token, found.appointment)  # lost the race
            return _accept_refused(request, found, token, error, slot)
    return _back_to_page(token, "accepted")


def _accept_refused(
    request: HttpRequest, found: Found, token: str, error: AppointmentError, slot: ProposedSlot
) -> HttpResponse:
    if error.code == "slot_taken":
        message = _(
            "Dieser Termin ist leider gerade vergeben worden. Bitte wählen Sie einen der "
            "anderen Termine oder fragen Sie einen anderen Termin an."
        )
        extra = {"slot_error": message, "taken_slot": slot.pk}
        return _render(request, found, token, extra=extra, status=409)
    return _render(request, found, token, extra={"error": _refusal(error)}, status=409)


@require_POST
def counter(request: HttpRequest, token: str) -> HttpResponse:
    """Instead of the proposed slots the customer asks for another time, with a note."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    form = NoteForm(request.POST)
    with tenant_scope(found.link.tenant):
        proposal = open_proposal(found.appointment)
        if proposal is None:
            return _already_answered(token, found.appointment)
        if not form.is_valid():
            return _render(request, found, token, extra={"note_form": form}, status=400)
        actor = workshop.customer_actor(found.appointment)
        try:
            workshop.counter_propose(proposal, actor, form.cleaned_data["note"])
        except AppointmentError as error:
            if open_proposal(found.appointment) is None:
                return _already_answered(token, found.appointment)  # lost the race
            return _render(request, found, token, extra={"error": _refusal(error)}, status=409)
    return _back_to_page(token, "countered")


@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel the appointment: first the confirmation step, then the cancellation."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    with tenant_scope(found.link.tenant):
        appointment = found.appointment
        if appointment.status == AppointmentStatus.CANCELLED:
            return _back_to_page(token)
        if request.POST.get("confirm") != "1":
            return _render(request, found, token, "appointments/customer/appointment_cancel.html")
        try:
            workshop.cancel(appointment, workshop.customer_actor(appointment), by_customer=True)
        except AppointmentError as error:
            if Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED:
                return _back_to_page(token)  # the other tab cancelled first
            return _render(request, found, token, extra={"error": _refusal(error)}, status=409)
    return _back_to_page(token, "cancelled")


@require_POST
def other_time(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for another time instead of the planned one: the step with the note, then the
    request (the appointment goes back to staff as "Angefragt")."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    template = "appointments/customer/appointment_other_time.html"
    with tenant_scope(found.link.tenant):
        appointment = found.appointment
        if appointment.status != AppointmentStatus.PLANNED:
            return _back_to_page(token)
        if request.POST.get("confirm") != "1":
            return _render(request, found, token, template)
        form = NoteForm(request.POST)
        if not form.is_valid():
            return _render(request, found, token, template, {"note_form": form}, status=400)
        actor = workshop.customer_actor(appointment)
        try:
            workshop.request_other_time(appointment, actor, form.cleaned_data["note"])
        except AppointmentError as error:
            return _render(request, found, token, extra={"error": _refusal(error)}, status=409)
    return _back_to_page(token, "countered")


@require_POST
def reminders(request: HttpRequest, token: str) -> HttpResponse:
    """Save the contact's reminder preference (for all their appointments)."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    with tenant_scope(found.link.tenant):
        form = reminder_form(found, request.POST)
        if form is None or found.contact is None:
            return _back_to_page(token)
        if not form.is_valid():
            return _render(request, found, token, extra={"reminder_form": form}, status=400)
        data = form.cleaned_data
        try:
            reminder_services.set_reminder_preference(
                found.contact,
                workshop.customer_actor(found.appointment),
                days_before=data["days_before"],
                by_email=data["by_email"],
                by_sms=bool(data.get("by_sms")),
                same_day=data["same_day"],
                sms_consent=bool(data.get("sms_consent")),
            )
        except ServiceError as error:
            extra: dict[str, Any] = {"reminder_form": form}
            if error.field == "sms_consent" and "sms_consent" in form.fields:
                form.add_error("sms_consent", _refusal(error))  # next to the tick
            else:
                extra = {"reminder_form": form, "reminder_error": _refusal(error)}
            return _render(request, found, token, extra=extra, status=400)
    return _back_to_page(token, "reminders")
