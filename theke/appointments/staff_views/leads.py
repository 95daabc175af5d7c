"""Staff views of the appointments domain.

The lead manager ("Servicetermin Leadmanager", seed 001): the list with its filters and
LiveSearch, a lead's page, reject / reopen / edit, the navigation badge, the start-page
tile and the customer-page panel. Leads are looked up through the tenant-scoped manager, so
another tenant's ids answer 404; every change goes through `services.lead_actions`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from theke.accounts.models import User
from theke.appointments.forms import ALL, LeadEditForm, LeadFilterForm
from theke.appointments.models import (
    BranchBooking,
    Lead,
    LeadManagerPreference,
    LeadStatus,
)
from theke.appointments.services.availability import find_free_advisor
from theke.appointments.services.lead_actions import (
    REJECTION_PURPOSES,
    REOPENABLE,
    lead_message_context,
    lead_recipient,
    reject_lead,
    reopen_lead,
    update_lead,
)
from theke.appointments.services.leads import (
    EDIT_CANCELLED_LEADS,
    LEAD_TRANSITIONS,
    check_may_touch,
    open_leads,
)
from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.core.navigation import Badge
from theke.core.panels import Tile
from theke.customers.models import Customer
from theke.messaging.forms import ComposeForm, ComposeSetup
from theke.messaging.purposes import EMAIL, SMS
from theke.messaging.staff_views.templates import compose_page
from theke.tenants.models import Branch, Tenant

# --- lead manager ---------------------------------------------------------------------------

USE_LEAD_MANAGER = "appointments.use_lead_manager"
LEAD_PAGE_SIZE = 25
CUSTOMER_PANEL_SIZE = 10
DEFAULT_REFRESH_SECONDS = 60

BADGE_CLASSES: dict[str, str] = {
    LeadStatus.NEW: "text-bg-primary",
    LeadStatus.PLANNED: "text-bg-success",
    LeadStatus.REJECTED: "text-bg-danger",
    LeadStatus.CANCELLED: "text-bg-secondary",
    LeadStatus.CANCELLED_BY_CUSTOMER: "text-bg-warning",
}


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request for a part of the page (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _reverse_or_empty(name: str, *args: Any) -> str:
    """The URL of a page another part of the product builds, or "" while it is missing."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def refresh_seconds(user: Any) -> int:
    """The user's refresh interval of the lead manager and its badge ("Lokale Einstellungen")."""
    preference = LeadManagerPreference.objects.filter(user_id=user.pk).first()
    return preference.refresh_seconds if preference else DEFAULT_REFRESH_SECONDS


