"""Staff actions of the workshop appointments (seed 002): "Neuen Termin erstellen" (with a
new customer on the way), "Vorschlag anbieten", "Termin planen" (with the overbooking
confirmation), the checklist, "Termin endgültig festlegen", "Nicht erschienen" and the
"Werkstattkunde" switches.

Objects are looked up through the tenant-scoped managers (another tenant's ids answer 404);
every change goes through the services, which refuse with a field and a code.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentStatus,
)
from theke.appointments.services import availability, workshop
from theke.appointments.workshop_forms import (
    MAX_PROPOSED_SLOTS,
    AppointmentCreateForm,
    ChecklistForm,
    PlanForm,
    ProposeForm,
    SlotForm,
    initial_from_query,
    work_item_formset,
)
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.customers.forms import NewCustomerForm
from theke.customers.models import Customer, Vehicle
from theke.tenants.models import Tenant

MANAGE = "appointments.manage"
CREATE_PARAMS = ("customer", "vehicle", "branch", "advisor", "start", "duration")
SUGGESTION_DAYS = 14
MAX_SUGGESTIONS = 12
S = AppointmentStatus


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def _appointment_or_404(pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("customer", "vehicle", "branch", "advisor", "tenant"),
        pk=pk,
    )


def _detail(appointment: Appointment) -> HttpResponse:
    return redirect("appointments:appointment_detail", pk=appointment.pk)


def _minutes(appointment: Appointment) -> int:
    return int((appointment.end - appointment.start).total_seconds() // 60)


def _refused(request: HttpRequest, appointment: Appointment, message: str) -> HttpResponse:
    messages.error(request, message)
    return _detail(appointment)


# --- which actions an appointment offers ------------------------------------------------------


def appointment_actions(
    appointment: Appointment, now: datetime.datetime | None = None
) -> dict[str, bool]:
    """The buttons of the appointment page, by status (the services check again)."""
    now = now or timezone.now()
    status = appointment.status
    open_ = status in (S.REQUESTED, S.PROPOSED, S.PLANNED)
    return {
        "propose": open_,
        "plan": status in (S.REQUESTED, S.PROPOSED),
        "checklist": open_,
        "finalize": status == S.PLANNED,
        "no_show": status == S.PLANNED
        and appointment.start <= now
        and appointment.no_show_at is None,
        "confirm": status == S.PLANNED,
        "cancel": open_,
        "edit": open_,
    }


def open_proposal(appointment: Appointment) -> AppointmentProposal | None:
    """The proposal waiting for the customer (workshop.open_proposal), slots with advisor."""
    proposal = workshop.open_proposal(appointment)
    if proposal is not None:
        proposal.slots_shown = list(proposal.slots.select_related("advisor").order_by("start"))  # type: ignore[attr-defined]
    return proposal


def checklist_warning() -> str:
    """Seed 002's warning before a proposal goes out."""
    return _(
        "Bevor Sie dem Kunden einen Termin vorschlagen: Ist die vorläufig gebuchte Werkstattzeit "
        "bestätigt, der Arbeitsauftrag fertig und sind alle Teile vorrätig oder bestellt?"
    )


# --- "Neuen Termin erstellen" -----------------------------------------------------------------


def _kept_params(query: QueryDict, **override: Any) -> str:
    """The create page's parameters (from the calendar or a page), with some replaced."""
    values = {name: query.get(name) for name in CREATE_PARAMS if query.get(name)}
    values.update({k: v for k, v in override.items() if v is not None})
    return urlencode(values)


def _chosen_customer(request: HttpRequest) -> Customer | None:
    raw = request.POST.get("customer") or request.GET.get("customer") or ""
    if not str(raw).isdigit():
        return None
    return Customer.objects.filter(tenant=_tenant(request), pk=int(raw)).first()


def _add_service_error(form: Any, formset: Any, error: ServiceError) -> None:
    field = getattr(error, "field", None)
    if field in ("start", "end"):
        field = "time"
    if field == "work_items":
        formset.service_error = error.messages[0]
    elif field in form.fields:
        form.add_error(field, error)
    else:
        form.add_error(None, error)


def _create_request(
    request: HttpRequest, form: AppointmentCreateForm, formset: Any
) -> Appointment | None:
    """The request from valid input, or None with the errors on the form (both validated, no
    short-circuit, so every field shows its error at once)."""
    if not form.is_valid() & formset.is_valid():
        return None
    values = form.cleaned_data
    try:
        return workshop.create_request(
            _tenant(request),
            _actor(request),
            customer=values["customer"],
            branch=values["branch"],
            start=values["start"],
            end=values["end"],
            advisor=values.get("advisor"),
            vehicle=values.get("vehicle"),
            work_items=formset.items(),
            estimated_cost=values.get("estimated_cost"),
            notes=values.get("notes") or "",
        )
    except ServiceError as exc:
        _add_service_error(form, formset, exc)
        return None


