"""The public booking pages (/buchen/<tenant>/<branch>/) and the lead's page behind its link.

The wizard: services, vehicle, slot, contact, review, confirm. What the customer entered is
kept per branch between the steps, so back and forward (and a reload) keep it:

* On Theke's own site in the session (each step a GET page; its form POSTs and redirects).
* Embedded (`?embed=1`) in a signed hidden form field instead: inside another site's iframe
  the browser treats Theke's cookies as third-party cookies and, with SameSite=Lax (the
  session's and the CSRF cookie's setting), does not send them; Chromium may block them
  entirely. The embedded steps therefore answer each POST with the next page directly and
  need no cookie: the state is signed (it cannot be forged), CSRF does not apply to a form
  that grants no rights and reads no one's data (the page itself is the tenant's to embed).
  The response allows exactly the tenant's origins as frame-ancestors and drops
  X-Frame-Options for them.

The lead's page answers through the shared token-page protections; GET never changes state,
the cancellation is a POST with CSRF after a confirmation step.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP  # type: ignore[import-untyped, unused-ignore]
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from theke.appointments.booking_forms import ContactForm, ServicesForm, SlotForm, VehicleForm
from theke.appointments.models import BookableService, Lead
from theke.appointments.services import availability
from theke.appointments.services import booking as services
from theke.appointments.services.leads import LeadError
from theke.appointments.services.settings import booking_enabled, branch_booking, embed_origins
from theke.appointments.slots import FreeSlot
from theke.core import token_pages
from theke.core.errors import ServiceError
from theke.customers import links as customer_links
from theke.customers.links import LinkState
from theke.tenants import services as tenant_services
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import tenant_scope

# The steps in order: (URL segment, title).
STEPS: list[tuple[str, Any]] = [
    ("leistungen", gettext_lazy("Leistungen")),
    ("fahrzeug", gettext_lazy("Fahrzeug")),
    ("termin", gettext_lazy("Termin")),
    ("kontakt", gettext_lazy("Kontaktdaten")),
    ("pruefen", gettext_lazy("Prüfen und absenden")),
]
STEP_NAMES = [name for name, _title in STEPS]
# How many days with free times one page of the slot step shows, and how far it looks.
DAYS_PER_PAGE = 3
SEARCH_DAYS = 14
# An embedded wizard's signed state is accepted this long after its last step.
STATE_MAX_AGE = 60 * 60 * 6
# Which step a refusal of the service belongs to, by the field it names.
FIELD_STEPS = {
    "services": "leistungen",
    "vin": "fahrzeug",
    "license_plate": "fahrzeug",
    "mileage_km": "fahrzeug",
    "start": "termin",
    "last_name": "kontakt",
    "email": "kontakt",
    "mobile_phone": "kontakt",
    "consent": "kontakt",
}
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")

State = dict[str, Any]


# --- tenant, branch, embedding ---------------------------------------------------------------


def _tenant(slug: str) -> Tenant:
    return get_object_or_404(Tenant, slug=slug, is_active=True)


def _branch(tenant: Tenant, branch_id: int) -> Branch:
    with tenant_scope(tenant):
        branch = Branch.objects.filter(tenant=tenant, pk=branch_id).first()
    if branch is None:
        raise Http404
    branch.tenant = tenant
    return branch


def _is_embed(request: HttpRequest) -> bool:
    return request.GET.get("embed") == "1"


def _allow_framing(response: HttpResponse, tenant: Tenant) -> HttpResponse:
    """Let the tenant's own sites (and Theke) show this response in an iframe."""
    origins = [o for o in embed_origins(tenant) if _ORIGIN.match(o)]
    policy = dict(settings.SECURE_CSP)
    policy["frame-ancestors"] = [CSP.SELF, *origins]
    response._csp_config = policy  # type: ignore[attr-defined]  # read by the CSP middleware
    # The CSP's frame-ancestors decides; X-Frame-Options knows no list of origins.
    response.xframe_options_exempt = True
    return response


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    embed = _is_embed(request)
    tenant: Tenant = context["tenant"]
    page = {
        **context,
        "embed": embed,
        "layout": "appointments/customer/_embed_layout.html" if embed else "layouts/customer.html",
        "embed_query": "?embed=1" if embed else "",
    }
    response = render(request, template, page, status=status)
    # What a customer entered stays out of every cache (their back button included).
    patch_cache_control(response, private=True, no_store=True)
    if embed:
        _allow_framing(response, tenant)
    return response


def _disabled(request: HttpRequest, tenant: Tenant, branch: Branch | None) -> HttpResponse:
    """Online booking is off (the tenant's or the branch's switch): how to reach them."""
    context = {"tenant": tenant, "branch": branch}
    return _page(request, "appointments/customer/disabled.html", context, status=404)


