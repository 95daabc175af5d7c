"""The OSB settings ("Administration Online Service Booking") and the user's own lead
manager setting.

Every page needs `appointments.administer_online_booking` (the lead manager setting:
`appointments.use_lead_manager`). Objects are looked up with the request's tenant, so an id
of another tenant's branch, advisor, absence or service answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from theke.appointments.models import (
    AdvisorAbsence,
    BookableService,
    BranchBooking,
    LeadManagerPreference,
    ServiceAdvisor,
)
from theke.appointments.services import settings as booking
from theke.appointments.settings_forms import (
    AbsenceForm,
    AdvisorAddForm,
    BaseWeekFormSet,
    BookableServiceForm,
    BookingSettingsForm,
    BranchBookingForm,
    LeadPreferenceForm,
    WeekFormSet,
    week_initial,
)
from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.messaging.purposes import CHANNELS, PURPOSES
from theke.tenants.models import Branch, Tenant

RIGHT = "appointments.administer_online_booking"
# The prefixes of the message purposes whose texts belong to online booking and leads.
BOOKING_PURPOSE_PREFIXES = ("lead", "booking", "appointment")


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by the tenant middleware
    return tenant


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def booking_page_path(tenant: Tenant, branch: Branch) -> str:
    """The public booking page of a branch; the agreed path until its URL is installed."""
    try:
        return reverse("booking:start", args=(tenant.slug, branch.pk))
    except NoReverseMatch:
        return f"/buchen/{tenant.slug}/{branch.pk}/"


@dataclass
class BranchRow:
    branch: Branch
    settings: BranchBooking
    active_advisors: int
    bookable: bool
    page_url: str
    snippet: str


def _branch_rows(request: HttpRequest, tenant: Tenant) -> list[BranchRow]:
    branches = (
        Branch.objects.filter(tenant=tenant)
        .select_related("booking")
        .annotate(
            active_advisors=Count(
                "service_advisors", filter=Q(service_advisors__is_active=True), distinct=True
            )
        )
        .order_by("-is_active", "name")
    )
    rows = []
    for branch in branches:
        stored = getattr(branch, "booking", None)
        settings = stored or BranchBooking(tenant=tenant, branch=branch)
        url = request.build_absolute_uri(booking_page_path(tenant, branch)) + "?embed=1"
        title = _("Online-Terminbuchung – %(branch)s") % {"branch": branch.name}
        snippet = (
            f'<iframe src="{url}" title="{title}" '
            'style="width:100%;min-height:900px;border:0" loading="lazy"></iframe>'
        )
        rows.append(
            BranchRow(
                branch=branch,
                settings=settings,
                active_advisors=getattr(branch, "active_advisors", 0),
                bookable=branch.is_active and settings.enabled,
                page_url=url.removesuffix("?embed=1"),
                snippet=snippet,
            )
        )
    return rows


def _booking_purposes() -> list[dict[str, object]]:
    """The message purposes of online booking, with a link per channel to their texts."""
    found = []
    for purpose in PURPOSES.values():
        if not purpose.code.startswith(BOOKING_PURPOSE_PREFIXES):
            continue
        links = [
            (channel, reverse("messaging:template_edit", args=(purpose.code, channel, "de")))
            for channel in CHANNELS
            if channel in purpose.channels
        ]
        found.append({"purpose": purpose, "links": links})
    return found


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def osb_settings(request: HttpRequest) -> HttpResponse:
    """The tenant's online-booking settings, its branches and the embed snippets."""
    tenant = _tenant(request)
    stored = booking.booking_settings(tenant)
    form = BookingSettingsForm(request.POST or None, instance=stored, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            booking.save_booking_settings(tenant, _actor(request), **form.values())
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request, _("Die Einstellungen der Online-Terminbuchung wurden gespeichert.")
            )
            return redirect("appointments:settings")
    stored = booking.booking_settings(tenant)
    context = {
        "form": form,
        "tenant_enabled": tenant.online_booking_enabled,
        "branch_rows": _branch_rows(request, tenant),
        "service_count": BookableService.objects.filter(tenant=tenant, is_active=True).count(),
        "booking_purposes": _booking_purposes(),
        "duplicate_fields": [form[name] for name in booking.DUPLICATE_FIELDS],
        "events": timeline_for(request, stored) if stored.pk else None,
    }
    return render(request, "appointments/staff/settings/overview.html", context)


def _branch_or_404(request: HttpRequest, branch_id: int) -> Branch:
    return get_object_or_404(Branch, pk=branch_id, tenant=_tenant(request))


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def branch_settings(request: HttpRequest, branch_id: int) -> HttpResponse:
    """A branch's booking settings, its opening hours (read only) and its advisors."""
    tenant = _tenant(request)
    branch = _branch_or_404(request, branch_id)
    stored = booking.branch_booking(branch)
    form = BranchBookingForm(request.POST or None, instance=stored)
    if request.method == "POST" and form.is_valid():
        try:
            booking.save_branch_booking(branch, _actor(request), **form.values())
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _("Die Online-Terminbuchung des Betriebs „%(name)s“ wurde gespeichert.")
                % {"name": branch.name},
            )
            return redirect("appointments:branch_settings", branch_id=branch.pk)
    return _branch_page(request, tenant, branch, form, AdvisorAddForm(branch=branch))


