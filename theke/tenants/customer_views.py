"""Public, tenant-branded pages that need no login."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control

from theke.core.panels import PUBLIC_PAGE, panels_for
from theke.tenants import services
from theke.tenants.legal_defaults import default_body
from theke.tenants.models import LEGAL_TEXT_PATHS, Branch, LegalTextKind, Tenant, Weekday
from theke.tenants.scoping import tenant_scope


@cache_control(public=True, max_age=3600)
def logo(request: HttpRequest, slug: str) -> FileResponse:
    """The tenant's logo, served by Theke itself so customer pages load nothing else."""
    tenant = get_object_or_404(Tenant, slug=slug, is_active=True)
    if not tenant.logo:
        raise Http404
    return FileResponse(tenant.logo.open("rb"))


@dataclass(frozen=True)
class DayHours:
    label: str
    intervals: list[str]


def week_hours(branch: Branch) -> list[DayHours]:
    """Opening hours Monday to Sunday; a day without intervals is closed."""
    by_day: dict[int, list[str]] = {day: [] for day in Weekday.values}
    for hours in branch.opening_hours.all():
        by_day[hours.weekday].append(f"{hours.opens:%H:%M}–{hours.closes:%H:%M}")
    return [DayHours(str(Weekday(day).label), by_day[day]) for day in Weekday.values]


def contact_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The business's addresses, phone numbers and opening hours, for its customers."""
    tenant = get_object_or_404(Tenant, slug=slug, is_active=True)
    with tenant_scope(tenant):
        branches = [
            (branch, week_hours(branch))
            for branch in Branch.objects.filter(is_active=True).prefetch_related("opening_hours")
        ]
    context = {
        "tenant": tenant,
        "branches": branches,
        # What the products offer here (e.g. a callback request), each only when switched on.
        "panels": panels_for(PUBLIC_PAGE, request, tenant),
    }
    return render(request, "tenants/customer/contact.html", context)


def legal_text_page(
    request: HttpRequest, slug: str, kind: str, version: int | None = None
) -> HttpResponse:
    """The tenant's terms or privacy policy: the current version, or the one asked for (the
    version a customer accepted), with the list of all versions. Before the tenant publishes
    its own, the default text."""
    tenant = get_object_or_404(Tenant, slug=slug, is_active=True)
    kinds = {path: code for code, path in LEGAL_TEXT_PATHS.items()}
    if kind not in kinds:
        raise Http404
    code = kinds[kind]
    history = services.legal_text_history(tenant, code)
    if version is None:
        text = services.current_version(tenant, code)
    else:
        text = services.legal_text_version(tenant, code, version)
        if text is None:
            raise Http404
    context = {
        "tenant": tenant,
        "kind": LegalTextKind(code),
        "text": text,
        "body": text.body if text is not None else default_body(tenant, code),
        "history": history,
        "current": history[0] if history else None,
        "current_url": services.legal_text_url(tenant, code),
        "kind_path": kind,
    }
    return render(request, "tenants/customer/legal_text.html", context)