def _bookable_branches(tenant: Tenant) -> list[Branch]:
    with tenant_scope(tenant):
        branches = list(Branch.objects.filter(tenant=tenant, is_active=True).order_by("name"))
    for branch in branches:
        branch.tenant = tenant
    return [b for b in branches if booking_enabled(b)]


@require_safe
def branches(request: HttpRequest, slug: str) -> HttpResponse:
    """The tenant's branches customers can book at."""
    tenant = _tenant(slug)
    with tenant_scope(tenant):
        found = _bookable_branches(tenant) if tenant.online_booking_enabled else []
        if not found:
            return _disabled(request, tenant, None)
        return _page(
            request, "appointments/customer/branches.html", {"tenant": tenant, "branches": found}
        )


# --- the wizard's state ------------------------------------------------------------------------


def _session_key(branch: Branch) -> str:
    return f"booking:{branch.pk}"


def _salt(branch: Branch) -> str:
    return f"theke.booking.state:{branch.pk}"


def _load(request: HttpRequest, branch: Branch) -> State:
    if _is_embed(request):
        raw = request.POST.get("state", "")
        if not raw:
            return {}
        try:
            state = signing.loads(raw, salt=_salt(branch), max_age=STATE_MAX_AGE)
        except signing.BadSignature:
            return {}
        return state if isinstance(state, dict) else {}
    state = request.session.get(_session_key(branch), {})
    return state if isinstance(state, dict) else {}


def _save(request: HttpRequest, branch: Branch, state: State) -> None:
    if not _is_embed(request):
        request.session[_session_key(branch)] = state


def _signed(branch: Branch, state: State) -> str:
    return signing.dumps(state, salt=_salt(branch), compress=True)


def _raw(request: HttpRequest, form: forms.Form) -> dict[str, Any]:
    """What the customer typed into a step's form, as typed (kept even when invalid)."""
    values: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            values[name] = request.POST.getlist(name)
        elif isinstance(field, forms.BooleanField):
            values[name] = "on" if request.POST.get(name) else ""
        else:
            values[name] = request.POST.get(name, "")
    return values


# --- the steps ---------------------------------------------------------------------------------


@dataclass
class Wizard:
    """One request's view of the booking at a branch."""

    request: HttpRequest
    tenant: Tenant
    branch: Branch
    state: State
    offered: list[BookableService]

    def form(self, step: str, data: dict[str, Any] | None = None) -> forms.Form | None:
        stored = self.state.get(step) if data is None else data
        bound = stored if stored is not None else None
        if step == "leistungen":
            return ServicesForm(bound, offered=self.offered)
        if step == "fahrzeug":
            return VehicleForm(bound)
        if step == "termin":
            return SlotForm(bound)
        if step == "kontakt":
            return ContactForm(bound)
        return None

    def valid(self, step: str) -> forms.Form | None:
        """The step's form with the stored data, when they are complete and valid."""
        if self.state.get(step) is None:
            return None
        form = self.form(step)
        return form if form is not None and form.is_valid() else None

    def first_open_step(self) -> str:
        for name in STEP_NAMES[:-1]:
            if self.valid(name) is None:
                return name
        return STEP_NAMES[-1]

    def chosen(self) -> list[BookableService]:
        form = self.valid("leistungen")
        if form is None:
            return []
        ids = form.cleaned_data["services"]
        return [s for s in self.offered if s.pk in ids]

    def minutes(self) -> int:
        return sum(s.duration_minutes for s in self.chosen())

    def start(self) -> datetime.datetime | None:
        form = self.valid("termin")
        return form.cleaned_data["start"] if form is not None else None

    def step_url(self, step: str) -> str:
        args = [self.tenant.slug, self.branch.pk]
        if step == STEP_NAMES[0]:
            return reverse("booking:start", args=args)
        return reverse("booking:step", args=[*args, step])


def _wizard(request: HttpRequest, tenant: Tenant, branch_id: int) -> Wizard | HttpResponse:
    branch = _branch(tenant, branch_id)
    if not booking_enabled(branch):
        return _disabled(request, tenant, branch)
    offered = services.bookable_services(branch)
    if not offered:
        return _disabled(request, tenant, branch)
    return Wizard(request, tenant, branch, _load(request, branch), offered)


