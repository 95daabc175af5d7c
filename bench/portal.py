#!/usr/bin/env python
"""The portal's dashboard, order list and analytics for a big customer: server time and SQL
queries, at a tenth of the orders and at all of them (the query count must not grow).

A fresh database gets a container service with the portal switched on, a customer with 50
locations, 500 containers placed there, orders spread over the last 12 months (bulk_create;
kinds, waste types, locations and containers mixed; one in ten invoiced) and a portal admin
of all locations who sees invoices and prices. Each page is fetched through the Django test
client logged in as that user (through the real login page); p50/p95 of the server time,
the status code and the SQL queries of one request are printed, first with `--small` orders,
then with `--orders`. Target: p95 < 150 ms, the same number of queries at both sizes.

Baseline measured in the same run: the first page (25 rows) of the customer's orders as a
plain ORM SELECT, the least any order list must do.

    .venv/bin/python -P bench/portal.py [--orders 20000] [--small 2000] [--requests 60]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -P bench/portal.py

The PostgreSQL database is flushed first: use one meant for benchmarks.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 150.0
PAGES = ["dashboard", "orders", "analytics"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--locations", type=int, default=50)
    parser.add_argument("--containers", type=int, default=500)
    parser.add_argument("--requests", type=int, default=60)
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
    # A page not built yet answers 404: its status is printed, not every request logged.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    if "THEKE_DATABASE_URL" in os.environ:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)


@dataclass
class Scene:
    tenant: Any
    customer: Any
    user: Any  # the portal admin
    locations: list[Any]
    assets: list[Any]
    waste_types: list[Any]
    container_types: list[Any]
    made: int = 0  # orders so far


def build(args: argparse.Namespace) -> Scene:
    """The tenant, its catalog, the customer with locations and containers, the portal user."""
    from django.db import transaction

    from theke.audit.services import SYSTEM
    from theke.customers import services as customers
    from theke.customers.models import Asset, Location
    from theke.customers.services import catalog
    from theke.portal.tests.world import activate, make_portal_user
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_tenant

    tenant = create_tenant("Containerdienst Bench", f"bench-{time.time_ns()}")
    tenant.portal_enabled = True
    tenant.save(update_fields=["portal_enabled"])
    rng = random.Random(14)
    kinds = ["placement", "exchange", "emptying", "withdrawal"]
    with tenant_scope(tenant), transaction.atomic():
        waste_types = [
            catalog.create_waste_type(tenant, SYSTEM, name=name, code=code)
            for name, code in [
                ("Bauschutt", "170107"),
                ("Altholz A I-III", "170201"),
                ("Gemischte Bau- und Abbruchabfälle", "170904"),
                ("Grünschnitt", "200201"),
            ]
        ]
        container_types = [
            catalog.create_container_type(
                tenant,
                SYSTEM,
                name="Absetzmulde",
                volume_m3=Decimal(size),
                order_kinds=kinds,
                price=Decimal("189.00") + size * 10,
                waste_types=waste_types,
            )
            for size in (5, 7, 10)
        ]
        customer = customers.create_customer(
            tenant, SYSTEM, kind="company", company_name="Großbau Bench AG", number="K-9000"
        )
        locations = Location.objects.bulk_create(
            Location(
                tenant=tenant,
                customer=customer,
                name=f"Baustelle {n:02d}",
                street=f"Bauweg {n}",
                postal_code="80331",
                city="München",
            )
            for n in range(args.locations)
        )
        placed = datetime.date.today() - datetime.timedelta(days=30)
        assets = Asset.objects.bulk_create(
            Asset(
                tenant=tenant,
                customer=customer,
                location=locations[n % len(locations)],
                container_type=rng.choice(container_types),
                waste_type=rng.choice(waste_types),
                placed_on=placed,
                serial_number=f"M-{n:05d}",
            )
            for n in range(args.containers)
        )
    activate(customer)
    user = make_portal_user(customer, "bench@grossbau.test")
    return Scene(tenant, customer, user, locations, assets, waste_types, container_types)


def add_orders(scene: Scene, count: int) -> None:
    """`count` more orders over the last 12 months (bulk_create), one in ten invoiced."""
    from django.db import connection, transaction

    from theke.orders.models import Invoice, Order
    from theke.tenants.scoping import tenant_scope

    rng = random.Random(scene.made)
    kinds = ["placement", "exchange", "emptying", "emptying", "withdrawal"]
    statuses = ["open", "planned", "completed", "completed", "invoiced", "cancelled"]
    today = datetime.date.today()
    with tenant_scope(scene.tenant), transaction.atomic():
        orders: list[Order] = []
        days: list[datetime.date] = []
        for n in range(scene.made, scene.made + count):
            asset = rng.choice(scene.assets)
            days.append(today - datetime.timedelta(days=rng.randrange(365)))
            orders.append(
                Order(
                    tenant=scene.tenant,
                    customer=scene.customer,
                    external_id=f"A-{n}",
                    number=f"A-{n:06d}",
                    kind=rng.choice(kinds),
                    location_id=asset.location_id,
                    asset=asset,
                    container_type_id=asset.container_type_id,
                    waste_type_id=asset.waste_type_id,
                    status=rng.choice(statuses),
                    planned_date=days[-1],
                )
            )
        Order.objects.bulk_create(orders, batch_size=2000)
        Invoice.objects.bulk_create(
            (
                Invoice(
                    tenant=scene.tenant,
                    customer=scene.customer,
                    order=order,
                    external_id=f"R-{order.external_id}",
                    number=f"R-{order.number}",
                    issue_date=day,
                    net_total=Decimal("200.00"),
                    gross_total=Decimal("238.00"),
                )
                for order, day in list(zip(orders, days, strict=True))[::10]
            ),
            batch_size=2000,
        )
    scene.made += count
    # Planner statistics as a running system has them (autovacuum / PRAGMA optimize).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(call: Callable[[], object], times: int) -> list[float]:
    latencies = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return latencies


def p50_p95(latencies: list[float]) -> tuple[float, float]:
    return (
        statistics.median(latencies) * 1000,
        statistics.quantiles(latencies, n=20)[18] * 1000,
    )


def queries_of(call: Callable[[], Any]) -> tuple[int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


def measure(client: Any, scene: Scene, requests: int) -> dict[str, tuple[int, int, float, float]]:
    """Per page: (status, queries, p50 ms, p95 ms)."""
    from django.urls import reverse

    found = {}
    for name in PAGES:
        path = reverse(f"portal:{name}", args=[scene.tenant.slug])
        for _ in range(3):  # warm up
            client.get(path)
        count, response = queries_of(partial(client.get, path))
        p50, p95 = p50_p95(timed(partial(client.get, path), requests))
        found[name] = (response.status_code, count, p50, p95)
    return found


def baseline(scene: Scene, requests: int) -> tuple[int, float, float]:
    from theke.orders.models import Order
    from theke.tenants.scoping import tenant_scope

    def first_page() -> list[Any]:
        return list(Order.objects.filter(customer=scene.customer).order_by("-created_at")[:25])

    with tenant_scope(scene.tenant):
        first_page()
        count, _ = queries_of(first_page)
        p50, p95 = p50_p95(timed(first_page, requests))
    return count, p50, p95


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir)
        from django.db import connection

        from theke.portal.tests.world import portal_client

        start = time.perf_counter()
        scene = build(args)
        client = portal_client(scene.user)
        print(
            f"portal pages of a customer with {args.locations} locations, {args.containers} "
            f"containers, {connection.vendor}, {args.requests} requests each "
            f"(setup {time.perf_counter() - start:.1f} s)"
        )
        results: dict[int, dict[str, tuple[int, int, float, float]]] = {}
        bases: dict[int, tuple[int, float, float]] = {}
        for size in (args.small, args.orders):
            add_orders(scene, size - scene.made)
            results[size] = measure(client, scene, args.requests)
            bases[size] = baseline(scene, args.requests)
            count, b50, b95 = bases[size]
            print(f"  {size} orders:")
            print(
                f"    {'first 25 orders, plain ORM SELECT (baseline)':<46} "
                f"queries {count:3d}   p50 {b50:7.2f} ms   p95 {b95:7.2f} ms"
            )
            for name, (status, queries, p50, p95) in results[size].items():
                ok = "ok" if p95 < TARGET_P95_MS else "OVER TARGET"
                print(
                    f"    {'GET portal:' + name:<38} status {status}   queries {queries:3d}   "
                    f"p50 {p50:7.2f} ms   p95 {p95:7.2f} ms ({ok})   "
                    f"ratio p50 / baseline {p50 / b50:6.1f}"
                )
        small, big = results[args.small], results[args.orders]
        for name in PAGES:
            same = "same" if small[name][1] == big[name][1] else "GROWS WITH THE ORDERS"
            print(
                f"  queries of portal:{name}: {small[name][1]} at {args.small} orders, "
                f"{big[name][1]} at {args.orders} orders ({same})"
            )
        print(f"  target: p95 < {TARGET_P95_MS:.0f} ms")


if __name__ == "__main__":
    main()