def _branch_page(
    request: HttpRequest,
    tenant: Tenant,
    branch: Branch,
    form: BranchBookingForm,
    add_form: AdvisorAddForm,
    status: int = 200,
) -> HttpResponse:
    stored = booking.branch_booking(branch)
    advisors = (
        ServiceAdvisor.objects.filter(branch=branch)
        .select_related("user")
        .prefetch_related("working_hours")
        .order_by("-is_active", "user__full_name")
    )
    rows = [
        {
            "advisor": advisor,
            "hours": [
                booking.WorkingInterval(h.weekday, h.starts, h.ends).label()
                for h in sorted(advisor.working_hours.all(), key=lambda h: (h.weekday, h.starts))
            ],
        }
        for advisor in advisors
    ]
    context = {
        "branch": branch,
        "form": form,
        "add_form": add_form,
        "advisor_rows": rows,
        "tenant_enabled": tenant.online_booking_enabled,
        "opening_hours": branch.opening_hours.all().order_by("weekday", "opens"),
        "state_label": branch.get_state_display() if branch.state else "",
        "page_url": request.build_absolute_uri(booking_page_path(tenant, branch)),
        # The branch's own events too: opening hours, a removed advisor.
        "events": timeline_for(request, *[row for row in (stored, branch) if row.pk]),
    }
    return render(request, "appointments/staff/settings/branch.html", context, status=status)


@staff_required(RIGHT)
@require_POST
def advisor_add(request: HttpRequest, branch_id: int) -> HttpResponse:
    tenant = _tenant(request)
    branch = _branch_or_404(request, branch_id)
    add_form = AdvisorAddForm(request.POST, branch=branch)
    if add_form.is_valid():
        try:
            advisor = booking.add_advisor(branch, _actor(request), add_form.cleaned_data["user"])
        except ServiceError as error:
            add_form.add_refusal(error)
        else:
            messages.success(
                request,
                _("%(name)s ist jetzt Annehmer. Bitte tragen Sie die Arbeitszeiten ein.")
                % {"name": advisor.user.get_full_name() or advisor.user.email},
            )
            return redirect("appointments:advisor_settings", pk=advisor.pk)
    form = BranchBookingForm(instance=booking.branch_booking(branch))
    return _branch_page(request, tenant, branch, form, add_form, status=400)


def _advisor_or_404(request: HttpRequest, pk: int) -> ServiceAdvisor:
    return get_object_or_404(
        ServiceAdvisor.objects.select_related("user", "branch"), pk=pk, tenant=_tenant(request)
    )


@staff_required(RIGHT)
@require_POST
def advisor_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    advisor = _advisor_or_404(request, pk)
    active = request.POST.get("active") == "1"
    booking.set_advisor_active(advisor, _actor(request), active)
    name = advisor.user.get_full_name() or advisor.user.email
    if active:
        messages.success(request, _("%(name)s ist wieder aktiver Annehmer.") % {"name": name})
    else:
        messages.success(
            request,
            _("%(name)s ist nicht mehr aktiv und nimmt keine Online-Termine an.") % {"name": name},
        )
    if request.POST.get("next") == "advisor":
        return redirect("appointments:advisor_settings", pk=advisor.pk)
    return redirect("appointments:branch_settings", branch_id=advisor.branch_id)


@staff_required(RIGHT)
@require_POST
def advisor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    advisor = _advisor_or_404(request, pk)
    branch_id = advisor.branch_id
    booking.remove_advisor(advisor, _actor(request))
    messages.success(
        request,
        _("%(name)s ist kein Annehmer mehr in diesem Betrieb.")
        % {"name": advisor.user.get_full_name() or advisor.user.email},
    )
    return redirect("appointments:branch_settings", branch_id=branch_id)


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def advisor_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """An advisor's weekly working hours and absences."""
    advisor = _advisor_or_404(request, pk)
    week = WeekFormSet(
        request.POST or None,
        initial=week_initial(booking.working_intervals(advisor)),
        prefix="week",
    )
    assert isinstance(week, BaseWeekFormSet)
    week_error = ""
    if request.method == "POST" and week.is_valid():
        try:
            booking.set_working_hours(advisor, _actor(request), week.intervals())
        except ServiceError as error:
            week_error = " ".join(error.messages)
        else:
            messages.success(request, _("Die Arbeitszeiten wurden gespeichert."))
            return redirect("appointments:advisor_settings", pk=advisor.pk)
    status = 400 if request.method == "POST" else 200
    return _advisor_page(request, advisor, week, AbsenceForm(), week_error, status)


