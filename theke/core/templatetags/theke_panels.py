"""`{% render_panel panel %}`: render a registered page panel (see theke.core.panels)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from theke.core.panels import ShownPanel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: ShownPanel) -> SafeString:
    # Like {% include %}: the page's context (user, perms, tenant) plus the panel's own, in
    # the same render, so no context processor runs again per panel.
    panel_template = context.template.engine.get_template(panel.template)  # type: ignore[union-attr]
    with context.push(panel.context):
        return panel_template.render(context)
