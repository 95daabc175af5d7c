"""Staff pages of the portal's customers: activation, users, invitations, settings; and the
portal panel on the staff customer page. Every page needs the right `portal.manage`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.customers import links
from theke.customers.links import LinkState
from theke.customers.models import Customer, CustomerLink, Location
from theke.orders.models import Order, OrderOrigin
from theke.portal.models import PortalCustomer, PortalUser
from theke.portal.services import users as services
from theke.portal.user_forms import (
    ActivateForm,
    InviteForm,
    PortalSettingsForm,
    UserForm,
    show_service_error,
)
from theke.tenants.models import Tenant

RIGHT = "portal.manage"


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by the tenant middleware
    return tenant


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


@dataclass(frozen=True)
class UserRow:
    user: PortalUser
    invitation: str  # "registered", "valid", "expired", "none"
    expires_at: Any


def _user_rows(customer: Customer) -> list[UserRow]:
    users = list(
        PortalUser.objects.filter(customer=customer)
        .select_related("account")
        .prefetch_related("locations")
    )
    open_links: dict[str, CustomerLink] = {}
    for link in CustomerLink.objects.filter(
        kind=services.INVITATION_KIND,
        object_id__in=[str(user.pk) for user in users],
        revoked_at__isnull=True,
        superseded_at__isnull=True,
    ).order_by("created_at"):
        open_links[link.object_id] = link
    rows = []
    for user in users:
        found = open_links.get(str(user.pk))
        if user.registered_at is not None:
            state = "registered"
        elif found is None:
            state = "none"
        else:
            state = "valid" if links.state_of(found) == LinkState.VALID else "expired"
        rows.append(UserRow(user, state, found.expires_at if found is not None else None))
    return rows


def _portal_context(customer: Customer) -> dict[str, Any]:
    portal = PortalCustomer.objects.filter(customer=customer).first()
    return {
        "customer": customer,
        "portal": portal,
        "active": portal is not None and portal.is_active,
        "rows": _user_rows(customer) if portal is not None else [],
        "portal_orders": Order.objects.filter(customer=customer, origin=OrderOrigin.PORTAL).count(),
    }


def customer_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """Customer-page panel: the portal's activation, users and invitations; only for staff
    with `portal.manage` and tenants with the portal switched on."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or not tenant.portal_enabled or not request.user.has_perm(RIGHT):
        return None
    return _portal_context(customer)


def _customer(request: HttpRequest, customer_pk: int) -> Customer:
    return get_object_or_404(Customer, pk=customer_pk, tenant=_tenant(request))


def _back(customer: Customer) -> HttpResponse:
    return redirect("portal_staff:customer", customer.pk)


@staff_required(RIGHT)
def customer_portal(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = _customer(request, customer_pk)
    context = _portal_context(customer)
    context["switched_on"] = _tenant(request).portal_enabled
    return render(request, "portal/staff/customer.html", context)


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = _customer(request, customer_pk)
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.activate_customer(
                customer,
                _actor(request),
                first_user_email=data["first_user_email"],
                first_name=data.get("first_name") or "",
                last_name=data.get("last_name") or "",
            )
        except ServiceError as error:
            show_service_error(form, error, {})
        else:
            messages.success(
                request,
                _("%(customer)s ist für das Kundenportal freigeschaltet; %(email)s ist eingeladen.")
                % {"customer": customer.display_name, "email": user.account.email},
            )
            return _back(customer)
    return render(
        request,
        "portal/staff/activate.html",
        {"customer": customer, "form": form, "switched_on": _tenant(request).portal_enabled},
        status=400 if form.errors else 200,
    )


@staff_required(RIGHT)
@require_POST
def deactivate(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = _customer(request, customer_pk)
    services.deactivate_customer(customer, _actor(request))
    messages.success(request, _("Das Kundenportal ist für diesen Kunden abgeschaltet."))
    return _back(customer)


def _customer_locations(customer: Customer) -> Any:
    return Location.objects.filter(customer=customer).order_by("name", "street", "pk")


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = _customer(request, customer_pk)
    form = InviteForm(request.POST or None, locations=_customer_locations(customer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invite_user(
                customer,
                _actor(request),
                data["email"],
                data.get("first_name") or "",
                data.get("last_name") or "",
                **form.rights(),
            )
        except ServiceError as error:
            show_service_error(form, error, {})
        else:
            messages.success(
                request,
                _("Die Einladung an %(email)s ist unterwegs.") % {"email": user.account.email},
            )
            return _back(customer)
    return render(
        request,
        "portal/staff/user_form.html",
        {"customer": customer, "form": form, "invite": True},
        status=400 if form.errors else 200,
    )


def _portal_user(request: HttpRequest, pk: int) -> PortalUser:
    return get_object_or_404(
        PortalUser.objects.select_related("account", "customer"), pk=pk, tenant=_tenant(request)
    )


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _portal_user(request, pk)
    customer = user.customer
    form = UserForm.for_user(user, _customer_locations(customer), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(user, _actor(request), **form.rights())
        except ServiceError as error:
            show_service_error(form, error, {})
        else:
            messages.success(request, _("Die Änderungen sind gespeichert."))
            return _back(customer)
    return render(
        request,
        "portal/staff/user_form.html",
        {"customer": customer, "form": form, "invite": False, "target": user},
        status=400 if form.errors else 200,
    )


@staff_required(RIGHT)
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = _portal_user(request, pk)
    try:
        services.resend_invitation(user, _actor(request))
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Die Einladung an %(email)s wurde erneut gesendet.") % {"email": user.account.email},
        )
    return _back(user.customer)


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def portal_settings(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    stored = services.settings_of(tenant)
    form = PortalSettingsForm(request.POST or None, instance=stored)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
        try:
            services.save_portal_settings(tenant, _actor(request), **values)
        except ServiceError as error:
            show_service_error(form, error, {})
        else:
            messages.success(request, _("Die Portaleinstellungen sind gespeichert."))
            return redirect("portal_staff:settings")
    return render(
        request,
        "portal/staff/settings.html",
        {"form": form, "switched_on": tenant.portal_enabled},
        status=400 if form.errors else 200,
    )
