"""Reading an e-mail's HTML part in tests: a small element tree, and the checks of the layout.

The standard library's HTMLParser builds the tree (no parser library in the project);
`assert_in_layout` checks what every e-mail of a tenant must show, whatever its purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from theke.core.colors import contrast_ratio
from theke.tenants.models import Tenant

VOID = frozenset({"area", "base", "br", "col", "hr", "img", "input", "link", "meta", "source"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def iter(self) -> Iterator[Element]:
        """This element and all below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            element
            for element in self.iter()
            if element.tag == tag
            and all(element.attrs.get(name) == value for name, value in attrs.items())
        ]

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def clean_text(self) -> str:
        return " ".join(self.text().split())

    def style(self, name: str) -> str:
        """The value of one property of the inline style, '' without it."""
        for declaration in self.attrs.get("style", "").split(";"):
            key, _, value = declaration.partition(":")
            if key.strip().lower() == name:
                return value.strip()
        return ""

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(
            Element(tag, {name: value or "" for name, value in attrs}, self.current)
        )

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def _website_label(url: str) -> str:
    return re.sub(r"^https?://", "", url).rstrip("/")


def assert_in_layout(
    html: str,
    tenant: Tenant,
    language: str,
    *,
    link: str = "",
    label: str = "",
    logo: str = "cid",
) -> Element:
    """Assert the parts of the tenant's e-mail layout; returns the parsed document.

    `link` and `label`: the button expected (and its URL written out below it). `logo`:
    "cid" (an inline image), "data" (the preview) or "" (the tenant has none).
    """
    document = parse(html)
    lowered = html.lower()

    # Styles inline only, nothing loaded from elsewhere, no script.
    assert not document.find_all("style"), "a <style> element"
    assert not [e for e in document.find_all("link") if "stylesheet" in e.attrs.get("rel", "")]
    assert "@import" not in lowered and "@font-face" not in lowered
    assert not document.find_all("script")
    assert "url(" not in lowered, "a CSS url() (an external background or font)"

    [root] = document.find_all("html")
    assert root.attrs.get("lang") == language

    # The header bar in the brand colour: the logo (alt = the company name), else the name.
    color = tenant.brand_color.lower()
    header = next(td for td in document.find_all("td") if td.attrs.get("bgcolor") == color)
    assert header.style("background-color") == color
    images = header.find_all("img")
    if logo:
        [image] = images
        assert image.attrs["alt"] == tenant.name
        assert image.attrs["src"].startswith(f"{logo}:")
        assert int(image.attrs["width"]) > 0 and int(image.attrs["height"]) > 0
    else:
        assert images == []
        assert header.clean_text() == tenant.name
        assert contrast_ratio(header.find_all("div")[0].style("color"), color) >= 4.5
    for image in document.find_all("img"):
        assert image.attrs["src"].startswith(("cid:", "data:")), image.attrs["src"]

    # The link: a button (a cell in the brand colour holding the link), the URL below it.
    anchors = document.find_all("a")
    if link:
        buttons = [
            a
            for a in anchors
            if a.attrs.get("href") == link
            and any(
                cell.attrs.get("bgcolor") == color for cell in a.ancestors() if cell.tag == "td"
            )
        ]
        assert len(buttons) == 1, f"one button to {link}"
        [button] = buttons
        assert button.clean_text() == label
        assert contrast_ratio(button.style("color"), color) >= 4.5
        assert any(table.tag == "table" for table in button.ancestors())
        written = [a for a in anchors if a.attrs.get("href") == link and a.clean_text() == link]
        assert written, "the URL written out for copying"
        assert anchors.index(written[0]) > anchors.index(button), "the URL below the button"

    # The footer: the company's name, address and contact.
    [footer] = [e for e in document.iter() if e.attrs.get("role") == "contentinfo"]
    footer_text = footer.clean_text()
    assert tenant.name in footer_text
    for part in (tenant.street, f"{tenant.postal_code} {tenant.city}".strip(), tenant.phone):
        if part:
            assert part in footer_text, part
    footer_links = {a.attrs.get("href") for a in footer.find_all("a")}
    if tenant.email:
        assert f"mailto:{tenant.email}" in footer_links
    if tenant.phone:
        assert any(href and href.startswith("tel:") for href in footer_links)
    if tenant.website:
        assert tenant.website in footer_links
        assert _website_label(tenant.website) in footer_text
    return document
