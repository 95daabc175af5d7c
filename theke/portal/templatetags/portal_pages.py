"""Tags of the portal's pages (dashboard, lists, locations)."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

BADGES = {
    "completed": "text-bg-success",
    "invoiced": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "planned": "text-bg-primary",
    "in_progress": "text-bg-primary",
}


@register.simple_tag
def status_badge(order: Any) -> SafeString:
    """An order's status as a badge (a tag, not an include: lists render it 50 times)."""
    css = BADGES.get(order.status, "text-bg-light border")
    return format_html(
        '<span class="badge rounded-pill {}">{}</span>', css, order.get_status_display()
    )