def age_label(since: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """How long ago a lead came in, short: "gerade eben", "vor 5 Min.", "vor 2 Std.",
    "vor 3 Tagen"."""
    minutes = int(((now or timezone.now()) - since).total_seconds() // 60)
    if minutes < 1:
        return _("gerade eben")
    if minutes < 60:
        return _("vor %(count)d Min.") % {"count": minutes}
    if minutes < 24 * 60:
        return _("vor %(count)d Std.") % {"count": minutes // 60}
    days = minutes // (24 * 60)
    return ngettext("vor %(count)d Tag", "vor %(count)d Tagen", days) % {"count": days}


def branches_without_advisor(tenant: Tenant) -> list[Branch]:
    """Bookable branches (or, while none is set up, all active ones) without an active
    advisor: seed 001's check when the lead manager opens."""
    branches = Branch.objects.filter(tenant=tenant, is_active=True)
    bookable = BranchBooking.objects.filter(tenant=tenant, enabled=True).values("branch_id")
    if branches.filter(pk__in=bookable).exists():
        branches = branches.filter(pk__in=bookable)
    return list(
        branches.annotate(
            active_advisors=Count("service_advisors", filter=Q(service_advisors__is_active=True))
        )
        .filter(active_advisors=0)
        .order_by("name")
    )


def lead_badge(request: HttpRequest) -> Badge | None:
    """The navigation badge of the lead manager: the open leads ("Neu")."""
    if not request.user.has_perm(USE_LEAD_MANAGER):
        return None
    count = open_leads(_tenant(request)).count()
    label = ngettext("%(count)d offene Terminanfrage", "%(count)d offene Terminanfragen", count) % {
        "count": count
    }
    return Badge(
        count=count,
        label=label,
        refresh_url=reverse("appointments:lead_badge"),
        refresh_seconds=refresh_seconds(request.user),
    )


def new_leads_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: the leads waiting for staff, linking to the list of new leads."""
    if not request.user.has_perm(USE_LEAD_MANAGER):
        return None
    return Tile(
        label=_("Neue Terminanfragen"),
        count=open_leads(_tenant(request)).count(),
        url=reverse("appointments:lead_list") + f"?status={LeadStatus.NEW}",
        hint=_("Online gebucht, noch nicht angenommen oder abgelehnt"),
    )


def customer_leads_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """Customer-page panel: the leads assigned to this customer, newest first. Left out for
    a customer without leads, so customers of shops without online booking see no noise."""
    if not request.user.has_perm(USE_LEAD_MANAGER):
        return None
    leads = list(
        Lead.objects.filter(customer=customer)
        .select_related("branch")
        .order_by("-start", "-id")[: CUSTOMER_PANEL_SIZE + 1]
    )
    if not leads:
        return None
    return {
        "customer": customer,
        "rows": [
            (lead, BADGE_CLASSES.get(lead.status, "")) for lead in leads[:CUSTOMER_PANEL_SIZE]
        ],
        "more": len(leads) > CUSTOMER_PANEL_SIZE,
    }


def _search_word(word: str) -> Q:
    """One LiveSearch word; a phone number typed nationally ("0151…") also finds the stored
    international digits ("49151…")."""
    word = word.lstrip("+")
    found = Q(search_text__contains=word)
    if len(word) > 2 and word.isdigit() and word.startswith("0") and not word.startswith("00"):
        found |= Q(search_text__contains="49" + word[1:])
    return found


def filtered_leads(tenant: Tenant, form: LeadFilterForm) -> QuerySet[Lead]:
    """The leads of the selection, newest first; the LiveSearch needs every word."""
    leads = Lead.objects.filter(tenant=tenant)
    status = form.value("status")
    if status and status != ALL:
        leads = leads.filter(status=status)
    first_day, last_day = form.day_range()
    zone = timezone.get_current_timezone()
    if first_day is not None:
        leads = leads.filter(
            start__gte=datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)
        )
    if last_day is not None:
        after = last_day + datetime.timedelta(days=1)
        leads = leads.filter(start__lt=datetime.datetime.combine(after, datetime.time.min, zone))
    branch = form.value("branch")
    if branch:
        leads = leads.filter(branch_id=branch)
    advisor = form.value("advisor")
    if advisor:
        leads = leads.filter(advisor_id=advisor)
    for word in (form.value("q") or "").lower().split()[:10]:
        leads = leads.filter(_search_word(word))
    return leads.order_by("-created_at", "-id")


@dataclass(frozen=True)
class LeadRow:
    lead: Lead
    badge_class: str
    age: str
    services: str
    vehicle: str


def _row(lead: Lead, now: datetime.datetime) -> LeadRow:
    services = ", ".join(str(s.get("name", "")) for s in lead.services_booked or [] if s)
    vehicle = " · ".join(
        p for p in [lead.license_plate, " ".join(p for p in [lead.make, lead.model] if p)] if p
    )
    return LeadRow(
        lead, BADGE_CLASSES.get(lead.status, ""), age_label(lead.created_at, now), services, vehicle
    )


@staff_required(USE_LEAD_MANAGER)
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    """The lead manager: filters and LiveSearch on top, the leads below; htmx asks for the
    results only (as staff type, and at the user's refresh interval)."""
    tenant = _tenant(request)
    form = LeadFilterForm(request.GET or None, tenant=tenant)
    page = Paginator(
        filtered_leads(tenant, form).select_related("branch", "advisor"), LEAD_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    now = timezone.now()
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "rows": [_row(lead, now) for lead in page.object_list],
        "status": form.value("status"),
        "query": form.value("q") or "",
        "refresh_seconds": refresh_seconds(request.user),
        "open_count": open_leads(tenant).count(),
    }
    if _wants_partial(request):
        response = render(request, "appointments/staff/_lead_results.html", context)
    else:
        context.update(
            {
                "missing_advisors": branches_without_advisor(tenant),
                "settings_url": _reverse_or_empty("appointments:settings"),
                "preferences_url": _reverse_or_empty("appointments:lead_preferences"),
                "sms_enabled": tenant.sms_enabled,
            }
        )
        response = render(request, "appointments/staff/lead_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required(USE_LEAD_MANAGER)
@require_GET
def lead_badge_view(request: HttpRequest) -> HttpResponse:
    """The navigation badge alone, for htmx polling at the user's interval."""
    response = render(request, "core/_nav_badge.html", {"badge": lead_badge(request)})
    patch_cache_control(response, no_store=True)
    return response


def slot_is_free(lead: Lead) -> bool:
    """Whether the lead's requested slot is still free at its branch (a hint for staff; the
    conversion checks again under the branch lock)."""
    return find_free_advisor(lead.branch, lead.start, lead.end, exclude_lead=lead) is not False


def _get_lead(pk: int) -> Lead:
    return get_object_or_404(Lead.objects.select_related("branch", "advisor", "customer"), pk=pk)


def _may_touch(user: Any, lead: Lead) -> bool:
    return not lead.is_closed or user.has_perm(EDIT_CANCELLED_LEADS)


def lead_buttons(user: Any, lead: Lead) -> dict[str, bool]:
    """Which actions the lead's page offers: by status, and closed leads only with the right."""
    if not _may_touch(user, lead):
        return {"convert": False, "reject": False, "reopen": False, "edit": False}
    allowed = LEAD_TRANSITIONS[lead.status]
    return {
        "convert": LeadStatus.PLANNED in allowed,
        "reject": LeadStatus.REJECTED in allowed,
        "reopen": lead.status in REOPENABLE,
        "edit": lead.status != LeadStatus.PLANNED,
    }


@staff_required(USE_LEAD_MANAGER)
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _get_lead(pk)
    tenant = _tenant(request)
    context = {
        "lead": lead,
        "row": _row(lead, timezone.now()),
        "buttons": lead_buttons(request.user, lead),
        "convert_url": _reverse_or_empty("appointments:lead_convert", lead.pk),
        "sms_enabled": tenant.sms_enabled,
        "events": timeline_for(request, lead),
        "customer_url": (
            reverse("customers:detail", args=[lead.customer_id]) if lead.customer_id else ""
        ),
        "appointment_url": (
            _reverse_or_empty("appointments:appointment_detail", lead.appointment_id)
            if lead.appointment_id
            else ""
        ),
    }
    return render(request, "appointments/staff/lead_detail.html", context)


def _reject_setup(tenant: Tenant, lead: Lead, channel: str) -> ComposeSetup:
    """The compose form of messaging, for the lead as recipient and the reject text."""
    purpose = REJECTION_PURPOSES[channel]
    return ComposeSetup(
        tenant=tenant,
        contacts=[lead_recipient(lead)],
        purposes=[purpose],
        default_purpose=purpose,
        context=lead_message_context(lead, lead.language or "de"),
    )


def _sms_refusal(tenant: Tenant, lead: Lead) -> str:
    if not tenant.sms_enabled:
        return _("SMS ist für Ihr Unternehmen nicht freigeschaltet.")
    if not lead.mobile_phone:
        return _("Für diese Terminanfrage ist keine Mobilnummer angegeben.")
    return ""


@staff_required(USE_LEAD_MANAGER)
@require_http_methods(["GET", "POST"])
def lead_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ablehnen": the reject text prefilled from the tenant's template, editable, then sent
    by e-mail (`?channel=email`, always) or SMS (`?channel=sms`, where the tenant has SMS)."""
    lead = _get_lead(pk)
    check_may_touch(_user(request), lead)
    detail = reverse("appointments:lead_detail", args=[lead.pk])
    if LeadStatus.REJECTED not in LEAD_TRANSITIONS[lead.status]:
        messages.error(
            request,
            _("Die Terminanfrage hat den Status „%(status)s“ und kann nicht abgelehnt werden.")
            % {"status": lead.get_status_display()},
        )
        return redirect(detail)
    tenant = _tenant(request)
    channel = request.GET.get("channel") or request.POST.get("channel") or EMAIL
    channel = SMS if channel == SMS else EMAIL
    refusal = _sms_refusal(tenant, lead) if channel == SMS else ""
    if not refusal and channel == EMAIL and not lead.email:
        refusal = _("Für diese Terminanfrage ist keine E-Mail-Adresse angegeben.")
    if refusal:
        return render(
            request,
            "appointments/staff/lead_reject.html",
            {"lead": lead, "refusal": refusal, "channel": channel, "cancel_url": detail},
        )
    user = _user(request)

    def send(form: ComposeForm) -> Any:
        data = form.cleaned_data
        rejection = reject_lead(
            lead,
            Actor.staff(user),
            user,
            channel=data["channel"],
            subject=data.get("subject", ""),
            body=data["text"],
        )
        messages.success(request, _("Die Terminanfrage wurde abgelehnt."))
        return rejection.message

    url = reverse("appointments:lead_reject", args=[lead.pk]) + f"?channel={channel}"
    return compose_page(
        request,
        _reject_setup(tenant, lead, channel),
        send=send,
        done_url=detail,
        compose_url=url,
        template="appointments/staff/lead_reject.html",
        extra={"lead": lead, "channel": channel},
    )


@staff_required(USE_LEAD_MANAGER)
@require_POST
def lead_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Wieder öffnen": a rejected or cancelled lead becomes "Neu" again."""
    lead = _get_lead(pk)
    user = _user(request)
    check_may_touch(user, lead)
    try:
        reopened = reopen_lead(lead, Actor.staff(user), user)
    except ServiceError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Die Terminanfrage ist wieder offen."))
        if not slot_is_free(reopened):
            messages.warning(
                request,
                _(
                    "Der Wunschtermin ist inzwischen nicht mehr frei. Bitte wählen Sie beim "
                    "Anlegen des Termins eine andere Zeit."
                ),
            )
    return redirect("appointments:lead_detail", pk=lead.pk)


@staff_required(USE_LEAD_MANAGER)
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Bearbeiten": the customer and vehicle data, note, branch and advisor of a lead."""
    lead = _get_lead(pk)
    user = _user(request)
    check_may_touch(user, lead)
    detail = reverse("appointments:lead_detail", args=[lead.pk])
    if lead.status == LeadStatus.PLANNED:
        messages.info(
            request,
            _("Die Terminanfrage ist bereits als Termin angelegt. Bitte ändern Sie den Termin."),
        )
        return redirect(detail)
    tenant = _tenant(request)
    if request.method == "POST":
        form = LeadEditForm(request.POST, instance=_get_lead(pk), tenant=tenant)
        if form.is_valid():
            try:
                update_lead(lead, Actor.staff(user), user, **form.changes())
            except ServiceError as error:
                form.add_refusal(error)
            else:
                messages.success(request, _("Die Terminanfrage wurde gespeichert."))
                return redirect(detail)
    else:
        form = LeadEditForm(instance=lead, tenant=tenant)
    return render(
        request,
        "appointments/staff/lead_edit.html",
        {"lead": lead, "form": form, "cancel_url": detail},
    )
