"""The appointment calendar ("Servicetermin Manager", seeds 001 and 002): a day and a week
per branch, one column (day) or row (week) per advisor plus "ohne Berater", appointments as
blocks in their status colours, held proposal slots hatched, open leads beside them when the
user's "Lokale Einstellungen" say so. Moving a block reschedules through the service layer.

The page reads a constant number of queries however many appointments the range holds
(checked by the tests and bench/calendar.py): every row comes with what the blocks show.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from theke.accounts.models import User
from theke.appointments.models import (
    Appointment,
    BranchBooking,
    LeadManagerPreference,
    ServiceAdvisor,
)
from theke.appointments.services import workshop
from theke.appointments.services.availability import zone
from theke.appointments.services.leads import open_leads
from theke.appointments.staff_views.calendar_blocks import (
    DAY,
    NO_ADVISOR,
    WEEK_DAYS,
    Block,
    DayList,
    Duties,
    Range,
    columns_of,
    day_grid,
    duties_of,
    local,
    mark_crowding,
    read_blocks,
    reverse_or_empty,
    week_rows,
)
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.tenants.models import Branch, Tenant

MANAGE = "appointments.manage"
USE_LEAD_MANAGER = "appointments.use_lead_manager"


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def calendar_preference(user: Any) -> LeadManagerPreference:
    """The user's "Lokale Einstellungen" (the defaults while never saved)."""
    found = LeadManagerPreference.objects.filter(user_id=user.pk).first()
    return found or LeadManagerPreference(user_id=user.pk)


def _branches(tenant: Tenant) -> list[Branch]:
    return list(Branch.objects.filter(tenant=tenant, is_active=True).order_by("name"))


def _chosen_branch(branches: list[Branch], raw: str | None) -> Branch | None:
    by_id = {str(branch.pk): branch for branch in branches}
    if raw and raw not in by_id:
        raise Http404("unknown branch")
    return by_id.get(raw or "") or (branches[0] if branches else None)


def calendar_url(branch: Branch | None, day: datetime.date, view: str) -> str:
    query = {"date": day.isoformat(), "view": view}
    if branch is not None:
        query["branch"] = str(branch.pk)
    return reverse("appointments:calendar") + "?" + urlencode(query)


def _navigation(branch: Branch | None, day: datetime.date, view: str) -> dict[str, str]:
    step = WEEK_DAYS * DAY if view == "week" else DAY
    today = timezone.localdate()
    return {
        "prev": calendar_url(branch, day - step, view),
        "next": calendar_url(branch, day + step, view),
        "today": calendar_url(branch, today, view),
        "day": calendar_url(branch, day, "day"),
        "week": calendar_url(branch, day, "week"),
    }


def _title(span: Range) -> str:
    if span.days == 1:
        return date_format(span.first_day, "l, j. F Y")
    last = span.first_day + (span.days - 1) * DAY
    return f"{date_format(span.first_day, 'j. F')} – {date_format(last, 'j. F Y')}"


def _day_lists(span: Range, blocks: list[Block], duties: Duties) -> list[DayList]:
    today = timezone.localdate()
    by_day: dict[datetime.date, list[Block]] = defaultdict(list)
    for block in sorted(blocks, key=lambda b: (b.start, b.dom_id)):
        by_day[block.day].append(block)
    return [
        DayList(
            day,
            date_format(day, "l, j. F"),
            day == today,
            by_day.get(day, []),
            duties.holidays.get(day, ""),
        )
        for day in span.day_list
    ]


