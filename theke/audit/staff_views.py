"""The tenant-wide audit log: every event of the active tenant, newest first, filterable."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from theke.audit.models import ActorType, AuditEvent
from theke.audit.presentation import areas, describe_event
from theke.core.auth import staff_required

PAGE_SIZE = 50


@staff_required("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.select_related("actor_user")
    area = request.GET.get("area", "")
    if area:
        events = events.filter(action__startswith=f"{area}.")
    actor_type = request.GET.get("actor", "")
    if actor_type in ActorType.values:
        events = events.filter(actor_type=actor_type)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "lines": [describe_event(event) for event in page.object_list],
        "areas": areas(),
        "area": area,
        "actor_types": ActorType.choices,
        "actor": actor_type,
    }
    return render(request, "audit/staff/audit_log.html", context)
