"""Tenant settings and branches, for the tenant admin."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from theke.core.auth import staff_required


@staff_required("tenants.manage_settings")
def settings_overview(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/staff/settings.html")
