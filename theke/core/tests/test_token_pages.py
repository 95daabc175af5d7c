"""Staff pages show customer links shortened (token_pages.shorten_links, |shorten_links)."""

from __future__ import annotations

from django.template import Context, Template

from theke.core import token_pages

TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz01RD3x"


def setup_module() -> None:
    token_pages.register_token_url("estimate_pages:page")  # as the estimate kind does


def test_a_link_in_text_keeps_its_last_four_characters() -> None:
    text = f"Ihr KV: https://theke.example/k/{TOKEN}/ (gültig bis 1.1.)"
    assert (
        token_pages.shorten_links(text)
        == "Ihr KV: https://theke.example/k/…RD3x/ (gültig bis 1.1.)"
    )


def test_links_in_html_and_subpages_are_shortened_too() -> None:
    html = f'<a href="https://theke.example/k/{TOKEN}/">KV</a> /k/{TOKEN}/fotos/abc'
    shortened = token_pages.shorten_links(html)
    assert TOKEN not in shortened
    assert shortened.count("/k/…RD3x/") == 2


def test_text_without_a_token_stays_as_it_is() -> None:
    for text in ("", "Rufen Sie an: 030 123", "/k/kurz/", "/staff/k/x", "https://example.com/"):
        assert token_pages.shorten_links(text) == text


def test_filter_shortens_and_still_escapes() -> None:
    template = Template("{% load theke_links %}{{ text|shorten_links|linebreaksbr }}")
    html = template.render(Context({"text": f"<b>/k/{TOKEN}/</b>\nZeile 2"}))
    assert html == "&lt;b&gt;/k/…RD3x/&lt;/b&gt;<br>Zeile 2"
