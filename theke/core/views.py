"""Cross-cutting views: health check, the staff start page, error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from theke.core.auth import staff_required
from theke.core.panels import START_PAGE, panels_for, tiles_for

logger = logging.getLogger(__name__)


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
    """The staff start page: a to-do list of the domains' tiles, then their panels."""
    tiles = tiles_for(request)
    context = {
        "tiles": tiles,
        "waiting": any(tile.count for tile in tiles),
        "panels": panels_for(START_PAGE, request),
    }
    return render(request, "core/dashboard.html", context)


def tenant_tile(request: HttpRequest, obj: None) -> dict[str, Any]:
    """Start-page tile of the active tenant; its template reads the tenant context."""
    return {}
