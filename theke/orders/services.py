"""State changes of orders, invoices and quotes.

The back office is the source of truth: whatever status it sends is taken. The services
refuse only what would make a record inconsistent in itself (no number, a due date before
the issue date, negative totals, gross below net, a vehicle of another customer …; see
theke.orders.validation), with an OrderError naming the field. Every change writes one audit
event on the order, invoice or quote itself ("order.created", "order.updated" with the
changed fields, …): these are the order's journal.

`upsert_orders` (and its siblings for invoices and quotes) is the one path for creating and
updating by external id, one item or a thousand: it reads the stored rows with one query,
checks every item on its own, and writes the new rows with one INSERT, the changed ones with
one INSERT … ON CONFLICT DO UPDATE and the audit events with one prepared INSERT. A refused
item changes nothing and does not stop the others.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from theke.audit.services import Actor, record, record_many
from theke.core.errors import ServiceError
from theke.core.files import PDF_TYPES, check_upload
from theke.orders.models import (
    Invoice,
    Order,
    OrderOrigin,
    OrderStatus,
    Quote,
)
from theke.orders.validation import (
    OrderError,
    assign,
    check_external_id,
    clean_invoice,
    clean_order,
    clean_quote,
    normalize,
    values_for_audit,
)
from theke.tenants.models import Tenant

__all__ = [
    "INVOICE_FIELDS",
    "ORDER_FIELDS",
    "QUOTE_FIELDS",
    "OrderError",
    "assign_external_id",
    "attach_pdf",
    "cancel_order",
    "create_invoice",
    "create_order",
    "create_quote",
    "delete_quote",
    "register_order_listener",
    "update_invoice",
    "update_order",
    "update_quote",
    "upsert_invoices",
    "upsert_orders",
    "upsert_quotes",
]

ORDER_FIELDS = frozenset(
    {
        "kind",
        "number",
        "customer",
        "vehicle",
        "location",
        "asset",
        "branch",
        "title",
        "description",
        "status",
        "planned_date",
        "container_type",
        "waste_type",
        "wish_date",
    }
)
INVOICE_FIELDS = frozenset(
    {
        "number",
        "customer",
        "order",
        "issue_date",
        "due_date",
        "net_total",
        "gross_total",
        "currency",
        "status",
        "paid_at",
    }
)
QUOTE_FIELDS = frozenset(
    {
        "number",
        "customer",
        "location",
        "order",
        "date",
        "valid_until",
        "title",
        "net_total",
        "gross_total",
        "currency",
        "status",
    }
)
Outcome = tuple[str, models.Model] | ServiceError


@dataclass(frozen=True)
class OrderChange:
    """An order the upsert created or changed, with the names of the changed fields."""

    order: Order
    created: bool
    fields: frozenset[str]


# Called inside the upsert's transaction with the orders it created or changed, so a domain
# above (the portal: execution-date e-mail, completion) reacts on the same path as every
# other change; orders imports no product.
OrderListener = Callable[[Tenant, Actor, list[OrderChange]], None]
ORDER_LISTENERS: list[OrderListener] = []


def register_order_listener(listener: OrderListener) -> None:
    """Let a domain react to orders created or changed through `upsert_orders`."""
    if listener not in ORDER_LISTENERS:
        ORDER_LISTENERS.append(listener)


# --- create and update by external id ------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    model: type[Any]
    prefix: str
    fields: frozenset[str]
    # (row, tenant, sent values, changes so far) -> None; may add derived changes
    clean: Callable[[Any, Tenant, Mapping[str, Any], dict[str, Any]], None]


ORDERS = _Kind(Order, "order", ORDER_FIELDS, clean_order)
INVOICES = _Kind(Invoice, "invoice", INVOICE_FIELDS, clean_invoice)
QUOTES = _Kind(Quote, "quote", QUOTE_FIELDS, clean_quote)


def _upsert_many(
    kind: _Kind, tenant: Tenant, actor: Actor, items: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[Outcome]:
    # A concurrent writer may insert one of our new external ids first (PostgreSQL; SQLite
    # serialises writers): start again from a fresh read, which then sees its row.
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _upsert_many_once(kind, tenant, actor, items)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _upsert_many_once(
    kind: _Kind, tenant: Tenant, actor: Actor, items: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[Outcome]:
    model = kind.model
    stored = {
        row.external_id: row
        for row in model.objects.select_for_update()
        .filter(tenant=tenant, external_id__in={external_id for external_id, _values in items})
        .order_by("external_id")
    }
    current: dict[str, Any] = dict(stored)  # the latest accepted state per external id
    inserts: dict[str, None] = {}  # external ids to insert, in order of appearance
    updated_fields: dict[str, set[str]] = {}  # stored rows to update: their changed fields
    events: list[tuple[str, str, dict[str, Any]]] = []
    outcomes: list[Any] = []
    for external_id, raw in items:
        try:
            check_external_id(external_id)
            values = normalize(raw, kind.fields)
            base = current.get(external_id)
            created = base is None
            # A copy, so that a refused item leaves the accepted state untouched.
            row: Any = model(tenant=tenant, external_id=external_id) if created else copy.copy(base)
            changes = assign(row, values)
            kind.clean(row, tenant, values, changes)
        except ServiceError as exc:
            outcomes.append(exc)
            continue
        current[external_id] = row
        if created:
            inserts[external_id] = None
            events.append((f"{kind.prefix}.created", external_id, values_for_audit(values)))
        elif changes:
            if external_id not in inserts:
                updated_fields.setdefault(external_id, set()).update(changes)
            events.append((f"{kind.prefix}.updated", external_id, {"changes": changes}))
        outcomes.append(("created" if created else "updated", external_id))

    # Rows in the order of their external ids: two requests writing overlapping ids take
    # the index entries' locks in the same order and cannot deadlock (PostgreSQL).
    if inserts:
        model.objects.bulk_create([current[external_id] for external_id in sorted(inserts)])
    if updated_fields:
        _write_updates(
            model, [current[external_id] for external_id in sorted(updated_fields)], updated_fields
        )
    record_many(
        tenant,
        actor,
        (
            (action, current[external_id], data if "changes" in data else {"values": data})
            for action, external_id, data in events
        ),
    )
    if model is Order and ORDER_LISTENERS:
        changed = [
            OrderChange(current[external_id], True, frozenset()) for external_id in sorted(inserts)
        ] + [
            OrderChange(current[external_id], False, frozenset(fields))
            for external_id, fields in sorted(updated_fields.items())
        ]
        if changed:
            for listener in ORDER_LISTENERS:
                listener(tenant, actor, changed)
    return [
        outcome if isinstance(outcome, ServiceError) else (outcome[0], current[outcome[1]])
        for outcome in outcomes
    ]


def _write_updates(model: Any, rows: list[Any], changed: Mapping[str, set[str]]) -> None:
    """UPDATE the changed rows in one statement per batch.

    INSERT … ON CONFLICT (tenant, external_id) DO UPDATE with the rows' complete state is a
    fraction of the cost of bulk_update()'s CASE expressions. The rows go in without their
    primary key (the conflict target finds them) and keep their creation time.
    """
    created = [(row.pk, row.created_at) for row in rows]
    for row in rows:
        row.pk = None
    fields = set().union(*changed.values()) | {"updated_at"}
    model.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant", "external_id"],
        update_fields=sorted(fields),
    )
    for row, (pk, created_at) in zip(rows, created, strict=True):
        row.pk, row.created_at = pk, created_at


def upsert_orders(
    tenant: Tenant, actor: Actor, items: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[Outcome]:
    """Create or update orders by external id: per item ("created"|"updated", order) or the
    OrderError that refused it. Values use the model's field names (FKs as objects)."""
    return _upsert_many(ORDERS, tenant, actor, items)


