"""Quality of the duplicate search on a seeded corpus (tests/duplicate_corpus.py): 5,000
German customers, 1,500 queries with one typo, umlaut/ß spelling, swapped letters or phone
format each. The right customer must be among the (at most 10) candidates for >= 99 % of
the queries, with on average <= 1 wrong candidate per query."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from theke.customers.duplicates import DuplicateCriteria
from theke.customers.models import Contact, Customer, Location
from theke.customers.services import find_duplicate_customers, reindex_customers
from theke.customers.tests.duplicate_corpus import (
    CorpusCustomer,
    build_customers,
    build_queries,
)
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

LIMIT = 10


def store_corpus(tenant: Any, corpus: list[CorpusCustomer]) -> list[int]:
    """The corpus as customers of the tenant (bulk inserts, then the bulk key path)."""
    customers = Customer.objects.bulk_create(
        [Customer(tenant=tenant, first_name=c.first_name, last_name=c.last_name) for c in corpus],
        batch_size=1000,
    )
    contacts, locations = [], []
    for customer, c in zip(customers, corpus, strict=True):
        mobile = c.national.startswith("1")
        contacts.append(
            Contact(
                tenant=tenant,
                customer=customer,
                first_name=c.first_name,
                last_name=c.last_name,
                email=c.email,
                mobile_phone=c.phone if mobile else "",
                phone="" if mobile else c.phone,
                is_primary=True,
            )
        )
        locations.append(
            Location(
                tenant=tenant,
                customer=customer,
                street=c.street,
                postal_code=c.postal_code,
                city=c.city,
                is_billing=True,
            )
        )
    Contact.objects.bulk_create(contacts, batch_size=1000)
    Location.objects.bulk_create(locations, batch_size=1000)
    reindex_customers(customers)
    return [customer.pk for customer in customers]


def test_right_customer_is_found_for_99_percent_with_at_most_one_wrong_on_average(
    tenant_a: Any,
) -> None:
    corpus = build_customers(5000, seed=12)
    queries = build_queries(corpus, 1500, seed=13)
    criteria = DuplicateCriteria()
    with tenant_scope(tenant_a):
        start = time.perf_counter()
        ids = store_corpus(tenant_a, corpus)
        stored = time.perf_counter() - start
        found, first, wrong = Counter[str](), Counter[str](), Counter[str]()
        per_kind = Counter(q.kind for q in queries)
        misses = []
        start = time.perf_counter()
        for query in queries:
            candidates = find_duplicate_customers(tenant_a, query.probe, criteria, limit=LIMIT)
            found_ids = [c.customer_id for c in candidates]
            assert len(found_ids) <= LIMIT
            right = ids[query.index]
            if right in found_ids:
                found[query.kind] += 1
                first[query.kind] += found_ids[0] == right
            else:
                misses.append(query)
            wrong[query.kind] += sum(pk != right for pk in found_ids)
        searched = time.perf_counter() - start
    total = len(queries)
    recall = sum(found.values()) / total
    wrong_per_query = sum(wrong.values()) / total
    print(
        f"\nduplicate quality: {len(corpus)} customers, {total} queries; stored and keyed in "
        f"{stored:.1f} s, searched in {searched:.1f} s"
    )
    print(
        f"  found {recall:.2%}, first {sum(first.values()) / total:.2%}, "
        f"wrong candidates per query {wrong_per_query:.2f}"
    )
    for kind, count in sorted(per_kind.items()):
        print(
            f"  {kind:<7} {count:4}: found {found[kind] / count:.2%}, first "
            f"{first[kind] / count:.2%}, wrong per query {wrong[kind] / count:.2f}"
        )
    for query in misses[:10]:
        print(f"  missed: {corpus[query.index]} <- {query.probe}")
    assert recall >= 0.99
    assert wrong_per_query <= 1.0
