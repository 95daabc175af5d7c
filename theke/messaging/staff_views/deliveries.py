"""Staff views: the delivery log of outbound e-mail and SMS, with "send again" (one message,
or every failed one of a period)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.panels import Tile
from theke.customers.models import Customer
from theke.messaging.forms import ResendFailedForm
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.purposes import purpose_label
from theke.messaging.services import delivery

PAGE_SIZE = 25
PERMISSION = "messaging.view_deliveries"


def _filters(request: HttpRequest) -> dict[str, Any]:
    """The list's filters from the query string; unknown values are ignored."""
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    customer = request.GET.get("customer", "")
    return {
        "status": status if status in OutboundStatus.values else "",
        "channel": channel if channel in Channel.values else "",
        "q": request.GET.get("q", "").strip()[:200],
        "customer": int(customer) if customer.isdigit() and len(customer) < 12 else None,
        "days": _days(request.GET.get("days", "")),
    }


def _days(value: str) -> int | None:
    """`?days=14`: only messages of the last days (the start page's failed deliveries)."""
    return int(value) if value.isdigit() and 0 < int(value) <= 366 else None


# The start page's to-do: failures of these last days (older ones stay in the list).
FAILED_TILE_DAYS = 14


def failed_deliveries_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: messages that could not be delivered lately."""
    if not request.user.has_perm(PERMISSION):
        return None
    since = timezone.now() - timedelta(days=FAILED_TILE_DAYS)
    failed = OutboundMessage.objects.filter(status=OutboundStatus.FAILED, created_at__gte=since)
    return Tile(
        label=_("Fehlgeschlagene Zustellungen"),
        count=failed.count(),
        url=f"{reverse('messaging:delivery_list')}?status=failed&days={FAILED_TILE_DAYS}",
        hint=_("E-Mails, SMS und Webhooks der letzten %(days)d Tage") % {"days": FAILED_TILE_DAYS},
    )


@staff_required(PERMISSION)
def delivery_list(request: HttpRequest) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    template = (
        "messaging/staff/_delivery_results.html"
        if partial
        else "messaging/staff/delivery_list.html"
    )
    resend_form = _resend_failed_form(_days(request.GET.get("days", "")))
    response = render(request, template, _list_context(request, resend_form))
    patch_vary_headers(response, ["HX-Request"])
    return response


def _list_context(request: HttpRequest, resend_form: ResendFailedForm) -> dict[str, Any]:
    filters = _filters(request)
    rows = OutboundMessage.objects.all()
    if filters["status"]:
        rows = rows.filter(status=filters["status"])
    if filters["channel"]:
        rows = rows.filter(channel=filters["channel"])
    if filters["days"]:
        rows = rows.filter(created_at__gte=timezone.now() - timedelta(days=filters["days"]))
    if filters["q"]:
        rows = rows.filter(
            Q(recipient__icontains=filters["q"]) | Q(recipient_name__icontains=filters["q"])
        )
    customer = None
    if filters["customer"] is not None:
        customer = Customer.objects.filter(pk=filters["customer"]).first()
        rows = delivery.deliveries_for(customer).filter(pk__in=rows) if customer else rows.none()
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "page": page,
        "deliveries": page.object_list,
        "filters": filters,
        "customer": customer,
        "statuses": OutboundStatus.choices,
        "channels": Channel.choices,
        "resend_form": resend_form,
    }


# The period the "send all failed again" form proposes: the list's days (the start page's
# tile links to failures of the last 14 days), else the last week.
RESEND_DEFAULT_DAYS = 7


def _resend_failed_form(days: int | None) -> ResendFailedForm:
    today = timezone.localdate()
    first = today - timedelta(days=(days or RESEND_DEFAULT_DAYS) - 1)
    return ResendFailedForm(initial={"first_day": first, "last_day": today})


@staff_required(PERMISSION)
def delivery_resend_failed(request: HttpRequest) -> HttpResponse:
    """Send every failed message of a period (and channel) again; says how many."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    form = ResendFailedForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = delivery.resend_failed(
                request.tenant,  # type: ignore[attr-defined]
                Actor.staff(request.user),
                data["first_day"],
                data["last_day"],
                data["channel"],
            )
        except delivery.DeliveryError as error:
            form.add_error(None, str(error))
        else:
            if count:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d fehlgeschlagene Nachricht wird erneut gesendet.",
                        "%(count)d fehlgeschlagene Nachrichten werden erneut gesendet.",
                        count,
                    )
                    % {"count": count},
                )
            else:
                messages.info(
                    request, _("In dieser Zeitspanne gibt es keine fehlgeschlagenen Nachrichten.")
                )
            return redirect("messaging:delivery_list")
    context = _list_context(request, form)
    return render(request, "messaging/staff/delivery_list.html", context, status=400)


@staff_required(PERMISSION)
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        OutboundMessage.objects.select_related("contact", "contact__customer", "content_type"),
        pk=pk,
    )
    context = {
        "message": message,
        "attachments": message.attachments.all(),
        "headers": sorted((message.headers or {}).items()),
        "can_resend": message.status in delivery.RESENDABLE,
        "customer": message.contact.customer if message.contact else None,
        "purpose_label": purpose_label(message.purpose),
    }
    return render(request, "messaging/staff/delivery_detail.html", context)


@staff_required(PERMISSION)
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboundMessage.objects, pk=pk)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    try:
        delivery.resend(message, Actor.staff(request.user))
    except delivery.DeliveryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Die Nachricht wird erneut gesendet."))
    return redirect("messaging:delivery_detail", pk=message.pk)


urlpatterns: list[URLPattern] = [
    path("deliveries/", delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/", delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/resend/", delivery_resend, name="delivery_resend"),
    path("deliveries/resend-failed/", delivery_resend_failed, name="delivery_resend_failed"),
]


def customer_deliveries_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """Customer-page panel: the latest messages sent to the customer, for the log's readers."""
    if not request.user.has_perm("messaging.view_deliveries"):
        return None
    latest = delivery.deliveries_for(customer).order_by("-created_at", "-id")[:10]
    return {
        "deliveries": list(latest),
        "deliveries_url": reverse("messaging:delivery_list") + f"?customer={customer.pk}",
    }
