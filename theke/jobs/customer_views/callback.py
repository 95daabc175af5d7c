"""The public callback request (/rueckruf/<slug>/): the tenant's customers leave their name,
number and what it is about; a job on the default workflow calls them back.

No login and no link: the page is public (the tenant's contact page offers it, see
`callback_panel`). Requests are throttled per client address; what the customer typed never
lands in a cache. 404 while the job manager is off or takes no requests.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from theke.core import throttle
from theke.core.client import client_address
from theke.core.errors import ServiceError
from theke.jobs.customer_forms import CallbackForm
from theke.jobs.services import requests
from theke.tenants import services as tenant_services
from theke.tenants.models import Tenant

# Callback requests per client address and hour: a family behind one router asks a few times,
# a script is stopped.
CALLBACK_LIMIT = 5
CALLBACK_WINDOW = 3600


def _tenant(slug: str) -> Tenant:
    tenant = get_object_or_404(Tenant, slug=slug, is_active=True)
    if not requests.accepts_requests(tenant):
        raise Http404
    return tenant


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def callback_panel(request: HttpRequest, tenant: Tenant) -> dict[str, Any] | None:
    """The tenant's public page offers the callback request while jobs can start."""
    if not requests.accepts_requests(tenant):
        return None
    return {"callback_url": reverse("callback:form", args=[tenant.slug])}


@require_http_methods(["GET", "POST"])
def callback_form(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = _tenant(slug)
    vehicle = request.GET.get("fahrzeug", "")[:200]
    form = CallbackForm(request.POST or None, initial={"vehicle": vehicle})
    consent_error = ""
    error = ""
    status = 200
    if request.method == "POST":
        status = 400
        if not form.is_valid():
            consent_error = " ".join(str(e) for e in form.errors.get("legal_consent", []))
        elif (
            throttle.hit(f"job-callback:{client_address(request)}", CALLBACK_WINDOW)
            > CALLBACK_LIMIT
        ):
            error = _(
                "Von Ihrem Anschluss kamen gerade schon einige Rückrufwünsche. Bitte versuchen "
                "Sie es später noch einmal oder rufen Sie uns direkt an."
            )
            status = 429
        else:
            data = form.cleaned_data
            try:
                requests.request_callback(
                    tenant,
                    requests.CallbackRequest(
                        name=data["name"],
                        phone=data["phone"].as_e164,
                        email=data["email"],
                        message=data["message"],
                        vehicle=data["vehicle"],
                        consent=data["legal_consent"],
                        terms_version=data["legal_terms_version"],
                        privacy_version=data["legal_privacy_version"],
                        language=translation.get_language() or "",
                    ),
                )
            except ServiceError as refused:
                if refused.field == "consent":
                    consent_error = " ".join(str(m) for m in refused.messages)
                else:
                    form.add_refusal(refused)
            else:
                return redirect("callback:thanks", slug=tenant.slug)
    context = {
        "tenant": tenant,
        "form": form,
        "consent": tenant_services.consent_offer(tenant),
        "consent_error": consent_error,
        # A box ticked for texts that changed meanwhile is asked again, unticked.
        "consent_checked": bool(form.data.get("legal_consent")) and not consent_error,
        "error": error,
    }
    return _page(request, "jobs/customer/callback.html", context, status)


@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = _tenant(slug)
    return _page(request, "jobs/customer/callback_thanks.html", {"tenant": tenant})
