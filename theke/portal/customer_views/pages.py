"""The customer's pages of the portal: dashboard, orders, invoices, locations with their
containers, and the home-screen app (manifest and icon). Rows only through access.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from theke.accounts.customer_auth import tenant_of
from theke.core.colors import brand_palette
from theke.core.formatting import format_date, money
from theke.customers.models import Asset, Location
from theke.orders.models import Invoice, Order, OrderKind, OrderStatus
from theke.portal import app_icon as icons
from theke.portal.access import (
    assets_of,
    invoices_of,
    locations_of,
    one,
    orders_of,
    portal_page,
    portal_user_of,
    quotes_of,
)
from theke.portal.containers import Standing, standing
from theke.portal.customer_views.list_filters import InvoiceFilter, OrderFilter
from theke.portal.downloads import csv_response, pdf_response
from theke.portal.models import PortalSettings, PortalUser

PAGE_SIZE = 50
LOCATIONS_PER_PAGE = 20
LATEST = 5
DASHBOARD_LOCATIONS = 10
OPEN_STATUSES = (OrderStatus.OPEN, OrderStatus.PLANNED, OrderStatus.IN_PROGRESS)
DONE_STATUSES = (OrderStatus.COMPLETED, OrderStatus.INVOICED)
# The orders a customer places on a container standing at the site.
FOLLOW_UP_KINDS = (OrderKind.EXCHANGE, OrderKind.EMPTYING, OrderKind.WITHDRAWAL)


def _context(request: HttpRequest, menu: str, **extra: Any) -> dict[str, Any]:
    user = portal_user_of(request)
    return {"tenant": user.tenant, "menu": menu, "portal_user": user, **extra}


def _order_rows(user: PortalUser) -> QuerySet[Order]:
    return orders_of(user).select_related("location", "container_type", "waste_type")


def may_follow_up(user: PortalUser, container_type: Any) -> bool:
    """May the user order an exchange, emptying or withdrawal of a container of this type?"""
    return (
        user.may_order
        and container_type is not None
        and any(container_type.allows(kind) for kind in FOLLOW_UP_KINDS)
    )


# --- the dashboard ---------------------------------------------------------------------------


@portal_page()
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    user = portal_user_of(request)
    locations = locations_of(user).annotate(
        containers=Count(
            "assets",
            filter=Q(assets__customer_id=user.customer_id, assets__container_type__isnull=False),
        )
    )
    context = _context(
        request,
        "dashboard",
        orders=list(_order_rows(user)[:LATEST]),
        invoices=list(invoices_of(user).order_by("-issue_date", "-id")[:LATEST])
        if user.sees_invoices
        else [],
        quotes=list(quotes_of(user).order_by("-date", "-id")[:LATEST]),
        locations=list(locations[:DASHBOARD_LOCATIONS]),
        more_locations=locations_of(user).count() > DASHBOARD_LOCATIONS,
    )
    return render(request, "portal/customer/dashboard.html", context)


# --- the home-screen app -------------------------------------------------------------------


def _portal_tenant(slug: str) -> Any:
    tenant = tenant_of(slug)
    if not tenant.portal_enabled:
        raise Http404
    return tenant


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request: HttpRequest, slug: str) -> HttpResponse:
    """The web app manifest: "add to home screen" opens the portal like an app."""
    tenant = _portal_tenant(slug)
    palette = brand_palette(tenant.brand_color)
    data = {
        "name": tenant.name,
        "short_name": icons.short_name(tenant.name),
        "lang": "de",
        "start_url": reverse("portal:dashboard", args=[tenant.slug]),
        "scope": reverse("portal:dashboard", args=[tenant.slug]),
        "display": "standalone",
        "theme_color": palette.brand,
        "background_color": palette.brand,
        "icons": [
            {
                "src": reverse("portal:app_icon", args=[tenant.slug, size]),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
@cache_control(public=True, max_age=86400)
def app_icon(request: HttpRequest, slug: str, size: int) -> HttpResponse:
    """The home-screen icon in one of the sizes phones ask for."""
    if size not in icons.SIZES:
        raise Http404
    tenant = _portal_tenant(slug)
    return HttpResponse(icons.icon_png(tenant, size), content_type="image/png")


# --- orders ----------------------------------------------------------------------------------


def _order_csv(user: PortalUser, rows: QuerySet[Order]) -> HttpResponse:
    headers = [
        _("Auftragsart"),
        _("Auftragsnummer"),
        _("Bezeichnung"),
        _("Standort"),
        _("Behälter"),
        _("Abfallart"),
        _("Wunschtermin"),
        _("Geplant"),
        _("Status"),
    ]
    if user.sees_prices:
        headers.append(_("Preis netto"))

    def line(order: Order) -> list[object]:
        values: list[object] = [
            order.get_kind_display(),
            order.number,
            order.title,
            str(order.location) if order.location else "",
            str(order.container_type) if order.container_type else "",
            str(order.waste_type) if order.waste_type else "",
            format_date(order.wish_date, short=True),
            format_date(order.planned_date, short=True),
            order.get_status_display(),
        ]
        if user.sees_prices:
            values.append(money(order.container_type.price) if order.container_type else "")
        return values

    return csv_response(_("Auftraege"), headers, (line(o) for o in rows.iterator(2000)))


@portal_page()
def orders(request: HttpRequest, slug: str) -> HttpResponse:
    user = portal_user_of(request)
    form = OrderFilter(request.GET, locations_of(user))
    rows = form.apply(_order_rows(user))
    if request.GET.get("format") == "csv":
        return _order_csv(user, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "portal/customer/orders.html", _context(request, "orders", form=form, page=page)
    )


@dataclass(frozen=True)
class Step:
    label: str
    when: Any  # a date or a moment
    done: bool


def _history(order: Order) -> list[Step]:
    """What is known of an order's way: ordered, to dispatch, planned, done (or cancelled)."""
    steps = [Step(_("Bestellt"), order.created_at, True)]
    if order.released_at:
        steps.append(Step(_("An die Disposition übergeben"), order.released_at, True))
    if order.status == OrderStatus.CANCELLED:
        steps.append(Step(_("Storniert"), order.updated_at, True))
        return steps
    done = order.status in DONE_STATUSES
    if order.planned_date:
        steps.append(Step(_("Termin geplant"), order.planned_date, True))
    steps.append(Step(_("Erledigt"), order.completed_at, done))
    return steps


