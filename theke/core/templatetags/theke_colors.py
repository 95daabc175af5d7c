"""`{% brand_css_variables colour %}`: the brand colour's readable palette as CSS variables
(--brand, --on-brand, --brand-text; see theke.core.colors)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from theke.core.colors import brand_palette

register = template.Library()


@register.simple_tag
def brand_css_variables(colour: str | None) -> SafeString:
    palette = brand_palette(colour)
    # Safe: brand_palette returns "#rrggbb" values only, whatever the input was.
    return mark_safe(  # noqa: S308
        f"--brand: {palette.brand}; --on-brand: {palette.on_brand}; "
        f"--brand-text: {palette.brand_text};"
    )