@staff_required(MANAGE)
def calendar(request: HttpRequest) -> HttpResponse:
    """The calendar of one branch: ?branch=&date=YYYY-MM-DD&view=day|week.

    Phones see a list of the days instead of the grid. It is fetched when it comes into
    view (`&part=list`, htmx), so desktops and tablets never render it: it repeated every
    block of the week. Without script, the placeholder's link loads the page with it."""
    tenant = _tenant(request)
    view = "week" if request.GET.get("view") == "week" else "day"
    day = parse_date(request.GET.get("date") or "") or timezone.localdate()
    if view == "week":
        day -= day.weekday() * DAY  # the week starts on Monday
    span = Range(day, WEEK_DAYS if view == "week" else 1)
    branches = _branches(tenant)
    branch = _chosen_branch(branches, request.GET.get("branch"))
    preference = calendar_preference(request.user)
    may_see_leads = request.user.has_perm(USE_LEAD_MANAGER)
    show_leads = may_see_leads and preference.show_leads_in_calendar
    list_only = request.GET.get("part") == "list" and bool(getattr(request, "htmx", False))
    context: dict[str, Any] = {
        "view": view,
        "day": day,
        "title": _title(span),
        "branches": branches,
        "branch": branch,
        "nav": _navigation(branch, day, view),
        "list_url": calendar_url(branch, day, view) + "&part=list",
        "show_leads": show_leads,
        "lead_panel_width": preference.lead_panel_width,
        # The panel's width as one of calendar.css's classes (20 px steps; no inline styles).
        "lead_panel_class": min(600, max(200, (preference.lead_panel_width + 10) // 20 * 20)),
        "today": timezone.localdate(),
        "lead_list_url": reverse_or_empty("appointments:lead_list") if may_see_leads else "",
        "open_lead_count": open_leads(tenant).count() if may_see_leads and not list_only else 0,
        "preferences_url": (
            reverse_or_empty("appointments:lead_preferences") if may_see_leads else ""
        ),
    }
    if branch is None:
        return render(request, "appointments/staff/calendar.html", context)
    now = timezone.now()
    blocks, leads = read_blocks(branch, span, with_leads=show_leads, now=now)
    capacity = (
        BranchBooking.objects.filter(branch=branch)
        .values_list("parallel_capacity", flat=True)
        .first()
    )
    mark_crowding(blocks + leads, capacity)
    duties = duties_of(branch, span)
    advisors = [int(b.column_key) for b in blocks if b.column_key.isdigit()]
    columns = columns_of(branch, advisors, duties)
    by_key = {column.key: column for column in columns}
    for block in blocks + leads:
        block.advisor_label = by_key.get(block.column_key, by_key[NO_ADVISOR]).label
    if list_only or request.GET.get("part") == "list":
        context["day_lists"] = _day_lists(span, blocks, duties)
    if list_only:
        return render(request, "appointments/staff/_calendar_day_list.html", context)
    context.update(columns=columns, leads=leads)
    if view == "day":
        shown = blocks + leads
        context.update(
            grid=day_grid(branch, day, columns, shown, duties),
            blocks=shown,
            holiday=duties.holidays.get(day, ""),
            closed=not duties.branch.on(day),
        )
    else:
        context.update(week_rows=week_rows(branch, span, columns, blocks))
        context["week_days"] = [
            (d, date_format(d, "D j.n."), calendar_url(branch, d, "day"), duties.holidays.get(d))
            for d in span.day_list
        ]
    return render(request, "appointments/staff/calendar.html", context)


# --- moving a block ----------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _branch_advisors(appointment: Appointment) -> dict[str, User]:
    """The active advisors of the appointment's branch by user id (as text)."""
    if appointment.branch_id is None:
        return {}
    advisors = ServiceAdvisor.objects.filter(
        branch_id=appointment.branch_id, is_active=True
    ).select_related("user")
    return {str(advisor.user_id): advisor.user for advisor in advisors}


def _advisor_choices(advisors: dict[str, User]) -> list[tuple[str, str]]:
    choices = sorted(((key, str(user)) for key, user in advisors.items()), key=lambda c: c[1])
    return [("", _("ohne Berater")), *choices]


def _parse_move(
    request: HttpRequest, appointment: Appointment, advisors: dict[str, User]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The new start, end and advisor from the POST, or the errors per field."""
    errors: dict[str, str] = {}
    raw_start = (request.POST.get("start") or "").strip()
    start = parse_datetime(raw_start) if raw_start else None
    if start is None:
        errors["start"] = _("Bitte geben Sie Datum und Uhrzeit an (TT.MM.JJJJ HH:MM).")
    elif timezone.is_naive(start):
        start = timezone.make_aware(start, zone())
    advisor = (request.POST.get("advisor") or "").strip()
    if advisor and advisor not in advisors:
        errors["advisor"] = _("Bitte wählen Sie einen Annehmer dieses Betriebs.")
    if errors or start is None:
        return {}, errors
    duration = appointment.end - appointment.start
    values = {"start": start, "end": start + duration, "advisor": advisors.get(advisor)}
    return values, {}


def _reschedule(
    appointment: Appointment, actor: Actor, values: dict[str, Any], allow_overbooking: bool
) -> Appointment:
    """Reschedule through the workshop service (capacity check, feed event, reminders);
    it refuses an overbooking with code "overbooking" unless staff confirmed it. Its
    advisor None keeps the current advisor."""
    return workshop.reschedule(
        appointment,
        actor,
        start=values["start"],
        end=values["end"],
        advisor=values["advisor"],
        allow_overbooking=allow_overbooking,
    )


@staff_required(MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an appointment to another time or advisor: the target of a dragged block (JSON),
    and a small form on phones. Overbooking needs an explicit second "yes"."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("customer", "branch", "advisor"), pk=pk
    )
    advisors = _branch_advisors(appointment)
    choices = _advisor_choices(advisors)
    errors: dict[str, str] = {}
    overbooking = ""
    start_value = f"{local(appointment.start):%Y-%m-%dT%H:%M}"
    advisor_value = str(appointment.advisor_id or "")
    if request.method == "POST":
        start_value = request.POST.get("start", start_value)
        advisor_value = request.POST.get("advisor", advisor_value)
        values, errors = _parse_move(request, appointment, advisors)
        if not errors:
            allow = request.POST.get("confirm_overbooking") == "1"
            try:
                moved = _reschedule(appointment, Actor.staff(request.user), values, allow)
            except ServiceError as exc:
                if exc.code == "overbooking":
                    overbooking = str(exc.messages[0])
                else:
                    errors[exc.field or "start"] = str(exc.messages[0])
            else:
                text = _("Der Termin wurde auf %(when)s verschoben.") % {
                    "when": f"{local(moved.start):%d.%m.%Y %H:%M}"
                }
                if _wants_json(request):
                    return JsonResponse({"ok": True, "message": text})
                messages.success(request, text)
                return redirect(calendar_url(moved.branch, local(moved.start).date(), "day"))
        if _wants_json(request):
            if overbooking:
                return JsonResponse(
                    {"ok": False, "code": "overbooking", "message": overbooking}, status=409
                )
            return JsonResponse(
                {"ok": False, "code": "invalid", "message": " ".join(errors.values())}, status=400
            )
    context = {
        "appointment": appointment,
        "choices": choices,
        "errors": errors,
        "overbooking": overbooking,
        "start_value": start_value,
        "advisor_value": advisor_value,
        "back_url": calendar_url(appointment.branch, local(appointment.start).date(), "day"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "appointments/staff/appointment_move.html", context, status=status)
