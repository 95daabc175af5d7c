"""Staff views of the appointments domain.

Objects are looked up through the tenant-scoped managers, so another tenant's ids answer
404. Views call the services; they never save models themselves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from theke.appointments.forms import AppointmentEditForm
from theke.appointments.history import AppointmentData
from theke.appointments.models import Appointment, Lead, LeadStatus
from theke.appointments.services import conversion as convert
from theke.appointments.services import update_appointment, work_items_of, workshop
from theke.appointments.services.leads import check_may_touch
from theke.appointments.workshop_forms import work_item_formset
from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.customers.duplicates import DuplicateCandidate
from theke.customers.forms import NewCustomerForm
from theke.customers.models import Customer
from theke.messaging.models import Channel

USE_LEAD_MANAGER = "appointments.use_lead_manager"
MANAGE = "appointments.manage"


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def _optional_url(*names: str) -> str | None:
    """The first of these URL names that exists (pages other helpers build may be missing)."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _settings_url() -> str | None:
    return _optional_url("appointments:osb_settings", "appointments:settings")


def _leads_url() -> str | None:
    return _optional_url("appointments:lead_list", "appointments:leads")


# --- "Als Termin anlegen": the duplicate screen --------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side comparison: the lead's value and the master's."""

    label: str
    lead: str
    master: str
    # Whether way 1 fills the lead's gap from the master (not the customer number).
    fills: bool = True

    @property
    def differs(self) -> bool:
        return bool(self.lead and self.master) and self.lead.strip().casefold() != (
            self.master.strip().casefold()
        )

    @property
    def gap(self) -> bool:
        """The lead lacks it and the master has it: way 1 fills it from the master."""
        return self.fills and not self.lead and bool(self.master)


FIELD_LABELS = (
    ("salutation", gettext_lazy("Anrede")),
    ("first_name", gettext_lazy("Vorname")),
    ("last_name", gettext_lazy("Nachname")),
    ("email", gettext_lazy("E-Mail")),
    ("mobile", gettext_lazy("Mobiltelefon")),
    ("street", gettext_lazy("Straße")),
    ("postal_code", gettext_lazy("PLZ")),
    ("city", gettext_lazy("Ort")),
)


def _comparison(lead: Lead, customer: Customer | None) -> list[Row]:
    own = convert.lead_data(lead)
    master = convert.master_data(customer) if customer is not None else convert.MasterData()
    rows = [
        Row(str(label), getattr(own, name), getattr(master, name)) for name, label in FIELD_LABELS
    ]
    rows.insert(
        0,
        Row(_("Kundennummer"), lead.customer_number, customer.number if customer else "", False),
    )
    return rows


def _lead_or_404(request: HttpRequest, pk: int) -> Lead:
    lead = get_object_or_404(Lead.objects.select_related("branch", "advisor", "tenant"), pk=pk)
    check_may_touch(request.user, lead)  # type: ignore[arg-type]
    return lead


def _parse_start(value: str | None) -> datetime.datetime | None:
    parsed = parse_datetime(value or "")
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _selected(
    request: HttpRequest,
    match: convert.CustomerMatch,
    pairs: list[tuple[Customer, DuplicateCandidate]],
) -> Customer | None:
    if match.customer is not None:
        return match.customer
    wanted = request.POST.get("customer") or request.GET.get("customer")
    for customer, _candidate in pairs:
        if str(customer.pk) == str(wanted):
            return customer
    return pairs[0][0] if pairs else None


def _already_converted(request: HttpRequest, lead: Lead) -> HttpResponse | None:
    if lead.status == LeadStatus.PLANNED and lead.appointment_id:
        messages.info(request, _("Die Terminanfrage wurde bereits als Termin angelegt."))
        return redirect("appointments:appointment_detail", pk=lead.appointment_id)
    return None