def upsert_invoices(
    tenant: Tenant, actor: Actor, items: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[Outcome]:
    """Create or update invoices by external id (see upsert_orders)."""
    return _upsert_many(INVOICES, tenant, actor, items)


def upsert_quotes(
    tenant: Tenant, actor: Actor, items: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[Outcome]:
    """Create or update quotes by external id (see upsert_orders)."""
    return _upsert_many(QUOTES, tenant, actor, items)


def _create(kind: _Kind, tenant: Tenant, actor: Actor, external_id: str, values: Any) -> Any:
    external_id = (external_id or "").strip()
    if not external_id:
        raise OrderError(_("Bitte geben Sie die ID an."), "external_id", "required")
    if kind.model.objects.filter(tenant=tenant, external_id=external_id).exists():
        raise OrderError(
            _("Die ID „%(external_id)s“ ist bereits vergeben.") % {"external_id": external_id},
            "external_id",
            "duplicate",
        )
    return _single(_upsert_many(kind, tenant, actor, [(external_id, values)]))


def _update(kind: _Kind, row: Any, actor: Actor, values: Any) -> Any:
    return _single(_upsert_many(kind, row.tenant, actor, [(row.external_id, values)]))


def _single(outcomes: list[Outcome]) -> Any:
    (outcome,) = outcomes
    if isinstance(outcome, ServiceError):
        raise outcome
    return outcome[1]


@transaction.atomic
def create_order(tenant: Tenant, actor: Actor, *, external_id: str, **values: Any) -> Order:
    """Create an order; refused when the external id is taken."""
    order: Order = _create(ORDERS, tenant, actor, external_id, values)
    return order


@transaction.atomic
def update_order(order: Order, actor: Actor, **values: Any) -> Order:
    """Change an order; records only the fields that changed."""
    updated: Order = _update(ORDERS, order, actor, values)
    return updated


@transaction.atomic
def create_invoice(tenant: Tenant, actor: Actor, *, external_id: str, **values: Any) -> Invoice:
    """Create an invoice; refused when the external id is taken."""
    invoice: Invoice = _create(INVOICES, tenant, actor, external_id, values)
    return invoice


@transaction.atomic
def update_invoice(invoice: Invoice, actor: Actor, **values: Any) -> Invoice:
    """Change an invoice (never its customer); records only the fields that changed."""
    updated: Invoice = _update(INVOICES, invoice, actor, values)
    return updated


@transaction.atomic
def create_quote(tenant: Tenant, actor: Actor, *, external_id: str, **values: Any) -> Quote:
    """Create a quote; refused when the external id is taken."""
    quote: Quote = _create(QUOTES, tenant, actor, external_id, values)
    return quote


@transaction.atomic
def update_quote(quote: Quote, actor: Actor, **values: Any) -> Quote:
    """Change a quote; records only the fields that changed."""
    updated: Quote = _update(QUOTES, quote, actor, values)
    return updated


# --- portal orders: the back office assigns its id ------------------------------------------


@transaction.atomic
def assign_external_id(tenant: Tenant, actor: Actor, order_id: int, external_id: str) -> Order:
    """Give an order placed in the portal the back office's id (once; the same id again
    changes nothing). Raises Order.DoesNotExist for an unknown portal order."""
    order = Order.objects.select_for_update().get(
        tenant=tenant, pk=order_id, origin=OrderOrigin.PORTAL
    )
    external_id = (external_id or "").strip()
    check_external_id(external_id)
    if order.external_id == external_id:
        return order
    if order.external_id:
        raise OrderError(
            _("Dieser Auftrag hat bereits die ID „%(external_id)s“.")
            % {"external_id": order.external_id},
            "external_id",
            "already_assigned",
        )
    if Order.objects.filter(tenant=tenant, external_id=external_id).exists():
        raise OrderError(
            _("Die ID „%(external_id)s“ ist bereits vergeben.") % {"external_id": external_id},
            "external_id",
            "duplicate",
        )
    order.external_id = external_id
    order.save(update_fields=["external_id", "updated_at"])
    record(tenant, actor, "order.updated", order, {"changes": {"external_id": [None, external_id]}})
    return order


# --- cancel, delete, files ------------------------------------------------------------------


@transaction.atomic
def cancel_order(order: Order, actor: Actor) -> Order:
    """Cancel an order (orders are never deleted); cancelling twice records one event."""
    order = Order.objects.select_for_update().select_related("tenant").get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        return order
    changes = {"status": [order.status, OrderStatus.CANCELLED.value]}
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    record(order.tenant, actor, "order.cancelled", order, {"changes": changes})
    return order


def _delete_file_on_commit(storage: Any, name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def delete_quote(quote: Quote, actor: Actor) -> None:
    """Withdraw a quote: the row and its PDF are removed, the audit event stays."""
    quote = Quote.objects.select_for_update().select_related("tenant").get(pk=quote.pk)
    record(quote.tenant, actor, "quote.deleted", quote, {"label": str(quote)})
    _delete_file_on_commit(quote.pdf.storage, quote.pdf.name)
    quote.delete()


@transaction.atomic
def attach_pdf[D: (Invoice, Quote)](document: D, actor: Actor, data: bytes) -> D:
    """Store the PDF of an invoice or quote, replacing an earlier one.

    The type is decided by the content (theke.core.files); a refusal is a ServiceError
    with code "empty", "too_large" or "file_type" on the field "file".
    """
    check_upload(data, PDF_TYPES, "file")
    model = type(document)
    locked: D = model.objects.select_for_update().select_related("tenant").get(pk=document.pk)
    old_name = locked.pdf.name
    locked.pdf.save("document.pdf", ContentFile(data), save=False)
    locked.save(update_fields=["pdf", "updated_at"])
    prefix = "invoice" if model is Invoice else "quote"
    info = {
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "replaced": bool(old_name),
    }
    record(locked.tenant, actor, f"{prefix}.pdf_attached", locked, info)
    _delete_file_on_commit(locked.pdf.storage, old_name)
    return locked


def documents_of(customer: Any, limit: int = 10) -> dict[str, Collection[Any]]:
    """The customer's latest orders, invoices and quotes (for the staff customer page)."""
    return {
        "orders": list(
            Order.objects.filter(customer=customer).order_by("-created_at", "-id")[:limit]
        ),
        "invoices": list(
            Invoice.objects.filter(customer=customer).order_by("-issue_date", "-id")[:limit]
        ),
        "quotes": list(Quote.objects.filter(customer=customer).order_by("-date", "-id")[:limit]),
    }
