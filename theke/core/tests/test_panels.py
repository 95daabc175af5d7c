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


# --- to-do tiles -----------------------------------------------------------------------------


@pytest.fixture
def own_tiles(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[int, panels.TileSource]]:
    registry: dict[str, tuple[int, panels.TileSource]] = {}
    monkeypatch.setattr(panels, "_tiles", registry)
    return registry


def test_tiles_with_something_waiting_come_first_in_their_order(own_tiles: Any) -> None:
    panels.register_tile("a", lambda r: panels.Tile("A", 0, "/a"), order=1)
    panels.register_tile("b", lambda r: panels.Tile("B", 2, "/b"), order=2)
    panels.register_tile("c", lambda r: None, order=3)  # not for this user
    panels.register_tile("d", lambda r: panels.Tile("D", 5, "/d"), order=4)
    shown = panels.tiles_for(RequestFactory().get("/"))
    assert [tile.label for tile in shown] == ["B", "D", "A"]


def test_the_start_page_is_a_to_do_list_with_a_link_to_the_activities(
    owner_client: Any, own_tiles: Any
) -> None:
    panels.register_tile("x", lambda r: panels.Tile("Offene Dinge", 3, "/staff/x/", "Hinweis"))
    html = owner_client.get("/staff/").content.decode()
    assert 'href="/staff/x/"' in html and "Offene Dinge" in html and "Hinweis" in html
    assert "Alles erledigt" not in html
    assert 'id="recent-activity"' in html  # the log moved behind "Letzte Aktivitäten"
    assert "Letzte Aktivitäten" in html

    panels.register_tile("x", lambda r: panels.Tile("Offene Dinge", 0, "/staff/x/"))
    html = owner_client.get("/staff/").content.decode()
    assert "Alles erledigt" in html


def test_a_select_offers_a_german_blank_choice() -> None:
    from django.db import models
    from django.utils import translation

    field = models.CharField(choices=[("a", "A")], blank=True, max_length=1)
    with translation.override("de"):
        html = str(field.formfield().widget.render("k", ""))  # type: ignore[union-attr]
    assert "– Bitte wählen –" in html
    assert "Select an option" not in html
