"""`{{ message.body_text|shorten_links }}`: customer links shortened for staff pages
(theke.core.token_pages.shorten_links). Apply it before `linebreaksbr` or `truncatechars`."""

from __future__ import annotations

from django import template

from theke.core.token_pages import shorten_links as _shorten_links

register = template.Library()


@register.filter
def shorten_links(text: object) -> str:
    """Not marked safe: the result is escaped like any other text."""
    return _shorten_links("" if text is None else str(text))