@staff_required(USE_LEAD_MANAGER)
@require_http_methods(["GET", "POST"])
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """The duplicate screen: candidates, the data side by side, the four ways."""
    lead = _lead_or_404(request, pk)
    done = _already_converted(request, lead)
    if done is not None:
        return done
    match = convert.identify_customer(lead)
    pairs = convert.candidate_customers(match)
    selected = _selected(request, match, pairs)
    error: ServiceError | None = None
    error_link: str | None = None
    if request.method == "POST":
        way = request.POST.get("way", "")
        if way == "new_customer":
            return redirect("appointments:lead_convert_new_customer", pk=lead.pk)
        try:
            appointment = convert.convert_lead(
                lead,
                _actor(request),
                request.user,  # type: ignore[arg-type]
                way=way,  # type: ignore[arg-type]
                customer=selected if way in ("merge_lead_data", "merge_master_data") else None,
                update_master_data=request.POST.get("update_master_data") == "on",
                start=_parse_start(request.POST.get("start")),
            )
        except ServiceError as exc:
            error = exc
            if exc.code == "no_cash_customer":
                error_link = _settings_url()
        else:
            messages.success(request, _("Der Termin wurde angelegt."))
            return redirect("appointments:appointment_detail", pk=appointment.pk)
    cash_ready = True
    try:
        convert.cash_customer(lead.tenant)
    except ServiceError:
        cash_ready = False
    context = {
        "lead": lead,
        "match": match,
        "pairs": pairs,
        "selected": selected,
        "rows": _comparison(lead, selected),
        "vehicle": convert.match_vehicle(lead, selected),
        "error": error,
        "error_link": error_link,
        "next_slots": getattr(error, "next_slots", []),
        "posted_way": request.POST.get("way", ""),
        "update_master_data": request.POST.get("update_master_data") == "on",
        "cash_ready": cash_ready,
        "settings_url": _settings_url(),
        "leads_url": _leads_url(),
    }
    return render(
        request, "appointments/staff/lead_convert.html", context, status=409 if error else 200
    )


def _new_customer_initial(lead: Lead) -> dict[str, Any]:
    return {
        "kind": "person",
        "salutation": lead.salutation,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "mobile_phone": str(lead.mobile_phone or ""),
        "number": lead.customer_number,
        "branch": lead.branch_id,
        "notes": "",
    }


@staff_required(USE_LEAD_MANAGER)
@require_http_methods(["GET", "POST"])
def lead_convert_new_customer(request: HttpRequest, pk: int) -> HttpResponse:
    """Way 3: the customer form prefilled from the lead; saving creates the customer and
    the appointment and opens it; "Abbrechen" returns to the duplicate screen."""
    if not request.user.has_perm("customers.manage"):
        raise PermissionDenied("customers.manage")
    lead = _lead_or_404(request, pk)
    done = _already_converted(request, lead)
    if done is not None:
        return done
    form = NewCustomerForm(request.POST or None, initial=_new_customer_initial(lead))
    error: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            appointment = convert.convert_lead(
                lead,
                _actor(request),
                request.user,  # type: ignore[arg-type]
                way="new_customer",
                new_customer_data={
                    "customer": form.customer_values(),
                    "contact": form.contact_values(),
                },
                start=_parse_start(request.POST.get("start")),
            )
        except customers.CustomerError as exc:
            form.add_refusal(exc)
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("Der Kunde und der Termin wurden angelegt."))
            return redirect("appointments:appointment_detail", pk=appointment.pk)
    context = {
        "form": form,
        "lead": lead,
        "title": _("Neuer Kunde aus der Terminanfrage"),
        "cancel_url": reverse("appointments:lead_convert", args=[lead.pk]),
        "vehicle": convert.match_vehicle(lead, None),
        "error": error,
        "next_slots": getattr(error, "next_slots", []),
    }
    return render(request, "appointments/staff/lead_new_customer.html", context)


# --- the staff appointment page ------------------------------------------------------------


def _appointment_or_404(pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related(
            "customer", "vehicle__customer", "branch", "advisor", "tenant"
        ),
        pk=pk,
    )


def _detail(pk: int) -> HttpResponse:
    return redirect("appointments:appointment_detail", pk=pk)


