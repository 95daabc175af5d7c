"""Readable colours around a tenant's brand colour (WCAG 2.1 contrast, BFSG).

A tenant may pick any colour, also a light one (yellow, light green): white text on it, or the
colour itself as text on a light page, would be unreadable. `brand_palette` derives the
colours the pages use instead: the text colour on the brand colour, and a shade of the brand
colour dark enough to be text on the light page background. Pure computation, no Django state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_BRAND = "#1f4e79"
# The light backgrounds brand-coloured text stands on: cards (white) and the customer page.
PAGE_BACKGROUNDS = ("#ffffff", "#f7f7f5")
# Normal text needs 4.5:1 (WCAG 1.4.3); a little margin for antialiasing and hover shades.
TEXT_CONTRAST = 4.7
DARK_TEXT = "#212529"  # Bootstrap's body colour
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(red: float, green: float, blue: float) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(max(0, min(255, c))) for c in (red, green, blue)))


def luminance(colour: str) -> float:
    """Relative luminance as WCAG defines it (0 black … 1 white)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours (1 … 21)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: str) -> str:
    """White or dark text, whichever reads better on the background."""
    return max(("#ffffff", DARK_TEXT, "#000000"), key=lambda text: contrast(text, background))


def text_shade(colour: str, backgrounds: tuple[str, ...] = PAGE_BACKGROUNDS) -> str:
    """The colour itself if it reads as text on every background, else the lightest darker
    shade of it that does (mixed with black step by step, so the hue stays)."""
    red, green, blue = _channels(colour)
    for step in range(101):
        factor = 1 - step / 100
        shade = _hex(red * factor, green * factor, blue * factor)
        if all(contrast(shade, background) >= TEXT_CONTRAST for background in backgrounds):
            return shade
    return "#000000"


@dataclass(frozen=True)
class BrandPalette:
    brand: str  # backgrounds: the bar on top, the main buttons
    on_brand: str  # text on the brand colour
    brand_text: str  # the brand colour as text (and outlines) on the light page


def brand_palette(colour: str | None) -> BrandPalette:
    """The page colours for a tenant's brand colour (the default for an invalid one)."""
    if not colour or not _HEX.match(colour):
        colour = DEFAULT_BRAND
    colour = colour.lower()
    return BrandPalette(colour, text_on(colour), text_shade(colour))
