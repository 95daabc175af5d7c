"""Readable colours around any brand colour: WCAG contrast of text on it and of it as text."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from theke.core.colors import DEFAULT_BRAND, brand_palette, contrast, luminance

COLOURS = ["#1f4e79", "#f2c200", "#ffffff", "#000000", "#7fdbff", "#2e7d32", "#ff4136", "#777777"]


def test_contrast_matches_the_wcag_figures() -> None:
    assert luminance("#ffffff") == pytest.approx(1)
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#0d6efd", "#ffffff") == pytest.approx(4.5, abs=0.01)


@pytest.mark.parametrize("colour", COLOURS)
def test_every_brand_colour_gets_readable_text(colour: str) -> None:
    palette = brand_palette(colour)
    assert palette.brand == colour
    assert contrast(palette.on_brand, palette.brand) >= 4.5
    for background in ("#ffffff", "#f7f7f5"):
        assert contrast(palette.brand_text, background) >= 4.5


def test_dark_brand_colours_stay_as_they_are() -> None:
    palette = brand_palette("#1F4E79")
    assert (palette.on_brand, palette.brand_text) == ("#ffffff", "#1f4e79")


def test_light_brand_colours_get_dark_text_and_a_darker_shade() -> None:
    palette = brand_palette("#f2c200")
    assert palette.on_brand != "#ffffff"
    assert palette.brand_text != "#f2c200"


@pytest.mark.parametrize("value", ["", None, "red", "#12345", "#1f4e79; } body { x", "#gggggg"])
def test_invalid_colours_fall_back_to_the_default(value: str | None) -> None:
    assert brand_palette(value).brand == DEFAULT_BRAND


def test_template_tag_writes_the_css_variables() -> None:
    template = Template("{% load theke_colors %}{% brand_css_variables colour %}")
    css = template.render(Context({"colour": "#f2c200"}))
    assert css.startswith("--brand: #f2c200; --on-brand: #")
    assert "--brand-text: #" in css and "<" not in css
