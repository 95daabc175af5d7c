"""The logged-in Parkplatz (/parkplatz/<slug>/…): the customer's jobs, each job's page (the
same page as behind its link, theke.jobs.customer_views.job_page), and "Anfrage parken".

Every page needs the customer login of the tenant (accounts' `customer_login_required`) and
shows only the jobs of the account's customer: another customer's job is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from theke.accounts import customer_auth
from theke.accounts.customer_auth import customer_login_required
from theke.accounts.models import CustomerAccount
from theke.core import throttle, token_pages
from theke.core.errors import ServiceError
from theke.customers.models import Vehicle
from theke.jobs.customer_forms import ParkForm
from theke.jobs.customer_views import job_page
from theke.jobs.customer_views.job_page import Door
from theke.jobs.customer_views.payments import to_checkout
from theke.jobs.models import Job, Payment
from theke.jobs.services import jobs as job_services
from theke.jobs.services import requests

# Requests one account may park per hour (a person parks a few; a script is stopped).
PARK_LIMIT = 10
PARK_WINDOW = 3600


def _account(request: HttpRequest) -> CustomerAccount:
    account: CustomerAccount = getattr(request, "customer_account")  # noqa: B009
    if not account.tenant.jobs_enabled:
        raise Http404
    return account


def _language(request: HttpRequest) -> str:
    return token_pages.page_language(request)


def parking_home(account: CustomerAccount) -> customer_auth.CustomerHome | None:
    """The Parkplatz as a start page of the customer login (accounts' home registry): a
    private customer's login lands there."""
    if not account.tenant.jobs_enabled:
        return None
    return customer_auth.CustomerHome(
        gettext_lazy("Zu Ihrem Parkplatz"), reverse("parking:list", args=[account.tenant.slug])
    )


@require_safe
@customer_login_required
def job_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The customer's jobs: running ones first (those waiting for them on top), then the
    archive."""
    account = _account(request)
    language = _language(request)
    with translation.override(language):
        jobs = job_page.customer_jobs(account)
        for job in jobs:
            phase = job_services.compiled_of(job).definition.phase(job.phase_key)
            job.phase_name = phase.name if phase else ""  # type: ignore[attr-defined]
        running, archived = job_page.waiting_jobs(jobs)
        page = {
            "tenant": account.tenant,
            "account": account,
            "running": running,
            "archived": archived,
            "can_park": requests.accepts_requests(account.tenant),
            "parked": request.GET.get("done") == "parked",
        }
        response = render(request, "jobs/customer/list.html", page)
    return token_pages.protect(response, language)


def _door(request: HttpRequest, pk: int) -> Door:
    account = _account(request)
    job = (
        Job.objects.select_related("tenant", "contact", "customer")
        .filter(tenant=account.tenant, customer_id=account.customer_id, is_test=False, pk=pk)
        .first()
    )
    if job is None:
        raise Http404
    contact = requests.account_contact(account) or job.contact
    return Door(job, contact, account, _language(request))


@require_http_methods(["GET", "HEAD", "POST"])
@customer_login_required
def job(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    door = _door(request, pk)
    if request.method == "POST":
        return job_page.save(request, door)
    return job_page.show(request, door)


@require_safe
@customer_login_required
def file(request: HttpRequest, slug: str, pk: int, file_id: int) -> HttpResponseBase:
    return job_page.file_response(_door(request, pk), file_id)


@require_safe
@customer_login_required
def document(request: HttpRequest, slug: str, pk: int, key: str, code: str) -> HttpResponse:
    return job_page.document_response(_door(request, pk), key, code)


@require_POST
@customer_login_required
def pay(request: HttpRequest, slug: str, pk: int, payment_id: int) -> HttpResponse:
    """The pay button of the job's page: to the payment provider, and back to the job."""
    door = _door(request, pk)
    payment = Payment.objects.select_related("job").filter(pk=payment_id, job=door.job).first()
    if payment is None:
        raise Http404
    return to_checkout(request, payment, door.page_url())


@require_http_methods(["GET", "POST"])
@customer_login_required
def park(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Anfrage parken": a request about one of the customer's vehicles or another one."""
    account = _account(request)
    if not requests.accepts_requests(account.tenant):
        raise Http404
    language = _language(request)
    with translation.override(language):
        vehicles = list(Vehicle.objects.filter(customer_id=account.customer_id).order_by("pk"))
        contact = requests.account_contact(account)
        phone = account.phone or (
            str(contact.mobile_phone or contact.phone or "") if contact else ""
        )
        form = ParkForm(
            request.POST or None,
            vehicles=vehicles,
            initial={"callback_phone": phone, "vehicle": str(vehicles[0].pk) if vehicles else ""},
        )
        error = ""
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                if throttle.hit(f"job-park:{account.pk}", PARK_WINDOW) > PARK_LIMIT:
                    error = str(_too_many())
                    status = 429
                else:
                    try:
                        made = requests.park_request(
                            account,
                            vehicle=form.chosen_vehicle(),
                            vehicle_text=data.get("vehicle_text", ""),
                            message=data["message"],
                            callback_phone=data["callback_phone"].as_e164
                            if data.get("callback_phone")
                            else "",
                        )
                    except ServiceError as refused:
                        form.add_refusal(refused)
                    else:
                        url = reverse("parking:job", args=[account.tenant.slug, made.pk])
                        return token_pages.protect(redirect(f"{url}?done=parked"), language)
        page: dict[str, Any] = {
            "tenant": account.tenant,
            "account": account,
            "form": form,
            "error": error,
        }
        response = render(request, "jobs/customer/park.html", page, status=status)
    return token_pages.protect(response, language)


def _too_many() -> Any:
    return gettext_lazy(
        "Sie haben gerade schon einige Anfragen gestellt. Bitte versuchen Sie es später noch "
        "einmal oder rufen Sie uns an."
    )
