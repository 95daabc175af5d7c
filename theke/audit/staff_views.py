"""The tenant-wide audit log: every event of the active tenant, newest first, filterable."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from theke.audit.models import ActorType, AuditEvent
from theke.audit.presentation import ACTION_LABELS, describe_event
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
    areas = sorted({action.split(".", 1)[0] for action in ACTION_LABELS})
    context = {
        "page": page,
        "lines": [describe_event(event) for event in page.object_list],
        "areas": areas,
        "area": area,
        "actor_types": ActorType.choices,
        "actor": actor_type,
    }
    return render(request, "audit/staff/audit_log.html", context)


RECENT_EVENTS = 8


def recent_events_tile(request: HttpRequest, obj: None) -> dict[str, Any] | None:
    """Start-page tile of the latest events, for those who may read the log."""
    if not request.user.has_perm("audit.view"):
        return None
    events = AuditEvent.objects.select_related("actor_user")[:RECENT_EVENTS]
    return {"recent": [describe_event(event) for event in events]}
