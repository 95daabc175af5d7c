"""Cross-cutting views: health check, the staff start page, error pages."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from theke.audit.models import AuditEvent
from theke.audit.presentation import describe_event
from theke.core.auth import staff_required
from theke.customers.models import Customer

logger = logging.getLogger(__name__)

RECENT_EVENTS = 8


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    return redirect("core:dashboard")


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    recent = None
    if request.user.has_perm("audit.view"):
        events = AuditEvent.objects.select_related("actor_user")[:RECENT_EVENTS]
        recent = [describe_event(event) for event in events]
    context = {"recent": recent, "customer_count": Customer.objects.count()}
    return render(request, "core/dashboard.html", context)
