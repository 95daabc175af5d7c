#!/usr/bin/env python
"""Customer search: the tenant-scoped service and the staff list page on N customers.

Baselines measured in the same run: the same LIKE query as raw SQL on the same connection
(for the service), and a bare Django view returning the page's bytes (for the page).

    .venv/bin/python -P bench/customer_search.py [--customers 20000] [--queries 300]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -P bench/customer_search.py
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--pages", type=int, default=200)
    return parser.parse_args()


def setup_django(var_dir: str) -> None:
    os.environ["THEKE_VAR_DIR"] = var_dir
    os.environ["THEKE_STATIC_ROOT"] = str(Path(var_dir) / "static")
    (Path(var_dir) / "static").mkdir()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    os.environ.setdefault("THEKE_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Static URLs without a collectstatic run; DEBUG stays off (no query log overhead).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    if "THEKE_DATABASE_URL" in os.environ:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)


def fill(count: int) -> tuple[Any, Any, list[str]]:
    """Create a tenant with `count` customers (contact, location, vehicle each); return
    the tenant, a staff user and search queries sampled from the data (plus misses)."""
    from django.db import connection, transaction

    from theke.accounts.models import Membership, Role, User
    from theke.customers.models import Contact, Customer, Location, Vehicle
    from theke.customers.services import build_search_text
    from theke.demo.data import demo_customers
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_tenant

    tenant = create_tenant("Bench GmbH", f"bench-{time.time_ns()}")
    user = User.objects.create_user(f"bench{time.time_ns()}@example.com", "x", full_name="B")
    queries: list[str] = []
    rng = random.Random(1)
    with tenant_scope(tenant), transaction.atomic():
        Membership.objects.create(
            tenant=tenant, user=user, role=Role.objects.get(tenant=tenant, name="Admin")
        )
        demos = demo_customers(count, seed=3, first_number=100_000)
        customers = Customer.objects.bulk_create(
            Customer(
                tenant=tenant,
                kind=d.kind,
                number=d.number,
                first_name=d.first_name,
                last_name=d.last_name,
                company_name=d.company_name,
            )
            for d in demos
        )
        contacts, locations, vehicles = [], [], []
        seen_vins: set[str] = set()
        for customer, demo in zip(customers, demos, strict=True):
            for c in demo.contacts:
                contacts.append(
                    Contact(
                        tenant=tenant,
                        customer=customer,
                        first_name=c.first_name,
                        last_name=c.last_name,
                        email=c.email,
                        mobile_phone=c.mobile_phone,
                    )
                )
            for loc in demo.locations:
                locations.append(
                    Location(
                        tenant=tenant,
                        customer=customer,
                        name=loc.name,
                        street=loc.street,
                        postal_code=loc.postal_code,
                        city=loc.city,
                    )
                )
            for v in demo.vehicles:
                if v.vin in seen_vins:
                    continue
                seen_vins.add(v.vin)
                vehicles.append(
                    Vehicle(
                        tenant=tenant,
                        customer=customer,
                        vin=v.vin,
                        license_plate=v.license_plate,
                        make=v.make,
                        model=v.model,
                    )
                )
            if rng.random() < 0.02:
                plate = demo.vehicles[0].license_plate if demo.vehicles else demo.number
                queries += [
                    demo.contacts[0].last_name,
                    plate.replace(" ", "").lower(),
                    "0" + demo.contacts[0].mobile_phone.replace(" ", "")[3:],
                    demo.number,
                    f"{demo.contacts[0].first_name} {demo.contacts[0].last_name}",
                ]
        Contact.objects.bulk_create(contacts, batch_size=2000)
        Location.objects.bulk_create(locations, batch_size=2000)
        Vehicle.objects.bulk_create(vehicles, batch_size=2000)
        batch = []
        for customer in Customer.objects.prefetch_related("contacts", "locations", "vehicles"):
            customer.search_text = build_search_text(customer)
            batch.append(customer)
        Customer.objects.bulk_update(batch, ["search_text"], batch_size=2000)
    # Planner statistics as a running system has them (autovacuum / PRAGMA optimize).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    queries += ["zzzz-no-match", "nobody@nowhere", "XX-Q 0000"]
    rng.shuffle(queries)
    return tenant, user, queries


def timed(calls: list[Callable[[], object]]) -> list[float]:
    latencies = []
    for call in calls:
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return latencies


def report(label: str, latencies: list[float]) -> float:
    per_second = len(latencies) / sum(latencies)
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    print(f"  {label:<44} {per_second:9.1f}/s   p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")
    return per_second


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir)
        from django.db import connection
        from django.http import HttpResponse
        from django.test import Client
        from django.urls import path

        from theke.customers.models import Customer
        from theke.customers.services import search_customers, search_words
        from theke.tenants.scoping import tenant_scope

        start = time.perf_counter()
        tenant, user, queries = fill(args.customers)
        queries = (queries * (args.queries // max(len(queries), 1) + 1))[: args.queries]
        print(
            f"customer search on {args.customers} customers, {connection.vendor}, "
            f"{len(queries)} queries (setup {time.perf_counter() - start:.1f} s)"
        )
        table = Customer._meta.db_table

        def raw_sql(query: str) -> list[tuple[object, ...]]:
            sql = (
                f"SELECT id, first_name, last_name, company_name FROM {table} WHERE tenant_id = %s"
            )
            params: list[Any] = [tenant.pk]
            for word in search_words(query):
                sql += " AND search_text LIKE %s"
                params.append(f"%{word}%")
            sql += " ORDER BY company_name, last_name, first_name, id LIMIT 25"
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        def service(query: str) -> list[Customer]:
            return list(
                search_customers(query)
                .only("id", "first_name", "last_name", "company_name")
                .order_by("company_name", "last_name", "first_name", "id")[:25]
            )

        with tenant_scope(tenant):
            for query in queries[:20]:  # warm up caches and compare results
                assert [c.pk for c in service(query)] == [r[0] for r in raw_sql(query)]
            raw = report("raw SQL LIKE (baseline)", timed([partial(raw_sql, q) for q in queries]))
            orm = report(
                "search_customers() (scoped ORM)", timed([partial(service, q) for q in queries])
            )
        print(f"  ratio service / raw SQL: {orm / raw:.2f}")

        client = Client()
        client.force_login(user)
        page_queries = (queries * 2)[: args.pages]
        body = client.get("/staff/customers/", {"q": page_queries[0]}).content

        def bare_view(request: object) -> HttpResponse:
            return HttpResponse(body)

        from theke import urls

        urls.urlpatterns.append(path("bench-bare/", bare_view))
        page = report(
            "GET /staff/customers/?q=… (full page)",
            timed([partial(client.get, "/staff/customers/", {"q": q}) for q in page_queries]),
        )
        bare = report(
            "bare Django view, same bytes (baseline)",
            timed([partial(client.get, "/bench-bare/") for _ in page_queries]),
        )
        print(f"  ratio page / bare view: {page / bare:.2f}   page size {len(body) / 1024:.1f} KB")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