def _no_view(request: HttpRequest) -> HttpResponse:
    """A view that is not CSRF-exempt: what CsrfViewMiddleware checks the request against."""
    return HttpResponse()


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check for the wizard's own-site POSTs (the view is exempt for embeds)."""
    if _is_embed(request) or request.method != "POST":
        return None
    middleware = CsrfViewMiddleware(_no_view)
    refusal: HttpResponse | None = middleware.process_view(request, _no_view, (), {})
    return refusal


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def wizard(
    request: HttpRequest, slug: str, branch_id: int, step: str = "leistungen"
) -> HttpResponse:
    """One step of the booking (GET shows it, POST stores it and goes on or back)."""
    refusal = _csrf_refusal(request)
    if refusal is not None:
        return refusal
    if step not in STEP_NAMES:
        raise Http404
    tenant = _tenant(slug)
    with tenant_scope(tenant):
        found = _wizard(request, tenant, branch_id)
        if isinstance(found, HttpResponse):
            return found
        wiz = found
        if request.method == "POST":
            return _post(wiz, step)
        return _show(wiz, step)


def _goto(wiz: Wizard, step: str, **extra: Any) -> HttpResponse:
    """On to another step: a redirect on Theke's site, the page itself when embedded."""
    if _is_embed(wiz.request):
        return _show(wiz, step, **extra)
    _save(wiz.request, wiz.branch, wiz.state)
    url = wiz.step_url(step)
    if extra.get("first_day"):
        url += f"?ab={extra['first_day'].isoformat()}"
    return redirect(url)


def _post(wiz: Wizard, step: str) -> HttpResponse:
    request = wiz.request
    if step == "pruefen":
        go = request.POST.get("go", "")
        if go == "back":
            return _goto(wiz, "kontakt")
        if go in STEP_NAMES:  # "Ändern" next to a part of the review
            return _goto(wiz, go)
        return _confirm(wiz)
    form = wiz.form(step, {})
    assert form is not None
    wiz.state[step] = _raw(request, form)
    # Another set of services needs another length of slot: choose the time again.
    if step == "leistungen" and wiz.state.get("minutes") != wiz.minutes():
        wiz.state.pop("termin", None)
    if step == "termin" and request.POST.get("ab"):
        wiz.state.pop("termin", None)
        return _goto(wiz, "termin", first_day=parse_date(request.POST["ab"]))
    index = STEP_NAMES.index(step)
    if request.POST.get("go") == "back":
        return _goto(wiz, STEP_NAMES[max(index - 1, 0)])
    bound = wiz.form(step)
    assert bound is not None
    if not bound.is_valid() or (step == "termin" and not _slot_still_free(wiz, bound)):
        return _show(wiz, step, form=bound, status=400)
    wiz.state["minutes"] = wiz.minutes()
    return _goto(wiz, STEP_NAMES[index + 1])


def _slot_still_free(wiz: Wizard, form: forms.Form) -> bool:
    """The chosen time is one of the free slots of its day (not merely a well-formed time)."""
    start: datetime.datetime = form.cleaned_data["start"]
    day = timezone.localdate(start)
    free = availability.free_slots(wiz.branch, wiz.minutes(), first_day=day, days=1)
    if any(slot.start == start for slot in free):
        return True
    form.add_error(
        "start", _("Dieser Termin ist leider nicht mehr frei. Bitte wählen Sie einen anderen.")
    )
    wiz.state.pop("termin", None)
    return False


def _show(
    wiz: Wizard,
    step: str,
    *,
    form: forms.Form | None = None,
    status: int = 200,
    first_day: datetime.date | None = None,
    taken: services.SlotTaken | None = None,
    error: str = "",
) -> HttpResponse:
    request = wiz.request
    open_step = wiz.first_open_step()
    if STEP_NAMES.index(step) > STEP_NAMES.index(open_step):
        # A later step before the earlier ones are done: the first one still open.
        if _is_embed(request):
            step = open_step
        else:
            return redirect(wiz.step_url(open_step))
    if form is None:
        form = wiz.form(step)
    context: dict[str, Any] = {
        "tenant": wiz.tenant,
        "branch": wiz.branch,
        "step": step,
        "steps": [
            {"name": name, "title": title, "number": i + 1, "url": wiz.step_url(name)}
            for i, (name, title) in enumerate(STEPS)
        ],
        "step_number": STEP_NAMES.index(step) + 1,
        "step_count": len(STEPS),
        "step_title": dict(STEPS)[step],
        "form": form,
        "values": dict(wiz.state.get(step) or {}),
        "errors": _errors(form),
        "error_summary": _summary(form, error),
        "action": wiz.step_url(step) + ("?embed=1" if _is_embed(request) else ""),
        "back_url": wiz.step_url(STEP_NAMES[max(STEP_NAMES.index(step) - 1, 0)]),
        "state_token": _signed(wiz.branch, wiz.state) if _is_embed(request) else "",
        "chosen": wiz.chosen(),
        "minutes": wiz.minutes(),
        "taken": taken,
    }
    if step == "leistungen":
        context["offered"] = wiz.offered
    if step == "termin":
        context.update(_slot_context(wiz, first_day, taken))
    if step == "kontakt":
        context["consent"] = tenant_services.consent_offer(wiz.tenant)
    if step == "pruefen":
        context.update(_review_context(wiz))
    if not _is_embed(request):
        _save(request, wiz.branch, wiz.state)
    return _page(request, f"appointments/customer/step_{step}.html", context, status=status)


