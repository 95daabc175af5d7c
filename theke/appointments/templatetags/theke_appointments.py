"""`{% customer_appointments customer %}`: the customer's next and latest appointments.

A tag instead of context from the customer view, so the customer master does not import
the appointments domain.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from theke.appointments.services import upcoming_and_recent

register = template.Library()

BADGES = {
    "requested": "text-bg-warning",
    "proposed": "text-bg-warning",
    "planned": "text-bg-info",
    "confirmed": "text-bg-primary",
    "finalized": "text-bg-success",
    "cancelled": "text-bg-light border",
}


@register.inclusion_tag("appointments/staff/_customer_appointments.html", takes_context=True)
def customer_appointments(context: template.Context, customer: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("appointments.manage"):
        return {"visible": False}
    rows = [(a, BADGES.get(a.status, "text-bg-secondary")) for a in upcoming_and_recent(customer)]
    return {"visible": True, "customer": customer, "rows": rows}


# --- hist ---
@register.simple_tag(takes_context=True)
def vehicle_appointments_link(context: template.Context, vehicle: Any) -> SafeString | str:
    """A link to the vehicle's appointments and their history (for staff who manage them)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("appointments.manage"):
        return ""
    return format_html(
        '<a class="small" href="{}">{}</a>',
        reverse("appointments:vehicle_appointments", args=[vehicle.pk]),
        _("Termine und Verlauf"),
    )
