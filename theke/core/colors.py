"""Colour contrast after WCAG 2.x: which text colour is readable on a tenant's brand colour.

Pure functions on "#rrggbb" strings (the format the tenant's brand colour is validated to).
"""

from __future__ import annotations

WHITE = "#ffffff"
BLACK = "#000000"
# WCAG AA for normal text.
MIN_CONTRAST = 4.5


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """The relative luminance of "#rrggbb", 0 (black) to 1 (white)."""
    hex_digits = color.lstrip("#")
    if len(hex_digits) != 6:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    red, green, blue = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """The contrast ratio of two colours, 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_color_on(background: str) -> str:
    """White text where it reaches 4.5:1 on the background, else black.

    When white fails, the background's luminance is above 0.18, and black then reaches at
    least 4.67:1: one of the two always passes. White is preferred, as brand bars usually are.
    """
    return WHITE if contrast_ratio(WHITE, background) >= MIN_CONTRAST else BLACK


def readable_on_white(color: str) -> str:
    """The colour itself if it reads on white (4.5:1), else the same hue darkened until it does.

    For links and headings in the brand colour on a white page: a light yellow brand becomes
    a dark olive instead of unreadable text.
    """
    hex_digits = color.lstrip("#")
    rgb = [int(hex_digits[i : i + 2], 16) for i in (0, 2, 4)]
    candidate = f"#{hex_digits.lower()}"
    factor = 1.0
    while contrast_ratio(candidate, WHITE) < MIN_CONTRAST and factor > 0:
        factor = round(factor - 0.05, 2)
        candidate = "#" + "".join(f"{round(value * max(factor, 0)):02x}" for value in rgb)
    return candidate