def _errors(form: forms.Form | None) -> dict[str, str]:
    if form is None or not form.is_bound or not form.errors:
        return {}
    return {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()}


def _summary(form: forms.Form | None, error: str) -> list[dict[str, str]]:
    summary: list[dict[str, str]] = []
    if error:
        summary.append({"id": "", "message": error})
    for name, message in _errors(form).items():
        summary.append({"id": "" if name == "__all__" else f"id_{name}", "message": message})
    return summary


@dataclass(frozen=True)
class Day:
    date: datetime.date
    slots: list[FreeSlot]


def _slot_context(
    wiz: Wizard, first_day: datetime.date | None, taken: services.SlotTaken | None
) -> dict[str, Any]:
    """The free times of a few days from `first_day` (or from today), grouped by day."""
    request = wiz.request
    if first_day is None:
        first_day = parse_date(request.GET.get("ab", "") or "") if request.method == "GET" else None
    today = timezone.localdate()
    if first_day is None or first_day < today:
        first_day = today
    found = availability.free_slots(
        wiz.branch, wiz.minutes(), first_day=first_day, days=SEARCH_DAYS
    )
    days = [
        Day(day, list(slots))
        for day, slots in groupby(found, key=lambda slot: timezone.localdate(slot.start))
    ]
    shown = days[:DAYS_PER_PAGE]
    more_from: datetime.date | None = None
    if len(days) > DAYS_PER_PAGE:
        more_from = days[DAYS_PER_PAGE].date
    else:
        candidate = first_day + datetime.timedelta(days=SEARCH_DAYS)
        last_day = today + datetime.timedelta(days=branch_booking(wiz.branch).horizon_days)
        more_from = candidate if candidate <= last_day else None
    chosen = wiz.state.get("termin", {}) or {}
    return {
        "days": shown,
        "more_from": more_from,
        "earlier": today if first_day > today else None,
        "chosen_start": chosen.get("start", ""),
        "next_slots": taken.next_slots if taken is not None else [],
    }


def _review_context(wiz: Wizard) -> dict[str, Any]:
    vehicle = wiz.valid("fahrzeug")
    contact = wiz.valid("kontakt")
    start = wiz.start()
    return {
        "vehicle": vehicle.cleaned_data if vehicle is not None else {},
        "contact": contact.cleaned_data if contact is not None else {},
        "start": start,
        "end": start + datetime.timedelta(minutes=wiz.minutes()) if start else None,
        "total_price": _total_price(wiz.chosen()),
    }


def _total_price(chosen: list[BookableService]) -> Any:
    prices = [s.price for s in chosen if s.price is not None]
    return sum(prices) if prices else None


