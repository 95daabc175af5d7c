"""The one HTML layout of every e-mail: the tenant's logo and colour, a button, a footer.

Every e-mail's HTML part is a fragment (paragraphs, the button) put into
`messaging/email/layout.html`: tables 600 px wide at most, styles inline only, no web fonts
and nothing loaded from elsewhere, so it holds in Outlook and Gmail. The brand colour fills
the header bar and the button; the text on it is white or black, whichever reaches 4.5:1.

The logo travels inside the e-mail as an inline image (multipart/related, `cid:`): no
request to Theke when the e-mail is opened (no read tracking, nothing to consent to), it
shows where remote images are blocked, and it works while THEKE_BASE_URL is not public.
The HTML stored in the outbox names the image's Content-ID; the worker attaches the logo
when it builds the e-mail (`inline_images`). The editor's preview shows it as a data: URL.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import urlize
from django.utils.safestring import mark_safe
from PIL import Image, ImageOps

from theke.core.colors import readable_on_white, text_color_on
from theke.messaging.mime import InlineImage
from theke.tenants.models import Tenant

logger = logging.getLogger(__name__)

DEFAULT_COLOR = "#1f4e79"
# The logo's box in the header, in CSS pixels; the image has twice the pixels (sharp on
# high-density screens) and is shrunk, never enlarged.
LOGO_BOX = (240, 48)
LOGO_DENSITY = 2
_LOGO_CID = re.compile(r'src="cid:(logo-[0-9a-f]{16}@theke)"')
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


# --- the logo -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailLogo:
    """The tenant's logo made for e-mail: a small PNG and its size in CSS pixels."""

    content: bytes
    width: int
    height: int

    @property
    def content_id(self) -> str:
        # Named after the content: a client that caches inline images by Content-ID never
        # shows an older logo for a newer one.
        return f"logo-{hashlib.sha256(self.content).hexdigest()[:16]}@theke"

    @property
    def data_url(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.content).decode()


# Logo file name -> the e-mail logo. A new upload gets a new random file name, so an entry
# is never stale; the worker sends many e-mails of one tenant with one conversion.
_LOGOS: dict[str, EmailLogo] = {}
_LOGOS_MAX = 256


def _convert_logo(data: bytes) -> EmailLogo:
    with Image.open(io.BytesIO(data)) as original:
        image = ImageOps.exif_transpose(original)
        image.thumbnail((LOGO_BOX[0] * LOGO_DENSITY, LOGO_BOX[1] * LOGO_DENSITY))
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        width, height = image.size
    scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height, 1.0)
    return EmailLogo(buffer.getvalue(), max(1, round(width * scale)), max(1, round(height * scale)))


def email_logo(tenant: Tenant) -> EmailLogo | None:
    """The tenant's logo for e-mails, or None without one (or when it cannot be read)."""
    name = tenant.logo.name if tenant.logo else ""
    if not name:
        return None
    found = _LOGOS.get(name)
    if found is not None:
        return found
    try:
        with tenant.logo.open("rb") as handle:
            found = _convert_logo(handle.read())
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        # The e-mail goes out without the image; its alt text and the footer name the tenant.
        logger.warning("e-mail logo of tenant %s not readable: %s", tenant.pk, error)
        return None
    if len(_LOGOS) >= _LOGOS_MAX:
        _LOGOS.clear()
    _LOGOS[name] = found
    return found


def inline_images(tenant: Tenant, body_html: str) -> list[InlineImage]:
    """The images an outbox e-mail's HTML names by Content-ID: the tenant's current logo."""
    if "cid:" not in body_html:
        return []
    wanted = dict.fromkeys(_LOGO_CID.findall(body_html))
    logo = email_logo(tenant) if wanted else None
    if logo is None:
        return []
    return [InlineImage(cid, logo.content, "image/png", "logo.png") for cid in wanted]


# --- the design of one tenant ---------------------------------------------------------------


