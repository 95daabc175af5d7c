"""What the editor's staff views share: the guard (right and product switch) and lookups that
answer 404 for another tenant's objects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from theke.core.auth import staff_required
from theke.jobs.models import Phase, PhaseEntry, Workflow
from theke.tenants.models import Tenant

ADMINISTER = "jobs.administer_workflows"


def tenant_of(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def editor_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Staff with `jobs.administer_workflows` (else 403), of a tenant with the job manager
    switched on (else 404)."""

    @staff_required(ADMINISTER)
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not tenant_of(request).jobs_enabled:
            raise Http404("job manager off")
        return view(request, *args, **kwargs)

    return wrapped


def workflow_or_404(request: HttpRequest, pk: int) -> Workflow:
    return get_object_or_404(
        Workflow.objects.select_related("published"), pk=pk, tenant=tenant_of(request)
    )


def phase_or_404(request: HttpRequest, workflow: Workflow, phase_id: int) -> Phase:
    return get_object_or_404(
        Phase.objects.select_related("workflow"),
        pk=phase_id,
        workflow=workflow,
        tenant=tenant_of(request),
    )


def entry_or_404(request: HttpRequest, workflow: Workflow, entry_id: int) -> PhaseEntry:
    return get_object_or_404(
        PhaseEntry.objects.select_related("phase", "phase__workflow", "field"),
        pk=entry_id,
        phase__workflow=workflow,
        tenant=tenant_of(request),
    )
