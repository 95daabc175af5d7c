"""Staff views of online estimates: the list, the open answers, an estimate, its actions, PDF.

Estimates are looked up through the tenant-scoped manager, so another tenant's ids answer
404. Every state change goes through the estimate services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.core.images import content_type_of
from theke.core.panels import Tile
from theke.customers import links as customer_links
from theke.customers.models import Customer
from theke.estimates import services
from theke.estimates.decline_choices import DeclineObject, choices_for
from theke.estimates.forms import EstimateSettingsForm, PhotoForm, SendLinkForm
from theke.estimates.models import (
    DecisionAnswer,
    Estimate,
    EstimateLink,
    EstimatePhoto,
    EstimateStatus,
)
from theke.estimates.pdf import (
    decision_pdf,
    estimate_pdf,
    left_out_positions,
    pdf_filename,
    pdf_response,
)
from theke.estimates.services.answer_notices import managing_roles
from theke.estimates.services.decline import article_field, enabled_field, is_enabled
from theke.estimates.services.settings import SETTING_FIELDS

PAGE_SIZE = 25
CUSTOMER_PANEL_SIZE = 10

# Sent but not answered: the customer has the link and we wait for them.
OPEN_STATUSES = (EstimateStatus.SENT, EstimateStatus.VIEWED)

# An answer counts as overdue after the tenant's reminder days, or these without reminders.
OVERDUE_DAYS = 3


def overdue_days(tenant: Any) -> int:
    return services.current_settings(tenant).reminder_days or OVERDUE_DAYS


def open_estimates() -> QuerySet[Estimate]:
    return Estimate.objects.filter(status__in=OPEN_STATUSES, has_data=True)


def overdue_estimates(tenant: Any) -> QuerySet[Estimate]:
    """Open estimates the customer has not answered for longer than the overdue days."""
    cutoff = timezone.now() - timedelta(days=overdue_days(tenant))
    return open_estimates().filter(
        Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, created_at__lt=cutoff)
    )


def undecided_handled() -> QuerySet[Estimate]:
    """Estimates whose customer answered and staff have not yet marked the answer handled."""
    return Estimate.objects.filter(decision__isnull=False, decision__handled_at__isnull=True)


def new_decisions_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: customers' answers waiting for staff, how many accepted and declined,
    and how many concern the user (sent by them, or theirs as technician); one query."""
    if not request.user.has_perm("estimates.view"):
        return None
    user_id = request.user.pk
    counts = undecided_handled().aggregate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(decision__answer=DecisionAnswer.ACCEPTED)),
        mine=Count("pk", filter=Q(sent_by_id=user_id) | Q(technician_user_id=user_id)),
    )
    hint = _("Angenommen oder abgelehnt, noch nicht erledigt")
    if counts["total"]:
        parts = [
            _("%(count)d angenommen") % {"count": counts["accepted"]},
            _("%(count)d abgelehnt") % {"count": counts["total"] - counts["accepted"]},
        ]
        if counts["mine"]:
            parts.append(_("%(count)d davon Ihre") % {"count": counts["mine"]})
        hint = " · ".join(parts)
    return Tile(
        label=_("Neue Antworten auf Kostenvoranschläge"),
        count=counts["total"],
        url=reverse("estimates:new_decisions"),
        hint=hint,
    )


def overdue_answers_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: estimates the customer leaves unanswered too long."""
    if not request.user.has_perm("estimates.view"):
        return None
    days = overdue_days(request.tenant)  # type: ignore[attr-defined]
    return Tile(
        label=_("Kostenvoranschläge ohne Antwort"),
        count=overdue_estimates(request.tenant).count(),  # type: ignore[attr-defined]
        url=reverse("estimates:open_answers") + "?overdue=1",
        hint=ngettext(
            "Seit mehr als %(days)d Tag gesendet", "Seit mehr als %(days)d Tagen gesendet", days
        )
        % {"days": days},
    )


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def decision_of(estimate: Estimate) -> Any:
    """The customer's decision on this version, or None (also while no such model exists)."""
    try:
        return getattr(estimate, "decision", None)
    except ObjectDoesNotExist:  # pragma: no cover - getattr's default covers the related miss
        return None


def search_estimates(query: str) -> QuerySet[Estimate]:
    """Estimates of the current tenant matching every word (number, customer, object)."""
    estimates = Estimate.objects.all()
    for word in query.lower().split():
        estimates = estimates.filter(
            Q(number__icontains=word)
            | Q(external_id__icontains=word)
            | Q(object_description__icontains=word)
            | Q(customer__search_text__contains=word)
            | Q(vehicle__license_plate__icontains=word)
        )
    return estimates


