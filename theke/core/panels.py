"""Page panels and to-do tiles: domains contribute a piece to a page they do not own.

The staff start page is a to-do list of tiles (new decisions, unread conversations, failed
deliveries, ...) above a few panels, the staff customer page shows panels of other domains
(the customer's estimates and orders, the messages sent to them, ...), and the tenant's public
contact page offers what the products let customers do there (request a callback, ...).
Each domain registers its piece in its `AppConfig.ready()`, so the page's owner imports none
of them: `core` imports no domain and `customers` imports no channel or product (see the
dependency rules in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

# The pages that take panels.
START_PAGE = "start"
CUSTOMER_PAGE = "customer"
# The tenant's public contact page (/t/<slug>/, no login): the page's object is the tenant,
# e.g. the job manager's "Rückruf anfordern".
PUBLIC_PAGE = "public"

# (request, the page's object or None) -> the panel template's context, or None to leave the
# panel out (e.g. the user lacks the right to see it).
PanelContext = Callable[[HttpRequest, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: PanelContext
    order: int
    css_class: str


@dataclass(frozen=True)
class ShownPanel:
    """A panel as the page renders it: `{% render_panel panel %}` inside `css_class`."""

    name: str
    template: str
    css_class: str
    context: dict[str, Any]


_registry: dict[str, dict[str, Panel]] = {}


def register_panel(
    page: str,
    name: str,
    *,
    template: str,
    context: PanelContext,
    order: int = 100,
    css_class: str = "col-12",
) -> None:
    """Add a panel to a page (lower `order` first); registering a name again replaces it."""
    _registry.setdefault(page, {})[name] = Panel(name, template, context, order, css_class)


def panels_for(page: str, request: HttpRequest, obj: Any = None) -> list[ShownPanel]:
    """The panels of a page the request may see, in order, with their context computed."""
    shown = []
    panels = sorted(_registry.get(page, {}).values(), key=lambda p: (p.order, p.name))
    for panel in panels:
        context = panel.context(request, obj)
        if context is not None:
            shown.append(ShownPanel(panel.name, panel.template, panel.css_class, context))
    return shown


# --- the start page's to-do tiles -----------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """What waits for the user in one place: a count and the filtered list that shows it."""

    label: str
    count: int
    url: str
    hint: str = ""


# request -> the tile, or None when it is not for this user (no right, product off).
TileSource = Callable[[HttpRequest], Tile | None]

_tiles: dict[str, tuple[int, TileSource]] = {}


def register_tile(name: str, source: TileSource, *, order: int = 100) -> None:
    """Add a to-do tile to the staff start page (lower `order` first); a name again replaces it."""
    _tiles[name] = (order, source)


def tiles_for(request: HttpRequest) -> list[Tile]:
    """The user's to-do tiles: those with something waiting first, each group in order."""
    shown = []
    for _order, name in sorted((order, name) for name, (order, _source) in _tiles.items()):
        tile = _tiles[name][1](request)
        if tile is not None:
            shown.append(tile)
    return sorted(shown, key=lambda tile: tile.count == 0)
