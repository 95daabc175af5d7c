"""The portal's home-screen icon: the tenant's logo on white, or its initials on its brand
colour, drawn with Pillow as a square PNG."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from theke.core.colors import brand_palette
from theke.tenants.models import Tenant

SIZES = (180, 192, 512)
# Words that say what kind of company it is, not which one: no initial of theirs.
LEGAL_FORMS = {"gmbh", "kg", "ag", "ohg", "ug", "gbr", "e.k.", "co.", "&", "mbh", "und", "-"}


def initials(name: str) -> str:
    """Up to two initials of a company name: "Containerdienst Demo GmbH" -> "CD"."""
    words = [w for w in name.replace("-", " ").split() if w.lower() not in LEGAL_FORMS]
    letters = [w[0] for w in words if w[0].isalnum()]
    return ("".join(letters[:2]) or "T").upper()


def short_name(name: str, limit: int = 12) -> str:
    """The name under the home-screen icon: the whole name if short, else its first word
    ("Containerdienst Demo GmbH" -> "Containerdienst"; the phone shortens a long one itself,
    better than a word cut here)."""
    if len(name) <= limit:
        return name
    words = [w for w in name.split() if w.lower() not in LEGAL_FORMS] or [name]
    return words[0]


def _logo(tenant: Tenant, size: int) -> Image.Image | None:
    if not tenant.logo:
        return None
    try:
        with tenant.logo.open("rb") as handle:
            opened = Image.open(handle)
            opened.load()
    except (OSError, ValueError):
        return None
    canvas = Image.new("RGB", (size, size), "#ffffff")
    logo = opened.convert("RGBA")
    inner = int(size * 0.8)  # the safe zone of maskable icons
    logo.thumbnail((inner, inner))
    canvas.paste(logo, ((size - logo.width) // 2, (size - logo.height) // 2), logo)
    return canvas


def _initials(tenant: Tenant, size: int) -> Image.Image:
    palette = brand_palette(tenant.brand_color)
    image = Image.new("RGB", (size, size), palette.brand)
    draw = ImageDraw.Draw(image)
    text = initials(tenant.name)
    font = ImageFont.load_default(size=int(size * (0.42 if len(text) > 1 else 0.55)))
    draw.text((size / 2, size / 2), text, fill=palette.on_brand, font=font, anchor="mm")
    return image


def icon_png(tenant: Tenant, size: int) -> bytes:
    """The PNG of the tenant's icon, `size` pixels square."""
    image = _logo(tenant, size) or _initials(tenant, size)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