def _status_chips(current: str) -> list[dict[str, Any]]:
    chips = [{"value": "", "label": _("Alle"), "active": not current}]
    chips += [
        {"value": value, "label": label, "active": current == value}
        for value, label in EstimateStatus.choices
    ]
    return chips


def _customer_filter(request: HttpRequest) -> Customer | None:
    """The customer of `?customer=<id>` (the customer page's "all estimates"), else None."""
    value = request.GET.get("customer", "")
    if not value.isdigit():
        return None
    return Customer.objects.filter(pk=int(value)).first()


def customer_estimates_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """Customer-page panel: the customer's estimates (current versions), newest first."""
    if not request.user.has_perm("estimates.view"):
        return None
    estimates = (
        Estimate.objects.filter(customer=customer)
        .exclude(status=EstimateStatus.SUPERSEDED)
        .select_related("vehicle")
        .order_by("-created_at", "-id")
    )
    shown = list(estimates[: CUSTOMER_PANEL_SIZE + 1])
    return {
        "customer": customer,
        "estimates": shown[:CUSTOMER_PANEL_SIZE],
        "more": len(shown) > CUSTOMER_PANEL_SIZE,
    }


@staff_required("estimates.view")
def estimate_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    if status not in EstimateStatus.values:
        status = ""
    estimates = search_estimates(query)
    if status:
        estimates = estimates.filter(status=status)
    customer = _customer_filter(request)
    if customer is not None:
        estimates = estimates.filter(customer=customer)
    estimates = estimates.select_related("customer", "vehicle").order_by("-created_at", "-id")
    page = Paginator(estimates, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "estimates": list(page.object_list),
        "query": query,
        "status": status,
        "chips": _status_chips(status),
        "customer": customer,
        "open_count": open_estimates().count(),
        "decisions_count": undecided_handled().count(),
    }
    return render(request, "estimates/staff/estimate_list.html", context)


@staff_required("estimates.view")
def new_decisions(request: HttpRequest) -> HttpResponse:
    """Answers staff have not handled yet, newest first: the queue behind the start-page tile."""
    estimates = (
        undecided_handled()
        .select_related("customer", "vehicle", "decision")
        .order_by("-decision__decided_at", "-id")
    )
    page = Paginator(estimates, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "estimates": list(page.object_list),
        "open_count": open_estimates().count(),
        "decisions_count": page.paginator.count,
    }
    return render(request, "estimates/staff/new_decisions.html", context)


