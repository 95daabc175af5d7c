"""Customer login pages under /konto/<tenant>/: login, logout, account, devices, passwords.

The tenant comes from the URL (an account belongs to one tenant; an account of another tenant
is not logged in here). Every page is in the tenant's branding and carries the token pages'
protections (no-store, noindex, same-origin referrer).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from theke.accounts import customer_auth, tasks
from theke.accounts.customer_auth import customer_login_required
from theke.accounts.forms import (
    CustomerFirstPasswordForm,
    CustomerLoginForm,
    CustomerPasswordChangeForm,
    CustomerPasswordResetForm,
    CustomerSetPasswordForm,
)
from theke.accounts.models import CustomerAccount, CustomerSession
from theke.accounts.services import customer_accounts as services
from theke.accounts.services import customer_invitations as invitations
from theke.accounts.tokens import customer_reset_token_valid
from theke.core import token_pages
from theke.core.client import client_address
from theke.core.devices import describe_user_agent
from theke.core.errors import ServiceError
from theke.customers import links
from theke.customers.links import LinkState
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

# The reset link's token moves from the URL into the session (like Django's own reset view),
# so the page with the form carries no token in its address.
RESET_TOKEN_KEY = "theke_customer_reset_token"  # noqa: S105 (a session key)
RESET_SLUG = "neues-passwort"


def _page(
    request: HttpRequest,
    template: str,
    tenant: Tenant,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    page = {"tenant": tenant, "account": customer_auth.account_of(request, tenant)}
    response = render(request, template, {**page, **(context or {})}, status=status)
    return token_pages.protect(response)


def _account_url(tenant: Tenant) -> str:
    return reverse("customer_accounts:account", args=[tenant.slug])


def _login_url(tenant: Tenant) -> str:
    return reverse("customer_accounts:login", args=[tenant.slug])


def _account(request: HttpRequest) -> CustomerAccount:
    account: CustomerAccount = getattr(request, "customer_account")  # noqa: B009
    return account


# --- login, logout -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = customer_auth.tenant_of(slug)
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if customer_auth.account_of(request, tenant) is not None and request.method == "GET":
        return redirect(customer_auth.safe_next(request, wanted, tenant))
    form = CustomerLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        address = client_address(request)
        lock = customer_auth.lock_of(tenant, email, address)
        account = None
        if lock is None:
            account = services.authenticate_customer(tenant, email, form.cleaned_data["password"])
            if account is None:
                lock = customer_auth.count_failure(tenant, email, address)
                if lock is not None:
                    services.record_customer_lockout(tenant, email, address)
        if account is not None:
            with tenant_scope(tenant):
                customer_auth.login(request, account)
                services.record_customer_login(account)
            return redirect(customer_auth.safe_next(request, wanted, tenant))
        if lock is not None:
            until = formats.time_format(timezone.localtime(lock.until), "H:i")
            form.add_error(
                None,
                _(
                    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es ab "
                    "%(time)s Uhr erneut."
                )
                % {"time": until},
            )
        else:
            form.add_error(
                None,
                _("E-Mail-Adresse oder Passwort ist nicht korrekt. Bitte versuchen Sie es erneut."),
            )
    status = 200 if not form.errors else 400
    return _page(
        request,
        "accounts/customer/login.html",
        tenant,
        {"form": form, "next": wanted},
        status=status,
    )


@require_POST
def logout(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = customer_auth.tenant_of(slug)
    if customer_auth.account_of(request, tenant) is not None:
        customer_auth.logout(request)
        messages.success(request, _("Sie wurden abgemeldet."))
    return redirect(_login_url(tenant))


# --- the account and its devices -----------------------------------------------------------


@customer_login_required
def account_page(request: HttpRequest, slug: str) -> HttpResponse:
    account = _account(request)
    homes = customer_auth.homes_of(account)
    return _page(request, "accounts/customer/account.html", account.tenant, {"homes": homes})


@customer_login_required
def devices(request: HttpRequest, slug: str) -> HttpResponse:
    account = _account(request)
    current = customer_auth.current_row_id(request)
    rows = [
        {
            "row": row,
            "device": describe_user_agent(row.user_agent) or _("Unbekannter Browser"),
            "is_current": row.pk == current,
        }
        for row in CustomerSession.objects.filter(account=account).order_by("-last_seen_at")
    ]
    rows.sort(key=lambda entry: not entry["is_current"])
    others = sum(1 for entry in rows if not entry["is_current"])
    return _page(
        request,
        "accounts/customer/devices.html",
        account.tenant,
        {"sessions": rows, "others": others},
    )


@require_POST
@customer_login_required
def sign_out_elsewhere(request: HttpRequest, slug: str) -> HttpResponse:
    account = _account(request)
    ended = services.sign_out_elsewhere(account, customer_auth.current_row_id(request))
    if ended:
        messages.success(request, _("Sie wurden auf allen anderen Geräten abgemeldet."))
    return redirect("customer_accounts:devices", slug=account.tenant.slug)


@require_http_methods(["GET", "POST"])
@customer_login_required
def password_change(request: HttpRequest, slug: str) -> HttpResponse:
    account = _account(request)
    form = CustomerPasswordChangeForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = services.set_customer_password(
            account,
            form.cleaned_data["new_password1"],
            reason="change",
            keep_session=customer_auth.current_row_id(request),
        )
        customer_auth.update_session_hash(request, account)
        messages.success(
            request,
            _("Ihr Passwort wurde geändert. Andere Geräte wurden abgemeldet."),
        )
        return redirect(_account_url(account.tenant))
    status = 400 if form.errors else 200
    return _page(
        request, "accounts/customer/password_change.html", account.tenant, {"form": form}, status
    )


# --- password reset ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, slug: str) -> HttpResponse:
    """The same answer for every address: the worker looks it up and queues the e-mail."""
    tenant = customer_auth.tenant_of(slug)
    form = CustomerPasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tasks.send_customer_password_reset.enqueue(tenant.pk, form.cleaned_data["email"])
        return redirect("customer_accounts:password_reset_sent", slug=tenant.slug)
    status = 400 if form.errors else 200
    return _page(request, "accounts/customer/password_reset.html", tenant, {"form": form}, status)


def password_reset_sent(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = customer_auth.tenant_of(slug)
    return _page(request, "accounts/customer/password_reset_sent.html", tenant)


def _account_from_uid(tenant: Tenant, uidb64: str) -> CustomerAccount | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    with tenant_scope(tenant):
        return (
            CustomerAccount.objects.select_related("tenant")
            .filter(pk=pk, tenant=tenant, is_active=True)
            .first()
        )


@require_http_methods(["GET", "POST"])
def password_reset_confirm(
    request: HttpRequest, slug: str, uidb64: str, token: str
) -> HttpResponse:
    tenant = customer_auth.tenant_of(slug)
    account = _account_from_uid(tenant, uidb64)
    if token != RESET_SLUG:
        # The link from the e-mail: keep the token in the session, show a URL without it.
        if account is not None and customer_reset_token_valid(account, token):
            request.session[RESET_TOKEN_KEY] = token
            response: HttpResponse = redirect(
                "customer_accounts:password_reset_confirm",
                slug=tenant.slug,
                uidb64=uidb64,
                token=RESET_SLUG,
            )
            response["Referrer-Policy"] = "no-referrer"
            return response
        response = _page(request, "accounts/customer/password_reset_invalid.html", tenant)
        response["Referrer-Policy"] = "no-referrer"
        return response
    stored = str(request.session.get(RESET_TOKEN_KEY, ""))
    if account is None or not customer_reset_token_valid(account, stored):
        return _page(request, "accounts/customer/password_reset_invalid.html", tenant)
    form = CustomerSetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_customer_password(account, form.cleaned_data["new_password1"], reason="reset")
        customer_auth.forget_failures(tenant, account.email)
        request.session.pop(RESET_TOKEN_KEY, None)
        messages.success(
            request, _("Ihr neues Passwort wurde gespeichert. Bitte melden Sie sich damit an.")
        )
        return redirect(_login_url(tenant))
    status = 400 if form.errors else 200
    return _page(
        request, "accounts/customer/password_reset_confirm.html", tenant, {"form": form}, status
    )


# --- the invitation (staff invited the customer from the customer page) ---------------------


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """A token page: the invitee sets the first password and is logged in, landing on their
    start page (a product's home, else the account). GET changes nothing but the view time."""
    found = invitations.find_customer_invitation(token)
    if found.state == LinkState.UNKNOWN or found.link is None or found.account is None:
        return token_pages.invalid_page(request)
    account, tenant = found.account, found.link.tenant
    language = token_pages.page_language(
        request,
        found.link.contact.language if found.link.contact is not None else None,
        tenant.default_language,
    )
    unavailable = {"tenant": tenant, "login_url": _login_url(tenant)}
    template = "accounts/customer/invitation_unavailable.html"
    if found.state != LinkState.VALID:
        return token_pages.unavailable_page(
            request, str(found.state), unavailable, language=language, template=template
        )
    form = CustomerFirstPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = invitations.accept_customer_invitation(
                token, form.cleaned_data["new_password1"]
            )
        except ServiceError:
            return token_pages.unavailable_page(
                request, "revoked", unavailable, language=language, template=template
            )
        with tenant_scope(tenant):
            customer_auth.login(request, account)
            services.record_customer_login(account)
        messages.success(request, _("Ihr Zugang ist eingerichtet. Willkommen!"))
        return token_pages.protect(redirect(customer_auth.safe_next(request, None, tenant)))
    if request.method == "GET":
        links.record_view(found.link)
    return token_pages.render_token_page(
        request,
        "accounts/customer/invitation.html",
        {"tenant": tenant, "invited": account, "form": form, "account": None},
        language=language,
        status=400 if form.errors else 200,
    )
