#!/usr/bin/env python
"""Bulk order upserts through the real HTTP stack: POST /api/v1/orders/bulk.

A gunicorn server (2 workers × 4 threads, as `manage.py serve` runs it) serves a fresh
database; a tenant gets an API key and 1,000 customers. Then N orders are created in bulk
requests of 1,000 items over keep-alive connections, and all of them are updated again
(new status and planned date). Every answer is checked (status per item). A few one-item
requests warm the workers up first (their first requests fill caches).

Baseline measured in the same run: Django's `Order.objects.bulk_create(...,
update_conflicts=True)` of the same rows (for a second tenant with its own 1,000 customers),
in batches of 1,000, one transaction each, in this process.

    .venv/bin/python -P bench/api_bulk.py [--orders 10000] [--batch 1000] [--clients 2]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/theke_bench python -P bench/api_bulk.py

The PostgreSQL database is created when missing and flushed first: use one meant for
benchmarks.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUSTOMERS = 1000
START = datetime.date(2026, 12, 1)
UPDATE_FIELDS = ["kind", "number", "customer", "title", "status", "planned_date", "updated_at"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000, help="items per bulk request")
    parser.add_argument(
        "--clients", type=int, default=2, help="concurrent HTTP clients (keep-alive each)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    return parser.parse_args()


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark database when it does not exist yet."""
    import psycopg
    from psycopg import sql

    target = url.rsplit("/", 1)
    name = target[1].split("?", 1)[0]
    with psycopg.connect(f"{target[0]}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(var_dir: str) -> None:
    os.environ["THEKE_VAR_DIR"] = var_dir
    os.environ["THEKE_STATIC_ROOT"] = str(Path(var_dir) / "static")  # no collectstatic needed
    (Path(var_dir) / "static").mkdir()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    if "THEKE_DATABASE_URL" in os.environ:
        ensure_postgres_database(os.environ["THEKE_DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if "THEKE_DATABASE_URL" in os.environ:
        call_command("flush", "--no-input", verbosity=0)


def fill() -> tuple[str, dict[str, int], Any]:
    """Tenant A (API, with a key) and tenant B (baseline), 1,000 customers each; returns
    A's API key, B's customer ids by external id, and tenant B."""
    from django.db import connection, transaction

    from theke.api.services import create_api_key
    from theke.audit.services import SYSTEM
    from theke.customers.models import Customer
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_tenant

    stamp = time.time_ns()
    tenants = [
        create_tenant("Autohaus Alpha", f"alpha-{stamp}", email="info@alpha.test"),
        create_tenant("Autohaus Baseline", f"baseline-{stamp}", email="info@base.test"),
    ]
    for tenant in tenants:
        with tenant_scope(tenant), transaction.atomic():
            Customer.objects.bulk_create(
                Customer(
                    tenant=tenant,
                    kind="company",
                    company_name=f"Kunde {number} GmbH",
                    number=f"{10000 + number}",
                    external_id=f"K-{number}",
                    search_text=f"kunde {number} gmbh {10000 + number}",
                )
                for number in range(CUSTOMERS)
            )
    with tenant_scope(tenants[0]):
        _key, plaintext = create_api_key(tenants[0], SYSTEM, "Bench")
    with tenant_scope(tenants[1]):
        baseline_customers = dict(Customer.objects.values_list("external_id", "pk"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return plaintext, baseline_customers, tenants[1]


def order_items(count: int, update: bool) -> list[dict[str, Any]]:
    items = []
    for number in range(count):
        day = START + datetime.timedelta(days=number % 60 + (7 if update else 0))
        items.append(
            {
                "external_id": f"O-{number:06d}",
                "kind": "repair" if number % 3 else "service",
                "number": f"RA-{100000 + number}",
                "customer_external_id": f"K-{number % CUSTOMERS}",
                "title": f"Inspektion und Ölwechsel {number}",
                "status": "planned" if update else "open",
                "planned_date": day.isoformat(),
            }
        )
    return items


def chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Server:
    """gunicorn with the project's WSGI application, in its own process group."""

    def __init__(self, var_dir: str, workers: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "THEKE_VAR_DIR": var_dir,
            "THEKE_DEBUG": "false",
            "THEKE_ALLOWED_HOSTS": "127.0.0.1",
            "THEKE_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "gunicorn", "theke.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        command += ["--threads", "4", "--log-level", "warning", "--timeout", "120"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)

    def peak_rss_mb(self) -> list[float]:
        """VmHWM (peak resident set) of the master and every worker process."""
        peaks = []
        for pid in [self.process.pid, *self._children()]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def _children(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def post_all(
    server: Server, key: str, batches: list[list[dict[str, Any]]], clients: int, expect: str
) -> float:
    """POST every batch (`clients` keep-alive sessions in parallel); seconds taken."""
    sessions = []
    for _ in range(clients):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        sessions.append(session)

    def send(index: int) -> None:
        session = sessions[index % clients]
        response = session.post(
            f"{server.url}/api/v1/orders/bulk", json={"items": batches[index]}, timeout=300
        )
        assert response.status_code == 200, (response.status_code, response.text[:500])
        statuses = {result["status"] for result in response.json()["results"]}
        assert statuses == {expect}, (statuses, response.text[:500])

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(send, range(len(batches))))
    seconds = time.perf_counter() - start
    for session in sessions:
        session.close()
    return seconds


def baseline(
    items: list[dict[str, Any]], size: int, tenant: Any, customers: dict[str, int]
) -> float:
    """The same rows through bulk_create(update_conflicts=True), one transaction per batch."""
    from django.db import transaction
    from django.utils import timezone

    from theke.orders.models import Order
    from theke.tenants.scoping import tenant_scope

    start = time.perf_counter()
    with tenant_scope(tenant):
        for batch in chunks(items, size):
            now = timezone.now()
            rows = [
                Order(
                    tenant=tenant,
                    external_id=item["external_id"],
                    kind=item["kind"],
                    number=item["number"],
                    customer_id=customers[item["customer_external_id"]],
                    title=item["title"],
                    status=item["status"],
                    planned_date=datetime.date.fromisoformat(item["planned_date"]),
                    created_at=now,
                    updated_at=now,
                )
                for item in batch
            ]
            with transaction.atomic():
                Order.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["tenant", "external_id"],
                    update_fields=UPDATE_FIELDS,
                )
    return time.perf_counter() - start


def line(label: str, count: int, seconds: float) -> float:
    rate = count / seconds
    print(f"  {label:<52} {rate:9.1f} rec/s   {seconds:6.2f} s")
    return rate


def check_stored(count: int, key_tenant_slug_prefix: str = "alpha-") -> None:
    from theke.audit.models import AuditEvent
    from theke.orders.models import Order
    from theke.tenants.scoping import scopes_disabled

    with scopes_disabled():
        api_rows = Order.objects.filter(
            tenant__slug__startswith=key_tenant_slug_prefix, external_id__startswith="O-"
        )
        planned = api_rows.filter(status="planned").count()
        events = AuditEvent.objects.filter(
            action__startswith="order.", object_label__startswith="RA-"
        ).count()
    assert planned == count, planned
    assert events == 2 * count, events


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir)
        from django.db import connection

        start = time.perf_counter()
        key, baseline_customers, baseline_tenant = fill()
        connection.close()  # the server processes open their own
        creates = order_items(args.orders, update=False)
        updates = order_items(args.orders, update=True)
        print(
            f"api bulk: {args.orders} orders in requests of {args.batch}, {connection.vendor}, "
            f"gunicorn {args.workers} workers × 4 threads, {args.clients} clients, "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} "
            f"(setup {time.perf_counter() - start:.1f} s)"
        )
        server = Server(var_dir, args.workers)
        try:
            # Each worker's first requests build caches (URL resolver, content types, …).
            warm_up = [
                [{**item, "external_id": f"W-{n}", "number": f"W-{n}"}]
                for n, item in enumerate(creates[:8])
            ]
            post_all(server, key, warm_up, args.clients, "created")
            create_seconds = post_all(
                server, key, list(chunks(creates, args.batch)), args.clients, "created"
            )
            update_seconds = post_all(
                server, key, list(chunks(updates, args.batch)), args.clients, "updated"
            )
            server_peaks = server.peak_rss_mb()
        finally:
            server.stop()
        check_stored(args.orders)
        api_create = line("POST /api/v1/orders/bulk, create", args.orders, create_seconds)
        api_update = line("POST /api/v1/orders/bulk, update", args.orders, update_seconds)
        seconds = baseline(creates, args.batch, baseline_tenant, baseline_customers)
        base_create = line(
            "bulk_create(update_conflicts=True), create (baseline)", args.orders, seconds
        )
        seconds = baseline(updates, args.batch, baseline_tenant, baseline_customers)
        base_update = line(
            "bulk_create(update_conflicts=True), update (baseline)", args.orders, seconds
        )
        print(
            f"  ratio API / baseline: create {api_create / base_create:.2f}, "
            f"update {api_update / base_update:.2f}"
        )
        workers = ", ".join(f"{peak:.0f}" for peak in server_peaks[1:])
        print(f"  peak RSS: server workers {workers} MB (master {server_peaks[0]:.0f} MB)")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS of this process (client and baseline): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