def _request(wiz: Wizard) -> services.BookingRequest:
    vehicle = wiz.valid("fahrzeug")
    contact = wiz.valid("kontakt")
    start = wiz.start()
    assert vehicle is not None and contact is not None and start is not None
    v, c = vehicle.cleaned_data, contact.cleaned_data
    return services.BookingRequest(
        service_ids=[s.pk for s in wiz.chosen()],
        start=start,
        salutation=c["salutation"],
        first_name=c["first_name"],
        last_name=c["last_name"],
        email=c["email"],
        mobile_phone=c["mobile_phone"],
        street=c["street"],
        postal_code=c["postal_code"],
        city=c["city"],
        note=c["note"],
        consent=bool(c["legal_consent"]),
        terms_version=c["legal_terms_version"],
        privacy_version=c["legal_privacy_version"],
        vin=v["vin"],
        license_plate=v["license_plate"],
        make=v["make"],
        model=v["model"],
        mileage_km=v["mileage_km"],
        customer_number=v["customer_number"],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


def _confirm(wiz: Wizard) -> HttpResponse:
    """Book: the thank-you page; a taken slot back to the times (with the next free ones);
    any other refusal to the step of its field, the rest of the input kept."""
    open_step = wiz.first_open_step()
    if open_step != "pruefen":
        return _goto(wiz, open_step)
    try:
        lead = services.book(wiz.branch, _request(wiz))
    except services.SlotTaken as taken:
        wiz.state.pop("termin", None)
        if not _is_embed(wiz.request):
            _save(wiz.request, wiz.branch, wiz.state)
        return _show(wiz, "termin", taken=taken, status=409, error=services.refusal_text(taken))
    except ServiceError as error:
        step = FIELD_STEPS.get(error.field or "", "pruefen")
        if step == "termin":
            wiz.state.pop("termin", None)
        return _show(wiz, step, status=400, error=services.refusal_text(error))
    wiz.state = {}
    if _is_embed(wiz.request):
        return _thanks_page(wiz.request, wiz.tenant, wiz.branch, lead)
    request = wiz.request
    request.session.pop(_session_key(wiz.branch), None)
    request.session[f"{_session_key(wiz.branch)}:done"] = str(lead.uid)
    return redirect(reverse("booking:thanks", args=[wiz.tenant.slug, wiz.branch.pk]))


def _thanks_page(request: HttpRequest, tenant: Tenant, branch: Branch, lead: Lead) -> HttpResponse:
    context = {"tenant": tenant, "branch": branch, "lead": lead}
    return _page(request, "appointments/customer/thanks.html", context)


@require_safe
def thanks(request: HttpRequest, slug: str, branch_id: int) -> HttpResponse:
    """After booking: what happens now (the request as booked)."""
    tenant = _tenant(slug)
    branch = _branch(tenant, branch_id)
    uid = request.session.get(f"booking:{branch.pk}:done")
    with tenant_scope(tenant):
        lead = Lead.objects.filter(tenant=tenant, branch=branch, uid=uid).first() if uid else None
        if lead is None:
            return redirect(reverse("booking:start", args=[tenant.slug, branch.pk]))
        return _thanks_page(request, tenant, branch, lead)


# --- the lead's page behind its link -----------------------------------------------------------


def _lead_language(request: HttpRequest, found: services.FoundLead) -> str:
    contact = found.link.contact if found.link is not None else None
    lead = found.lead
    return token_pages.page_language(
        request,
        contact.language if contact is not None else None,
        lead.language if lead is not None else None,
    )


def _open_lead(request: HttpRequest, token: str) -> services.FoundLead | HttpResponse:
    found = services.find_lead_link(token)
    if found.state == LinkState.UNKNOWN or found.link is None or found.lead is None:
        return token_pages.invalid_page(request)
    if found.state != LinkState.VALID:
        return token_pages.unavailable_page(
            request,
            found.state,
            {"tenant": found.link.tenant},
            language=_lead_language(request, found),
        )
    return found


def _lead_context(found: services.FoundLead, token: str) -> dict[str, Any]:
    lead = found.lead
    assert lead is not None and found.link is not None
    with tenant_scope(lead.tenant):
        return {
            "tenant": found.link.tenant,
            "lead": lead,
            "branch": lead.branch,
            "token": token,
            "can_cancel": services.can_cancel(lead),
            "cancel_deadline": services.cancel_deadline(lead),
            "price_total": _total_price_of(lead),
        }


def _total_price_of(lead: Lead) -> Any:
    prices = [s.get("price") for s in lead.services_booked if s.get("price") is not None]
    return sum(Decimal(p) for p in prices) if prices else None


def _render_lead(
    request: HttpRequest,
    found: services.FoundLead,
    token: str,
    template: str,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    language = _lead_language(request, found)
    with translation.override(language):
        context = {**_lead_context(found, token), **(extra or {})}
    return token_pages.render_token_page(
        request, template, context, language=language, status=status
    )


@require_safe
def lead_page(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's request: status, time, branch, services, vehicle; cancel until the cut-off."""
    found = _open_lead(request, token)
    if isinstance(found, HttpResponse):
        return found
    assert found.link is not None
    customer_links.record_view(found.link)
    return _render_lead(request, found, token, "appointments/customer/lead.html")


@require_POST
def lead_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel the request: first the confirmation step, then the cancellation."""
    found = _open_lead(request, token)
    if isinstance(found, HttpResponse):
        return found
    assert found.lead is not None
    page = reverse("lead_pages:page", args=[token])
    if request.POST.get("confirm") != "1":
        return _render_lead(request, found, token, "appointments/customer/lead_cancel.html")
    try:
        services.cancel_by_customer(found.lead, services.customer_actor(found.lead))
    except LeadError as error:
        found = services.find_lead_link(token)
        return _render_lead(
            request,
            found,
            token,
            "appointments/customer/lead.html",
            {"error": services.refusal_text(error)},
            status=409,
        )
    return token_pages.protect(redirect(page + "?storniert=1"))
