"""The customer search: one LIKE per word on the search text the services maintain."""

from __future__ import annotations

from typing import Any

import pytest

from theke.audit.services import SYSTEM
from theke.customers import services
from theke.customers.models import Customer
from theke.customers.services import search_customers, search_words
from theke.customers.tests.conftest import VIN, Shop
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def found(query: str) -> list[Customer]:
    return list(search_customers(query))


@pytest.mark.parametrize(
    "query",
    [
        "müller",
        "MÜLLER LOGISTIK",
        "Hans",
        "K-1001",
        "k1001",
        "erp-77",
        "hans.mueller@example.com",
        "example.com",
        "+49 171 1234567",
        "+491711234567",
        "0171 1234567",
        "01711234567",
        "0171/1234567",
        "0049 171 1234567",
        "B AB 123",
        "B-AB 123",
        "BAB123",
        "b ab",
        VIN,
        VIN.lower()[:11],
        "Berlin",
        "10115",
        "Müller Berlin",
        "logistik 0171 1234567",
    ],
)
def test_search_finds_the_customer(in_a: Any, shop: Shop, query: str) -> None:
    assert found(query) == [shop.customer]


@pytest.mark.parametrize("query", ["Müller Hamburg", "0172 1234567", "WVWZZZ1JZXW000002", "K-1003"])
def test_search_needs_every_word_to_match(in_a: Any, shop: Shop, query: str) -> None:
    assert found(query) == []


def test_empty_query_finds_everyone(in_a: Any, shop: Shop) -> None:
    assert set(found("  ")) == {shop.customer, shop.other}


def test_search_text_follows_contact_changes(in_a: Any, shop: Shop) -> None:
    services.update_contact(shop.contact, SYSTEM, email="neu@firma.de", phone="030 1234567")
    assert found("hans.mueller@example.com") == []
    assert found("neu@firma.de") == [shop.customer]
    assert found("030 1234567") == [shop.customer]
    assert found("+49 30 1234567") == [shop.customer]
    services.remove_contact(shop.contact, SYSTEM)
    assert found("neu@firma.de") == []


def test_search_text_follows_new_contacts_vehicles_and_name_changes(in_a: Any, shop: Shop) -> None:
    services.add_contact(shop.other, SYSTEM, first_name="Paul", last_name="Panther")
    services.add_vehicle(shop.other, SYSTEM, license_plate="HH-XY 42")
    services.update_customer(shop.other, SYSTEM, last_name="Schulze-Berg")
    assert found("panther") == [shop.other]
    assert found("HHXY42") == [shop.other]
    assert found("hh xy 42") == [shop.other]
    assert found("schulze-berg") == [shop.other]


def test_rebuild_search_text_repairs_a_stale_row(in_a: Any, shop: Shop) -> None:
    Customer.objects.filter(pk=shop.customer.pk).update(search_text="")
    assert found("müller") == []
    services.rebuild_search_text(shop.customer)
    assert found("müller") == [shop.customer]


def test_search_stays_within_the_tenant(shop: Shop, tenant_b: Any) -> None:
    with tenant_scope(tenant_b):
        assert found("müller") == []


def test_search_words_normalise_phone_numbers() -> None:
    assert search_words("+49 (0) 171 123-4567") == ["491711234567"]
    assert search_words("0049 171 1234567") == ["491711234567"]
    assert search_words("Müller, +491711234567") == ["müller", "491711234567"]
    assert search_words("K-1001") == ["k-1001"]
    assert search_words("") == []