@portal_page()
def order(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = portal_user_of(request)
    found: Order = one(_order_rows(user).select_related("asset__container_type"), pk)
    follow_up = (
        found.status in DONE_STATUSES
        and found.asset_id is not None
        and found.kind != OrderKind.WITHDRAWAL
        and may_follow_up(user, found.asset.container_type if found.asset else None)
    )
    context = _context(request, "orders", order=found, history=_history(found), follow_up=follow_up)
    return render(request, "portal/customer/order.html", context)


# --- invoices --------------------------------------------------------------------------------


def _invoice_csv(rows: QuerySet[Invoice]) -> HttpResponse:
    headers = [
        _("Rechnungsnummer"),
        _("Rechnungsdatum"),
        _("Fällig am"),
        _("Netto"),
        _("Brutto"),
        _("Status"),
    ]
    lines = (
        [
            invoice.number,
            format_date(invoice.issue_date, short=True),
            format_date(invoice.due_date, short=True),
            money(invoice.net_total, invoice.currency),
            money(invoice.gross_total, invoice.currency),
            invoice.get_status_display(),
        ]
        for invoice in rows.iterator(2000)
    )
    return csv_response(_("Rechnungen"), headers, lines)


@portal_page()
def invoices(request: HttpRequest, slug: str) -> HttpResponse:
    user = portal_user_of(request)
    if not user.sees_invoices:
        raise Http404
    form = InvoiceFilter(request.GET)
    rows = form.apply(invoices_of(user))
    if request.GET.get("format") == "csv":
        return _invoice_csv(rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/customer/invoices.html",
        _context(request, "invoices", form=form, page=page),
    )


@portal_page()
def invoice_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    user = portal_user_of(request)
    found: Invoice = one(invoices_of(user), pk)
    return pdf_response(found.pdf, f"{_('Rechnung')}-{found.number}")


# --- locations and their containers ----------------------------------------------------------


@dataclass(frozen=True)
class Container:
    asset: Asset
    order: Order | None  # the latest open order on it
    standing: Standing | None
    may_order: bool


def containers_at(user: PortalUser, locations: list[Location]) -> dict[int, list[Container]]:
    """The containers in stock at these locations, each with its latest open order and its
    standing days: three queries, whatever the number of containers."""
    latest_open = (
        orders_of(user)
        .filter(asset_id=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    assets = list(
        assets_of(user)
        .filter(location__in=[location.pk for location in locations])
        .filter(container_type__isnull=False)
        .select_related("container_type", "waste_type")
        .annotate(open_order_id=Subquery(latest_open))
        .order_by("placed_on", "id")
    )
    wanted = [a.open_order_id for a in assets if a.open_order_id]
    open_orders = {o.pk: o for o in orders_of(user).filter(pk__in=wanted)} if wanted else {}
    settings = PortalSettings.objects.filter(tenant_id=user.tenant_id).first()
    free = settings.rent_free_days if settings else None
    remind = settings.rent_reminder_days if settings else 0
    today = timezone.localdate()
    found: dict[int, list[Container]] = {location.pk: [] for location in locations}
    for asset in assets:
        found[asset.location_id].append(  # type: ignore[index]
            Container(
                asset,
                open_orders.get(asset.open_order_id),
                standing(asset.placed_on, today, free, remind),
                # A container not placed yet takes no orders (its placement is still open).
                asset.placed_on is not None and may_follow_up(user, asset.container_type),
            )
        )
    return found


def _containers_csv(user: PortalUser) -> HttpResponse:
    """Every granted location's containers with their open order (one row per container)."""
    sites = list(locations_of(user))
    containers = containers_at(user, sites)
    headers = [
        _("Standort"),
        _("Adresse"),
        _("Behälter"),
        _("Abfallart"),
        _("Nummer"),
        _("Gestellt am"),
        _("Standtage"),
        _("Mietfreie Tage übrig"),
        _("Offener Auftrag"),
        _("Status"),
        _("Termin"),
    ]
    lines = []
    for site in sites:
        address = f"{site.street}, {site.postal_code} {site.city}"
        for item in containers[site.pk]:
            asset, order, days = item.asset, item.order, item.standing
            lines.append(
                [
                    site.name or site.street,
                    address,
                    str(asset.container_type or asset.type_label),
                    asset.waste_type.name if asset.waste_type else "",
                    asset.serial_number,
                    format_date(asset.placed_on, short=True),
                    days.days if days else "",
                    days.free_left if days and days.free_left is not None else "",
                    order.get_kind_display() if order else "",
                    order.get_status_display() if order else "",
                    format_date(order.planned_date or order.wish_date, short=True) if order else "",
                ]
            )
    return csv_response(_("Container"), headers, lines)


@portal_page()
def locations(request: HttpRequest, slug: str) -> HttpResponse:
    user = portal_user_of(request)
    if request.GET.get("format") == "csv":
        return _containers_csv(user)
    page: Page[Location] = Paginator(locations_of(user), LOCATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    containers = containers_at(user, shown)
    context = _context(
        request,
        "locations",
        page=page,
        sites=[(location, containers[location.pk]) for location in shown],
    )
    return render(request, "portal/customer/locations.html", context)


@portal_page()
def location(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = portal_user_of(request)
    found: Location = one(locations_of(user), pk)
    context = _context(
        request,
        "locations",
        location=found,
        containers=containers_at(user, [found])[found.pk],
        orders=list(_order_rows(user).filter(location=found)[:PAGE_SIZE]),
    )
    return render(request, "portal/customer/location.html", context)
