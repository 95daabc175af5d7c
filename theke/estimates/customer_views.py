"""The customer's estimate page behind a token link (no login).

The token is the only key: looked up by its hash, checked for expiry and revocation. Pages
behind it answer through the shared token-page protections (theke.core.token_pages: headers,
the invalid/expired/pending pages, throttling of unknown tokens per client address). A GET
changes nothing except the view times (the first view of the data also emits
`estimate.viewed`, once); the answer is given by POSTs with CSRF.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from theke.core import token_pages
from theke.core.client import client_address
from theke.core.errors import ServiceError
from theke.core.formatting import money
from theke.core.images import content_type_of
from theke.estimates import customer_page, services
from theke.estimates.decline_choices import question_for
from theke.estimates.models import (
    DecisionAnswer,
    Estimate,
    EstimateDecision,
    EstimateLink,
    EstimatePhoto,
)
from theke.estimates.pdf import decision_pdf, pdf_filename, pdf_response
from theke.estimates.services import FoundLink, LinkState
from theke.messaging.models import Conversation
from theke.messaging.services import conversations
from theke.tenants import services as tenant_services
from theke.tenants.scoping import tenant_scope

# How often the "available shortly" page asks whether the data have arrived.
POLL_SECONDS = token_pages.POLL_SECONDS

# Refusals that concern the estimate, not the form: the customer goes back to the page, which
# says why the answer was not saved (and shows the estimate as it is now).
NOT_SAVED = {
    "superseded": gettext_lazy(
        "Ihre Antwort wurde nicht gespeichert: der Kostenvoranschlag wurde inzwischen geändert. "
        "Bitte prüfen Sie die neue Fassung und antworten Sie erneut."
    ),
    "already_decided": gettext_lazy(
        "Ihre Antwort wurde nicht gespeichert: der Kostenvoranschlag wurde bereits beantwortet."
    ),
    "expired": gettext_lazy(
        "Ihre Antwort wurde nicht gespeichert: der Kostenvoranschlag ist abgelaufen."
    ),
    "revoked": gettext_lazy(
        "Ihre Antwort wurde nicht gespeichert: der Kostenvoranschlag wurde zurückgezogen."
    ),
}
CHANGED_MEANWHILE = gettext_lazy(
    "Der Kostenvoranschlag wurde inzwischen geändert. Bitte prüfen Sie die neue Fassung."
)

# The answer forms' inputs by the field a service refusal names, in the order of the page:
# the POST name (the key of `errors` in the templates) and the element id the summary links to.
FORM_FIELDS = {
    "choice": ("choice", "choice-group"),
    "address.name": ("address_name", "a-name"),
    "address.street": ("address_street", "a-street"),
    "address.postal_code": ("address_postal_code", "a-postal"),
    "address.city": ("address_city", "a-city"),
    "address.country": ("address_country", "a-country"),
    "name": ("name", "sign-name"),
    "terms_accepted": ("terms", "sign-terms"),
}


def _language(request: HttpRequest, link: EstimateLink, estimate: Estimate) -> str:
    """The contact's language; without a known contact the browser's (LocaleMiddleware)."""
    return token_pages.page_language(request, services.page_language(link, estimate))


def _back_to(token: str, anchor: str = "") -> HttpResponse:
    """Back to the estimate page (after an answer, or when a step no longer applies)."""
    return token_pages.protect(redirect(reverse("estimate_pages:page", args=[token]) + anchor))


@require_safe
def estimate_page(request: HttpRequest, token: str) -> HttpResponse:
    """The estimate, the "available shortly" page, or why the link no longer works."""
    found = services.find_link(token)
    if found.state == LinkState.UNKNOWN or found.link is None or found.estimate is None:
        return token_pages.invalid_page(request)
    link, estimate = found.link, found.estimate
    if token_pages.is_poll(request):
        return token_pages.poll_answer(found.state == LinkState.VALID and not estimate.has_data)
    tenant = link.tenant
    language = _language(request, link, estimate)
    context = {"tenant": tenant, "estimate": estimate, "token": token}
    if found.state != LinkState.VALID:
        return token_pages.unavailable_page(
            request,
            found.state,
            {**context, "mail_subject": estimate.display_number},
            language=language,
            template="estimates/customer/unavailable.html",
        )
    if not estimate.has_data:
        return token_pages.pending_page(
            request,
            context,
            language=language,
            template="estimates/customer/pending.html",
            poll_seconds=POLL_SECONDS,
        )
    with translation.override(language), tenant_scope(tenant):
        # Read before this look is recorded: did a newer version arrive since the last one?
        seen = services.seen_before_change(estimate)
        if request.method == "GET":
            services.record_view(link, estimate)
        response = _estimate(request, context, link, language, seen)
    return token_pages.protect(response, language)


def _estimate(
    request: HttpRequest,
    context: dict[str, Any],
    link: EstimateLink,
    language: str,
    seen: Estimate | None = None,
) -> HttpResponse:
    """The estimate page, from the cache when it shows the same as last time (inside the
    tenant's scope and the page's language). What belongs to this visitor alone (flash
    messages, "changed since you last saw it") is rendered past the shared cache."""
    estimate: Estimate = context["estimate"]
    if seen is not None or customer_page.has_flash_messages(request):
        context.update(_page_context(estimate, link))
        # The version the customer saw last, when this one came after it.
        context["seen_version"] = seen if context["decision"] is None else None
        return render(request, customer_page.TEMPLATE, context)
    key = customer_page.page_key(
        estimate, link.tenant, language, _expired(estimate), customer_page.thread_stamp(estimate)
    )
    page = customer_page.cached_page(key)
    if page is None:
        context.update(_page_context(estimate, link))
        page = customer_page.render_page(context)
        customer_page.store(key, page)
    return HttpResponse(customer_page.fill(request, page, context["token"]))


def _decision(estimate: Estimate) -> EstimateDecision | None:
    return EstimateDecision.objects.filter(estimate=estimate).select_related("fee_article").first()


def _thread(estimate: Estimate) -> Conversation | None:
    return Conversation.objects.filter(
        tenant=estimate.tenant,
        content_type=ContentType.objects.get_for_model(Estimate),
        object_id=str(estimate.pk),
    ).first()


def _expired(estimate: Estimate) -> bool:
    return bool(estimate.valid_until and estimate.valid_until < timezone.localdate())


def _page_context(
    estimate: Estimate, link: EstimateLink, selected: list[int] | None = None
) -> dict[str, Any]:
    """What the estimate page shows (inside the tenant's scope)."""
    positions = list(estimate.positions.all())
    decision = _decision(estimate)
    if decision is not None:
        chosen = set(decision.selected_positions)
    elif selected is not None:
        chosen = {p.pk for p in positions if not p.is_optional or p.pk in selected}
    else:
        chosen = {p.pk for p in positions}
    totals = services.compute_totals(p for p in positions if p.pk in chosen)
    thread = _thread(estimate)
    expired = _expired(estimate)
    vehicle = estimate.vehicle_id is not None
    return {
        "next_step": _next_step(decision, vehicle) if decision is not None else "",
        "positions": positions,
        "chosen": chosen,
        "totals": totals,
        "photos": list(estimate.photos.all()),
        "expired": expired,
        "has_optional": any(p.is_optional for p in positions),
        "decision": decision,
        "can_answer": decision is None and not expired and not estimate.is_final,
        "thread_messages": list(thread.messages.order_by("created_at")) if thread else [],
    }


def _open(request: HttpRequest, token: str, answering: bool = False) -> FoundLink | HttpResponse:
    """The valid link behind a POST's token, or the page that says why not.

    `answering`: an answered estimate (another tab, another device) leads to its decision.
    """
    found = services.find_link(token)
    if found.state == LinkState.UNKNOWN or found.link is None or found.estimate is None:
        return token_pages.invalid_page(request)
    if found.state != LinkState.VALID or not found.estimate.has_data:
        return _back_to(token)
    if answering:
        with tenant_scope(found.estimate.tenant):
            decided = EstimateDecision.objects.filter(estimate=found.estimate).exists()
        if decided:
            if request.POST.get("confirm") == "1":
                messages.error(request, NOT_SAVED["already_decided"])
            return _back_to(token, "#decision")
        version = _version(request)
        if version is not None and version != found.estimate.version:
            # A step started on a version the shop has revised since: the new one first.
            if request.POST.get("confirm") == "1":
                messages.error(request, NOT_SAVED["superseded"])
            else:
                messages.warning(request, CHANGED_MEANWHILE)
            return _back_to(token)
    return found


def _selected(request: HttpRequest) -> list[int]:
    ids = []
    for raw in request.POST.getlist("optional"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    return ids


def _render_step(
    request: HttpRequest,
    found: FoundLink,
    token: str,
    template: str,
    extra: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    assert found.link is not None and found.estimate is not None
    link, estimate = found.link, found.estimate
    language = _language(request, link, estimate)
    with translation.override(language), tenant_scope(link.tenant):
        context = {"tenant": link.tenant, "estimate": estimate, "token": token}
        context.update(_page_context(estimate, link, extra.pop("selected", None)))
        context["consent"] = tenant_services.consent_offer(link.tenant)
        context["terms_checked"] = request.POST.get("terms") == "on"
        context.update(extra)
        response = render(request, template, context, status=status)
    return token_pages.protect(response, language)


def _not_saved(request: HttpRequest, token: str, error: ServiceError) -> HttpResponse:
    """Back to the page, which says why the answer was not saved."""
    messages.error(request, NOT_SAVED.get(error.code or "", " ".join(error.messages)))
    return _back_to(token, "#decision" if error.code == "already_decided" else "")


def _form_errors(error: ServiceError) -> dict[str, Any]:
    """A refused answer as the form shows it: each message next to its input (`errors`, by
    POST name) and all of them in the summary on top (`error_summary`, linking to inputs)."""
    errors: dict[str, str] = {}
    summary: list[dict[str, str]] = []
    order = {field: index for index, field in enumerate(FORM_FIELDS)}
    problems = sorted(services.problems_of(error), key=lambda p: order.get(p.field or "", -1))
    for problem in problems:
        message = " ".join(str(m) for m in problem.messages)
        name, element = FORM_FIELDS.get(problem.field or "", ("", ""))
        if name:
            errors.setdefault(name, message)
        summary.append({"id": element, "message": message})
    return {"errors": errors, "error_summary": summary}


def _next_step(decision: EstimateDecision, vehicle: bool) -> str:
    """What happens now that the customer has answered (the page's "Wie geht es weiter?")."""
    if decision.answer == DecisionAnswer.ACCEPTED:
        if vehicle:
            return _(
                "Wir haben Ihren Auftrag erhalten und beginnen mit der Reparatur. Sobald Ihr "
                "Fahrzeug fertig ist, melden wir uns bei Ihnen."
            )
        return _(
            "Wir haben Ihren Auftrag erhalten und beginnen mit der Reparatur. Sobald Ihr Gerät "
            "fertig ist, melden wir uns bei Ihnen."
        )
    wording = decision.decline_wording
    step = str(wording.next_step) if wording is not None else ""
    if decision.fee_gross:
        fee = _("Die Pauschale von %(amount)s inkl. MwSt. stellen wir Ihnen in Rechnung.") % {
            "amount": money(decision.fee_gross)
        }
        step = f"{step} {fee}"
    return step


@require_POST
def totals(request: HttpRequest, token: str) -> HttpResponse:
    """The totals fragment for the optional positions ticked (htmx, changes nothing)."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    return _render_step(
        request,
        found,
        token,
        "estimates/customer/_totals.html",
        {"selected": _selected(request), "oob": True},
    )


@require_POST
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept: first the confirmation step (name, terms), then the decision."""
    found = _open(request, token, answering=True)
    if isinstance(found, HttpResponse):
        return found
    assert found.link is not None and found.estimate is not None
    selected = _selected(request)
    extra: dict[str, Any] = {"selected": selected, "step": "accept"}
    if request.POST.get("confirm") == "1":
        try:
            services.accept_estimate(
                found.link,
                name=request.POST.get("name", ""),
                terms_accepted=request.POST.get("terms") == "on",
                optional_position_ids=selected,
                ip=client_address(request) or None,
                user_agent=request.headers.get("User-Agent", ""),
                version=_version(request),
                legal_versions=_legal_versions(request),
            )
        except ServiceError as error:
            if error.code in NOT_SAVED:
                return _not_saved(request, token, error)
            extra.update(_form_errors(error), name=request.POST.get("name", ""))
            return _render_step(
                request, found, token, "estimates/customer/confirm.html", extra, status=400
            )
        return _back_to(token, "#decision")
    return _render_step(request, found, token, "estimates/customer/confirm.html", extra)


def _legal_versions(request: HttpRequest) -> services.LegalVersions:
    """The terms and privacy versions the answer step showed (tenants/_consent.html)."""
    return services.LegalVersions(
        request.POST.get("legal_terms_version"), request.POST.get("legal_privacy_version")
    )


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_POST
def decline(request: HttpRequest, token: str) -> HttpResponse:
    """Decline: choose what happens to the device or vehicle (the options of its object, a
    return address where one is needed), then confirm with name and terms."""
    found = _open(request, token, answering=True)
    if isinstance(found, HttpResponse):
        return found
    assert found.link is not None and found.estimate is not None
    estimate = found.estimate
    with tenant_scope(found.link.tenant):
        options = services.decline_options(estimate)
        prefill = services.billing_address(estimate)
    address = {
        key: request.POST.get(f"address_{key}", prefill[key]) for key in services.ADDRESS_KEYS
    }
    choice = request.POST.get("choice", "")
    extra: dict[str, Any] = {
        "step": "decline",
        "options": options,
        "question": question_for(services.decline_object(estimate)),
        "asks_address": any(option.needs_address for option in options),
        "choice": choice,
        "address": address,
        "name": request.POST.get("name", ""),
    }
    if request.POST.get("confirm") == "1":
        try:
            services.decline_estimate(
                found.link,
                choice=choice,
                name=request.POST.get("name", ""),
                terms_accepted=request.POST.get("terms") == "on",
                address=address,
                ip=client_address(request) or None,
                user_agent=request.headers.get("User-Agent", ""),
                version=_version(request),
                legal_versions=_legal_versions(request),
            )
        except ServiceError as error:
            if error.code in NOT_SAVED:
                return _not_saved(request, token, error)
            extra.update(_form_errors(error))
            return _render_step(
                request, found, token, "estimates/customer/decline.html", extra, status=400
            )
        return _back_to(token, "#decision")
    return _render_step(request, found, token, "estimates/customer/decline.html", extra)


@require_POST
def message(request: HttpRequest, token: str) -> HttpResponse:
    """The customer writes to the shop about the estimate (its conversation)."""
    found = _open(request, token)
    if isinstance(found, HttpResponse):
        return found
    assert found.link is not None and found.estimate is not None
    link, estimate = found.link, found.estimate
    body = request.POST.get("body", "").strip()[:5000]
    if body:
        with tenant_scope(link.tenant), transaction.atomic():
            number = estimate.display_number
            thread = conversations.conversation_for(
                estimate,
                tenant=link.tenant,
                customer=estimate.customer,
                subject=f"{_('Kostenvoranschlag')} {number}",
            )
            contact = link.contact or estimate.contact
            label = estimate.customer.display_name if estimate.customer else "—"
            conversations.post_customer_message(
                thread,
                contact if contact and contact.customer_id == thread.customer_id else None,
                body,
                author_label=label,
            )
    return _back_to(token, "#messages")


@require_safe
def answer_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's answer as a PDF letter (only once there is one)."""
    found = services.find_link(token)
    if found.state == LinkState.UNKNOWN or found.link is None or found.estimate is None:
        return token_pages.invalid_page(request)
    if found.state != LinkState.VALID:
        return _back_to(token)
    link, estimate = found.link, found.estimate
    language = _language(request, link, estimate)
    with translation.override(language), tenant_scope(link.tenant):
        decision = _decision(estimate)
        if decision is None:
            raise Http404
        content = decision_pdf(estimate, decision)
    filename = pdf_filename(estimate, answer=True)
    return token_pages.protect(pdf_response(content, filename, "attachment"), language)


def _photo_response(token: str, key: str, size: str) -> FileResponse:
    found = services.find_link(token)
    if found.state != LinkState.VALID or found.estimate is None or found.link is None:
        raise Http404
    with tenant_scope(found.link.tenant):
        photo = EstimatePhoto.objects.filter(estimate=found.estimate, key=key).first()
    if photo is None:
        raise Http404
    stored = photo.rendition(size)
    response = FileResponse(stored.open("rb"), content_type=content_type_of(stored.name or ""))
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Disposition"] = "inline"
    # Unlike the pages, a photo may be kept by the browser itself (it never changes under
    # its key); still never by a shared cache.
    patch_cache_control(response, private=True, max_age=3600)
    return response


@require_safe
def photo(request: HttpRequest, token: str, key: str) -> FileResponse:
    """A photo of the estimate in the preview size (upright, at most 1600 px)."""
    return _photo_response(token, key, "preview")


@require_safe
def photo_thumbnail(request: HttpRequest, token: str, key: str) -> FileResponse:
    """A photo as the page lists it (480 px wide)."""
    return _photo_response(token, key, "thumbnail")


@require_safe
def photo_original(request: HttpRequest, token: str, key: str) -> FileResponse:
    """The photo as stored (tap to enlarge)."""
    return _photo_response(token, key, "file")