@require_POST
@staff_required("estimates.manage")
def mark_handled(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff took care of the customer's answer; back to where the button was."""
    estimate = _get(pk)
    if services.mark_decision_handled(estimate, _actor(request)):
        messages.success(request, _("Die Antwort ist als erledigt markiert."))
    else:
        messages.info(request, _("Die Antwort war bereits erledigt."))
    if request.POST.get("next") == "queue":
        return redirect("estimates:new_decisions")
    return redirect("estimates:detail", pk=estimate.pk)


@staff_required("estimates.view")
def open_answers(request: HttpRequest) -> HttpResponse:
    """Sent or viewed, not answered: oldest first, with age and whether the customer looked."""
    now = timezone.now()
    overdue = request.GET.get("overdue") == "1"
    tenant = request.tenant  # type: ignore[attr-defined]
    estimates = overdue_estimates(tenant) if overdue else open_estimates()
    estimates = estimates.select_related("customer", "vehicle").order_by(
        "sent_at", "created_at", "id"
    )
    page = Paginator(estimates, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for estimate in page.object_list:
        since = estimate.sent_at or estimate.created_at
        rows.append({"estimate": estimate, "days": max((now - since).days, 0), "since": since})
    context = {
        "page": page,
        "rows": rows,
        "reminder_days": services.current_settings(tenant).reminder_days,
        "overdue": overdue,
        "overdue_days": overdue_days(tenant),
        "open_count": open_estimates().count() if overdue else page.paginator.count,
        "decisions_count": undecided_handled().count(),
    }
    return render(request, "estimates/staff/open_answers.html", context)


def _links(estimate: Estimate) -> list[EstimateLink]:
    """The estimate's links, newest first, each with its `state` (the one decision)."""
    links = list(
        EstimateLink.objects.filter(object_id=estimate.external_id)
        .select_related("contact")
        .order_by("-created_at", "-id")
    )
    for link in links:
        link.state = customer_links.state_of(link)  # type: ignore[attr-defined]
    return links


def _detail_context(request: HttpRequest, estimate: Estimate) -> dict[str, Any]:
    positions = list(estimate.positions.select_related("article"))
    versions = list(
        Estimate.objects.filter(external_id=estimate.external_id)
        .exclude(pk=estimate.pk)
        .order_by("-version")
    )
    tenant = request.tenant  # type: ignore[attr-defined]
    decision = decision_of(estimate)
    can_send = (
        estimate.has_data
        and estimate.customer_id is not None
        and estimate.status not in {EstimateStatus.REVOKED, EstimateStatus.SUPERSEDED}
        and not estimate.is_final
    )
    return {
        "estimate": estimate,
        "positions": positions,
        "totals": services.compute_totals(positions),
        "photos": list(estimate.photos.all()),
        "links": _links(estimate),
        "now": timezone.now(),
        "decision": decision,
        "left_out": left_out_positions(estimate, decision) if decision is not None else [],
        "versions": versions,
        "events": timeline_for(request, estimate),
        "can_manage": request.user.has_perm("estimates.manage"),
        "can_send": can_send,
        "can_edit": request.user.has_perm("estimates.manage")
        and estimate.customer_id is not None
        and not estimate.is_final,
        "photo_form": PhotoForm(),
        "send_form": SendLinkForm(tenant=tenant, customer_id=estimate.customer_id)
        if can_send
        else None,
    }


def _get(pk: int) -> Estimate:
    return get_object_or_404(
        Estimate.objects.select_related(
            "customer", "contact", "vehicle", "order", "technician_user", "sent_by"
        ),
        pk=pk,
    )


@staff_required("estimates.view")
def estimate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    estimate = _get(pk)
    return render(
        request, "estimates/staff/estimate_detail.html", _detail_context(request, estimate)
    )


@require_POST
@staff_required("estimates.manage")
def send_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a new link and send it ("Online-KV senden", also "Erneut senden")."""
    estimate = _get(pk)
    if estimate.is_final:  # answered, revoked or replaced: a link would offer nothing to do
        messages.error(request, _("Dieser Kostenvoranschlag kann nicht mehr gesendet werden."))
        return redirect("estimates:detail", pk=estimate.pk)
    tenant = request.tenant  # type: ignore[attr-defined]
    form = SendLinkForm(request.POST, tenant=tenant, customer_id=estimate.customer_id)
    if form.is_valid():
        actor = _actor(request)
        try:
            with transaction.atomic():
                link, token = services.create_link(
                    tenant,
                    actor,
                    estimate.external_id,
                    revoke_previous=form.cleaned_data["revoke_previous"],
                )
                sent = services.send_link(
                    link,
                    token,
                    actor,
                    form.cleaned_data["channels"],
                    form.cleaned_data["contact"],
                )
        except ServiceError as error:
            form.add_error(None, error.messages[0])
        else:
            recipients = ", ".join(m.recipient for m in sent)
            messages.success(
                request,
                _("Der Link zum Kostenvoranschlag wird gesendet an: %(recipients)s")
                % {"recipients": recipients},
            )
            return redirect("estimates:detail", pk=estimate.pk)
    context = _detail_context(request, estimate)
    context["send_form"] = form
    context["send_open"] = True
    return render(request, "estimates/staff/estimate_detail.html", context, status=400)


@require_POST
@staff_required("estimates.manage")
def revoke_links(request: HttpRequest, pk: int) -> HttpResponse:
    """Make every link stop working; the estimate stays and a new link can be sent."""
    estimate = _get(pk)
    count = services.revoke_links(estimate, _actor(request))
    if count:
        messages.success(request, _("Die Links wurden widerrufen."))
    else:
        messages.info(request, _("Es gab keinen gültigen Link."))
    return redirect("estimates:detail", pk=estimate.pk)


@require_POST
@staff_required("estimates.manage")
def revoke_estimate(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw the estimate: its links stop working, the customer's page says so."""
    estimate = _get(pk)
    try:
        services.revoke_estimate(estimate, _actor(request))
    except ServiceError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Der Kostenvoranschlag wurde zurückgezogen."))
    return redirect("estimates:detail", pk=estimate.pk)


@staff_required("estimates.view")
def estimate_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    estimate = _get(pk)
    return pdf_response(estimate_pdf(estimate), pdf_filename(estimate))


@staff_required("estimates.view")
def decision_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    estimate = _get(pk)
    decision = decision_of(estimate)
    if decision is None:
        messages.info(request, _("Der Kunde hat noch nicht geantwortet."))
        return redirect("estimates:detail", pk=estimate.pk)
    return pdf_response(decision_pdf(estimate, decision), pdf_filename(estimate, answer=True))


@staff_required("estimates.view")
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A defect photo of the estimate (the preview; `?original=1` the stored photo)."""
    estimate = _get(pk)
    found = get_object_or_404(EstimatePhoto.objects, estimate=estimate, pk=photo_pk)
    size = "file" if request.GET.get("original") == "1" else "preview"
    stored = found.rendition(size)
    response = FileResponse(stored.open("rb"), content_type=content_type_of(stored.name or ""))
    response["Content-Disposition"] = "inline"
    patch_cache_control(response, private=True, max_age=3600)
    return response


@staff_required("tenants.manage_settings")
@require_http_methods(["GET", "POST"])
def estimate_settings(request: HttpRequest) -> HttpResponse:
    """Link validity, the automatic reminder and the flat-fee articles of declines."""
    tenant = request.tenant  # type: ignore[attr-defined]
    stored = services.current_settings(tenant)
    form = EstimateSettingsForm(request.POST or None, instance=stored, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in SETTING_FIELDS}
        try:
            services.save_settings(tenant, _actor(request), **values)
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request, _("Die Einstellungen der Kostenvoranschläge wurden gespeichert.")
            )
            return redirect("estimates:settings")
    stored = services.current_settings(tenant)
    context = {
        "form": form,
        "choice_groups": _choice_groups(tenant, stored, form),
        "answer_address": tenant.notification_address,
        "answer_address_is_main": not tenant.notification_email and bool(tenant.email),
        "managing_roles": managing_roles(tenant),
        "events": timeline_for(request, stored) if stored.pk else None,
    }
    return render(request, "estimates/staff/settings.html", context)


def _choice_groups(tenant: Any, stored: Any, form: EstimateSettingsForm) -> list[dict[str, Any]]:
    """Per object (device, vehicle): each decline choice with its switch, its article field
    and what the customer sees now (its fee; nothing when it is off)."""
    groups = []
    for obj in DeclineObject:
        rows = []
        for wording in choices_for(obj):
            enabled = is_enabled(stored, wording.code)
            rows.append(
                {
                    "wording": wording,
                    "enabled_field": form[enabled_field(wording.code)],
                    "article_field": form[article_field(wording.code)],
                    "enabled": enabled,
                    "fee": services.fee_for(tenant, wording.code) if enabled else None,
                }
            )
        groups.append({"object": obj, "label": obj.label, "rows": rows})
    return groups


# The largest photo staff may upload (the API's limit: the same files come through both ways).
def _photo_too_large(upload: Any) -> bool:
    return bool(upload.size > settings.API_MAX_UPLOAD_BYTES)


@require_POST
@staff_required("estimates.manage")
def add_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a defect photo to the estimate (shown to the customer with the positions)."""
    estimate = _get(pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if _photo_too_large(upload):
            form.add_error(
                "file",
                _("Das Foto ist zu groß (höchstens %(mb)s MB).")
                % {"mb": settings.API_MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        else:
            try:
                services.add_photo(
                    estimate,
                    _actor(request),
                    data=upload.read(),
                    caption=form.cleaned_data["caption"],
                )
            except ServiceError as error:
                form.add_refusal(error)
            else:
                messages.success(request, _("Das Foto wurde hinzugefügt."))
                return redirect(f"{reverse('estimates:detail', args=[estimate.pk])}#photos")
    context = _detail_context(request, estimate)
    context["photo_form"] = form
    return render(request, "estimates/staff/estimate_detail.html", context, status=400)


@require_POST
@staff_required("estimates.manage")
def remove_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    estimate = _get(pk)
    photo = get_object_or_404(EstimatePhoto, pk=photo_pk, estimate=estimate)
    try:
        live = services.remove_photo(photo, _actor(request))
    except ServiceError as error:
        messages.error(request, error.messages[0])
    else:
        if live.version != estimate.version:
            messages.success(
                request,
                _(
                    "Das Foto wurde entfernt. Gespeichert als Version %(version)s; der Link des "
                    "Kunden zeigt jetzt diese Version."
                )
                % {"version": live.version},
            )
        else:
            messages.success(request, _("Das Foto wurde entfernt."))
        estimate = live
    return redirect(f"{reverse('estimates:detail', args=[estimate.pk])}#photos")
