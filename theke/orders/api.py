"""API of the orders domain: orders, invoices and quotes, upserted by the back office's id.

The shared conventions (PUT/GET, bulk, errors) are in theke.api.resources. Here:

* References are by external id: `customer_external_id` (required), `vehicle_external_id`,
  `location_external_id`, `asset_external_id`, `order_external_id`, `branch_external_id`;
  an unknown one is a 422 naming the field. `null` (or "") clears an optional reference.
  A vehicle, location or asset must belong to the order's (quote's) customer when it is set.
* `DELETE /orders/{id}` cancels the order (status "cancelled", result "cancelled"): orders
  are never deleted. Invoices are business records: there is no DELETE (405); send
  `"status": "cancelled"` instead, and an invoice never moves to another customer.
  `DELETE /quotes/{id}` withdraws (deletes) the quote.
* PDFs: `PUT /invoices/{id}/pdf` and `PUT /quotes/{id}/pdf` as multipart/form-data with the
  field `file`. The type is checked by the content: anything but a PDF is a 422 with path
  "file" and code "file_type" (415 is kept for a request that is not multipart at all);
  above THEKE_API_MAX_UPLOAD_BYTES it is a 413. `GET …/pdf` returns the file.
* Orders pushed by the back office do not appear in the events feed (it carries what the
  customers and staff did, for the back office to fetch).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import quote as urlquote

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from theke.api.errors import FieldError, Problem, problem, problem_response
from theke.api.resources import (
    API_FIELD,
    DeleteOut,
    ExternalId,
    StrictIn,
    add_bulk_endpoint,
    add_upsert_and_read,
    api_scope,
    find,
    not_found,
    service_problem,
    unknown_reference,
    values_of,
)
from theke.api.types import Date, Money, OffsetDateTime
from theke.api.uploads import UPLOAD_BODY, read_upload, too_large
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.customers.models import Asset, ContainerType, Customer, Location, Vehicle, WasteType
from theke.orders import services
from theke.orders.container_orders import reference
from theke.orders.models import Invoice, Order, OrderOrigin, Quote
from theke.tenants.models import Branch, Tenant

router = Router(tags=["orders"])

API_FIELD.setdefault("asset", "asset_external_id")
API_FIELD.setdefault("branch", "branch_external_id")

OptionalId = Field(None, max_length=100)
MONEY = Field(description='A decimal string with at most two places, "119.00".')


# --- schemas --------------------------------------------------------------------------------


class OrderIn(StrictIn):
    kind: Literal["repair", "service", "placement", "exchange", "emptying", "withdrawal"] = Field(
        "repair",
        description="repair: a workshop repair order; service: a B2B service order; placement, "
        "exchange, emptying, withdrawal: a container order (Gestellung, Tausch, Leerung, Abzug).",
    )
    number: str = Field(min_length=1, max_length=40)
    customer_external_id: str = ExternalId
    vehicle_external_id: str | None = OptionalId
    location_external_id: str | None = Field(
        None, max_length=100, description="The customer's site, for service orders."
    )
    asset_external_id: str | None = OptionalId
    branch_external_id: str | None = OptionalId
    title: str = Field("", max_length=200)
    description: str = ""
    status: Literal["open", "planned", "in_progress", "completed", "invoiced", "cancelled"] = "open"
    planned_date: Date | None = None
    container_type_external_id: str | None = Field(
        None, max_length=100, description="Container orders: the container type."
    )
    waste_type_external_id: str | None = Field(
        None, max_length=100, description="Container orders: the waste type."
    )
    wish_date: Date | None = Field(None, description="Container orders: the customer's wish.")


class OrderBulkItem(OrderIn):
    external_id: str = ExternalId


class InvoiceIn(StrictIn):
    number: str = Field(min_length=1, max_length=40)
    customer_external_id: str = ExternalId
    order_external_id: str | None = OptionalId
    issue_date: Date
    due_date: Date | None = Field(None, description="Not before issue_date.")
    net_total: Annotated[Decimal, Money] = MONEY
    gross_total: Annotated[Decimal, Money] = Field(description="Not below net_total.")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    status: Literal["open", "paid", "cancelled"] = "open"
    paid_at: OffsetDateTime | None = Field(
        None, description="Only with status paid; left out, the time of the change."
    )


class InvoiceBulkItem(InvoiceIn):
    external_id: str = ExternalId


class QuoteIn(StrictIn):
    number: str = Field(min_length=1, max_length=40)
    customer_external_id: str = ExternalId
    location_external_id: str | None = OptionalId
    order_external_id: str | None = OptionalId
    date: Date
    valid_until: Date | None = Field(None, description="Not before date.")
    title: str = Field("", max_length=200)
    net_total: Annotated[Decimal, Money] = MONEY
    gross_total: Annotated[Decimal, Money] = Field(description="Not below net_total.")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    status: Literal["open", "accepted", "declined", "expired"] = "open"


class QuoteBulkItem(QuoteIn):
    external_id: str = ExternalId


class OrderOut(Schema):
    external_id: str
    kind: str
    number: str
    customer_external_id: str
    vehicle_external_id: str | None
    location_external_id: str | None
    asset_external_id: str | None
    branch_external_id: str | None
    title: str
    description: str
    status: str
    planned_date: datetime.date | None
    origin: str
    portal_order_id: int | None
    container_type_external_id: str | None
    waste_type_external_id: str | None
    wish_date: datetime.date | None
    completed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PortalOrderIn(StrictIn):
    external_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Your id of the order; required the first time, never changed afterwards.",
    )
    number: str | None = Field(None, min_length=1, max_length=40)
    status: (
        Literal["open", "planned", "in_progress", "completed", "invoiced", "cancelled"] | None
    ) = None
    planned_date: Date | None = Field(
        None, description="The execution date; the customer gets an e-mail for each new date."
    )


class InvoiceOut(Schema):
    external_id: str
    number: str
    customer_external_id: str
    order_external_id: str | None
    issue_date: datetime.date
    due_date: datetime.date | None
    net_total: str
    gross_total: str
    currency: str
    status: str
    paid_at: datetime.datetime | None
    has_pdf: bool
    pdf_url: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class QuoteOut(Schema):
    external_id: str
    number: str
    customer_external_id: str
    location_external_id: str | None
    order_external_id: str | None
    date: datetime.date
    valid_until: datetime.date | None
    title: str
    net_total: str
    gross_total: str
    currency: str
    status: str
    has_pdf: bool
    pdf_url: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


# --- references -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A reference by external id: the API field, the service field, where to look."""

    api_field: str
    field: str
    what: str
    queryset: Callable[[], QuerySet[Any]]


