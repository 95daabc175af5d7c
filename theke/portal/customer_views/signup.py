"""Registration from the invitation, consent to new terms, the introduction, and the customer
admin's pages of their colleagues.

The invitation page is a token page (theke.core.token_pages): an unknown token gets the
neutral page, an expired, used or superseded invitation the "no longer available" page. GET
never changes state; the registration is a POST the service decides under its lock.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from theke.accounts import customer_auth
from theke.accounts.models import CustomerAccount
from theke.accounts.services.customer_accounts import record_customer_login
from theke.core import token_pages
from theke.core.errors import ServiceError
from theke.customers import links
from theke.customers.links import LinkState
from theke.portal.access import (
    locations_of,
    one,
    pending_step,
    portal_page,
    portal_user_of,
    users_of,
)
from theke.portal.models import PortalUser
from theke.portal.services import consent as consent_services
from theke.portal.services import users as services
from theke.portal.user_forms import (
    ConsentForm,
    InviteForm,
    RegistrationForm,
    UserForm,
    show_service_error,
)
from theke.tenants.scoping import scopes_disabled, tenant_scope

# The introduction's screens (their texts live in the template).
INTRODUCTION_STEPS = 4

# Service field names -> the registration form's.
REGISTRATION_FIELDS = {"password": "password1"}


def _next_page(user: PortalUser, slug: str) -> HttpResponse:
    step = pending_step(user)
    return redirect(step or "portal:dashboard", slug)


# --- the portal as the customer login's start page -------------------------------------------


def portal_home(account: CustomerAccount) -> customer_auth.CustomerHome | None:
    """The dashboard for a portal user of an active portal customer (registered with
    accounts' home registry: the login lands there, the account page links it)."""
    if not account.tenant.portal_enabled:
        return None
    with scopes_disabled():
        uses_portal = PortalUser.objects.filter(
            account=account, customer__portal__is_active=True
        ).exists()
    if not uses_portal:
        return None
    return customer_auth.CustomerHome(
        gettext_lazy("Zum Kundenportal"), reverse("portal:dashboard", args=[account.tenant.slug])
    )


# --- invitation and registration -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = services.find_invitation(token)
    if found.state == LinkState.UNKNOWN or found.link is None or found.user is None:
        return token_pages.invalid_page(request)
    user, tenant = found.user, found.link.tenant
    language = token_pages.page_language(
        request, user.contact.language if user.contact is not None else None
    )
    if found.state != LinkState.VALID:
        return token_pages.unavailable_page(
            request,
            str(found.state),
            {"tenant": tenant},
            language=language,
            template="portal/customer/invitation_unavailable.html",
        )
    form = RegistrationForm(
        request.POST or None,
        tenant=tenant,
        invited=user,
        initial={
            "first_name": user.account.first_name,
            "last_name": user.account.last_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register(
                token,
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data.get("phone") or "",
                password=data["password1"],
                accepted=bool(data.get("legal_consent")),
                terms_version=data.get("legal_terms_version"),
                privacy_version=data.get("legal_privacy_version"),
            )
        except ServiceError as error:
            if error.code == "invitation_unavailable":
                return token_pages.unavailable_page(
                    request,
                    "revoked",
                    {"tenant": tenant},
                    language=language,
                    template="portal/customer/invitation_unavailable.html",
                )
            show_service_error(form, error, REGISTRATION_FIELDS)
        else:
            with tenant_scope(tenant):
                customer_auth.login(request, user.account)
                record_customer_login(user.account)
            return token_pages.protect(redirect("portal:introduction", tenant.slug))
    elif request.method == "GET":
        links.record_view(found.link)
    return token_pages.render_token_page(
        request,
        "portal/customer/register.html",
        {"tenant": tenant, "form": form, "invited": user},
        language=language,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_page(registered=False)
def consent(request: HttpRequest, slug: str) -> HttpResponse:
    user = portal_user_of(request)
    if not consent_services.needs_consent(user):
        return _next_page(user, slug)
    form = ConsentForm(request.POST or None, tenant=user.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent_services.accept_terms(
                user,
                accepted=bool(data.get("legal_consent")),
                terms_version=data.get("legal_terms_version"),
                privacy_version=data.get("legal_privacy_version"),
            )
        except ServiceError as error:
            show_service_error(form, error, {})
        else:
            return _next_page(user, slug)
    first_time = user.consented_at is None
    return token_pages.protect(
        render(
            request,
            "portal/customer/consent.html",
            {"tenant": user.tenant, "form": form, "first_time": first_time},
            status=400 if form.errors else 200,
        )
    )


@require_http_methods(["GET", "POST"])
@portal_page(registered=False)
def introduction(request: HttpRequest, slug: str) -> HttpResponse:
    user = portal_user_of(request)
    if consent_services.needs_consent(user):
        return redirect("portal:consent", slug)
    if request.method == "POST":
        services.mark_introduction_seen(user)
        return redirect("portal:dashboard", slug)
    if user.introduction_seen_at is not None:
        return redirect("portal:dashboard", slug)
    try:
        step = min(max(int(request.GET.get("schritt", "1")), 1), INTRODUCTION_STEPS)
    except ValueError:
        step = 1
    return token_pages.protect(
        render(
            request,
            "portal/customer/introduction.html",
            {
                "tenant": user.tenant,
                "step": step,
                "steps": range(1, INTRODUCTION_STEPS + 1),
                "last": step == INTRODUCTION_STEPS,
                "next_step": step + 1,
            },
        )
    )


# --- the customer admin's users pages --------------------------------------------------------


def _admin(request: HttpRequest) -> PortalUser:
    user = portal_user_of(request)
    if not user.is_admin:
        raise Http404
    return user


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> Any:
    user = portal_user_of(request)
    page = {"tenant": user.tenant, "menu": "users", "me": user, **context}
    return render(request, template, page, status=status)


@portal_page()
def users(request: HttpRequest, slug: str) -> HttpResponse:
    admin = _admin(request)
    rows = users_of(admin).select_related("contact").prefetch_related("locations")
    return _page(request, "portal/customer/users.html", {"users": list(rows)})


@require_http_methods(["GET", "POST"])
@portal_page()
def user_invite(request: HttpRequest, slug: str) -> HttpResponse:
    admin = _admin(request)
    form = InviteForm(request.POST or None, locations=locations_of(admin))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = services.invite_user(
                admin,
                services.portal_actor(admin),
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
                _("Die Einladung an %(email)s ist unterwegs.") % {"email": invited.account.email},
            )
            return redirect("portal:users", slug)
    return _page(
        request,
        "portal/customer/user_form.html",
        {"form": form, "invite": True},
        400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_page()
def user_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    admin = _admin(request)
    target: PortalUser = one(users_of(admin), pk)
    form = UserForm.for_user(target, locations_of(admin), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(
                target, services.portal_actor(admin), editor=admin, **form.rights()
            )
        except ServiceError as error:
            show_service_error(form, error, {})
        else:
            messages.success(request, _("Die Änderungen sind gespeichert."))
            return redirect("portal:users", slug)
    return _page(
        request,
        "portal/customer/user_form.html",
        {"form": form, "invite": False, "target": target},
        400 if form.errors else 200,
    )


@require_POST
@portal_page()
def user_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    admin = _admin(request)
    target: PortalUser = one(users_of(admin), pk)
    try:
        services.resend_invitation(target, services.portal_actor(admin), by=admin)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Die Einladung an %(email)s wurde erneut gesendet.")
            % {"email": target.account.email},
        )
    return redirect(reverse("portal:users", args=[slug]))
