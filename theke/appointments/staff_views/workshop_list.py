"""Staff lists of the workshop appointments (seed 002): the appointment list with its tabs
(Aktionen, Vorgeschlagen, Geplant, Abgeschlossen, Storniert), filters and LiveSearch, the
no-show rate, the start-page tiles and "Werkstattkunden".

Everything here reads; changes go through the services (see staff_views.workshop).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentStatus,
    AppointmentWorkItem,
    ProposalStatus,
)
from theke.appointments.services import workshop
from theke.appointments.workshop_forms import AppointmentFilterForm
from theke.core.auth import staff_required
from theke.core.panels import Tile
from theke.customers.models import Customer, Vehicle
from theke.customers.services import search_words
from theke.tenants.models import Branch, Tenant

MANAGE = "appointments.manage"
PAGE_SIZE = 25
S = AppointmentStatus

TAB_LABELS: dict[str, Any] = {
    "actions": gettext_lazy("Aktionen"),
    "proposed": gettext_lazy("Vorgeschlagen"),
    "planned": gettext_lazy("Geplant"),
    "finalized": gettext_lazy("Abgeschlossen"),
    "cancelled": gettext_lazy("Storniert"),
}
TAB_STATUS: dict[str, str] = {
    "actions": S.REQUESTED,
    "proposed": S.PROPOSED,
    "planned": S.PLANNED,
    "finalized": S.FINALIZED,
    "cancelled": S.CANCELLED,
}
STATUS_BADGES: dict[str, str] = {
    S.REQUESTED: "text-bg-warning",
    S.PROPOSED: "text-bg-info",
    S.PLANNED: "text-bg-primary",
    S.FINALIZED: "text-bg-success",
    S.CANCELLED: "text-bg-secondary",
}


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _search(appointments: QuerySet[Appointment], query: str) -> QuerySet[Appointment]:
    """Every word must match the customer (name, number, contacts, vehicles), the vehicle,
    a walk-in plate or a work item."""
    for word in search_words(query)[:10]:
        appointments = appointments.filter(
            Q(customer__search_text__contains=word)
            | Q(vehicle__license_plate__icontains=word)
            | Q(vehicle__vin__icontains=word)
            | Q(walk_in_license_plate__icontains=word)
            | Q(
                pk__in=AppointmentWorkItem.objects.filter(text__icontains=word).values(
                    "appointment_id"
                )
            )
        )
    return appointments


def filtered_appointments(tenant: Tenant, form: AppointmentFilterForm) -> QuerySet[Appointment]:
    """The appointments of the chosen tab and filters, in the tab's order: in "Aktionen" the
    counter-proposals, then expired proposals first; in "Geplant" the unconfirmed
    provisional bookings first."""
    tab = form.value("tab")
    rows = Appointment.objects.filter(tenant=tenant, status=TAB_STATUS[tab])
    branch, advisor = form.value("branch"), form.value("advisor")
    if branch:
        rows = rows.filter(branch_id=branch)
    if advisor:
        rows = rows.filter(advisor_id=advisor)
    if form.value("first_day"):
        rows = rows.filter(start__gte=_local_midnight(form.value("first_day")))
    if form.value("last_day"):
        rows = rows.filter(
            start__lt=_local_midnight(form.value("last_day") + datetime.timedelta(days=1))
        )
    rows = _search(rows, form.value("q") or "")
    expired = AppointmentProposal.objects.filter(
        appointment=OuterRef("pk"), status=ProposalStatus.EXPIRED
    )
    rows = rows.annotate(proposal_expired=Exists(expired))
    if tab == "actions":
        rows = rows.annotate(
            urgency=Case(
                When(counter_proposal_at__isnull=False, then=Value(0)),
                When(proposal_expired=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("urgency", "start", "pk")
    elif tab == "planned":
        rows = rows.order_by("workshop_time_confirmed", "start", "pk")
    elif tab == "proposed":
        rows = rows.order_by("start", "pk")
    else:
        rows = rows.order_by("-start", "-pk")
    return rows.select_related("customer", "vehicle", "branch", "advisor").prefetch_related(
        Prefetch("work_items", queryset=AppointmentWorkItem.objects.order_by("position"))
    )


@dataclass(frozen=True)
class AppointmentRow:
    appointment: Appointment
    badge_class: str
    highlight: str  # "" or the reason this row stands out ("Gegenvorschlag", …)
    vehicle: str


def _row(appointment: Appointment) -> AppointmentRow:
    highlight = ""
    if appointment.status == S.REQUESTED and appointment.counter_proposal_at:
        highlight = _("Gegenvorschlag")
    elif appointment.status == S.REQUESTED and getattr(appointment, "proposal_expired", False):
        highlight = _("Vorschlag abgelaufen")
    elif appointment.is_provisional:
        highlight = _("Vorläufig")
    vehicle = (
        appointment.vehicle.license_plate or str(appointment.vehicle)
        if appointment.vehicle
        else appointment.walk_in_license_plate
    )
    return AppointmentRow(
        appointment, STATUS_BADGES.get(appointment.status, ""), highlight, vehicle or ""
    )


def tab_counts(tenant: Tenant) -> dict[str, int]:
    """How many appointments each tab holds (without the filters)."""
    counts = dict.fromkeys(TAB_STATUS, 0)
    by_status = {status: tab for tab, status in TAB_STATUS.items()}
    for row in Appointment.objects.filter(tenant=tenant).values("status").order_by():
        tab = by_status.get(row["status"])
        if tab:
            counts[tab] += 1
    return counts


def no_show_table(tenant: Tenant, branch_id: int | None = None) -> list[workshop.NoShowRate]:
    """The no-show rate per branch and month (the last six months), newest month first."""
    branch = Branch.objects.filter(tenant=tenant, pk=branch_id).first() if branch_id else None
    return workshop.no_show_rates(tenant, branch=branch, months=6)


@staff_required(MANAGE)
@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    """The appointments by status tab, with filters and LiveSearch; htmx asks for the
    results only as staff type."""
    tenant = _tenant(request)
    form = AppointmentFilterForm(request.GET or None, tenant=tenant)
    tab = form.value("tab")
    page = Paginator(filtered_appointments(tenant, form), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {
        "form": form,
        "tab": tab,
        "page": page,
        "rows": [_row(a) for a in page.object_list],
        "query": form.value("q") or "",
    }
    if _wants_partial(request):
        response = render(request, "appointments/staff/_appointment_results.html", context)
    else:
        counts = tab_counts(tenant)
        context["tabs"] = [(key, label, counts[key]) for key, label in TAB_LABELS.items()]
        context["no_shows"] = no_show_table(tenant, form.value("branch"))
        context["filter_query"] = _filter_query(request)
        response = render(request, "appointments/staff/appointment_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _filter_query(request: HttpRequest) -> str:
    """The filters of the request without tab and page (the tab links keep the filters)."""
    query = request.GET.copy()
    for key in ("tab", "page"):
        query.pop(key, None)
    return query.urlencode()


# --- start-page tiles ------------------------------------------------------------------------


def _list_url(tab: str) -> str:
    return reverse("appointments:appointment_list") + f"?tab={tab}"


def todays_appointments_tile(request: HttpRequest) -> Tile | None:
    if not request.user.has_perm(MANAGE):
        return None
    today = timezone.localdate()
    count = Appointment.objects.filter(
        tenant=_tenant(request),
        status__in=[S.PLANNED, S.FINALIZED],
        start__gte=_local_midnight(today),
        start__lt=_local_midnight(today + datetime.timedelta(days=1)),
    ).count()
    day = today.isoformat()
    return Tile(
        label=_("Termine heute"),
        count=count,
        url=_list_url("planned") + f"&first_day={day}&last_day={day}",
        hint=_("Geplante Termine aller Betriebe"),
    )


def waiting_proposals_tile(request: HttpRequest) -> Tile | None:
    if not request.user.has_perm(MANAGE):
        return None
    return Tile(
        label=_("Vorschläge beim Kunden"),
        count=Appointment.objects.filter(tenant=_tenant(request), status=S.PROPOSED).count(),
        url=_list_url("proposed"),
        hint=_("Warten auf die Antwort des Kunden"),
    )


def counter_proposals_tile(request: HttpRequest) -> Tile | None:
    if not request.user.has_perm(MANAGE):
        return None
    return Tile(
        label=_("Gegenvorschläge"),
        count=Appointment.objects.filter(
            tenant=_tenant(request), status=S.REQUESTED, counter_proposal_at__isnull=False
        ).count(),
        url=_list_url("actions"),
        hint=_("Der Kunde wünscht einen anderen Termin"),
    )


# --- "Werkstattkunden" ------------------------------------------------------------------------


@staff_required(MANAGE)
@require_GET
def workshop_customers(request: HttpRequest) -> HttpResponse:
    """Customers who chose this business as their workshop, or whose vehicle did; they stay
    here after their appointments are finalized (the flag, not the appointments, counts)."""
    tenant = _tenant(request)
    query = (request.GET.get("q") or "")[:200]
    branch = request.GET.get("branch") or ""
    flagged_vehicles = Vehicle.objects.filter(customer=OuterRef("pk"), preferred_workshop=True)
    customers = Customer.objects.filter(tenant=tenant).filter(
        Q(preferred_workshop=True) | Exists(flagged_vehicles)
    )
    for word in search_words(query)[:10]:
        customers = customers.filter(search_text__contains=word)
    if branch.isdigit():
        customers = customers.filter(branch_id=int(branch))
    customers = customers.prefetch_related(
        Prefetch(
            "vehicles",
            queryset=Vehicle.objects.filter(preferred_workshop=True).order_by("license_plate"),
            to_attr="workshop_vehicles",
        )
    ).order_by("company_name", "last_name", "first_name", "pk")
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "branch": branch,
        "branches": Branch.objects.filter(tenant=tenant).order_by("name"),
    }
    template = (
        "appointments/staff/_workshop_customer_results.html"
        if _wants_partial(request)
        else "appointments/staff/workshop_customers.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
