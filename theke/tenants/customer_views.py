"""Public, tenant-branded pages that need no login."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control

from theke.tenants.models import Tenant


@cache_control(public=True, max_age=3600)
def logo(request: HttpRequest, slug: str) -> FileResponse:
    """The tenant's logo, served by Theke itself so customer pages load nothing else."""
    tenant = get_object_or_404(Tenant, slug=slug, is_active=True)
    if not tenant.logo:
        raise Http404
    return FileResponse(tenant.logo.open("rb"))
