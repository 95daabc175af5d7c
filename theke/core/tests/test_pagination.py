"""The one pagination partial keeps the list's other GET parameters."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def test_page_links_keep_search_and_filters() -> None:
    request = RequestFactory().get("/staff/customers/", {"q": "Müller & Söhne", "page": "2"})
    page = Paginator(list(range(100)), 25).get_page(2)
    html = render_to_string("core/_pagination.html", {"page": page}, request=request)
    assert 'href="?q=M%C3%BCller+%26+S%C3%B6hne&amp;page=1"' in html
    assert 'href="?q=M%C3%BCller+%26+S%C3%B6hne&amp;page=3"' in html
    assert "Seite 2 von 4" in html


def test_a_single_page_shows_no_pagination() -> None:
    request = RequestFactory().get("/staff/customers/")
    page = Paginator([1, 2], 25).get_page(1)
    assert render_to_string("core/_pagination.html", {"page": page}, request=request).strip() == ""
