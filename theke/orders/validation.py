"""Values and consistency checks of orders, invoices and quotes (no queries of their own).

`normalize` turns what a caller sends into field values, `assign` applies them and reports
the changes, and `clean_order` / `clean_invoice` / `clean_quote` refuse what would make a
record inconsistent in itself, with an OrderError naming the field. The services in
theke.orders.services run these per item, so a thousand items cost no extra queries.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from theke.core.errors import ServiceError
from theke.orders.models import (
    Invoice,
    InvoiceStatus,
    Order,
    OrderKind,
    OrderStatus,
    Quote,
    QuoteStatus,
)
from theke.tenants.models import Tenant

FOREIGN_KEYS = frozenset(
    {"customer", "vehicle", "location", "asset", "branch", "order", "container_type", "waste_type"}
)
TEXT_FIELDS = frozenset({"kind", "number", "title", "description", "status", "currency"})
DATE_FIELDS = frozenset(
    {"planned_date", "wish_date", "issue_date", "due_date", "date", "valid_until"}
)
MONEY_FIELDS = frozenset({"net_total", "gross_total"})
CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
CURRENCY = re.compile(r"[A-Z]{3}")
MAX_EXTERNAL_ID = 100


class OrderError(ServiceError):
    """A refused change of an order, invoice or quote; `field` names the input at fault."""


# --- values -------------------------------------------------------------------------------


def check_fields(values: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise OrderError(
            _("Bitte geben Sie ein gültiges Datum an (JJJJ-MM-TT)."), field, "invalid_date"
        )
    return parsed


def _datetime(value: Any, field: str) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    parsed: datetime.datetime | None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise OrderError(
            _("Bitte geben Sie einen gültigen Zeitpunkt an."), field, "invalid_datetime"
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _money(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise OrderError(_("Bitte geben Sie einen Betrag an."), field, "invalid_number")
    if number < 0:
        raise OrderError(_("Der Betrag darf nicht negativ sein."), field, "negative")
    if number > MAX_MONEY:  # before quantize(), which fails beyond the context's precision
        raise OrderError(_("Der Betrag ist zu groß."), field, "too_large")
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def normalize(values: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Strip text, parse dates and amounts; field-specific checks follow in `_clean_*`."""
    check_fields(values, allowed)
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in TEXT_FIELDS:
            clean[key] = "" if value is None else str(value).strip()
        elif key in DATE_FIELDS:
            clean[key] = _date(value, key)
        elif key in MONEY_FIELDS:
            clean[key] = _money(value, key)
        elif key == "paid_at":
            clean[key] = _datetime(value, key)
        else:
            clean[key] = value
    if "currency" in clean:
        clean["currency"] = clean["currency"].upper()
    return clean


def plain(value: Any) -> Any:
    """A JSON-friendly, comparable form of a field value for audit data."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return value


def assign(obj: models.Model, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the values on obj; return {field: [old, new]} for those that really changed."""
    changes: dict[str, list[Any]] = {}
    for key, new in values.items():
        if key in FOREIGN_KEYS:
            old_id = getattr(obj, f"{key}_id")
            new_id = new.pk if new is not None else None
            if old_id != new_id:
                old = getattr(obj, key) if old_id is not None else None
                setattr(obj, key, new)
                changes[key] = [plain(old), plain(new)]
            continue
        plain_old, plain_new = plain(getattr(obj, key)), plain(new)
        if plain_old == plain_new or (plain_old in (None, "") and plain_new in (None, "")):
            continue
        setattr(obj, key, new)
        changes[key] = [plain_old, plain_new]
    return changes


def values_for_audit(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: plain(value) for key, value in values.items() if value not in (None, "")}


# --- checks -------------------------------------------------------------------------------


def _require(obj: models.Model, field: str, message: str) -> None:
    if getattr(obj, field) in (None, ""):
        raise OrderError(message, field, "required")


def _check_lengths(obj: models.Model, fields: Sequence[str]) -> None:
    for name in fields:
        limit = getattr(obj._meta.get_field(name), "max_length", None)
        value = getattr(obj, name)
        if limit is not None and len(value) > limit:
            raise OrderError(
                _("Höchstens %(limit)d Zeichen.") % {"limit": limit}, name, "max_length"
            )


def check_external_id(external_id: str) -> None:
    if not external_id or len(external_id) > MAX_EXTERNAL_ID:
        raise OrderError(
            _("Die ID muss 1 bis %(limit)d Zeichen lang sein.") % {"limit": MAX_EXTERNAL_ID},
            "external_id",
            "invalid",
        )


def _check_choice(obj: models.Model, field: str, choices: type[models.TextChoices]) -> None:
    if getattr(obj, field) not in choices.values:
        raise OrderError(
            _("Unbekannter Wert „%(value)s“.") % {"value": getattr(obj, field)}, field, "invalid"
        )


def _check_customer(obj: Any, tenant: Tenant, changes: Mapping[str, Any]) -> None:
    if obj.customer_id is None:
        raise OrderError(_("Bitte geben Sie den Kunden an."), "customer", "required")
    if "customer" in changes and obj.customer.tenant_id != tenant.pk:
        raise OrderError(_("Unbekannter Kunde."), "customer", "unknown")


