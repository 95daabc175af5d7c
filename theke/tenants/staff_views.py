"""Tenant settings and branches, for the tenant admin.

Branches are looked up through the tenant-scoped manager and the tenant explicitly: an id of
another tenant's branch answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.tenants import services
from theke.tenants.forms import (
    BaseOpeningHoursFormSet,
    BranchForm,
    OpeningHoursFormSet,
    TenantForm,
    default_opening_hours,
    opening_hours_initial,
)
from theke.tenants.models import Branch, Tenant


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


@staff_required()
def settings_overview(request: HttpRequest) -> HttpResponse:
    """The landing page of the settings: what the user may manage, as cards."""
    user = request.user
    if not any(
        user.has_perm(code)
        for code in (
            "tenants.manage_settings",
            "accounts.manage_users",
            "messaging.manage_templates",
        )
    ):
        raise PermissionDenied("tenants.manage_settings")
    tenant = _tenant(request)
    context = {
        "branch_count": Branch.objects.filter(tenant=tenant).count(),
        "member_count": tenant.memberships.filter(is_active=True).count(),
    }
    return render(request, "tenants/staff/settings.html", context)


@staff_required("tenants.manage_settings")
def tenant_edit(request: HttpRequest) -> HttpResponse:
    # A fresh instance: the form writes its input onto it, request.tenant stays as stored.
    instance = Tenant.objects.get(pk=_tenant(request).pk)
    form = TenantForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_tenant(
                _tenant(request), Actor.staff(request.user), **form.service_kwargs()
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Die Stammdaten wurden gespeichert."))
            return redirect("tenants:tenant_edit")
    stored = Tenant.objects.get(pk=instance.pk)
    context = {"form": form, "stored": stored, "events": timeline_for(request, stored)}
    return render(request, "tenants/staff/tenant_form.html", context)


@staff_required("tenants.manage_settings")
def branch_list(request: HttpRequest) -> HttpResponse:
    branches = (
        Branch.objects.filter(tenant=_tenant(request))
        .prefetch_related("opening_hours")
        .order_by("-is_active", "name")
    )
    return render(request, "tenants/staff/branch_list.html", {"branches": branches})


def _branch_page(request: HttpRequest, branch: Branch | None) -> HttpResponse:
    tenant = _tenant(request)
    instance = Branch.objects.get(pk=branch.pk) if branch else Branch(tenant=tenant)
    data = request.POST or None
    form = BranchForm(data, instance=instance)
    initial = opening_hours_initial(branch) if branch else default_opening_hours()
    hours = OpeningHoursFormSet(data, initial=initial, prefix="hours")
    assert isinstance(hours, BaseOpeningHoursFormSet)
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.BRANCH_FIELDS}
        actor = Actor.staff(request.user)
        try:
            if branch is None:
                name = fields.pop("name")
                saved = services.create_branch(
                    tenant, actor, name, opening_hours=hours.intervals(), **fields
                )
            else:
                saved = services.update_branch(
                    branch, actor, opening_hours=hours.intervals(), **fields
                )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Der Betrieb „%(name)s“ wurde gespeichert.") % {"name": saved}
            )
            return redirect("tenants:branch_list")
    events = timeline_for(request, branch) if branch is not None else None
    context = {"form": form, "hours": hours, "branch": branch, "events": events}
    return render(request, "tenants/staff/branch_form.html", context)


@staff_required("tenants.manage_settings")
def branch_create(request: HttpRequest) -> HttpResponse:
    return _branch_page(request, None)


@staff_required("tenants.manage_settings")
def branch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    branch = get_object_or_404(Branch, pk=pk, tenant=_tenant(request))
    return _branch_page(request, branch)