@staff_required(MANAGE)
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(pk)
    lead = Lead.objects.filter(appointment=appointment).first()
    subjects: list[Any] = [appointment] + ([lead] if lead is not None else [])
    contact = {
        "salutation": appointment.contact_salutation,
        "first_name": appointment.contact_first_name,
        "last_name": appointment.contact_last_name,
        "email": appointment.contact_email,
        "mobile": str(appointment.contact_mobile or ""),
        "street": appointment.contact_street,
        "postal_code": appointment.contact_postal_code,
        "city": appointment.contact_city,
    }
    own_contact = any(contact.values())
    context = {
        "appointment": appointment,
        "lead": lead,
        "warning": convert.vehicle_warning(appointment),
        "contact": contact if own_contact else vars(convert.master_data(appointment.customer)),
        "own_contact": own_contact,
        "duration": int((appointment.end - appointment.start).total_seconds() // 60),
        # --- hist: the facts block shared with the history's versions ---
        "data": AppointmentData.from_appointment(appointment),
        "events": timeline_for(request, *subjects),
        "sms_enabled": appointment.tenant.sms_enabled,
        "leads_url": _leads_url(),
    }
    context.update(_workshop_context(appointment))
    return render(request, "appointments/staff/appointment_detail.html", context)


def _workshop_context(appointment: Appointment) -> dict[str, Any]:
    """The workshop side of the page (issue 13): buttons by status, the open proposal, the
    checklist and the work items with the total."""
    from theke.appointments.services import total_cost, work_items_of
    from theke.appointments.staff_views.workshop import (
        appointment_actions,
        checklist_warning,
        open_proposal,
    )

    open_ = appointment.status in ("requested", "proposed")
    return {
        "actions": appointment_actions(appointment),
        "proposal": open_proposal(appointment),
        "checklist_warning": (
            checklist_warning() if open_ and not appointment.checklist_complete else ""
        ),
        "work_items": work_items_of(appointment),
        "total_cost": total_cost(appointment),
    }


@staff_required(MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(pk)
    form = AppointmentEditForm(request.POST or None, appointment=appointment)
    add_row = request.method == "POST" and "add_row" in request.POST
    # A post without the work item rows (an older form) leaves the work items as they are.
    with_items = request.method == "POST" and "items-TOTAL_FORMS" in request.POST
    formset = work_item_formset(
        request.POST if with_items else None, items=work_items_of(appointment), add_row=add_row
    )
    warning: str | None = None
    items_valid = formset.is_valid() if with_items else True
    if request.method == "POST" and not add_row and form.is_valid() & items_valid:
        if form.needs_owner_confirmation():
            vehicle = form.cleaned_data["vehicle"]
            warning = _(
                "Das Fahrzeug gehört laut Fahrzeugstamm nicht diesem Kunden (Halter: %(owner)s)."
            ) % {"owner": convert.owner_label(vehicle)}
        else:
            try:
                items = {"work_items": formset.items()} if with_items else {}
                update_appointment(
                    appointment, _actor(request), other_owner_ok=True, **items, **form.values()
                )
            except ServiceError as exc:
                if exc.field == "work_items":
                    formset.service_error = exc.messages[0]  # type: ignore[attr-defined]
                else:
                    form.add_error(exc.field if exc.field in form.fields else None, exc)
            else:
                messages.success(request, _("Die Änderungen wurden gespeichert."))
                return _detail(appointment.pk)
    context = {"form": form, "formset": formset, "appointment": appointment, "warning": warning}
    return render(request, "appointments/staff/appointment_edit.html", context)


@staff_required(MANAGE)
@require_POST
def appointment_master_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch "In Stammdaten übernehmen" on (writes the contact data) or off."""
    appointment = _appointment_or_404(pk)
    on = request.POST.get("update_master_data") == "on"
    try:
        convert.set_update_master_data(appointment, _actor(request), on)
    except ServiceError as exc:
        messages.error(request, exc.messages[0])
    else:
        if on:
            messages.success(request, _("Die Kontaktdaten wurden in den Kundenstamm übernommen."))
        else:
            messages.success(request, _("„In Stammdaten übernehmen“ ist ausgeschaltet."))
    return _detail(appointment.pk)


@staff_required(MANAGE)
@require_POST
def appointment_add_vehicle(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ins Fahrzeugstamm übernehmen" for a walk-in vehicle."""
    if not request.user.has_perm("customers.manage"):
        raise PermissionDenied("customers.manage")
    appointment = _appointment_or_404(pk)
    try:
        convert.add_walk_in_vehicle_to_master(appointment, _actor(request))
    except ServiceError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Das Fahrzeug wurde in den Fahrzeugstamm übernommen."))
    return _detail(appointment.pk)


@staff_required(MANAGE)
@require_POST
def appointment_send_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(pk)
    channel = request.POST.get("channel", Channel.EMAIL)
    try:
        convert.send_appointment_confirmation(appointment, _actor(request), channel)
    except ServiceError as exc:
        messages.error(request, exc.messages[0])
    else:
        if channel == Channel.SMS:
            messages.success(request, _("Die Bestätigung wird per SMS gesendet."))
        else:
            messages.success(request, _("Die Bestätigung wird per E-Mail gesendet."))
    return _detail(appointment.pk)


@staff_required(MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Termin stornieren": a page asking first; its lead becomes "Storniert"."""
    appointment = _appointment_or_404(pk)
    if request.method == "POST":
        try:
            # The workshop service also withdraws open proposals and tells a customer whose
            # appointment was confirmed (cancellation with METHOD:CANCEL).
            workshop.cancel(appointment, _actor(request))
        except ServiceError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Der Termin wurde storniert."))
        return _detail(appointment.pk)
    return render(
        request, "appointments/staff/appointment_cancel.html", {"appointment": appointment}
    )
