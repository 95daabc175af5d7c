"""Staff enter and revise estimates in the browser (the other way in beside the API).

The customer is picked first (from its page or a search here); the head and the positions
go to `save_estimate` like the back office's data, so the same rules, rounding, versions
and history apply. Refusals come back on the field they name, positions included.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.customers.models import Article, Customer
from theke.customers.services import search_articles, search_customers
from theke.estimates import services
from theke.estimates.forms import EstimateForm, PositionForm, PositionFormSet
from theke.estimates.models import STAFF_ID_PREFIX, Estimate, EstimateStatus

# Rows of an empty estimate ("Position hinzufügen" adds one more each time).
NEW_ROWS = 1
PICKER_LIMIT = 20
ARTICLE_LIMIT = 8

# What a new row starts with.
NEW_ROW = {"quantity": "1", "vat_rate": "19"}

# Statuses where saving makes a new version the customer's link then shows.
SENT_STATUSES = frozenset({EstimateStatus.SENT, EstimateStatus.VIEWED, EstimateStatus.EXPIRED})


def new_external_id() -> str:
    """An id for an estimate that did not come from the back office (the API never uses it)."""
    return f"{STAFF_ID_PREFIX}{secrets.token_hex(5).upper()}"


def _number(value: Decimal) -> str:
    """A stored number the way the user types it: no trailing zeros, German comma in German."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:  # 1E+2 -> 100
        normal = normal.quantize(Decimal(1))
    return str(formats.localize(normal))


def _position_initial(estimate: Estimate) -> list[dict[str, Any]]:
    return [
        {
            "article_number": position.article.number if position.article else "",
            "text": position.text,
            "quantity": _number(position.quantity),
            "unit": position.unit,
            "unit_price": _number(position.unit_price),
            "discount_percent": _number(position.discount_percent)
            if position.discount_percent
            else "",
            "vat_rate": _number(position.vat_rate),
            "is_optional": position.is_optional,
        }
        for position in estimate.positions.select_related("article")
    ]


def _head_initial(estimate: Estimate) -> dict[str, Any]:
    return {
        "contact": estimate.contact_id,
        "vehicle": estimate.vehicle_id,
        "order": estimate.order_id,
        "object_description": estimate.object_description,
        "defect_description": estimate.defect_description,
        "technician": estimate.technician_user_id,
        "valid_until": estimate.valid_until,
        "terms": estimate.terms,
        "notes": estimate.notes,
    }


def _with_new_row(data: Any, prefix: str) -> Any:
    """The submitted data with one more position row, prefilled like a new estimate's."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    total = max(0, min(total, 199))
    data[key] = str(total + 1)
    for name, value in NEW_ROW.items():
        data[f"{prefix}-{total}-{name}"] = value
    return data


def _new_row_form(formset: Any) -> PositionForm:
    """The row "Position hinzufügen" adds with script (`__prefix__` becomes its index)."""
    form: PositionForm = formset.form(
        auto_id=formset.auto_id,
        prefix=formset.add_prefix("__prefix__"),
        initial=NEW_ROW,
        empty_permitted=True,
        use_required_attribute=False,
    )
    formset.add_fields(form, None)
    return form


def _find_article(number: str) -> Article | None:
    return Article.objects.filter(number__iexact=number.strip(), is_active=True).first()


def _filled_rows(formset: Any) -> list[tuple[PositionForm, dict[str, Any]]]:
    """The filled, not deleted rows with their cleaned data."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or form.is_blank():
            continue
        rows.append((form, data))
    return rows


def _service_position(data: dict[str, Any], article: Article | None) -> dict[str, Any]:
    return {
        "article": article,
        "text": data["text"] or None,
        "quantity": data["quantity"] or None,
        "unit": data["unit"] or None,
        "unit_price": data["unit_price"] or None,
        "discount_percent": data["discount_percent"] or None,
        "vat_rate": data["vat_rate"] or None,
        "is_optional": data["is_optional"],
    }


def _position_values(formset: Any) -> tuple[list[dict[str, Any]], list[PositionForm]] | None:
    """The filled, not deleted rows as `save_estimate` takes them, with their forms; None
    (errors on the forms) when an article number is unknown."""
    values: list[dict[str, Any]] = []
    forms: list[PositionForm] = []
    ok = True
    for form, data in _filled_rows(formset):
        article = None
        if data["article_number"]:
            article = _find_article(data["article_number"])
            if article is None:
                form.add_error("article_number", _("Diesen Artikel gibt es nicht."))
                ok = False
        values.append(_service_position(data, article))
        forms.append(form)
    return (values, forms) if ok else None


def _running_totals(formset: Any) -> services.Totals:
    """The totals of the rows as typed so far (unknown articles and unfinished rows count
    nothing): what saving would store, computed by the same service."""
    if not formset.is_valid():
        return services.compute_totals([])
    positions = []
    for _form, data in _filled_rows(formset):
        number = data["article_number"]
        article = _find_article(number) if number else None
        if number and article is None:
            continue
        positions.append(_service_position(data, article))
    return services.draft_totals(positions)