def _advisor_page(
    request: HttpRequest,
    advisor: ServiceAdvisor,
    week: object,
    absence_form: AbsenceForm,
    week_error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "advisor": advisor,
        "branch": advisor.branch,
        "week": week,
        "week_error": week_error,
        "absence_form": absence_form,
        "absences": booking.upcoming_absences(advisor, timezone.localdate()),
        "events": timeline_for(request, advisor),
    }
    return render(request, "appointments/staff/settings/advisor.html", context, status=status)


@staff_required(RIGHT)
@require_POST
def absence_add(request: HttpRequest, pk: int) -> HttpResponse:
    advisor = _advisor_or_404(request, pk)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            booking.add_absence(
                advisor, _actor(request), data["first_day"], data["last_day"], data["reason"]
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Die Abwesenheit wurde eingetragen."))
            return redirect("appointments:advisor_settings", pk=advisor.pk)
    week = WeekFormSet(initial=week_initial(booking.working_intervals(advisor)), prefix="week")
    return _advisor_page(request, advisor, week, form, status=400)


@staff_required(RIGHT)
@require_POST
def absence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(
        AdvisorAbsence.objects.select_related("advisor__user", "advisor__branch"),
        pk=pk,
        tenant=_tenant(request),
    )
    booking.delete_absence(absence, _actor(request))
    messages.success(request, _("Die Abwesenheit wurde gelöscht."))
    return redirect("appointments:advisor_settings", pk=absence.advisor_id)


@staff_required(RIGHT)
def service_list(request: HttpRequest) -> HttpResponse:
    """The bookable services ("Leistungen"), active first."""
    services = (
        BookableService.objects.filter(tenant=_tenant(request))
        .prefetch_related(Prefetch("branches", queryset=Branch.objects.order_by("name")))
        .order_by("-is_active", "position", "name", "id")
    )
    return render(request, "appointments/staff/settings/service_list.html", {"services": services})


def _service_page(request: HttpRequest, service: BookableService | None) -> HttpResponse:
    tenant = _tenant(request)
    instance = (
        BookableService.objects.get(pk=service.pk) if service else BookableService(tenant=tenant)
    )
    form = BookableServiceForm(request.POST or None, instance=instance, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        branches = list(form.cleaned_data["branches"])
        try:
            if service is None:
                saved = booking.create_service(
                    tenant, _actor(request), branches=branches, **form.values()
                )
            else:
                saved = booking.update_service(
                    service, _actor(request), branches=branches, **form.values()
                )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request, _("Die Leistung „%(name)s“ wurde gespeichert.") % {"name": saved.name}
            )
            return redirect("appointments:service_list")
    context = {
        "form": form,
        "service": service,
        "events": timeline_for(request, service) if service is not None else None,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "appointments/staff/settings/service_form.html", context, status=status)


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    return _service_page(request, None)


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(BookableService, pk=pk, tenant=_tenant(request))
    return _service_page(request, service)


@staff_required(RIGHT)
@require_POST
def service_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(BookableService, pk=pk, tenant=_tenant(request))
    active = request.POST.get("active") == "1"
    booking.set_service_active(service, _actor(request), active)
    if active:
        text = _("Die Leistung „%(name)s“ ist wieder buchbar.")
    else:
        text = _("Die Leistung „%(name)s“ ist nicht mehr buchbar.")
    messages.success(request, text % {"name": service.name})
    return redirect("appointments:service_list")


@staff_required("appointments.use_lead_manager")
@require_http_methods(["GET", "POST"])
def lead_preferences(request: HttpRequest) -> HttpResponse:
    """The user's own settings of the lead manager ("Lokale Einstellungen")."""
    found = LeadManagerPreference.objects.filter(user=request.user).first()  # type: ignore[misc]
    current = found or LeadManagerPreference()
    initial = {
        "refresh_seconds": current.refresh_seconds,
        # --- cal ---
        "show_leads_in_calendar": current.show_leads_in_calendar,
        "lead_panel_width": current.lead_panel_width,
    }
    form = LeadPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            booking.set_refresh_interval(
                request.user,  # type: ignore[arg-type]
                form.cleaned_data["refresh_seconds"],
            )
            # --- cal ---
            booking.set_calendar_display(
                request.user,  # type: ignore[arg-type]
                show_leads_in_calendar=form.cleaned_data["show_leads_in_calendar"],
                lead_panel_width=form.cleaned_data["lead_panel_width"] or current.lead_panel_width,
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Ihre Einstellungen wurden gespeichert."))
            return redirect("appointments:lead_preferences")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "lead_manager_url": _lead_manager_url()}
    return render(
        request, "appointments/staff/settings/lead_preferences.html", context, status=status
    )


def _lead_manager_url() -> str:
    """The lead manager (built by another part of the domain), when it is installed."""
    try:
        return reverse("appointments:lead_list")
    except NoReverseMatch:
        return ""
