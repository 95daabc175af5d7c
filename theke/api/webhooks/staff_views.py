"""Staff views of webhook endpoints: list, create, edit, secret rotation, on/off, test event,
and the delivery log with "send again". State changes happen in `services`."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from theke.api.models import WebhookAttempt, WebhookEndpoint
from theke.api.webhooks import services
from theke.api.webhooks.forms import WebhookEndpointForm
from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery

PERMISSION = services.PERMISSION
PAGE_SIZE = 25


def _add_service_error(form: WebhookEndpointForm, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error)


@staff_required(PERMISSION)
def webhook_list(request: HttpRequest) -> HttpResponse:
    endpoints = WebhookEndpoint.objects.all()
    context = {"endpoints": endpoints, "tenant": request.tenant}  # type: ignore[attr-defined]
    return render(request, "api/staff/webhook_list.html", context)


@staff_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.create_endpoint(
                request.tenant,  # type: ignore[attr-defined]
                Actor.staff(request.user),
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
            )
        except ServiceError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Der Endpunkt wurde angelegt. Hinterlegen Sie den Signaturschlüssel in "
                    "Ihrem System, damit es die Ereignisse prüfen kann."
                ),
            )
            return redirect("api:webhook_detail", pk=endpoint.pk)
    context = {"form": form, "tenant": request.tenant}  # type: ignore[attr-defined]
    return render(request, "api/staff/webhook_form.html", context)


@staff_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("tenant"), pk=pk)
    form = WebhookEndpointForm.for_endpoint(endpoint, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(
                endpoint,
                Actor.staff(request.user),
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
            )
        except ServiceError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("Der Endpunkt wurde gespeichert."))
            return redirect("api:webhook_detail", pk=endpoint.pk)
    context = {"form": form, "endpoint": endpoint, "tenant": endpoint.tenant}
    return render(request, "api/staff/webhook_form.html", context)


@staff_required(PERMISSION)
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("tenant"), pk=pk)
    status = request.GET.get("status", "")
    status = status if status in OutboundStatus.values else ""
    rows = services.deliveries_of(endpoint)
    if status:
        rows = rows.filter(status=status)
    latest = WebhookAttempt.objects.filter(message=OuterRef("pk")).order_by("-attempted_at", "-pk")
    rows = rows.annotate(
        response_status=Subquery(latest.values("response_status")[:1]),
        last_attempt_at=Subquery(latest.values("attempted_at")[:1]),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "secrets": services.signing_secrets(endpoint),
        "overlap_until": services.secret_overlap_until(endpoint),
        "page": page,
        "deliveries": page.object_list,
        "status": status,
        "statuses": OutboundStatus.choices,
        "events": timeline_for(request, endpoint),
    }
    response = render(request, "api/staff/webhook_detail.html", context)
    add_never_cache_headers(response)  # the page shows the signing secret
    return response


@staff_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("tenant"), pk=pk)
    if request.method == "POST":
        services.rotate_secret(endpoint, Actor.staff(request.user))
        messages.success(
            request,
            _(
                "Ein neuer Signaturschlüssel wurde erzeugt. Der bisherige signiert noch "
                "24 Stunden lang mit."
            ),
        )
        return redirect("api:webhook_detail", pk=endpoint.pk)
    return render(request, "api/staff/webhook_rotate.html", {"endpoint": endpoint})


@staff_required(PERMISSION)
@require_POST
def webhook_disable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("tenant"), pk=pk)
    if services.disable_endpoint(endpoint, Actor.staff(request.user)):
        messages.success(request, _("Der Endpunkt wurde deaktiviert."))
    return redirect("api:webhook_detail", pk=endpoint.pk)


@staff_required(PERMISSION)
@require_POST
def webhook_enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("tenant"), pk=pk)
    if services.enable_endpoint(endpoint, Actor.staff(request.user)):
        messages.success(request, _("Der Endpunkt ist wieder aktiv."))
    return redirect("api:webhook_detail", pk=endpoint.pk)


@staff_required(PERMISSION)
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("tenant"), pk=pk)
    services.send_test(endpoint, Actor.staff(request.user))
    messages.success(request, _("Ein Testereignis (webhook.test) wird gesendet."))
    return redirect("api:webhook_detail", pk=endpoint.pk)


def _webhook_message(pk: int) -> OutboundMessage:
    return get_object_or_404(
        OutboundMessage.objects.filter(channel=Channel.WEBHOOK).select_related("tenant"), pk=pk
    )


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


@staff_required(PERMISSION)
def webhook_delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = _webhook_message(pk)
    endpoint = services.endpoint_of(message)
    context: dict[str, Any] = {
        "message": message,
        "endpoint": endpoint,
        "webhook_id": (message.headers or {}).get("webhook-id", ""),
        "body": _pretty(message.body_text),
        "attempts": WebhookAttempt.objects.filter(message=message),
        "can_resend": message.status in delivery.RESENDABLE
        and endpoint is not None
        and (endpoint.is_active or message.purpose == services.TEST_PURPOSE),
    }
    return render(request, "api/staff/webhook_delivery.html", context)


@staff_required(PERMISSION)
@require_POST
def webhook_delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = _webhook_message(pk)
    try:
        services.redeliver(message, Actor.staff(request.user))
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Die Zustellung wird erneut gesendet."))
    return redirect("api:webhook_delivery_detail", pk=message.pk)
