#!/usr/bin/env python
"""The appointment calendar: the week view of a branch with 10 advisors, served through the
whole Django stack (middleware, view, template) by the test client.

With 200 and then 2,000 appointments in the database (spread over --weeks weeks around the
shown week, so the shown week holds 1/weeks of them; --weeks 1 puts all of them in it):
server time p50/p95 (wall and CPU time of this process) and the SQL queries of one page,
which must not grow with the appointments. Baseline in the same run: one plain query of the
week's appointments rendered as a bare list (the least any page must do). Target:
p95 < 150 ms.

    .venv/bin/python bench/calendar.py [--appointments 2000] [--advisors 10] [--runs 40]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/calendar.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, and this file (calendar.py) would
# then shadow the standard library's `calendar` module that Django and others import. Drop
# the script's own directory before any other import.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [entry for entry in sys.path if str(Path(entry or ".").resolve()) != _HERE]

import argparse  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appointments", type=int, default=2_000)
    parser.add_argument("--advisors", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--runs", type=int, default=40)
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
    # The page links its static files through the manifest storage, as in production.
    call_command("collectstatic", "--no-input", verbosity=0)


def timed(call: Callable[[], object], runs: int, clock: Callable[[], float]) -> list[float]:
    latencies = []
    for _ in range(runs):
        start = clock()
        call()
        latencies.append(clock() - start)
    return latencies


def report(label: str, latencies: list[float], extra: str = "") -> tuple[float, float]:
    """Print and return p50 and p95 in milliseconds."""
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    print(f"  {label:<50} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms  {extra}")
    return p50, p95


def branch_with_advisors(advisors: int) -> tuple[Any, Any, Any, list[Any]]:
    """A tenant, its branch (Mon–Fri 7–19), `advisors` advisors, a customer with a vehicle
    and an admin who looks at the calendar."""
    from django.db import transaction
    from django_scopes import scopes_disabled

    from theke.accounts.models import Membership, Role, User
    from theke.appointments.models import BranchBooking, ServiceAdvisor
    from theke.audit.services import SYSTEM
    from theke.customers.models import Customer, Vehicle
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_branch, create_tenant

    tenant = create_tenant("Bench Autohaus", f"bench-{time.time_ns()}")
    hours = [(day, datetime.time(7), datetime.time(19)) for day in range(5)]
    with tenant_scope(tenant), transaction.atomic():
        branch = create_branch(tenant, SYSTEM, "Bench Mitte", opening_hours=hours)
        BranchBooking.objects.create(tenant=tenant, branch=branch, enabled=True)
        users = []
        for n in range(advisors):
            user = User.objects.create_user(
                f"annehmer{n}@bench.test", "x", full_name=f"Annehmer {n:02d}"
            )
            ServiceAdvisor.objects.create(tenant=tenant, branch=branch, user=user)
            users.append(user)
        customer = Customer.objects.create(tenant=tenant, first_name="Eva", last_name="Bench")
        vehicle = Vehicle.objects.create(tenant=tenant, customer=customer, license_plate="B-EB 1")
    with scopes_disabled():
        viewer = User.objects.create_user("chef@bench.test", "x", full_name="Chef Bench")
        role = Role.objects.get(tenant=tenant, name="Admin")
        Membership.objects.create(tenant=tenant, user=viewer, role=role)
    return tenant, branch, viewer, [customer, vehicle, *users]


def book(
    tenant: Any, branch: Any, people: list[Any], count: int, monday: datetime.date, weeks: int
) -> None:
    """`count` planned appointments of 30 to 120 minutes on working days, in the `weeks`
    weeks starting `weeks // 2` weeks before `monday`."""
    from django.db import transaction
    from django.utils import timezone

    from theke.appointments.models import Appointment, AppointmentStatus
    from theke.tenants.scoping import tenant_scope

    customer, vehicle, *advisors = people
    rng = random.Random(count)
    zone = timezone.get_default_timezone()
    first = monday - datetime.timedelta(weeks=weeks // 2)
    statuses = [AppointmentStatus.PLANNED] * 6 + [
        AppointmentStatus.REQUESTED,
        AppointmentStatus.PROPOSED,
        AppointmentStatus.FINALIZED,
    ]
    rows = []
    for _ in range(count):
        day = first + datetime.timedelta(weeks=rng.randrange(weeks), days=rng.randrange(5))
        start = datetime.datetime.combine(
            day, datetime.time(rng.randrange(7, 18), rng.choice([0, 15, 30, 45])), tzinfo=zone
        )
        rows.append(
            Appointment(
                tenant=tenant,
                customer=customer,
                vehicle=vehicle,
                branch=branch,
                advisor=rng.choice([*advisors, None]),
                status=rng.choice(statuses),
                start=start,
                end=start + datetime.timedelta(minutes=rng.choice([30, 60, 90, 120])),
            )
        )
    with tenant_scope(tenant), transaction.atomic():
        Appointment.objects.bulk_create(rows, batch_size=1000)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir)
        bench(args)


def bench(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.template import Context, Template
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from theke.appointments.models import Appointment, AppointmentStatus
    from theke.tenants.scoping import tenant_scope

    tenant, branch, viewer, people = branch_with_advisors(args.advisors)
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    url = reverse("appointments:calendar") + f"?branch={branch.pk}&date={monday}&view=week"
    client = Client()
    client.force_login(viewer)
    print(
        f"calendar week view: {args.advisors} advisors, appointments spread over {args.weeks} "
        f"weeks, {connection.vendor}, {args.runs} runs each"
    )
    week_end = monday + datetime.timedelta(days=7)
    zone = timezone.get_default_timezone()
    window = (
        datetime.datetime.combine(monday, datetime.time(), tzinfo=zone),
        datetime.datetime.combine(week_end, datetime.time(), tzinfo=zone),
    )
    plain_list = Template(
        "{% for a in rows %}<li>{{ a.start|time:'H:i' }} {{ a.customer_id }} {{ a.status }}</li>"
        "{% endfor %}"
    )

    def baseline() -> str:
        with tenant_scope(tenant):
            rows = Appointment.objects.filter(
                branch=branch, start__lt=window[1], end__gt=window[0]
            ).exclude(status=AppointmentStatus.CANCELLED)
            return plain_list.render(Context({"rows": list(rows)}))

    def page() -> Any:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    booked = 0
    results: dict[int, tuple[float, float, int]] = {}
    for target in (args.appointments // 10, args.appointments):
        book(tenant, branch, people, target - booked, monday, args.weeks)
        booked = target
        with tenant_scope(tenant):
            in_week = Appointment.objects.filter(
                branch=branch, start__lt=window[1], end__gt=window[0]
            ).count()
        page()  # warm up (templates, caches)
        queries: list[str] = []

        def count(execute: Any, sql: str, *rest: Any, queries: list[str] = queries) -> Any:
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            response = page()
        html = response.content.decode()
        blocks = html.count('class="cal-chip')
        p50, p95 = report(
            f"week view, {booked} in the database, {in_week} in the week",
            timed(page, args.runs, time.perf_counter),
            f"{len(queries)} queries, {blocks} blocks, {len(html) // 1024} KiB",
        )
        report("  the same, CPU time of this process", timed(page, args.runs, time.process_time))
        results[booked] = (p50, p95, len(queries))
    base_p50, _base_p95 = report(
        f"baseline: the week's {in_week} appointments as a plain list",
        timed(baseline, args.runs, time.perf_counter),
    )
    few, many = results[args.appointments // 10], results[args.appointments]
    print(
        f"  queries {few[2]} -> {many[2]} (must not grow); p95 {many[1]:.1f} ms "
        f"(target < 150 ms: {'met' if many[1] < 150 else 'MISSED'}); "
        f"ratio week view / baseline (p50) {many[0] / base_p50:.1f}"
    )
    if many[2] > few[2]:
        raise SystemExit("the calendar's queries grow with the appointments")


if __name__ == "__main__":
    main()
