"""Legal texts in templates: the body as safe HTML, and the label of the consent checkbox.

The body is plain text with a few markdown-like rules, so a shop can paste its terms as they
are: a blank line starts a paragraph, "# " or "## " starts a heading, lines starting with
"- " or "* " make a list, "1. " a numbered one; web and e-mail addresses become links.
Everything else is escaped: no HTML of the text reaches the page.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _

from theke.tenants.services import ConsentOffer, ShownLegalText

register = template.Library()

_HEADING = re.compile(r"^(#{1,3})\s+(.+)$")
_BULLET = re.compile(r"^[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.*)$")
# Web and e-mail addresses; the rest of a line stays text.
_LINK = re.compile(r"(https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def _inline(text: str) -> str:
    """One line, escaped, with its web and e-mail addresses as links."""
    out = []
    position = 0
    for match in _LINK.finditer(text):
        out.append(escape(text[position : match.start()]))
        target = match.group(0)
        href = target if "://" in target else f"mailto:{target}"
        out.append(format_html('<a href="{}" rel="nofollow noopener">{}</a>', href, target))
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def _list(lines: list[str], pattern: re.Pattern[str], tag: str) -> str:
    items = "".join(f"<li>{_inline(m.group(1))}</li>" for m in map(pattern.match, lines) if m)
    return f"<{tag}>{items}</{tag}>"


def render_legal_body(text: str) -> SafeString:
    """The text as HTML: headings (h2/h3, under the page's h1), paragraphs and lists."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    pattern: re.Pattern[str] | None = None

    def flush() -> None:
        nonlocal pattern
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items and pattern is not None:
            html.append(_list(items, pattern, "ul" if pattern is _BULLET else "ol"))
            items.clear()
        pattern = None

    for raw in normalize_newlines(text or "").split("\n"):
        line = raw.strip()
        heading = _HEADING.match(line)
        list_pattern = next((p for p in (_BULLET, _NUMBERED) if p.match(line)), None)
        if not line:
            flush()
        elif heading:
            flush()
            level = min(len(heading.group(1)) + 1, 4)
            size = "h5 fw-semibold" if level == 2 else "h6 fw-semibold"
            if html:  # space above a heading, except at the very top
                size += " mt-4" if level == 2 else " mt-3"
            html.append(f'<h{level} class="{size}">{_inline(heading.group(2))}</h{level}>')
        elif list_pattern is not None:
            if paragraph or list_pattern is not pattern:
                flush()
            pattern = list_pattern
            items.append(line)
        elif items:  # a continued list item
            items[-1] += " " + line
        else:
            paragraph.append(line)
    flush()
    return mark_safe("\n".join(html))  # noqa: S308  # every piece of text went through escape


@register.filter
def legal_body(text: str) -> SafeString:
    return render_legal_body(text)


def _link(shown: ShownLegalText, label: str) -> str:
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', shown.url, label)


@register.simple_tag
def consent_label(offer: ConsentOffer, subject: str = "") -> SafeString:
    """ "Ich habe [subject und] die Bedingungen gelesen …", the texts linked to the versions
    shown (they open in a new tab, so the form keeps its input)."""
    terms = _link(offer.terms, _("Bedingungen"))
    privacy = _link(offer.privacy, _("Datenschutzerklärung"))
    if subject:
        accepted = format_html(
            _("Ich habe {subject} und die {terms} gelesen und bin einverstanden."),
            subject=subject,
            terms=terms,
        )
    else:
        accepted = format_html(
            _("Ich habe die {terms} gelesen und bin einverstanden."), terms=terms
        )
    noted = format_html(_("Die {privacy} habe ich zur Kenntnis genommen."), privacy=privacy)
    return format_html("{} {}", accepted, noted)
