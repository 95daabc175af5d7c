#!/usr/bin/env python
"""Online booking and the lead manager (issue 12), one section per function:

* duplicates: the duplicate search ("Dublettenabfrage") over N customers. Time to store
  and key them through the bulk key path, then p50/p95 of M lookups (queries from the
  seeded corpus of the quality test: one typo, umlaut/ß spelling, swapped letters or phone
  format each) and the queries per lookup. Baseline in the same run: an exact indexed
  lookup of a customer by its e-mail key. Target: p95 < 50 ms on SQLite.

    .venv/bin/python bench/booking.py [--section duplicates] [--customers 100000] [--lookups 500]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/booking.py
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--section", choices=sorted(SECTIONS), action="append")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=500)
    return parser.parse_args()


def setup_django(var_dir: str) -> None:
    os.environ["THEKE_VAR_DIR"] = var_dir
    os.environ["THEKE_STATIC_ROOT"] = str(Path(var_dir) / "static")
    (Path(var_dir) / "static").mkdir()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if "THEKE_DATABASE_URL" in os.environ:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)


def timed(calls: list[Callable[[], object]]) -> list[float]:
    latencies = []
    for call in calls:
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return latencies


def report(label: str, latencies: list[float]) -> tuple[float, float]:
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    print(f"  {label:<46} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")
    return p50, p95


# --- duplicates ---------------------------------------------------------------------------


def duplicates(args: argparse.Namespace) -> None:
    """The duplicate search over args.customers customers (see the module docstring)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from theke.customers.duplicates import DuplicateCriteria
    from theke.customers.models import Contact, Customer, CustomerMatchKey, Location
    from theke.customers.services import find_duplicate_customers, reindex_customers
    from theke.customers.tests.duplicate_corpus import build_customers, build_queries
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_tenant

    start = time.perf_counter()
    corpus = build_customers(args.customers, seed=12, postcodes=max(250, args.customers // 40))
    queries = build_queries(corpus, args.lookups, seed=13)
    tenant = create_tenant("Bench Dubletten GmbH", f"bench-dups-{time.time_ns()}")
    with tenant_scope(tenant):
        with transaction.atomic():
            customers = Customer.objects.bulk_create(
                [
                    Customer(tenant=tenant, first_name=c.first_name, last_name=c.last_name)
                    for c in corpus
                ],
                batch_size=2000,
            )
            Contact.objects.bulk_create(
                [
                    Contact(
                        tenant=tenant,
                        customer=customer,
                        first_name=c.first_name,
                        last_name=c.last_name,
                        email=c.email,
                        mobile_phone=c.phone if c.national.startswith("1") else "",
                        phone="" if c.national.startswith("1") else c.phone,
                    )
                    for customer, c in zip(customers, corpus, strict=True)
                ],
                batch_size=2000,
            )
            Location.objects.bulk_create(
                [
                    Location(
                        tenant=tenant,
                        customer=customer,
                        street=c.street,
                        postal_code=c.postal_code,
                        city=c.city,
                    )
                    for customer, c in zip(customers, corpus, strict=True)
                ],
                batch_size=2000,
            )
        stored = time.perf_counter() - start
        start = time.perf_counter()
        with transaction.atomic():
            reindex_customers(customers)
        keyed = time.perf_counter() - start
        keys = CustomerMatchKey.objects.count()
        # Planner statistics as a running system has them (autovacuum / PRAGMA optimize).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"duplicate search on {len(customers)} customers, {connection.vendor}, "
            f"{len(queries)} lookups"
        )
        print(
            f"  stored in {stored:.1f} s; search text and {keys} match keys "
            f"({keys / len(customers):.1f} a customer) in {keyed:.1f} s "
            f"({len(customers) / keyed:,.0f} customers/s, the bulk key path)"
        )

        criteria = DuplicateCriteria()
        ids = [customer.pk for customer in customers]

        def lookup(index: int) -> list[int]:
            found = find_duplicate_customers(tenant, queries[index].probe, criteria)
            return [candidate.customer_id for candidate in found]

        def exact(index: int) -> list[Customer]:
            email = corpus[queries[index].index].email
            return list(Customer.objects.filter(match_keys__kind="email", match_keys__key=email))

        for index in range(min(20, len(queries))):  # warm up caches
            lookup(index)
            assert exact(index)[0].pk == ids[queries[index].index]
        with CaptureQueriesContext(connection) as captured:
            lookup(0)
        base = report(
            "exact lookup by e-mail key (baseline)",
            timed([partial(exact, i) for i in range(len(queries))]),
        )
        results: list[list[int]] = []

        def collect(index: int) -> None:
            results.append(lookup(index))

        dup = report(
            "find_duplicate_customers()",
            timed([partial(collect, i) for i in range(len(queries))]),
        )
        found = sum(ids[q.index] in r for q, r in zip(queries, results, strict=True))
        wrong = sum(len(r) - (ids[q.index] in r) for q, r in zip(queries, results, strict=True))
        print(
            f"  ratio duplicate search / exact lookup: p50 {dup[0] / base[0]:.1f}, "
            f"p95 {dup[1] / base[1]:.1f}; {len(captured.captured_queries)} SQL queries a lookup"
        )
        print(
            f"  right customer found {found / len(queries):.1%}, "
            f"{wrong / len(queries):.2f} wrong candidates a lookup; "
            f"target p95 < 50 ms: {'met' if dup[1] < 50 else 'MISSED'}"
        )


SECTIONS: dict[str, Callable[[argparse.Namespace], None]] = {
    "duplicates": duplicates,
}


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir)
        for name in args.section or list(SECTIONS):
            SECTIONS[name](args)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