CUSTOMER = Ref(
    "customer_external_id",
    "customer",
    "customer",
    lambda: Customer.objects.defer("search_text", "notes"),
)
VEHICLE = Ref("vehicle_external_id", "vehicle", "vehicle", lambda: Vehicle.objects.all())
LOCATION = Ref("location_external_id", "location", "location", lambda: Location.objects.all())
ASSET = Ref("asset_external_id", "asset", "asset", lambda: Asset.objects.all())
BRANCH = Ref("branch_external_id", "branch", "branch", lambda: Branch.objects.all())
ORDER = Ref("order_external_id", "order", "order", lambda: Order.objects.all())
CONTAINER_TYPE = Ref(
    "container_type_external_id",
    "container_type",
    "container type",
    lambda: ContainerType.objects.all(),
)
WASTE_TYPE = Ref(
    "waste_type_external_id", "waste_type", "waste type", lambda: WasteType.objects.all()
)

ORDER_REFS = (CUSTOMER, VEHICLE, LOCATION, ASSET, BRANCH, CONTAINER_TYPE, WASTE_TYPE)
INVOICE_REFS = (CUSTOMER, ORDER)
QUOTE_REFS = (CUSTOMER, LOCATION, ORDER)


def _resolve(
    refs: Iterable[Ref], items: list[tuple[int, StrictIn]]
) -> dict[int, dict[str, Any] | Problem]:
    """Each item's values with its references replaced by the rows (one query per kind of
    reference for all items), or the Problem naming an unknown reference."""
    refs = tuple(refs)
    found: dict[str, dict[str, Any]] = {}
    for ref in refs:
        wanted = {getattr(item, ref.api_field) for _index, item in items} - {None, ""}
        rows: dict[str, Any] = {}
        if wanted:
            # Ids of vehicles, locations … need not be unique: the oldest wins, as with find().
            for row in ref.queryset().filter(external_id__in=wanted).order_by("-pk"):
                rows[row.external_id] = row
        found[ref.api_field] = rows
    api_fields = [ref.api_field for ref in refs]
    resolved: dict[int, dict[str, Any] | Problem] = {}
    for index, item in items:
        values = values_of(item, "external_id", *api_fields)
        sent = item.model_fields_set
        for ref in refs:
            if ref.api_field not in sent:
                continue
            key = getattr(item, ref.api_field)
            row = found[ref.api_field].get(key) if key else None
            if key and row is None:
                resolved[index] = unknown_reference(ref.what, ref.api_field, key)
                break
            values[ref.field] = row
        else:
            resolved[index] = values
    return resolved


