"""Quotes and quote requests in the portal ("Angebote").

Read-only users may read quotes, requests and answers, but neither request a quote nor
answer (the services refuse it too). Every row comes through theke.portal.access.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from theke.core.errors import ServiceError
from theke.core.formatting import format_date, money
from theke.messaging.models import ConversationAttachment, ConversationMessage
from theke.orders.models import Quote
from theke.portal import access
from theke.portal.customer_views.list_filters import QuoteFilter, QuoteRequestFilter
from theke.portal.downloads import csv_response
from theke.portal.models import PortalUser, QuoteRequest
from theke.portal.quote_forms import QuoteReplyForm, QuoteRequestForm
from theke.portal.services import quotes as services

TABS = ("angebote", "anfragen", "ungelesen")
PAGE_SIZE = 50


def _context(request: HttpRequest, user: PortalUser, **values: object) -> dict[str, object]:
    return {"tenant": user.tenant, "menu": "quotes", "portal_user": user, **values}


def _add_errors(form: QuoteRequestForm | QuoteReplyForm, error: ServiceError) -> None:
    """A service's refusal next to its field (new location fields carry a prefix)."""
    field = getattr(error, "field", None)
    if field in ("street", "postal_code", "city", "name"):
        field = f"new_{field}"
    if field not in form.fields:
        field = None
    for message in error.messages:
        form.add_error(field, message)


@access.portal_page()
def quotes(request: HttpRequest, slug: str) -> HttpResponse:
    """Tabs: the tenant's quotes, the user's quote requests, requests with unread answers;
    each with filters, search, sorting, pages and a CSV of the filtered rows."""
    user = access.portal_user_of(request)
    tab = request.GET.get("tab", "angebote")
    if tab not in TABS:
        tab = "angebote"
    form: QuoteFilter | QuoteRequestFilter
    rows: QuerySet[Any]
    if tab == "angebote":
        form = QuoteFilter(request.GET, tab)
        rows = form.apply(access.quotes_of(user).select_related("location"))
        if request.GET.get("format") == "csv":
            return _quote_csv(user, rows)
    else:
        form = QuoteRequestFilter(request.GET, tab)
        base = (
            services.unread_requests(user) if tab == "ungelesen" else access.quote_requests_of(user)
        )
        rows = form.apply(
            services.with_unread(user, base.select_related("location", "requested_by__account"))
        )
        if request.GET.get("format") == "csv":
            return _request_csv(rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/customer/quotes.html",
        _context(
            request,
            user,
            tab=tab,
            form=form,
            page=page,
            unread_count=services.unread_count(user),
        ),
    )


def _quote_csv(user: PortalUser, rows: QuerySet[Quote]) -> HttpResponse:
    headers = [_("Angebotsnummer"), _("Angebotsdatum"), _("Gültig bis"), _("Bezeichnung")]
    headers += [_("Standort"), _("Status")]
    if user.sees_prices:
        headers += [_("Netto"), _("Brutto")]
    lines = (
        [
            quote.number,
            format_date(quote.date, short=True),
            format_date(quote.valid_until, short=True),
            quote.title,
            str(quote.location or ""),
            quote.get_status_display(),
            *(
                [money(quote.net_total, quote.currency), money(quote.gross_total, quote.currency)]
                if user.sees_prices
                else []
            ),
        ]
        for quote in rows.iterator(2000)
    )
    return csv_response(_("Angebote"), headers, lines)


def _request_csv(rows: QuerySet[QuoteRequest]) -> HttpResponse:
    headers = [
        _("Anfragenummer"),
        _("Angefragt am"),
        _("Betreff"),
        _("Standort"),
        _("Status"),
        _("Beantwortet am"),
        _("Ungelesen"),
    ]
    lines = (
        [
            row.number,
            format_date(row.created_at, short=True),
            row.subject,
            str(row.location or ""),
            row.get_status_display(),
            format_date(row.answered_at, short=True) if row.answered_at else "",
            getattr(row, "unread", 0),
        ]
        for row in rows
    )
    return csv_response(_("Angebotsanfragen"), headers, lines)


@access.portal_page()
def quote_pdf(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    user = access.portal_user_of(request)
    quote = access.one(access.quotes_of(user), pk)
    if not quote.pdf:
        raise Http404
    try:
        handle = quote.pdf.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{_('Angebot')}-{quote.number}.pdf",
        content_type="application/pdf",
    )


@access.portal_page()
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Angebot anfordern": subject, description, location (or a new one), attachments."""
    user = access.portal_user_of(request)
    if not user.may_order:
        return render(
            request, "portal/customer/quote_request_read_only.html", _context(request, user)
        )
    locations = access.locations_of(user).order_by("name", "street")
    form = QuoteRequestForm(request.POST or None, request.FILES or None, locations=locations)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_quote(
                user,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                location=form.chosen_location(),
                new_location_values=form.new_location_values(),
                attachments=form.attachment_list(),
            )
        except ServiceError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Ihre Angebotsanfrage %(number)s wurde gesendet. Wir melden uns bei Ihnen.")
                % {"number": created.number},
            )
            return redirect("portal:quote_request", slug, created.pk)
    return render(
        request,
        "portal/customer/quote_request_new.html",
        _context(request, user, form=form),
        status=400 if form.is_bound and form.errors else 200,
    )


def _conversation_messages(request_row: QuoteRequest) -> list[ConversationMessage]:
    if request_row.conversation_id is None:
        return []
    return list(
        ConversationMessage.objects.filter(conversation_id=request_row.conversation_id)
        .prefetch_related(
            Prefetch("attachments", queryset=ConversationAttachment.objects.order_by("id"))
        )
        .order_by("created_at", "id")
    )


@access.portal_page()
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The whole conversation with attachments, and the reply form."""
    user = access.portal_user_of(request)
    row: QuoteRequest = access.one(
        access.quote_requests_of(user).select_related("location", "conversation"), pk
    )
    form = QuoteReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not user.may_order:
            raise Http404
        if form.is_valid():
            try:
                services.post_customer_reply(
                    user, row, form.cleaned_data.get("body") or "", form.attachment_list()
                )
            except ServiceError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Ihre Antwort wurde gesendet."))
                return redirect("portal:quote_request", slug, row.pk)
    thread = _conversation_messages(row)
    if request.method == "GET":
        services.mark_read(user, row)
    return render(
        request,
        "portal/customer/quote_request.html",
        _context(request, user, row=row, thread=thread, form=form),
        status=400 if form.is_bound and form.errors else 200,
    )


@access.portal_page()
def attachment(request: HttpRequest, slug: str, pk: int, attachment_pk: int) -> FileResponse:
    """A file of a message of this request only; anything else is a 404."""
    user = access.portal_user_of(request)
    row: QuoteRequest = access.one(access.quote_requests_of(user), pk)
    if row.conversation_id is None:
        raise Http404
    found = ConversationAttachment.objects.filter(
        pk=attachment_pk, message__conversation_id=row.conversation_id
    ).first()
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=found.filename, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
