"""Page panels: domains add pieces to pages they do not own, in order, only where allowed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from theke.core import panels

PAGE = "test-page"


@pytest.fixture(autouse=True)
def clean_page() -> Iterator[None]:
    yield
    panels._registry.pop(PAGE, None)


def context_of(value: str) -> panels.PanelContext:
    return lambda request, obj: {"value": value, "obj": obj}


def test_panels_come_in_their_order_with_their_context() -> None:
    panels.register_panel(PAGE, "late", template="t.html", context=context_of("b"), order=20)
    panels.register_panel(PAGE, "early", template="t.html", context=context_of("a"), order=10)
    shown = panels.panels_for(PAGE, RequestFactory().get("/"), obj="customer")
    assert [(p.name, p.context) for p in shown] == [
        ("early", {"value": "a", "obj": "customer"}),
        ("late", {"value": "b", "obj": "customer"}),
    ]


def test_a_panel_without_context_is_left_out() -> None:
    panels.register_panel(PAGE, "hidden", template="t.html", context=lambda request, obj: None)
    assert panels.panels_for(PAGE, RequestFactory().get("/")) == []


def test_registering_a_name_again_replaces_the_panel() -> None:
    panels.register_panel(PAGE, "one", template="old.html", context=context_of("a"))
    panels.register_panel(PAGE, "one", template="new.html", context=context_of("a"))
    assert [p.template for p in panels.panels_for(PAGE, RequestFactory().get("/"))] == ["new.html"]


def test_a_page_without_panels_shows_none() -> None:
    assert panels.panels_for("no-such-page", RequestFactory().get("/")) == []


def test_render_panel_renders_the_template_with_page_and_panel_context() -> None:
    panel = panels.ShownPanel("tenant", "core/_tenant_tile.html", "col-12", {})
    page: Any = Template("{% load theke_panels %}{% render_panel panel %}")
    tenant = {"name": "Autohaus <Alpha>", "slug": "alpha"}
    html = page.render(Context({"panel": panel, "tenant": tenant, "membership": None}))
    assert "Autohaus &lt;Alpha&gt;" in html
    assert "/alpha/" in html