Upserter = Callable[[Tenant, Actor, list[tuple[str, Mapping[str, Any]]]], list[Any]]


def _upsert_items(
    tenant: Tenant,
    actor: Actor,
    items: list[tuple[int, Any]],
    external_ids: Mapping[int, str],
    refs: tuple[Ref, ...],
    upsert: Upserter,
) -> dict[int, tuple[str, Model] | Problem]:
    resolved = _resolve(refs, items)
    outcomes: dict[int, tuple[str, Model] | Problem] = {}
    todo: list[tuple[int, dict[str, Any]]] = []
    for index, values in resolved.items():
        if isinstance(values, Problem):
            outcomes[index] = values
        else:
            todo.append((index, values))
    results = upsert(tenant, actor, [(external_ids[index], values) for index, values in todo])
    for (index, _values), result in zip(todo, results, strict=True):
        outcomes[index] = service_problem(result) if isinstance(result, ServiceError) else result
    return outcomes


def _bulk(refs: tuple[Ref, ...], upsert: Upserter) -> Any:
    """A set-based `batch_upsert` for add_bulk_endpoint."""

    def batch(tenant: Tenant, actor: Actor, valid: list[tuple[int, Any]]) -> dict[int, Any]:
        external_ids = {index: item.external_id for index, item in valid}
        outcomes = _upsert_items(tenant, actor, valid, external_ids, refs, upsert)
        return {
            index: outcome if isinstance(outcome, Problem) else outcome[0]
            for index, outcome in outcomes.items()
        }

    return batch


def _single(refs: tuple[Ref, ...], upsert: Upserter) -> Any:
    """One item through the same path: (tenant, actor, external_id, data) -> (row, created)."""

    def one(tenant: Tenant, actor: Actor, external_id: str, data: Any) -> tuple[Any, bool]:
        outcome = _upsert_items(tenant, actor, [(0, data)], {0: external_id}, refs, upsert)[0]
        if isinstance(outcome, Problem):
            raise outcome
        status, row = outcome
        return row, status == "created"

    return one


_upsert_order = _single(ORDER_REFS, services.upsert_orders)
_upsert_invoice = _single(INVOICE_REFS, services.upsert_invoices)
_upsert_quote = _single(QUOTE_REFS, services.upsert_quotes)


# --- output ---------------------------------------------------------------------------------


def _external_id(row: Model | None) -> str | None:
    return getattr(row, "external_id", None) if row is not None else None


def _pdf_url(resource: str, row: Invoice | Quote) -> str | None:
    if not row.pdf:
        return None
    return f"{settings.BASE_URL}/api/v1/{resource}/{urlquote(row.external_id, safe='')}/pdf"


