"""The customer pays: the pay button of the job's page, the test provider's checkout page, and
the providers' notifications (the webhook).

* `pay` (POST /p/<token>/bezahlen/<payment_id>/): a payment of the token's job only (else
  404); sends the customer to the provider, which sends them back to the job's page.
* `test_checkout` (/bezahlen/test/<reference>/): the test provider's fake checkout page. Its
  buttons make the provider decide, and the provider tells Theke in a signed notification,
  through the same code as the webhook; then the customer goes back.
* `notification` (POST /bezahlen/benachrichtigung/<provider>/): what a real provider calls.
  No login and no CSRF (a server calls it); the provider's signature decides: forged 403,
  unreadable or stale 400, an unknown checkout 404, and a repeat changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from theke.core import token_pages
from theke.core.errors import ServiceError
from theke.customers import links as customer_links
from theke.customers.links import LinkState
from theke.customers.models import CustomerLink
from theke.jobs.models import Payment, PaymentStatus
from theke.jobs.payments import TEST_PROVIDER, NotificationRefused
from theke.jobs.services import payments as services
from theke.jobs.services.links import LINK_KIND
from theke.tenants.scoping import scopes_disabled, tenant_scope

MAX_BODY_BYTES = 64 * 1024


# --- the pay button of the job's page --------------------------------------------------------


@require_POST
def pay(request: HttpRequest, token: str, payment_id: int) -> HttpResponse:
    resolved: customer_links.ResolvedLink[CustomerLink] = customer_links.resolve(token, LINK_KIND)
    link = resolved.link
    if resolved.state == LinkState.UNKNOWN or link is None:
        return token_pages.invalid_page(request)
    tenant = link.tenant
    language = token_pages.page_language(
        request, link.contact.language if link.contact is not None else None
    )
    if resolved.state != LinkState.VALID:
        return token_pages.unavailable_page(
            request, str(resolved.state), {"tenant": tenant}, language=language
        )
    page = reverse("job_pages:page", args=[token])
    with tenant_scope(tenant):
        payment = (
            Payment.objects.select_related("job", "tenant")
            .filter(pk=payment_id, job_id=int(link.object_id) if link.object_id.isdigit() else 0)
            .first()
        )
        if payment is None:
            raise Http404
        return to_checkout(request, payment, page)


def to_checkout(request: HttpRequest, payment: Payment, page: str) -> HttpResponse:
    """Send the customer to the provider to pay; the provider sends them back to `page` (the
    job's page they came from, which shows a refusal too). Shared with the logged-in
    Parkplatz (theke.jobs.customer_views.account.pay)."""
    try:
        url = services.start_checkout(payment, return_url=settings.BASE_URL + page)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
        return token_pages.protect(redirect(page))
    return token_pages.protect(redirect(url))


# --- the test provider's checkout page -------------------------------------------------------


def _test_payment(reference: str) -> Payment:
    with scopes_disabled():
        payment = (
            Payment.objects.select_related("tenant", "job")
            .filter(reference=reference, provider=TEST_PROVIDER.code, tenant__is_active=True)
            .first()
        )
    if payment is None:
        raise Http404
    return payment


@require_http_methods(["GET", "POST"])
def test_checkout(request: HttpRequest, reference: str) -> HttpResponse:
    """Shows amount, purpose and the business; "Bezahlen (Test)" or "Abbrechen"."""
    payment = _test_payment(reference)
    tenant = payment.tenant
    signed_return = request.POST.get("zurueck") or request.GET.get("zurueck") or ""
    back = TEST_PROVIDER.return_url(signed_return)
    language = token_pages.page_language(request, tenant.default_language)
    if request.method == "POST" and payment.status != PaymentStatus.PAID:
        choice = request.POST.get("entscheidung")
        if choice in ("bezahlen", "abbrechen"):
            outcome = PaymentStatus.PAID if choice == "bezahlen" else PaymentStatus.CANCELED
            # The provider decides and tells Theke as it would over HTTP: a signed
            # notification through the webhook's code (its signature checked there).
            body, headers = TEST_PROVIDER.notification(reference, outcome)
            payment = services.receive_notification(TEST_PROVIDER.code, body, headers) or payment
            if back:
                return token_pages.protect(redirect(back))
    return token_pages.render_token_page(
        request,
        "jobs/payments/test_checkout.html",
        {
            "tenant": tenant,
            "payment": payment,
            "back": back,
            "signed_return": signed_return if back else "",
            "payable": payment.status != PaymentStatus.PAID,
        },
        language=language,
    )


# --- providers' notifications ----------------------------------------------------------------


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    """An RFC 9457 problem document."""
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


@csrf_exempt
@require_POST
def notification(request: HttpRequest, provider: str) -> HttpResponse:
    if len(request.body) > MAX_BODY_BYTES:
        return _problem(413, "Payload too large", "The body must be at most 64 KiB.")
    try:
        payment = services.receive_notification(provider, request.body, request.headers)
    except services.UnknownProvider:
        return _problem(404, "Unknown provider", "No payment provider of this name.")
    except NotificationRefused as refused:
        title = "Invalid signature" if refused.status == 403 else "Invalid notification"
        return _problem(refused.status, title, refused.detail)
    if payment is None:
        return _problem(404, "Unknown checkout", "No payment of ours has this reference.")
    return JsonResponse({"reference": payment.reference, "status": payment.status})
