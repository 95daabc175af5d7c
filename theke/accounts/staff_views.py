"""Staff login, passwords, tenant switching, and the tenant admin's user and role management.

Memberships and roles are only ever looked up within request.tenant: an id of another
tenant's object answers 404, exactly like an id that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from theke.accounts import customer_logins, services
from theke.accounts.forms import (
    InvitationSetPasswordForm,
    InviteForm,
    LoginForm,
    MembershipForm,
    RoleForm,
    ThekePasswordChangeForm,
    ThekePasswordResetForm,
    ThekeSetPasswordForm,
)
from theke.accounts.middleware import ACTIVE_TENANT_SESSION_KEY
from theke.accounts.models import CustomerAccount, Membership, Role
from theke.accounts.services import customer_invitations as invitations
from theke.accounts.services.customer_accounts import deactivate_customer_account
from theke.accounts.tokens import invitation_token_generator
from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.customers.models import Contact, Customer
from theke.tenants.models import Tenant


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


# --- Login, logout, tenant switch ----------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def switch_tenant(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    wanted = request.POST.get("tenant", "")
    memberships = getattr(request, "memberships", [])
    if any(str(m.tenant_id) == wanted for m in memberships):
        request.session[ACTIVE_TENANT_SESSION_KEY] = int(wanted)
    return redirect("core:dashboard")


# --- Passwords -----------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThekePasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class _NoReferrerMixin:
    """The link's own URL carries the token: that response tells the browser not to pass it on.

    Django answers it with a redirect to a token-free URL. The form page there keeps the
    site's same-origin policy: with "no-referrer" the browser would send `Origin: null` and
    the CSRF check would refuse the form.
    """

    reset_url_token: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        if kwargs.get("token") != self.reset_url_token:
            response["Referrer-Policy"] = "no-referrer"
        return response


class PasswordResetConfirmView(_NoReferrerMixin, auth_views.PasswordResetConfirmView):
    form_class = ThekeSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class InvitationConfirmView(_NoReferrerMixin, auth_views.PasswordResetConfirmView):
    """An invited user sets the first password (same machinery, own token, longer validity)."""

    form_class = InvitationSetPasswordForm
    token_generator = invitation_token_generator
    template_name = "accounts/invitation_confirm.html"
    success_url = reverse_lazy("accounts:invitation_complete")


class InvitationCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/invitation_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThekePasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


# --- Users ---------------------------------------------------------------------------------


def _membership(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "role"), pk=pk, tenant=_tenant(request)
    )


@staff_required("accounts.manage_users")
def user_list(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(tenant=_tenant(request))
        .select_related("user", "role")
        .prefetch_related("branches")
        .order_by("-is_active", "user__full_name", "user__email")
    )
    return render(request, "accounts/staff/user_list.html", {"memberships": memberships})


@staff_required("accounts.manage_users")
def user_invite(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = InviteForm(tenant, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.add_staff_member(tenant, _actor(request), **form.cleaned_data)
        except services.ServiceError as error:
            form.add_error(None, error)
        else:
            if membership.user.has_usable_password():
                text = _("%(name)s hat jetzt Zugang und wurde per E-Mail benachrichtigt.")
            else:
                text = _(
                    "%(name)s wurde eingeladen und erhält eine E-Mail zum Festlegen des Passworts."
                )
            messages.success(request, text % {"name": membership.user})
            return redirect("accounts:user_list")
    return render(request, "accounts/staff/user_invite.html", {"form": form})


@staff_required("accounts.manage_users")
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant(request)
    membership = _membership(request, pk)
    initial = {
        "role": membership.role,
        "branches": list(membership.branches.all()),
        "is_active": membership.is_active,
    }
    form = MembershipForm(tenant, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_membership(membership, _actor(request), **form.cleaned_data)
        except services.ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Änderungen wurden gespeichert."))
            return redirect("accounts:user_list")
    context = {
        "form": form,
        "membership": membership,
        "member": membership.user,
        "events": timeline_for(request, membership, membership.user),
    }
    return render(request, "accounts/staff/user_edit.html", context)


@require_POST
@staff_required("accounts.manage_users")
def user_resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    try:
        services.resend_invitation(membership, _actor(request))
    except services.ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Die Einladung wurde erneut gesendet."))
    return redirect("accounts:user_edit", pk=membership.pk)


# --- Roles ---------------------------------------------------------------------------------


def _role(request: HttpRequest, pk: int) -> Role:
    return get_object_or_404(Role, pk=pk, tenant=_tenant(request))


@staff_required("accounts.manage_users")
def role_list(request: HttpRequest) -> HttpResponse:
    roles = (
        Role.objects.filter(tenant=_tenant(request))
        .annotate(member_count=Count("memberships"))
        .order_by("-is_admin", "name")
    )
    return render(request, "accounts/staff/role_list.html", {"roles": roles})


@staff_required("accounts.manage_users")
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.create_role(
                _tenant(request),
                _actor(request),
                name=form.cleaned_data["name"],
                permissions=form.cleaned_data["permissions"],
            )
        except services.ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Rolle „%(name)s“ wurde angelegt.") % {"name": role})
            return redirect("accounts:role_list")
    return render(request, "accounts/staff/role_form.html", {"form": form, "role": None})


@staff_required("accounts.manage_users")
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(request, pk)
    initial = {"name": role.name, "permissions": role.permissions}
    form = RoleForm(request.POST or None, initial=initial, is_admin=role.is_admin)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_role(
                role,
                _actor(request),
                name=form.cleaned_data["name"],
                permissions=None if role.is_admin else form.cleaned_data["permissions"],
            )
        except services.ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Rolle wurde gespeichert."))
            return redirect("accounts:role_list")
    context = {"form": form, "role": role, "events": timeline_for(request, role)}
    return render(request, "accounts/staff/role_form.html", context)


@staff_required("accounts.manage_users")
def role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.delete_role(role, _actor(request))
        except services.ServiceError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("Die Rolle „%(name)s“ wurde gelöscht.") % {"name": role})
            return redirect("accounts:role_list")
    holders = Membership.objects.filter(role=role).count()
    context = {"role": role, "holders": holders, "error": error}
    return render(request, "accounts/staff/role_confirm_delete.html", context)


# --- customer logins: the buttons of the "Kundenkonto" panel (theke.accounts.customer_logins) -


def _back_to_customer(customer: Customer) -> HttpResponse:
    return redirect(reverse("customers:detail", args=[customer.pk]) + "#customer-logins")


@require_POST
@staff_required(customer_logins.CUSTOMER_RIGHT)
def customer_login_invite(request: HttpRequest, customer_pk: int, contact_pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_pk, tenant=_tenant(request))
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer)
    try:
        account = invitations.invite_customer_account(customer, contact, _actor(request))
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Die Einladung zum Kundenkonto an %(email)s ist unterwegs.")
            % {"email": account.email},
        )
    return _back_to_customer(customer)


@require_POST
@staff_required(customer_logins.CUSTOMER_RIGHT)
def customer_login_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(
        CustomerAccount.objects.select_related("customer"), pk=pk, tenant=_tenant(request)
    )
    invited = not account.has_usable_password()
    deactivate_customer_account(account, _actor(request))
    if invited:
        text = _("Die Einladung an %(email)s ist zurückgezogen.")
    else:
        text = _("Der Zugang von %(email)s ist deaktiviert; alle Sitzungen sind beendet.")
    messages.success(request, text % {"email": account.email})
    return _back_to_customer(account.customer)
