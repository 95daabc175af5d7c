"""Staff pages of portal orders: the orders customers placed in the portal (waiting for the
back office, waiting for their new location's confirmation, planned, completed) and the new
delivery locations to confirm ("Neue Lieferorte"). Right: portal.dispatch."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.panels import Tile
from theke.customers.models import Location
from theke.orders.models import Order, OrderOrigin, OrderStatus
from theke.portal.services import shop
from theke.tenants.models import Tenant

DISPATCH = "portal.dispatch"
PAGE_SIZE = 200

# filter value -> (label, condition)
STATES: dict[str, tuple[object, Q]] = {
    "waiting": (
        gettext_lazy("Wartet auf die Disposition"),
        Q(released_at__isnull=False, external_id__isnull=True)
        & ~Q(status__in=[OrderStatus.CANCELLED, OrderStatus.COMPLETED, OrderStatus.INVOICED]),
    ),
    "location": (
        gettext_lazy("Wartet auf Bestätigung des Lieferorts"),
        Q(released_at__isnull=True) & ~Q(status=OrderStatus.CANCELLED),
    ),
    "planned": (
        gettext_lazy("Übernommen und geplant"),
        Q(
            external_id__isnull=False,
            status__in=[OrderStatus.OPEN, OrderStatus.PLANNED, OrderStatus.IN_PROGRESS],
        ),
    ),
    "completed": (
        gettext_lazy("Erledigt"),
        Q(status__in=[OrderStatus.COMPLETED, OrderStatus.INVOICED]),
    ),
    "cancelled": (gettext_lazy("Storniert"), Q(status=OrderStatus.CANCELLED)),
}


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def portal_orders(tenant: Tenant) -> QuerySet[Order]:
    return Order.objects.filter(tenant=tenant, origin=OrderOrigin.PORTAL)


def waiting_for_dispatch(tenant: Tenant) -> QuerySet[Order]:
    return portal_orders(tenant).filter(STATES["waiting"][1])


@require_GET
@staff_required(DISPATCH)
def orders(request: HttpRequest) -> HttpResponse:
    """Portal orders, filtered by state and searched by number, customer or location."""
    tenant = _tenant(request)
    state = request.GET.get("state", "waiting")
    if state not in STATES and state != "all":
        state = "waiting"
    query = request.GET.get("q", "").strip()[:100]
    rows = portal_orders(tenant).select_related(
        "customer", "location", "container_type", "waste_type", "ordered_by"
    )
    if state != "all":
        rows = rows.filter(STATES[state][1])
    if query:
        rows = rows.filter(
            Q(number__icontains=query)
            | Q(external_id__icontains=query)
            | Q(customer__company_name__icontains=query)
            | Q(customer__last_name__icontains=query)
            | Q(location__city__icontains=query)
            | Q(location__street__icontains=query)
        )
    counts = {key: portal_orders(tenant).filter(cond).count() for key, (_l, cond) in STATES.items()}
    return render(
        request,
        "portal/staff/orders.html",
        {
            "orders": list(rows.order_by("-created_at", "-id")[:PAGE_SIZE]),
            "states": [(key, label, counts[key]) for key, (label, _c) in STATES.items()],
            "state": state,
            "query": query,
        },
    )


@require_GET
@staff_required(DISPATCH)
def new_locations(request: HttpRequest) -> HttpResponse:
    """Delivery locations customers entered in the shop, with the orders waiting for them."""
    tenant = _tenant(request)
    locations = list(
        shop.waiting_locations(tenant).select_related("customer").order_by("created_at", "id")
    )
    waiting = (
        portal_orders(tenant)
        .filter(location__in=locations, released_at__isnull=True)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("container_type", "waste_type", "ordered_by")
        .order_by("id")
    )
    by_location: dict[int, list[Order]] = {}
    for order in waiting:
        assert order.location_id is not None
        by_location.setdefault(order.location_id, []).append(order)
    return render(
        request,
        "portal/staff/new_locations.html",
        {"rows": [(location, by_location.get(location.pk, [])) for location in locations]},
    )


@require_POST
@staff_required(DISPATCH)
def confirm_location(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a new delivery location; its waiting orders go to dispatch."""
    location = get_object_or_404(Location.objects, pk=pk)
    released = shop.confirm_location(location, Actor.staff(request.user))
    messages.success(
        request,
        ngettext(
            "Lieferort bestätigt. %(count)d Auftrag ging an die Disposition.",
            "Lieferort bestätigt. %(count)d Aufträge gingen an die Disposition.",
            len(released),
        )
        % {"count": len(released)},
    )
    return redirect("portal_staff:new_locations")


def waiting_orders_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: portal orders released to dispatch without the back office's id."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or not tenant.portal_enabled or not request.user.has_perm(DISPATCH):
        return None
    return Tile(
        label=_("Portalaufträge an die Disposition"),
        count=waiting_for_dispatch(tenant).count(),
        url=reverse("portal_staff:orders") + "?state=waiting",
        hint=_("Im Kundenportal bestellt, noch nicht von der Warenwirtschaft übernommen"),
    )


def new_locations_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: new delivery locations to confirm."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or not tenant.portal_enabled or not request.user.has_perm(DISPATCH):
        return None
    return Tile(
        label=_("Neue Lieferorte"),
        count=shop.waiting_locations(tenant).count(),
        url=reverse("portal_staff:new_locations"),
        hint=_("Im Kundenportal angelegt, noch zu bestätigen"),
    )