@dataclass(frozen=True)
class Footer:
    name: str
    legal_name: str
    address_lines: tuple[str, ...]
    phone: str
    phone_href: str
    email: str
    website: str
    website_label: str


@dataclass(frozen=True)
class Design:
    """Everything the layout needs of a tenant, in the language of one message."""

    language: str
    name: str
    color: str
    on_color: str
    link_color: str
    logo_src: str
    logo_width: int
    logo_height: int
    footer: Footer

    def render(self, template: str, **context: object) -> str:
        with translation.override(self.language):
            rendered = render_to_string(template, {"design": self, **context})
        # A plain str, not Django's SafeString: the result is data (stored, put into the
        # preview's srcdoc attribute), and must be escaped wherever a template shows it.
        return rendered.strip() + "\n"

    def button(self, href: str, label: str) -> str:
        """A bulletproof button (a table cell in the brand colour) with the URL below it."""
        return self.render("messaging/email/_button.html", href=href, label=label).strip()

    def link_button(self, label: str) -> str:
        """The button of a template's `{link}` paragraph (the renderer fills in the link)."""
        return self.button("{link}", label)

    def page(self, content: str, subject: str = "") -> str:
        """The whole HTML document around a fragment. A tenant's own full document (with an
        <html> element) stays as it is: the tenant designed all of it."""
        if "<html" in content.lower():
            return content
        # The fragment is HTML already: built here with its values escaped, or the tenant's own.
        fragment = mark_safe(content)  # noqa: S308
        return self.render("messaging/email/layout.html", content=fragment, subject=subject)


def _footer(tenant: Tenant) -> Footer:
    city = " ".join(part for part in (tenant.postal_code, tenant.city) if part)
    website = tenant.website or ""
    label = re.sub(r"^https?://", "", website).rstrip("/")
    return Footer(
        name=tenant.name,
        legal_name=tenant.legal_name if tenant.legal_name != tenant.name else "",
        address_lines=tuple(line for line in (tenant.street, city) if line),
        phone=tenant.phone,
        phone_href="tel:" + re.sub(r"[^0-9+]", "", tenant.phone) if tenant.phone else "",
        email=tenant.email,
        website=website,
        website_label=label,
    )


def design_for(tenant: Tenant, language: str, *, preview: bool = False) -> Design:
    """The tenant's e-mail design in a language; `preview` embeds the logo as a data: URL
    (the editor's preview), else the HTML names the inline image the worker attaches."""
    color = (tenant.brand_color or "").lower()
    if not _COLOR.match(color):
        color = DEFAULT_COLOR
    logo = email_logo(tenant)
    src = ""
    if logo is not None:
        src = logo.data_url if preview else f"cid:{logo.content_id}"
    return Design(
        language=language,
        name=tenant.name,
        color=color,
        on_color=text_color_on(color),
        link_color=readable_on_white(color),
        logo_src=src,
        logo_width=logo.width if logo else 0,
        logo_height=logo.height if logo else 0,
        footer=_footer(tenant),
    )


# --- plain text to HTML ---------------------------------------------------------------------


def html_from_plain(
    text: str, *, link: str = "", link_label: str = "", button: Callable[[str, str], str]
) -> str:
    """The HTML fragment of a finished plain text: escaped paragraphs, URLs clickable, and a
    paragraph that is only `link` as the button labelled `link_label`."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip("\n")
        if not block.strip():
            continue
        if link and link_label and block.strip() == link:
            paragraphs.append(button(link, link_label))
            continue
        body = urlize(block, nofollow=True, autoescape=True)
        paragraphs.append("<p>" + body.replace("\n", "<br>\n") + "</p>")
    return "\n".join(paragraphs)


def branded_html(
    tenant: Tenant,
    language: str,
    text: str,
    *,
    subject: str = "",
    link: str = "",
    link_label: str = "",
) -> str:
    """The HTML part of an e-mail written as plain text, in the tenant's layout."""
    design = design_for(tenant, language)
    content = html_from_plain(text, link=link, link_label=link_label, button=design.button)
    return design.page(content, subject)
