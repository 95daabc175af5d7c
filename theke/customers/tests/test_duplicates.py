"""The duplicate search ("Dublettenabfrage"): reasons, criteria, tolerance, tenants, and the
match keys the services keep."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from theke.audit.services import SYSTEM
from theke.customers import services
from theke.customers.duplicates import (
    DuplicateCriteria,
    DuplicateProbe,
    name_key,
    phone_key,
    phonetic_code,
    typo_key,
)
from theke.customers.models import Customer, CustomerMatchKey
from theke.customers.services import find_duplicate_customers
from theke.customers.tests.conftest import VIN
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

ALL = DuplicateCriteria()


@dataclass
class Master:
    tenant: Any
    strauss: Customer
    mueller: Customer
    neighbour: Customer


def make_customer(
    tenant: Any,
    first: str,
    last: str,
    postcode: str,
    email: str = "",
    mobile: str = "",
    plate: str = "",
    vin: str = "",
) -> Customer:
    customer = services.create_customer(tenant, SYSTEM, first_name=first, last_name=last)
    services.add_contact(
        customer, SYSTEM, first_name=first, last_name=last, email=email, mobile_phone=mobile
    )
    services.add_location(customer, SYSTEM, street="Hauptstr. 1", postal_code=postcode, city="X")
    if plate or vin:
        services.add_vehicle(customer, SYSTEM, license_plate=plate, vin=vin)
    return customer


@pytest.fixture
def master(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        strauss = make_customer(
            tenant_a,
            "Jürgen",
            "Strauß",
            "10115",
            email="J.Strauss@Example.com",
            mobile="0171 1234567",
            plate="B-JS 123",
            vin=VIN,
        )
        mueller = make_customer(tenant_a, "Anna", "Müller-Lüdenscheidt", "80331")
        neighbour = make_customer(tenant_a, "Karl", "Becker", "10115")
        yield Master(tenant_a, strauss, mueller, neighbour)


def search(
    master: Master, probe: dict[str, str], criteria: DuplicateCriteria = ALL
) -> dict[int, list[str]]:
    found = find_duplicate_customers(master.tenant, DuplicateProbe(**probe), criteria)
    return {candidate.customer_id: candidate.reasons for candidate in found}


def test_keys_are_tolerant_of_case_umlauts_sharp_s_spacing_and_hyphens() -> None:
    assert name_key("Strauß") == name_key("STRAUSS") == "strauss"
    assert name_key("Müller-Lüdenscheidt") == name_key("mueller lüdenscheidt")
    assert typo_key("Müller") == typo_key("Mueller")
    assert phonetic_code("Müller") == phonetic_code("Mueller") == phonetic_code("Möller")
    assert phone_key("0171/1234567") == phone_key("+49 171 1234567") == "491711234567"
    assert phone_key("0049 (171) 123-4567") == "491711234567"


@pytest.mark.parametrize(
    ("probe", "reason"),
    [
        ({"phone": "+49 (171) 123 45 67"}, "gleiche Telefonnummer"),
        ({"email": " j.strauss@EXAMPLE.com "}, "gleiche E-Mail-Adresse"),
        ({"license_plate": "b js123"}, "gleiches Kennzeichen"),
        ({"vin": VIN.lower()}, "gleiche FIN"),
        (
            {"first_name": "JÜRGEN", "last_name": "Strauss", "postal_code": "10115"},
            "gleicher Name und PLZ",
        ),
        (
            {"first_name": "Jürgen", "last_name": "Strauß", "postal_code": "10 115"},
            "gleicher Name und PLZ",
        ),
        ({"first_name": "Jürgen", "last_name": "Strauh", "postal_code": "10115"}, "ein Tippfehler"),
        ({"first_name": "Jürgen", "last_name": "Srtauß", "postal_code": "10115"}, "ein Tippfehler"),
        ({"first_name": "Jügren", "last_name": "Strauß", "postal_code": "10115"}, "ein Tippfehler"),
        (
            {"first_name": "Jürgen", "last_name": "Schtrauss", "postal_code": "10115"},
            "klingt gleich",
        ),
        ({"first_name": "Jürgen", "last_name": "Strauß"}, "klingt gleich"),
    ],
)
def test_each_reason_names_why_the_customer_was_found(
    master: Master, probe: dict[str, str], reason: str
) -> None:
    with tenant_scope(master.tenant):
        found = search(master, probe)
    assert found[master.strauss.pk] == [reason]
    assert next(iter(found)) == master.strauss.pk


def test_all_reasons_together_rank_first_with_the_top_score(master: Master) -> None:
    probe = DuplicateProbe(
        first_name="Jürgen",
        last_name="Strauss",
        postal_code="10115",
        email="j.strauss@example.com",
        phone="0171 1234567",
        license_plate="B-JS 123",
    )
    with tenant_scope(master.tenant):
        found = find_duplicate_customers(master.tenant, probe, ALL)
    assert found[0].customer_id == master.strauss.pk
    assert found[0].score == 1.0
    assert found[0].customer == master.strauss
    assert found[0].reasons == [
        "gleiche Telefonnummer",
        "gleiche E-Mail-Adresse",
        "gleiches Kennzeichen",
        "gleicher Name und PLZ",
    ]


def test_hyphenated_names_match_without_hyphen_and_umlauts(master: Master) -> None:
    with tenant_scope(master.tenant):
        probe = {"first_name": "anna", "last_name": "Mueller Luedenscheidt", "postal_code": "80331"}
        found = search(master, probe)
    assert found == {master.mueller.pk: ["gleicher Name und PLZ"]}


def test_another_first_name_at_the_same_postcode_is_no_candidate(master: Master) -> None:
    with tenant_scope(master.tenant):
        found = search(
            master, {"first_name": "Maria", "last_name": "Becker", "postal_code": "10115"}
        )
    assert found == {}


def test_a_namesake_in_another_postcode_is_no_candidate(master: Master) -> None:
    with tenant_scope(master.tenant):
        found = search(
            master, {"first_name": "Jürgen", "last_name": "Strauß", "postal_code": "50667"}
        )
    assert found == {}


@pytest.mark.parametrize(
    ("criteria", "probe"),
    [
        (DuplicateCriteria(phone=False), {"phone": "0171 1234567"}),
        (DuplicateCriteria(email=False), {"email": "j.strauss@example.com"}),
        (DuplicateCriteria(vehicle=False), {"license_plate": "B-JS 123", "vin": VIN}),
        (
            DuplicateCriteria(name_postcode=False),
            {"first_name": "Jürgen", "last_name": "Strauß", "postal_code": "10115"},
        ),
    ],
)
def test_a_criterion_switched_off_finds_nothing(
    master: Master, criteria: DuplicateCriteria, probe: dict[str, str]
) -> None:
    with tenant_scope(master.tenant):
        assert search(master, probe, criteria) == {}
        assert search(master, probe) != {}


def test_name_switched_off_does_not_count_toward_a_phone_match(master: Master) -> None:
    probe = {"phone": "0171 1234567", "first_name": "Jürgen", "last_name": "Strauß"}
    with tenant_scope(master.tenant):
        found = search(master, probe, DuplicateCriteria(name_postcode=False))
    assert found == {master.strauss.pk: ["gleiche Telefonnummer"]}


def test_another_tenants_customer_is_never_a_candidate(master: Master, tenant_b: Any) -> None:
    with tenant_scope(tenant_b):
        twin = make_customer(
            tenant_b,
            "Jürgen",
            "Strauß",
            "10115",
            email="j.strauss@example.com",
            mobile="0171 1234567",
        )
        probe = {
            "first_name": "Jürgen",
            "last_name": "Strauß",
            "postal_code": "10115",
            "email": "j.strauss@example.com",
            "phone": "0171 1234567",
        }
        assert list(search(Master(tenant_b, twin, twin, twin), probe)) == [twin.pk]
    with tenant_scope(master.tenant):
        assert list(search(master, probe)) == [master.strauss.pk]


def test_keys_follow_a_changed_phone_number(master: Master) -> None:
    with tenant_scope(master.tenant):
        contact = master.strauss.contacts.get()
        services.update_contact(contact, SYSTEM, mobile_phone="+49 160 9876543")
        assert search(master, {"phone": "0171 1234567"}) == {}
        assert list(search(master, {"phone": "0160 9876543"})) == [master.strauss.pk]


def test_keys_follow_a_new_location_and_a_removed_contact(master: Master) -> None:
    probe = {"first_name": "Karl", "last_name": "Becker", "postal_code": "20095"}
    with tenant_scope(master.tenant):
        assert search(master, probe) == {}
        services.add_location(
            master.neighbour, SYSTEM, street="A 1", postal_code="20095", city="HH"
        )
        assert list(search(master, probe)) == [master.neighbour.pk]
        services.remove_contact(master.strauss.contacts.get(), SYSTEM)
        assert search(master, {"email": "j.strauss@example.com"}) == {}


def test_keys_go_with_a_deleted_customer(master: Master) -> None:
    with tenant_scope(master.tenant):
        pk = master.mueller.pk
        assert CustomerMatchKey.objects.filter(customer_id=pk).exists()
        services.remove_customer(master.mueller, SYSTEM)
        assert not CustomerMatchKey.objects.filter(customer_id=pk).exists()


def test_bulk_upsert_keeps_the_keys_of_every_item(tenant_a: Any) -> None:
    items = [
        (
            f"ERP-{n}",
            {
                "first_name": "Eva",
                "last_name": f"Kühn{'e' * n}",
                "contacts": [{"last_name": "Kühn", "mobile_phone": f"0171 55500{n:02d}"}],
            },
        )
        for n in range(20)
    ]
    with tenant_scope(tenant_a):
        outcomes = services.upsert_customers(tenant_a, SYSTEM, items)
        ids = []
        for outcome in outcomes:
            assert isinstance(outcome, tuple)
            ids.append(outcome[1].pk)
        for n, pk in enumerate(ids):
            found = find_duplicate_customers(
                tenant_a, DuplicateProbe(phone=f"+4917155500{n:02d}"), ALL
            )
            assert [c.customer_id for c in found] == [pk]
        assert Customer.objects.get(pk=ids[3]).search_text.count("kühn") >= 1
        items = [("ERP-3", {"contacts": [{"last_name": "Kühn", "mobile_phone": "0151 12345678"}]})]
        services.upsert_customers(tenant_a, SYSTEM, items)
        assert find_duplicate_customers(tenant_a, DuplicateProbe(phone="0171 5550003"), ALL) == []


def test_a_lookup_takes_the_same_few_queries_for_one_or_many_candidates(master: Master) -> None:
    probe = DuplicateProbe(first_name="Jürgen", last_name="Strauß", postal_code="10115")
    with tenant_scope(master.tenant):
        with CaptureQueriesContext(connection) as one:
            find_duplicate_customers(master.tenant, probe, ALL)
        for n in range(8):
            make_customer(master.tenant, "Jürgen", "Straus" if n % 2 else "Strauss", "10115")
        with CaptureQueriesContext(connection) as many:
            found = find_duplicate_customers(master.tenant, probe, ALL)
            for candidate in found:
                assert candidate.customer is not None
                list(candidate.customer.contacts.all())
                list(candidate.customer.vehicles.all())
    assert len(found) == 9
    assert len(one.captured_queries) == len(many.captured_queries) <= 6


def test_data_migration_fills_the_keys_of_existing_customers(master: Master) -> None:
    from django.apps import apps

    migration = importlib.import_module("theke.customers.migrations.0009_fill_customer_match_keys")
    with tenant_scope(master.tenant):
        before = set(CustomerMatchKey.objects.values_list("customer_id", "kind", "key"))
        CustomerMatchKey.objects.all().delete()
        migration.fill_match_keys(apps, None)
        after = set(CustomerMatchKey.objects.values_list("customer_id", "kind", "key"))
    assert after == before
    assert len(after) > 20
