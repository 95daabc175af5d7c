"""Which entries of the staff bar a user sees, and which one is the current page's."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from theke.core import navigation
from theke.core.navigation import NavEntry, shown_entries


class User:
    def __init__(self, *rights: str) -> None:
        self.rights = set(rights)

    def has_perm(self, right: str) -> bool:
        return right in self.rights


def request(path: str, *rights: str, tenant: Any = "tenant") -> Any:
    req = RequestFactory().get(path)
    req.user = User(*rights)  # type: ignore[assignment]
    req.tenant = tenant  # type: ignore[attr-defined]
    return req


def labels(items: list[navigation.ShownGroup]) -> list[str]:
    return [str(item.label) for item in items]


def active(items: list[navigation.ShownGroup]) -> list[str]:
    return [str(e.label) for item in items for e in item.entries if e.active]


def test_entries_follow_the_rights() -> None:
    assert labels(shown_entries(request("/staff/"))) == ["Übersicht"]
    every = request("/staff/", "customers.view", "estimates.view", "audit.view")
    assert labels(shown_entries(every)) == [
        "Übersicht",
        "Kunden",
        "Kostenvoranschläge",
        "Artikel",
        "Protokoll",
    ]


def test_no_entries_without_a_tenant() -> None:
    assert shown_entries(request("/staff/", "customers.view", tenant=None)) == []


def test_the_most_specific_section_is_the_current_page() -> None:
    rights = ("customers.view", "estimates.view")
    assert active(shown_entries(request("/staff/", *rights))) == ["Übersicht"]
    assert active(shown_entries(request("/staff/customers/12/", *rights))) == ["Kunden"]
    assert active(shown_entries(request("/staff/customers/articles/", *rights))) == ["Artikel"]
    assert active(shown_entries(request("/staff/messages/inbox/", *rights))) == []
    settings = (*rights, "api.manage_keys")
    assert active(shown_entries(request("/staff/api/keys/", *settings))) == ["Einstellungen"]
    assert active(shown_entries(request("/staff/estimates/settings/", *settings))) == [
        "Einstellungen"
    ]


def test_entries_of_a_group_share_one_dropdown_in_place_of_the_first() -> None:
    entries = (
        NavEntry("Übersicht", "core:dashboard"),
        NavEntry("Protokoll", "audit:log", ("audit.view",), ("/staff/audit/",), group="Mehr"),
        NavEntry("Kunden", "customers:list", sections=("/staff/customers/",)),
        NavEntry("Versand", "messaging:delivery_list", group="Mehr"),
        NavEntry("Gibt es nicht", "nowhere:list"),  # a product that is not installed
    )
    items = shown_entries(request("/staff/audit/", "audit.view"), entries)
    assert labels(items) == ["Übersicht", "Mehr", "Kunden"]
    group = items[1]
    assert group.dropdown and group.active
    assert [str(e.label) for e in group.entries] == ["Protokoll", "Versand"]
    assert active(items) == ["Protokoll"]


def test_the_container_catalog_belongs_to_the_articles_entry() -> None:
    rights = ("customers.manage_catalog",)
    for path in ("/staff/customers/waste-types/", "/staff/customers/container-types/3/edit/"):
        assert active(shown_entries(request(path, *rights))) == ["Artikel"]
