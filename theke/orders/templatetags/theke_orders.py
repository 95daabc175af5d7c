"""`{% customer_documents customer %}`: the customer's latest orders, invoices and quotes.

A tag instead of context from the customer view, so the customer master does not import
the orders domain.
"""

from __future__ import annotations

from typing import Any

from django import template

from theke.orders.services import documents_of

register = template.Library()


@register.inclusion_tag("orders/staff/_customer_documents.html", takes_context=True)
def customer_documents(context: template.Context, customer: Any) -> dict[str, Any]:
    return {"customer": customer, **documents_of(customer, limit=10)}


BADGES = {
    "open": "text-bg-secondary",
    "planned": "text-bg-info",
    "in_progress": "text-bg-primary",
    "completed": "text-bg-success",
    "invoiced": "text-bg-success",
    "paid": "text-bg-success",
    "accepted": "text-bg-success",
    "cancelled": "text-bg-light border",
    "declined": "text-bg-light border",
    "expired": "text-bg-light border",
}


@register.filter
def status_badge(status: str) -> str:
    """Bootstrap badge classes for a status of an order, invoice or quote."""
    return BADGES.get(status, "text-bg-secondary")