def _show_refusal(
    error: ServiceError, head: EstimateForm, position_forms: list[PositionForm]
) -> None:
    """Put a refusal on its field: `positions.3.quantity` on the fourth filled row."""
    field = error.field or ""
    if field.startswith("positions."):
        _prefix, index, name = [*field.split("."), "", ""][:3]
        name = "article_number" if name == "article" else name
        if index.isdigit() and int(index) < len(position_forms):
            form = position_forms[int(index)]
            form.add_error(name if name in form.fields else None, error)
            return
    head.add_refusal(error)


def _editor(request: HttpRequest, customer: Customer, estimate: Estimate | None) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    if request.method == "POST":
        data = request.POST
        if "add_position" in data:
            data = _with_new_row(data, "positions")
        head = EstimateForm(data, tenant=tenant, customer=customer)
        formset = PositionFormSet(data, prefix="positions")
        if "add_position" not in data and head.is_valid() and formset.is_valid():
            found = _position_values(formset)
            if found is not None:
                positions, position_forms = found
                if not positions:
                    head.add_error(None, _("Bitte geben Sie mindestens eine Position an."))
                else:
                    external_id = estimate.external_id if estimate else new_external_id()
                    values = {"customer": customer, **head.service_values()}
                    try:
                        saved, _created = services.save_estimate(
                            tenant, Actor.staff(request.user), external_id, values, positions
                        )
                    except ServiceError as error:
                        _show_refusal(error, head, position_forms)
                    else:
                        if estimate is not None and saved.version != estimate.version:
                            messages.success(
                                request,
                                _(
                                    "Gespeichert als Version %(version)s. Der Link des Kunden "
                                    "zeigt jetzt diese Version."
                                )
                                % {"version": saved.version},
                            )
                        else:
                            messages.success(request, _("Der Kostenvoranschlag wurde gespeichert."))
                        return redirect("estimates:detail", pk=saved.pk)
    elif estimate is not None:
        head = EstimateForm(initial=_head_initial(estimate), tenant=tenant, customer=customer)
        formset = PositionFormSet(initial=_position_initial(estimate), prefix="positions")
    else:
        valid_until = timezone.localdate() + timedelta(days=services.link_days(tenant))
        initial = {"valid_until": valid_until, "technician": request.user.pk}
        head = EstimateForm(initial=initial, tenant=tenant, customer=customer)
        head.preselect_only_choices()
        formset = PositionFormSet(initial=[NEW_ROW] * NEW_ROWS, prefix="positions")
    if formset.is_bound:
        totals = _running_totals(formset)
    else:
        totals = services.compute_totals(estimate.positions.all() if estimate else [])
    context = {
        "customer": customer,
        "estimate": estimate,
        "form": head,
        "formset": formset,
        "totals": totals,
        "new_row": _new_row_form(formset),
        "makes_new_version": estimate is not None and estimate.status in SENT_STATUSES,
    }
    status = 400 if request.method == "POST" and "add_position" not in request.POST else 200
    return render(request, "estimates/staff/estimate_form.html", context, status=status)


@staff_required("estimates.manage")
@require_http_methods(["GET", "POST"])
def estimate_new(request: HttpRequest) -> HttpResponse:
    """Pick the customer (search), then enter the estimate for them."""
    customer_pk = request.GET.get("customer", "")
    if not customer_pk.isdigit():
        query = request.GET.get("q", "").strip()[:200]
        found = list(search_customers(query)[:PICKER_LIMIT]) if query else []
        context = {"query": query, "customers": found, "limit": PICKER_LIMIT}
        return render(request, "estimates/staff/customer_picker.html", context)
    customer = get_object_or_404(Customer, pk=int(customer_pk))
    return _editor(request, customer, None)


@staff_required("estimates.manage")
@require_http_methods(["GET", "POST"])
def estimate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Revise the live version; a sent one becomes a new version (the old one stays)."""
    estimate = get_object_or_404(Estimate.objects.select_related("customer"), pk=pk)
    if estimate.customer is None:
        raise Http404
    if estimate.is_final:
        messages.error(
            request,
            _(
                "Dieser Kostenvoranschlag ist beantwortet, zurückgezogen oder ersetzt und kann "
                "nicht mehr geändert werden."
            ),
        )
        return redirect("estimates:detail", pk=estimate.pk)
    return _editor(request, estimate.customer, estimate)


@staff_required("estimates.manage")
@require_POST
def running_totals(request: HttpRequest) -> HttpResponse:
    """The totals fragment of the editor's rows as typed (htmx; changes nothing)."""
    formset = PositionFormSet(request.POST, prefix="positions")
    context = {"totals": _running_totals(formset)}
    return render(request, "estimates/staff/_totals.html", context)


@staff_required("estimates.manage")
@require_GET
def article_search(request: HttpRequest) -> HttpResponse:
    """Articles matching the typed number or text, each with the values it fills a row with."""
    tenant = request.tenant  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()[:100]
    found = list(search_articles(tenant, query)[:ARTICLE_LIMIT]) if query else []
    articles = [
        {
            "article": article,
            "price": _number(article.price),
            "vat_rate": _number(article.vat_rate),
        }
        for article in found
    ]
    context = {"query": query, "articles": articles}
    return render(request, "estimates/staff/_article_results.html", context)
