"""`{% customer_appointments customer %}`: the customer's next and latest appointments.

A tag instead of context from the customer view, so the customer master does not import
the appointments domain.
"""

from __future__ import annotations

from typing import Any

from django import template

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
