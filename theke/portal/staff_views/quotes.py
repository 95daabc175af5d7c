"""Staff side of quote requests: the list (unanswered first) and the start-page tile.

The answers themselves are written by sales from their mail program or on messaging's
conversation page, which the list links to.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from theke.core.auth import staff_required
from theke.core.panels import Tile
from theke.portal.models import QuoteRequest, QuoteRequestStatus
from theke.portal.services.quotes import unanswered
from theke.tenants.models import Tenant

# Sales work the quote requests: the right to manage the portal (granted to "Vertrieb").
MANAGE = "portal.manage"
LIST_SIZE = 200


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    return tenant


def _portal_on(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return bool(tenant is not None and tenant.portal_enabled)


@staff_required(MANAGE)
def requests(request: HttpRequest) -> HttpResponse:
    """All quote requests of the tenant, the unanswered first, newest first within."""
    rows = (
        QuoteRequest.objects.filter(tenant=_tenant(request))
        .select_related("customer", "requested_by__account", "location", "conversation")
        .annotate(
            waiting=Case(
                When(status=QuoteRequestStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-created_at", "-id")[:LIST_SIZE]
    )
    return render(
        request,
        "portal/staff/quote_requests.html",
        {"rows": rows, "open_count": unanswered(_tenant(request)).count()},
    )


def unanswered_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: quote requests waiting for an answer of sales."""
    if not _portal_on(request) or not request.user.has_perm(MANAGE):
        return None
    return Tile(
        label=_("Unbeantwortete Angebotsanfragen"),
        count=unanswered(_tenant(request)).count(),
        url=reverse("portal_staff:quote_requests"),
        hint=_("Aus dem Kundenportal, noch ohne Antwort des Vertriebs"),
    )
