"""`{% staff_navigation as items %}`: the staff bar's items for this request (see
theke.core.navigation)."""

from __future__ import annotations

from django import template

from theke.core.navigation import ShownGroup, shown_entries

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_navigation(context: template.Context) -> list[ShownGroup]:
    request = context.get("request")
    return shown_entries(request) if request is not None else []
