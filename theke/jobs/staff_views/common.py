"""What every staff page of the job manager shares: the rights, the product switch, the
tenant, who acts, and lookups that answer 404 for another tenant's objects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from theke.accounts.models import Membership, User
from theke.core.auth import staff_required
from theke.jobs.models import Job, Phase, PhaseEntry, Workflow
from theke.jobs.services.jobs import Who
from theke.tenants.models import Tenant

USE = "jobs.use"
ADMINISTER = "jobs.administer_workflows"

View = Callable[..., HttpResponseBase]


def tenant_of(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def editor_view(view: View) -> View:
    """Staff with `jobs.administer_workflows` (else 403), of a tenant with the job manager
    switched on (else 404)."""
    return jobs_page(ADMINISTER)(view)


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


def jobs_on(request: HttpRequest) -> bool:
    """Whether the request's tenant has the job manager switched on."""
    tenant = getattr(request, "tenant", None)
    return bool(tenant is not None and tenant.jobs_enabled)


def jobs_page(permission: str = USE) -> Callable[[View], View]:
    """A staff page of the job manager: the right, and 404 while the product is off."""

    def decorator(view: View) -> View:
        @wraps(view)
        def switched(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not jobs_on(request):
                raise Http404
            return view(request, *args, **kwargs)

        return staff_required(permission)(switched)

    return decorator


def who(request: HttpRequest) -> Who:
    user: User = request.user  # type: ignore[assignment]
    return Who.staff(user)


def job_or_404(request: HttpRequest, pk: int) -> Job:
    """A job of the current tenant (the scope is the request's); a test job only for the
    staff member who tests with it."""
    found = get_object_or_404(
        Job.objects.select_related(
            "customer", "contact", "vehicle", "branch", "assignee", "workflow", "version", "tenant"
        ),
        pk=pk,
        tenant=tenant_of(request),
    )
    if found.is_test and found.test_owner_id != request.user.pk:
        raise Http404
    return found


def staff_members(tenant: Tenant) -> list[User]:
    """The tenant's active staff who may work on jobs (possible assignees), by name."""
    rows = Membership.objects.filter(
        tenant=tenant, is_active=True, user__is_active=True
    ).select_related("user", "role")
    people = [m.user for m in rows if m.role.is_admin or USE in (m.role.permissions or [])]
    return sorted(people, key=lambda user: (str(user).lower(), user.pk))
