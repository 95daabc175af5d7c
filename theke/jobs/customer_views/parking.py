"""The job's Parkplatz page behind its customer link (/p/<token>/), its files and documents,
and the customer login made from the link ("Zugang anlegen").

The token is resolved by theke.customers.links (kind "job") and every answer goes through the
shared token-page protections (theke.core.token_pages): an unknown token gets the neutral
page (and counts towards the throttle), an expired or revoked link the "no longer available"
page with the shop's contact. The page itself is theke.jobs.customer_views.job_page, shared
with the logged-in Parkplatz. GET never changes state; saving is a POST with CSRF.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from theke.accounts import customer_auth
from theke.accounts.forms import CustomerSetPasswordForm
from theke.accounts.models import CustomerAccount
from theke.accounts.services import customer_accounts
from theke.core import token_pages
from theke.core.errors import ServiceError
from theke.core.forms import BootstrapMixin
from theke.customers import links as customer_links
from theke.customers.links import LinkState, ResolvedLink
from theke.customers.models import CustomerLink
from theke.jobs.customer_views import job_page
from theke.jobs.customer_views.job_page import Door
from theke.jobs.models import Job
from theke.jobs.services import requests
from theke.jobs.services.links import LINK_KIND
from theke.tenants.scoping import tenant_scope

REGISTER_TEMPLATE = "jobs/customer/register.html"


def _open(request: HttpRequest, token: str) -> Door | HttpResponse:
    """The job behind the token, or the shared page that says why it does not open."""
    resolved: ResolvedLink[CustomerLink] = customer_links.resolve(token, LINK_KIND)
    link = resolved.link
    if resolved.state == LinkState.UNKNOWN or link is None or not link.object_id.isdigit():
        return token_pages.invalid_page(request)
    tenant = link.tenant
    with tenant_scope(tenant):
        job = (
            Job.objects.select_related("contact", "customer")
            .filter(tenant=tenant, pk=int(link.object_id))
            .first()
        )
    if job is None:
        return token_pages.invalid_page(request)
    job.tenant = tenant
    # Whom the link was sent to (their language); else the job's contact.
    recipient = link.contact
    contact = recipient if recipient and recipient.customer_id == job.customer_id else job.contact
    language = token_pages.page_language(request, contact.language if contact else None)
    state = resolved.state if tenant.jobs_enabled else LinkState.REVOKED
    if state != LinkState.VALID:
        return token_pages.unavailable_page(request, state, {"tenant": tenant}, language=language)
    if request.method in ("GET", "HEAD"):
        customer_links.record_view(link)
    return Door(job, contact, job_page.login_of(request, job), language, token)


@require_http_methods(["GET", "HEAD", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    """The job's current phase for the customer, and what it went through."""
    door = _open(request, token)
    if isinstance(door, HttpResponse):
        return door
    if request.method == "POST":
        return job_page.save(request, door)
    return job_page.show(request, door)


@require_safe
def file(request: HttpRequest, token: str, file_id: int) -> HttpResponseBase:
    """An uploaded file or a stored document of the job."""
    door = _open(request, token)
    if isinstance(door, HttpResponse):
        return door
    return job_page.file_response(door, file_id)


@require_safe
def document(request: HttpRequest, token: str, key: str, code: str) -> HttpResponse:
    """A "create and show" document, made fresh on every click."""
    door = _open(request, token)
    if isinstance(door, HttpResponse):
        return door
    return job_page.document_response(door, key, code)


# --- "Zugang anlegen" -----------------------------------------------------------------------


class RegisterForm(BootstrapMixin, CustomerSetPasswordForm):
    """The name (taken from the contact) and a password, twice."""

    first_name = forms.CharField(label=gettext_lazy("Vorname"), max_length=100, required=False)
    last_name = forms.CharField(
        label=gettext_lazy("Nachname"),
        max_length=100,
        error_messages={"required": gettext_lazy("Bitte geben Sie Ihren Nachnamen ein.")},
    )
    field_order = ["first_name", "last_name", "new_password1", "new_password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = gettext_lazy("Passwort")
        self.fields["new_password2"].label = gettext_lazy("Passwort bestätigen")


def _register_context(door: Door, form: RegisterForm, taken: bool) -> dict[str, Any]:
    tenant = door.tenant
    login = reverse("customer_accounts:login", args=[tenant.slug])
    return {
        "tenant": tenant,
        "door": door,
        "job": door.job,
        "form": form,
        "email": door.contact.email if door.contact else "",
        "taken": taken,
        "login_url": f"{login}?next={quote(door.page_url())}",
        "reset_url": reverse("customer_accounts:password_reset", args=[tenant.slug]),
    }


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, token: str) -> HttpResponse:
    """A customer login for the job contact's e-mail address: a password, and logged in.
    An address that has a login already gets the way to log in or reset the password."""
    door = _open(request, token)
    if isinstance(door, HttpResponse):
        return door
    contact = door.contact
    if door.logged_in or contact is None or not contact.email:
        return token_pages.protect(redirect(door.page_url()), door.language)
    tenant = door.tenant
    with tenant_scope(tenant), translation.override(door.language):
        email = customer_accounts.normalize_customer_email(contact.email)
        taken = CustomerAccount.objects.filter(tenant=tenant, email=email).exists()
        sketch = CustomerAccount(
            tenant=tenant, email=email, first_name=contact.first_name, last_name=contact.last_name
        )
        initial = {"first_name": contact.first_name, "last_name": contact.last_name}
        form = RegisterForm(sketch, request.POST or None, initial=initial)
        if request.method == "POST" and not taken and form.is_valid():
            data = form.cleaned_data
            try:
                account = requests.register_account(
                    door.job,
                    contact,
                    password=data["new_password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
            except ServiceError as refused:
                if refused.code != "duplicate":
                    form.add_error(None, " ".join(str(m) for m in refused.messages))
                taken = True
            else:
                customer_auth.login(request, account)
                customer_accounts.record_customer_login(account)
                return token_pages.protect(redirect(door.page_url("registered")), door.language)
        status = 400 if request.method == "POST" else 200
        page = _register_context(door, form, taken)
    return job_page.respond(request, door, REGISTER_TEMPLATE, page, status)