def _check_same_customer(obj: Any, field: str, changes: Mapping[str, Any], message: str) -> None:
    """A newly set vehicle/location/asset (or all of them when the customer changed) must
    belong to the customer; one that changed keeper later does not block updates."""
    if field not in changes and "customer" not in changes:
        return
    if getattr(obj, f"{field}_id") is None:
        return
    if getattr(obj, field).customer_id != obj.customer_id:
        raise OrderError(message, field, "other_customer")


def _check_order(obj: Any, tenant: Tenant, changes: Mapping[str, Any]) -> None:
    if "order" in changes and obj.order_id is not None and obj.order.tenant_id != tenant.pk:
        raise OrderError(_("Unbekannter Auftrag."), "order", "unknown")


def _check_totals(obj: Any) -> None:
    if obj.gross_total < obj.net_total:
        raise OrderError(
            _("Der Bruttobetrag darf nicht kleiner als der Nettobetrag sein."),
            "gross_total",
            "gross_below_net",
        )
    if not CURRENCY.fullmatch(obj.currency):
        raise OrderError(
            _("Bitte geben Sie die Währung als ISO-Code an, z. B. EUR."), "currency", "invalid"
        )


def clean_order(
    order: Order, tenant: Tenant, values: Mapping[str, Any], changes: dict[str, Any]
) -> None:
    _require(order, "number", _("Bitte geben Sie die Auftragsnummer an."))
    _check_customer(order, tenant, changes)
    _check_choice(order, "kind", OrderKind)
    _check_choice(order, "status", OrderStatus)
    _check_lengths(order, ("number", "title"))
    _check_same_customer(
        order, "vehicle", changes, _("Das Fahrzeug gehört nicht zu diesem Kunden.")
    )
    _check_same_customer(
        order, "location", changes, _("Der Standort gehört nicht zu diesem Kunden.")
    )
    _check_same_customer(order, "asset", changes, _("Das Objekt gehört nicht zu diesem Kunden."))
    if "branch" in changes and order.branch is not None and order.branch.tenant_id != tenant.pk:
        raise OrderError(_("Unbekannter Betrieb."), "branch", "unknown")
    for field in ("container_type", "waste_type"):
        related = getattr(order, field) if getattr(order, f"{field}_id") else None
        if field in changes and related is not None and related.tenant_id != tenant.pk:
            raise OrderError(_("Unbekannter Eintrag im Katalog."), field, "unknown")
    _stamp_completion(order, changes)


def _stamp_completion(order: Order, changes: dict[str, Any]) -> None:
    """completed_at follows the status: stamped when the order becomes completed (or
    invoiced), cleared when it is reopened."""
    done = order.status in (OrderStatus.COMPLETED, OrderStatus.INVOICED)
    completed_at = (order.completed_at or timezone.now()) if done else None
    if completed_at != order.completed_at:
        previous = changes.get("completed_at", [plain(order.completed_at)])[0]
        changes["completed_at"] = [previous, plain(completed_at)]
        order.completed_at = completed_at


def clean_invoice(
    invoice: Invoice, tenant: Tenant, values: Mapping[str, Any], changes: dict[str, Any]
) -> None:
    _require(invoice, "number", _("Bitte geben Sie die Rechnungsnummer an."))
    if invoice.pk is not None and "customer" in changes:
        raise OrderError(
            _("Eine Rechnung kann nicht zu einem anderen Kunden wechseln."),
            "customer",
            "immutable",
        )
    _check_customer(invoice, tenant, changes)
    _check_order(invoice, tenant, changes)
    _require(invoice, "issue_date", _("Bitte geben Sie das Rechnungsdatum an."))
    if invoice.due_date is not None and invoice.due_date < invoice.issue_date:
        raise OrderError(
            _("Das Fälligkeitsdatum darf nicht vor dem Rechnungsdatum liegen."),
            "due_date",
            "before_issue_date",
        )
    _check_totals(invoice)
    _check_choice(invoice, "status", InvoiceStatus)
    _check_lengths(invoice, ("number",))
    # paid_at follows the status: stamped when an invoice becomes paid without a date,
    # cleared when it is no longer paid.
    paid_at = invoice.paid_at
    if invoice.status == InvoiceStatus.PAID:
        paid_at = paid_at or timezone.now()
    elif values.get("paid_at") is not None:
        raise OrderError(
            _("Ein Zahlungsdatum gibt es nur bei bezahlten Rechnungen."), "paid_at", "not_paid"
        )
    else:
        paid_at = None
    if paid_at != invoice.paid_at:
        previous = changes.get("paid_at", [plain(invoice.paid_at)])[0]
        changes["paid_at"] = [previous, plain(paid_at)]
        invoice.paid_at = paid_at


def clean_quote(
    quote: Quote, tenant: Tenant, values: Mapping[str, Any], changes: Mapping[str, Any]
) -> None:
    _require(quote, "number", _("Bitte geben Sie die Angebotsnummer an."))
    _check_customer(quote, tenant, changes)
    _check_order(quote, tenant, changes)
    _require(quote, "date", _("Bitte geben Sie das Angebotsdatum an."))
    if quote.valid_until is not None and quote.valid_until < quote.date:
        raise OrderError(
            _("„Gültig bis“ darf nicht vor dem Angebotsdatum liegen."),
            "valid_until",
            "before_date",
        )
    _check_totals(quote)
    _check_choice(quote, "status", QuoteStatus)
    _check_lengths(quote, ("number", "title"))
    _check_same_customer(
        quote, "location", changes, _("Der Standort gehört nicht zu diesem Kunden.")
    )