def _order_out(order: Order) -> dict[str, Any]:
    fields = ("external_id", "kind", "number", "title", "description", "status")
    data: dict[str, Any] = {name: getattr(order, name) for name in fields}
    data["customer_external_id"] = order.customer.external_id
    for name in ("vehicle", "location", "asset", "branch", "container_type", "waste_type"):
        related = getattr(order, name) if getattr(order, f"{name}_id") else None
        data[f"{name}_external_id"] = _external_id(related)
    data.update(
        planned_date=order.planned_date,
        created_at=order.created_at,
        updated_at=order.updated_at,
        origin=order.origin,
        portal_order_id=order.pk if order.origin == OrderOrigin.PORTAL else None,
        wish_date=order.wish_date,
        completed_at=order.completed_at,
    )
    return data


def _money_out(row: Invoice | Quote) -> dict[str, Any]:
    return {
        "net_total": str(row.net_total),
        "gross_total": str(row.gross_total),
        "currency": row.currency,
        "status": row.status,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "has_pdf": bool(row.pdf),
    }


def _invoice_out(invoice: Invoice) -> dict[str, Any]:
    data = _money_out(invoice)
    data.update(
        external_id=invoice.external_id,
        number=invoice.number,
        customer_external_id=invoice.customer.external_id,
        order_external_id=_external_id(invoice.order if invoice.order_id else None),
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        paid_at=invoice.paid_at,
        pdf_url=_pdf_url("invoices", invoice),
    )
    return data


def _quote_out(quote: Quote) -> dict[str, Any]:
    data = _money_out(quote)
    data.update(
        external_id=quote.external_id,
        number=quote.number,
        customer_external_id=quote.customer.external_id,
        location_external_id=_external_id(quote.location if quote.location_id else None),
        order_external_id=_external_id(quote.order if quote.order_id else None),
        date=quote.date,
        valid_until=quote.valid_until,
        title=quote.title,
        pdf_url=_pdf_url("quotes", quote),
    )
    return data


# --- files ----------------------------------------------------------------------------------

PDF_RESPONSE: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _store_pdf[D: (Invoice, Quote)](request: Any, row: D, actor: Actor) -> D:
    data = read_upload(request)
    try:
        return services.attach_pdf(row, actor, data)
    except ServiceError as exc:
        if exc.code == "too_large":
            raise too_large(settings.API_MAX_UPLOAD_BYTES) from exc
        raise service_problem(exc) from exc


