"""Filters of the orders templates: the status badge of an order, invoice or quote."""

from __future__ import annotations

from django import template

register = template.Library()


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
