#!/usr/bin/env python
"""Online booking: free-slot computation and the duplicate customer search, one section per
function (--section slots|duplicates; both by default).

slots: a branch with 10 advisors (Mon–Fri 8–12 and 13–17), 60 days ahead, with 200 and with
2,000 booked appointments: p50/p95 of `free_slots` and its SQL queries (which must not grow
with the appointments). Baseline in the same run: one indexed query reading the same
appointments (the least any computation must do).

duplicates: the duplicate search ("Dublettenabfrage") over N customers. Time to store and
key them through the bulk key path, then p50/p95 of M lookups (queries from the seeded
corpus of the quality test: one typo, umlaut/ß spelling, swapped letters or phone format
each) and the SQL queries per lookup. Baseline in the same run: an exact indexed lookup of
a customer by its e-mail key. Target: p95 < 50 ms on SQLite.

    .venv/bin/python -P bench/booking.py [--appointments 2000] [--runs 40]
    .venv/bin/python -P bench/booking.py --section duplicates [--customers 100000] [--lookups 500]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -P bench/booking.py
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
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
    parser.add_argument("--appointments", type=int, default=2_000)
    parser.add_argument("--advisors", type=int, default=10)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--section", choices=sorted(SECTIONS), action="append")
    return parser.parse_args()


def setup_django(var_dir: str) -> None:
    os.environ["THEKE_VAR_DIR"] = var_dir
    os.environ["THEKE_STATIC_ROOT"] = str(Path(var_dir) / "static")
    (Path(var_dir) / "static").mkdir()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    os.environ.setdefault("THEKE_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    if "THEKE_DATABASE_URL" in os.environ:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)


def timed(call: Callable[[], object], runs: int) -> list[float]:
    latencies = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return latencies


def timed_cpu(call: Callable[[], object], runs: int) -> list[float]:
    """The process's CPU time per call: steadier than wall time on a busy machine."""
    latencies = []
    for _ in range(runs):
        start = time.process_time()
        call()
        latencies.append(time.process_time() - start)
    return latencies


def report(label: str, latencies: list[float], extra: str = "") -> tuple[float, float]:
    """Print and return p50 and p95 in milliseconds."""
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    print(f"  {label:<46} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms  {extra}")
    return p50, p95


# --- slots ----------------------------------------------------------------------------------


def slot_branch(advisors: int) -> tuple[Any, Any, list[Any]]:
    """A tenant with one bookable branch, its opening hours and `advisors` advisors."""
    from django.db import transaction

    from theke.accounts.models import User
    from theke.appointments.models import AdvisorWorkingHours, BranchBooking, ServiceAdvisor
    from theke.audit.services import SYSTEM
    from theke.customers.models import Customer
    from theke.tenants.models import OpeningHours
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_branch, create_tenant

    tenant = create_tenant("Bench Autohaus", f"bench-{time.time_ns()}")
    hours = [(datetime.time(8), datetime.time(12)), (datetime.time(13), datetime.time(17))]
    with tenant_scope(tenant), transaction.atomic():
        branch = create_branch(tenant, SYSTEM, "Bench Mitte", state="BY")
        for weekday in range(5):
            for opens, closes in hours:
                OpeningHours.objects.create(
                    tenant=tenant, branch=branch, weekday=weekday, opens=opens, closes=closes
                )
        BranchBooking.objects.create(
            tenant=tenant, branch=branch, enabled=True, min_notice_hours=0, horizon_days=90
        )
        users = []
        for n in range(advisors):
            user = User.objects.create_user(f"annehmer{n}-{time.time_ns()}@bench.test", "x")
            advisor = ServiceAdvisor.objects.create(tenant=tenant, branch=branch, user=user)
            AdvisorWorkingHours.objects.bulk_create(
                AdvisorWorkingHours(
                    tenant=tenant, advisor=advisor, weekday=day, starts=starts, ends=ends
                )
                for day in range(5)
                for starts, ends in hours
            )
            users.append(user)
        customer = Customer.objects.create(tenant=tenant, last_name="Bench")
    return tenant, branch, [customer, *users]