def _pdf_response(row: Invoice | Quote, prefix: str) -> FileResponse:
    if not row.pdf:
        raise Problem(404, "Not Found", f"The {prefix} {row.external_id!r} has no PDF.")
    try:
        handle = row.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Problem(404, "Not Found", f"The PDF of {row.external_id!r} is missing.") from exc
    name = re.sub(r"[^\w.-]+", "_", row.number) or "document"
    response = FileResponse(
        handle, as_attachment=True, filename=f"{prefix}-{name}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- bulk endpoints (registered before "/<resource>/{external_id}", which would match "bulk")

add_bulk_endpoint(
    router, "orders", OrderBulkItem, _upsert_order, _bulk(ORDER_REFS, services.upsert_orders)
)
add_bulk_endpoint(
    router,
    "invoices",
    InvoiceBulkItem,
    _upsert_invoice,
    _bulk(INVOICE_REFS, services.upsert_invoices),
)
add_bulk_endpoint(
    router, "quotes", QuoteBulkItem, _upsert_quote, _bulk(QUOTE_REFS, services.upsert_quotes)
)


# --- orders ---------------------------------------------------------------------------------


def _find_order(external_id: str) -> Order:
    rows = Order.objects.select_related(
        "customer", "vehicle", "location", "asset", "branch", "container_type", "waste_type"
    )
    order = find(rows, external_id)
    if order is None:
        raise not_found("order", external_id)
    return order


add_upsert_and_read(
    router,
    "orders",
    singular="order",
    in_schema=OrderIn,
    out_schema=OrderOut,
    upsert=_upsert_order,
    read=_find_order,
    out=_order_out,
    put_summary="Create or update an order (repair, service or container order)",
    get_summary="Read an order",
)


@router.delete(
    "/orders/{external_id}",
    response=DeleteOut,
    operation_id="cancel_order",
    summary="Cancel an order (orders are never deleted; the result is 'cancelled')",
)
def cancel_order(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        services.cancel_order(_find_order(external_id), actor)
        return {"external_id": external_id, "result": "cancelled"}


# --- invoices -------------------------------------------------------------------------------


def _find_invoice(external_id: str) -> Invoice:
    invoice = find(Invoice.objects.select_related("customer", "order"), external_id)
    if invoice is None:
        raise not_found("invoice", external_id)
    return invoice


add_upsert_and_read(
    router,
    "invoices",
    singular="invoice",
    in_schema=InvoiceIn,
    out_schema=InvoiceOut,
    upsert=_upsert_invoice,
    read=_find_invoice,
    out=_invoice_out,
    put_summary="Create or update an invoice",
    get_summary="Read an invoice",
)


@router.delete("/invoices/{external_id}", include_in_schema=False)
def delete_invoice(request: Any, external_id: str) -> HttpResponse:
    response = problem_response(
        problem(
            405,
            "Invoices are business records and cannot be deleted; "
            'send "status": "cancelled" instead.',
        )
    )
    response["Allow"] = "GET, PUT"
    return response


@router.put(
    "/invoices/{external_id}/pdf",
    response=InvoiceOut,
    operation_id="upload_invoice_pdf",
    summary="Upload the invoice's PDF (multipart/form-data, field 'file')",
    openapi_extra=UPLOAD_BODY,
)
def upload_invoice_pdf(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        invoice = _store_pdf(request, _find_invoice(external_id), actor)
        return _invoice_out(invoice)


@router.get(
    "/invoices/{external_id}/pdf",
    operation_id="get_invoice_pdf",
    summary="Download the invoice's PDF",
    openapi_extra=PDF_RESPONSE,
)
def get_invoice_pdf(request: Any, external_id: str) -> FileResponse:
    with api_scope(request):
        return _pdf_response(_find_invoice(external_id), "invoice")


# --- quotes ---------------------------------------------------------------------------------


def _find_quote(external_id: str) -> Quote:
    quote = find(Quote.objects.select_related("customer", "location", "order"), external_id)
    if quote is None:
        raise not_found("quote", external_id)
    return quote


add_upsert_and_read(
    router,
    "quotes",
    singular="quote",
    in_schema=QuoteIn,
    out_schema=QuoteOut,
    upsert=_upsert_quote,
    read=_find_quote,
    out=_quote_out,
    put_summary="Create or update a quote",
    get_summary="Read a quote",
)


@router.delete(
    "/quotes/{external_id}",
    response=DeleteOut,
    operation_id="delete_quote",
    summary="Withdraw (delete) a quote",
)
def delete_quote(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        services.delete_quote(_find_quote(external_id), actor)
        return {"external_id": external_id, "result": "deleted"}


@router.put(
    "/quotes/{external_id}/pdf",
    response=QuoteOut,
    operation_id="upload_quote_pdf",
    summary="Upload the quote's PDF (multipart/form-data, field 'file')",
    openapi_extra=UPLOAD_BODY,
)
def upload_quote_pdf(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        quote = _store_pdf(request, _find_quote(external_id), actor)
        return _quote_out(quote)


@router.get(
    "/quotes/{external_id}/pdf",
    operation_id="get_quote_pdf",
    summary="Download the quote's PDF",
    openapi_extra=PDF_RESPONSE,
)
def get_quote_pdf(request: Any, external_id: str) -> FileResponse:
    with api_scope(request):
        return _pdf_response(_find_quote(external_id), "quote")


# --- portal orders: the round trip with the back office -------------------------------------
# Orders customers place in the portal have no external id until the back office assigns
# one here; after that they are ordinary orders (PUT /orders/{external_id} works too, and
# every change of the planned date or status takes the same path: the customer's e-mail
# with the execution date, the container's placement date on completion).


class PortalOrderOut(Schema):
    portal_order_id: int
    external_id: str | None
    number: str
    kind: str
    status: str
    customer: dict[str, Any]
    location: dict[str, Any] | None
    container_type: dict[str, Any] | None
    waste_type: dict[str, Any] | None
    asset_id: int | None
    asset_external_id: str | None
    follows_portal_order_id: int | None
    wish_date: datetime.date | None
    planned_date: datetime.date | None
    note: str
    public_ground: bool
    permit_by_service: bool
    permit_url: str | None
    ordered_by: dict[str, Any] | None
    released_at: datetime.datetime | None
    created_at: datetime.datetime


def _portal_orders() -> QuerySet[Order]:
    return Order.objects.filter(origin=OrderOrigin.PORTAL).select_related(
        "customer", "location", "container_type", "waste_type", "ordered_by", "asset"
    )


def _find_portal_order(portal_order_id: int) -> Order:
    order = _portal_orders().filter(pk=portal_order_id).first()
    if order is None:
        raise Problem(404, "Not Found", f"No portal order with id {portal_order_id}.")
    return order


@router.get(
    "/portal-orders",
    response=list[PortalOrderOut],
    operation_id="list_portal_orders",
    summary="Portal orders for dispatch (default: released and not yet assigned an id)",
)
def list_portal_orders(
    request: Any,
    assigned: bool | None = False,
    released: bool | None = True,
    limit: int = 100,
    after_id: int = 0,
) -> Any:
    """Orders customers placed in the portal, oldest first, with every reference your
    dispatch job needs. `assigned=false` (default): without your external id yet;
    `released=true` (default): handed to dispatch (a new delivery location is confirmed by
    staff first). Page with `after_id` (the last portal_order_id you got)."""
    with api_scope(request):
        rows = _portal_orders().filter(pk__gt=after_id)
        if assigned is not None:
            rows = rows.filter(external_id__isnull=not assigned)
        if released is not None:
            rows = rows.filter(released_at__isnull=not released)
        return [reference(order) for order in rows.order_by("id")[: max(1, min(limit, 500))]]


@router.get(
    "/portal-orders/{portal_order_id}",
    response=PortalOrderOut,
    operation_id="get_portal_order",
    summary="Read a portal order",
)
def get_portal_order(request: Any, portal_order_id: int) -> Any:
    with api_scope(request):
        return reference(_find_portal_order(portal_order_id))


@router.patch(
    "/portal-orders/{portal_order_id}",
    response=PortalOrderOut,
    operation_id="update_portal_order",
    summary="Take over a portal order: assign your id, report planned date and status",
)
def update_portal_order(request: Any, portal_order_id: int, data: PortalOrderIn) -> Any:
    """The first call assigns your `external_id` (required then); later calls (or PUT
    /orders/{external_id}) report `planned_date` and `status`."""
    with api_scope(request) as (tenant, actor), transaction.atomic():
        order = _find_portal_order(portal_order_id)
        external_id = data.external_id or order.external_id
        if not external_id:
            raise Problem(
                422,
                "Unprocessable Content",
                "Assign your external_id first.",
                errors=[FieldError("external_id", "Assign your external_id first.", "required")],
            )
        try:
            services.assign_external_id(tenant, actor, order.pk, external_id)
        except ServiceError as exc:
            raise service_problem(exc) from exc
        values = values_of(data, "external_id")
        if values:
            (outcome,) = services.upsert_orders(tenant, actor, [(external_id, values)])
            if isinstance(outcome, ServiceError):
                raise service_problem(outcome)
        return reference(_find_portal_order(portal_order_id))


@router.get(
    "/portal-orders/{portal_order_id}/permit",
    operation_id="get_portal_order_permit",
    summary="Download the permit (Stellgenehmigung) the customer uploaded",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file (PDF, JPEG or PNG)",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def get_portal_order_permit(request: Any, portal_order_id: int) -> FileResponse:
    with api_scope(request):
        order = _find_portal_order(portal_order_id)
        if not order.permit:
            raise Problem(404, "Not Found", "This order has no permit.")
        try:
            handle = order.permit.open("rb")
        except FileNotFoundError as exc:
            raise Problem(404, "Not Found", "The permit file is missing.") from exc
        suffix = (order.permit.name or "").rsplit(".", 1)[-1]
        response = FileResponse(
            handle, as_attachment=True, filename=f"genehmigung-{order.number}.{suffix}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
