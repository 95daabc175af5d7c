"""Tenant settings and branches, for the tenant admin.

Branches are looked up through the tenant-scoped manager and the tenant explicitly: an id of
another tenant's branch answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
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
    LegalTextForm,
    OpeningHoursFormSet,
    TenantForm,
    default_opening_hours,
    opening_hours_initial,
)
from theke.tenants.legal_defaults import default_body
from theke.tenants.models import Branch, LegalTextKind, Tenant


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
            "appointments.administer_online_booking",
            "portal.manage",
            "jobs.administer_workflows",  # --- editor (job manager) ---
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


@staff_required("tenants.manage_settings")
def legal_texts(request: HttpRequest) -> HttpResponse:
    """The terms and the privacy policy: which version customers see, and the way to a new one."""
    tenant = _tenant(request)
    kinds = []
    for kind in LegalTextKind:
        current = services.current_version(tenant, kind)
        kinds.append(
            {
                "kind": kind,
                "current": current,
                "public_url": services.legal_text_url(tenant, kind),
                "count": len(services.legal_text_history(tenant, kind)),
            }
        )
    return render(request, "tenants/staff/legal_texts.html", {"kinds": kinds})


@staff_required("tenants.manage_settings")
def legal_text_edit(request: HttpRequest, kind: str) -> HttpResponse:
    """A new version from the current text (or the default text), with the history."""
    if kind not in LegalTextKind.values:
        raise Http404
    tenant = _tenant(request)
    current = services.current_version(tenant, kind)
    number = current.version if current is not None else 0
    initial = {
        "body": current.body if current is not None else default_body(tenant, kind),
        "based_on": number,
    }
    form = LegalTextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            text = services.publish_legal_text(
                tenant,
                Actor.staff(request.user),
                kind,
                form.cleaned_data["body"],
                based_on=form.cleaned_data["based_on"],
            )
        except ServiceError as error:
            if error.code == "stale":
                # Keep the editor's text; a second "publish" after reading the newer version
                # (history below) then replaces it on purpose.
                data = request.POST.copy()
                data["based_on"] = str(number)
                form = LegalTextForm(data, initial=initial)
                form.is_valid()
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _("%(kind)s: Fassung %(version)s ist veröffentlicht.")
                % {"kind": text.get_kind_display(), "version": text.version},
            )
            return redirect("tenants:legal_text_edit", kind=kind)
    history = [
        (version, services.legal_text_url(tenant, kind, version.version))
        for version in services.legal_text_history(tenant, kind)
    ]
    context = {
        "form": form,
        "kind": LegalTextKind(kind),
        "current": current,
        "history": history,
        "public_url": services.legal_text_url(tenant, kind),
    }
    return render(request, "tenants/staff/legal_text_form.html", context)