@staff_required(MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_create(request: HttpRequest) -> HttpResponse:
    """ "Neuen Termin erstellen": creates an appointment "Angefragt" for the customer."""
    tenant = _tenant(request)
    customer = _chosen_customer(request)
    initial = initial_from_query(request.GET, tenant)
    if customer is not None:
        initial["customer"] = customer.pk
    data = request.POST if request.method == "POST" else None
    form = AppointmentCreateForm(data, initial=initial, tenant=tenant, customer=customer)
    add_row = request.method == "POST" and "add_row" in request.POST
    formset = work_item_formset(data, add_row=add_row)
    if request.method == "POST" and not add_row and customer is not None:
        appointment = _create_request(request, form, formset)
        if appointment is not None:
            messages.success(request, _("Der Termin wurde als Anfrage angelegt."))
            return _detail(appointment)
    query = (request.GET.get("q") or "")[:200]
    found = list(customers.search_customers(query)[:10]) if query and customer is None else []
    context = {
        "form": form,
        "formset": formset,
        "customer": customer,
        "query": query,
        "found": found,
        "params": _kept_params(request.GET),
        "new_customer_params": _kept_params(request.GET),
    }
    status = 400 if request.method == "POST" and not add_row and customer is None else 200
    return render(request, "appointments/staff/appointment_create.html", context, status=status)


@staff_required(MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_create_customer(request: HttpRequest) -> HttpResponse:
    """ "Neuer Kunde" on the way: the customers' new-customer form; saving goes back to the
    appointment form with the new customer chosen and the other parameters kept."""
    if not request.user.has_perm("customers.manage"):
        raise PermissionDenied("customers.manage")
    form = NewCustomerForm(request.POST or None, initial={"kind": "person"})
    if request.method == "POST" and form.is_valid():
        customer = form.register(_tenant(request), _actor(request))
        if customer is not None:
            messages.success(request, _("Der Kunde wurde angelegt."))
            params = _kept_params(request.GET, customer=customer.pk, vehicle="")
            return redirect(reverse("appointments:appointment_create") + "?" + params)
    cancel_url = reverse("appointments:appointment_create") + "?" + _kept_params(request.GET)
    context = {
        "form": form,
        "title": _("Neuer Kunde für den Termin"),
        "parents": [
            (_("Termine"), reverse("appointments:appointment_list")),
            (_("Neuer Termin"), cancel_url),
        ],
        "next_step": _("Nach dem Speichern geht es mit dem Termin weiter."),
        "cancel_url": cancel_url,
    }
    return render(request, "customers/staff/customer_new_on_the_way.html", context)


# --- "Vorschlag anbieten" ---------------------------------------------------------------------


def _slot_value(start: datetime.datetime, end: datetime.datetime, advisor_id: int | None) -> str:
    return f"{start.isoformat()}|{end.isoformat()}|{advisor_id or ''}"


def _suggestions(appointment: Appointment) -> list[tuple[str, str]]:
    """Free slots of the branch for the appointment's duration in the next two weeks (none
    without a branch: staff type the times in)."""
    if appointment.branch is None:
        return []
    slots = availability.free_slots(
        appointment.branch, _minutes(appointment), days=SUGGESTION_DAYS
    )[:MAX_SUGGESTIONS]
    return [
        (
            _slot_value(slot.start, slot.end, slot.advisor_id),
            timezone.localtime(slot.start).strftime("%d.%m.%Y %H:%M"),
        )
        for slot in slots
    ]


def _parse_slot(value: str) -> workshop.SlotChoice | None:
    try:
        start_raw, end_raw, advisor_raw = value.split("|")
        start = datetime.datetime.fromisoformat(start_raw)
        end = datetime.datetime.fromisoformat(end_raw)
    except ValueError:
        return None
    if start.tzinfo is None or end <= start:
        return None
    from theke.accounts.models import User

    advisor = User.objects.filter(pk=int(advisor_raw)).first() if advisor_raw.isdigit() else None
    return workshop.SlotChoice(start=start, end=end, advisor=advisor)


def _typed_slots(forms_: list[SlotForm], minutes: int) -> list[workshop.SlotChoice]:
    """The slots typed in (SlotForm has refused a date without a time and the reverse)."""
    slots = []
    for slot_form in forms_:
        data = slot_form.cleaned_data
        if data.get("date") and data.get("time"):
            start = timezone.make_aware(datetime.datetime.combine(data["date"], data["time"]))
            slots.append(
                workshop.SlotChoice(start=start, end=start + datetime.timedelta(minutes=minutes))
            )
    return slots


@staff_required(MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Vorschlag anbieten": one to three slots to the customer by e-mail and/or SMS."""
    appointment = _appointment_or_404(pk)
    if not appointment_actions(appointment)["propose"]:
        return _refused(request, appointment, _("Für diesen Termin ist kein Vorschlag möglich."))
    sms_enabled = appointment.tenant.sms_enabled
    data = request.POST if request.method == "POST" else None
    form = ProposeForm(data, suggestions=_suggestions(appointment))
    slot_forms = [SlotForm(data, prefix=f"slot{i}") for i in range(MAX_PROPOSED_SLOTS)]
    slots_error = ""
    # Every form validated (no short-circuit), so every field shows its error at once.
    slots_valid = [f.is_valid() for f in slot_forms]
    if request.method == "POST" and form.is_valid() & all(slots_valid):
        slots = [s for s in map(_parse_slot, form.cleaned_data["suggested"]) if s is not None]
        slots += _typed_slots(slot_forms, _minutes(appointment))
        if not 1 <= len(slots) <= MAX_PROPOSED_SLOTS:
            slots_error = _("Bitte wählen Sie einen bis drei Termine.")
        else:
            try:
                workshop.propose(
                    appointment,
                    _actor(request),
                    slots=slots,
                    by_email=form.cleaned_data["by_email"],
                    by_sms=bool(form.cleaned_data["by_sms"]) and sms_enabled,
                )
            except ServiceError as exc:
                if getattr(exc, "field", None) in ("by_email", "by_sms"):
                    form.add_error(exc.field, exc)
                else:
                    slots_error = exc.messages[0]
            else:
                messages.success(request, _("Der Vorschlag wird dem Kunden gesendet."))
                return _detail(appointment)
    context = {
        "appointment": appointment,
        "form": form,
        "slot_forms": slot_forms,
        "slots_error": slots_error,
        "sms_enabled": sms_enabled,
        "duration": _minutes(appointment),
        "checklist_warning": "" if appointment.checklist_complete else checklist_warning(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "appointments/staff/appointment_propose.html", context, status=status)


# --- "Termin planen" --------------------------------------------------------------------------


@staff_required(MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Termin planen" (internal, no message): capacity is checked; when the time is taken
    staff confirm the overbooking explicitly on a second step."""
    appointment = _appointment_or_404(pk)
    if not appointment_actions(appointment)["plan"]:
        return _refused(request, appointment, _("Dieser Termin kann nicht geplant werden."))
    start = timezone.localtime(appointment.start)
    initial = {
        "date": start.date(),
        "time": start.time(),
        "duration": _minutes(appointment),
        "advisor": appointment.advisor_id,
    }
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, initial=initial, tenant=appointment.tenant)
    overbooking = ""
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            workshop.plan(
                appointment,
                _actor(request),
                start=values["start"],
                end=values["end"],
                advisor=values.get("advisor"),
                allow_overbooking=bool(values.get("allow_overbooking")),
            )
        except ServiceError as exc:
            if exc.code == "overbooking":
                overbooking = exc.messages[0]
            else:
                field = exc.field if exc.field in form.fields else None
                form.add_error("time" if exc.field in ("start", "end") else field, exc)
        else:
            messages.success(request, _("Der Termin ist geplant."))
            return _detail(appointment)
    context = {"appointment": appointment, "form": form, "overbooking": overbooking}
    status = 409 if overbooking else 400 if request.method == "POST" else 200
    return render(request, "appointments/staff/appointment_plan.html", context, status=status)


# --- checklist, finalize, no-show -------------------------------------------------------------


@staff_required(MANAGE)
@require_POST
def appointment_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(pk)
    form = ChecklistForm(request.POST)
    form.is_valid()
    ticks = {name: bool(form.cleaned_data.get(name)) for name in form.fields}
    try:
        workshop.set_checklist(appointment, _actor(request), **ticks)
    except ServiceError as exc:
        return _refused(request, appointment, exc.messages[0])
    messages.success(request, _("Die Checkliste wurde gespeichert."))
    return _detail(appointment)


@staff_required(MANAGE)
@require_POST
def appointment_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Termin endgültig festlegen": leaves the planned list, stays in the history."""
    appointment = _appointment_or_404(pk)
    try:
        workshop.finalize(appointment, _actor(request))
    except ServiceError as exc:
        return _refused(request, appointment, exc.messages[0])
    messages.success(request, _("Der Termin ist abgeschlossen."))
    return _detail(appointment)


@staff_required(MANAGE)
@require_POST
def appointment_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(pk)
    try:
        workshop.record_no_show(appointment, _actor(request))
    except ServiceError as exc:
        return _refused(request, appointment, exc.messages[0])
    messages.success(request, _("Der Kunde ist als „Nicht erschienen“ erfasst."))
    return _detail(appointment)


# --- "Werkstattkunde" -------------------------------------------------------------------------


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    wanted = request.POST.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(wanted)
    return redirect(fallback)


def _set_preferred(
    request: HttpRequest, obj: Customer | Vehicle, customer_id: int | None
) -> HttpResponse:
    on = request.POST.get("preferred_workshop") == "on"
    customers.set_preferred_workshop(obj, _actor(request), on)
    if on:
        messages.success(request, _("Als Werkstattkunde markiert."))
    else:
        messages.success(request, _("Nicht mehr als Werkstattkunde markiert."))
    fallback = (
        reverse("customers:detail", args=[customer_id])
        if customer_id
        else reverse("appointments:workshop_customers")
    )
    return _back(request, fallback)


@staff_required(MANAGE)
@require_POST
def preferred_customer(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    return _set_preferred(request, customer, customer.pk)


@staff_required(MANAGE)
@require_POST
def preferred_vehicle(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = get_object_or_404(Vehicle, pk=pk)
    return _set_preferred(request, vehicle, vehicle.customer_id)
