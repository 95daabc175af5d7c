"""Cross-cutting views: health check, the staff start page, error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
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


# The paths of the pages customers open (behind their links, the tenant's public page). A
# product with customer pages under a new prefix adds it here, so its errors look like them.
CUSTOMER_PATH_PREFIXES = ("/k/", "/t/")
ERROR_TEMPLATES = {403: "403.html", 404: "404.html"}


def error_layout(request: HttpRequest) -> str:
    """The layout an error page borrows: the staff's (with the bar) under /staff/ for a
    logged-in user, the customer pages' plain one on their paths, else a neutral one."""
    if request.path.startswith("/staff/") and request.user.is_authenticated:
        return "layouts/error_staff.html"
    if request.path.startswith(CUSTOMER_PATH_PREFIXES):
        return "layouts/error_customer.html"
    return "layouts/error.html"


def _back_url(request: HttpRequest) -> str:
    """The page the user came from, if it is one of ours (for the "Zurück" link)."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    """Our 403 or 404 page in the layout of where it happened, with a way back."""
    context = {"error_layout": error_layout(request), "back_url": _back_url(request)}
    return render(request, ERROR_TEMPLATES[status], context, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404 (see theke/urls.py)."""
    return error_page(request, 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403 (see theke/urls.py)."""
    return error_page(request, 403)