def book_appointments(
    tenant: Any, branch: Any, people: list[Any], count: int, days: int, now: datetime.datetime
) -> None:
    """`count` appointments of one or two hours spread over the working days ahead."""
    from django.db import transaction

    from theke.appointments.models import Appointment
    from theke.tenants.scoping import tenant_scope

    customer, *advisors = people
    rng = random.Random(7)
    zone = now.tzinfo
    rows = []
    for _ in range(count):
        day = now.date() + datetime.timedelta(days=rng.randrange(1, days))
        if day.weekday() >= 5:
            day -= datetime.timedelta(days=2)
        hour = rng.choice([8, 9, 10, 13, 14, 15])
        start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
        rows.append(
            Appointment(
                tenant=tenant,
                customer=customer,
                branch=branch,
                advisor=rng.choice(advisors),
                start=start,
                end=start + datetime.timedelta(hours=rng.choice([1, 2])),
            )
        )
    with tenant_scope(tenant), transaction.atomic():
        Appointment.objects.bulk_create(rows, batch_size=1000)


def bench_slots(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from theke.appointments.models import Appointment
    from theke.appointments.services.availability import free_slots
    from theke.tenants.scoping import tenant_scope

    now = timezone.localtime().replace(hour=6, minute=0, second=0, microsecond=0)
    tenant, branch, people = slot_branch(args.advisors)
    print(
        f"free slots: {args.advisors} advisors, {args.days} days, {connection.vendor}, "
        f"{args.runs} runs each"
    )
    booked = 0
    results: dict[int, tuple[float, float, int]] = {}
    with tenant_scope(tenant):
        for target in (args.appointments // 10, args.appointments):
            book_appointments(tenant, branch, people, target - booked, args.days, now)
            booked = target

            def compute() -> list[Any]:
                return free_slots(branch, 60, now=now, days=args.days)

            with CaptureQueriesContext(connection) as queries:
                slots = compute()
            latencies = timed(compute, args.runs)
            p50, p95 = report(
                f"free_slots, {booked} appointments",
                latencies,
                f"{len(queries)} queries, {len(slots)} free slots",
            )
            report("  the same, CPU time of this process", timed_cpu(compute, args.runs))
            results[booked] = (p50, p95, len(queries))

        end = now + datetime.timedelta(days=args.days + 1)

        def baseline() -> list[Any]:
            return list(
                Appointment.objects.filter(branch=branch, start__lt=end, end__gt=now).values_list(
                    "start", "end", "advisor_id"
                )
            )

        base_p50, _ = report(
            f"baseline: read the {booked} appointments", timed(baseline, args.runs)
        )
    few, many = results[args.appointments // 10], results[args.appointments]
    print(
        f"  queries {few[2]} -> {many[2]} (must not grow); p95 {many[1]:.1f} ms (target < 50 ms); "
        f"ratio baseline/free_slots (p50) {base_p50 / many[0]:.2f}"
    )
    if many[2] > few[2]:
        raise SystemExit("free_slots queries grow with the appointments")


# --- duplicates ---------------------------------------------------------------------------


def timed_each(calls: list[Callable[[], object]]) -> list[float]:
    """The latency of each call, in seconds."""
    latencies = []
    for call in calls:
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return latencies


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
            timed_each([partial(exact, i) for i in range(len(queries))]),
        )
        results: list[list[int]] = []

        def collect(index: int) -> None:
            results.append(lookup(index))

        dup = report(
            "find_duplicate_customers()",
            timed_each([partial(collect, i) for i in range(len(queries))]),
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
    "slots": bench_slots,
    "duplicates": duplicates,
}


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir)
        for name in args.section or list(SECTIONS):
            SECTIONS[name](args)


if __name__ == "__main__":
    main()
