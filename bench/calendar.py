#!/usr/bin/env python
"""The appointment calendar: the week view of a branch with 10 advisors, served through the
whole Django stack (middleware, view, template) by the test client; and the reminder sweep.

Week view (`--section week`): with 200 and then 2,000 appointments in the database (spread
over --weeks weeks around the shown week, so the shown week holds 1/weeks of them; --weeks 1
puts all of them in it): server time p50/p95 (wall and CPU time of this process) and the SQL
queries of one page, which must not grow with the appointments. Baseline in the same run:
one plain query of the week's appointments rendered as a bare list (the least any page must
do). Target: p95 < 150 ms.

Reminders (`--section reminders`): --reminders due reminders (default 10,000, so that `make
bench` stays within minutes; the issue's figure is `--reminders 100000`), each of its own
planned appointment and customer, swept by `send_due_reminders` (re-check, link, render in
the customer's language, queue, mark sent) and delivered by the outbox worker to a local SMTP
sink; messages/s and SQL statements per reminder of the sweep. Baseline in the same run: the
plain outbox delivery (deliver_due) of the same number of ready e-mails (rows stored
directly, as bench/outbox.py does); the ratio says what the reminders cost on top of sending.

    .venv/bin/python -P bench/calendar.py [--appointments 2000] [--advisors 10] [--runs 40]
    .venv/bin/python -P bench/calendar.py --section reminders --reminders 100000
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -P bench/calendar.py

SQLite in a throwaway directory by default; a PostgreSQL database is flushed first: use one
meant for benchmarks.
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
import importlib.util  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appointments", type=int, default=2_000)
    parser.add_argument("--advisors", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--section", choices=["week", "reminders", "all"], default="all")
    parser.add_argument(
        "--reminders", type=int, default=10_000, help="due reminders (the issue's: 100000)"
    )
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
        if args.section in ("week", "all"):
            bench(args)
        if args.section in ("reminders", "all"):
            bench_reminders(args.reminders)


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


# --- the reminder sweep ---------------------------------------------------------------------

REMINDER_ROWS = 2000  # rows per bulk_create while filling


def fill_reminders(count: int) -> datetime.datetime:
    """`count` planned appointments tomorrow, each of its own customer (a contact with an
    e-mail address, one in five English) with one reminder due; returns when it is due."""
    from django.db import connection, transaction
    from django.utils import timezone

    from theke.appointments.models import (
        Appointment,
        AppointmentReminder,
        AppointmentWorkItem,
        ReminderChannel,
        ReminderKind,
    )
    from theke.audit.services import SYSTEM
    from theke.customers.models import Contact, Customer
    from theke.tenants.scoping import scopes_disabled, tenant_scope
    from theke.tenants.services import create_branch, create_tenant

    tenant = create_tenant("Autohaus Alpha", f"alpha-{time.time_ns()}", email="info@alpha.test")
    with tenant_scope(tenant):
        branch = create_branch(tenant, SYSTEM, "Alpha Mitte", external_id="B-1")
    zone = timezone.get_default_timezone()
    due = datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=1), datetime.time(10), tzinfo=zone
    )
    tomorrow = due + datetime.timedelta(days=1)
    with scopes_disabled(), transaction.atomic():
        for first in range(0, count, REMINDER_ROWS):
            numbers = range(first, min(first + REMINDER_ROWS, count))
            customers = Customer.objects.bulk_create(
                Customer(tenant=tenant, kind="person", first_name="Eva", last_name=f"Berg {n}")
                for n in numbers
            )
            Contact.objects.bulk_create(
                Contact(
                    tenant=tenant,
                    customer=customer,
                    first_name="Eva",
                    last_name=f"Berg {n}",
                    email=f"eva{n}@kunde.example",
                    language="en" if n % 5 == 0 else "de",
                    is_primary=True,
                )
                for n, customer in zip(numbers, customers, strict=True)
            )
            appointments = Appointment.objects.bulk_create(
                Appointment(
                    tenant=tenant,
                    customer=customer,
                    branch=branch,
                    start=tomorrow + datetime.timedelta(minutes=n % 480),
                    end=tomorrow + datetime.timedelta(minutes=n % 480 + 60),
                )
                for n, customer in zip(numbers, customers, strict=True)
            )
            AppointmentWorkItem.objects.bulk_create(
                AppointmentWorkItem(
                    tenant=tenant, appointment=appointment, position=1, text="Inspektion"
                )
                for appointment in appointments
            )
            AppointmentReminder.objects.bulk_create(
                AppointmentReminder(
                    tenant=tenant,
                    appointment=appointment,
                    kind=ReminderKind.DAYS_BEFORE,
                    channel=ReminderChannel.EMAIL,
                    due_at=due,
                )
                for appointment in appointments
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return due


def deliver_all() -> tuple[int, float]:
    """deliver_due() until nothing is left; (sent, seconds)."""
    from theke.messaging.services.delivery import deliver_due

    start = time.perf_counter()
    sent = 0
    while True:
        batch = deliver_due()
        sent += batch
        if not batch:
            return sent, time.perf_counter() - start


def rate_line(label: str, count: int, seconds: float, extra: str = "") -> float:
    """Print and return messages per second."""
    rate = count / seconds
    print(f"  {label:<52} {rate:9.1f} msg/s   {seconds:7.2f} s{extra}")
    return rate


def sibling(name: str) -> ModuleType:
    """Another script of bench/ as a module: bench/ is off sys.path (see the top)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(_HERE) / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_reminders(count: int) -> None:
    # The SMTP sink and the plain e-mails of the baseline are bench/outbox.py's.
    outbox_bench = sibling("outbox")
    sink = outbox_bench.Sink()
    try:
        sweep_and_deliver(count, sink, outbox_bench)
    finally:
        sink.stop()


def sweep_and_deliver(count: int, sink: Any, outbox_bench: ModuleType) -> None:
    from django.conf import settings
    from django.db import connection

    from theke.appointments.models import AppointmentReminder
    from theke.appointments.services import reminders
    from theke.messaging.models import OutboundMessage, OutboundStatus
    from theke.messaging.services import outbox
    from theke.tenants.scoping import scopes_disabled

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 20},
        }
    }
    # No on-commit kick of each queued message: deliver_all sends them, timed apart.
    setattr(outbox, "_kick_worker", lambda message_id: None)  # noqa: B010
    start = time.perf_counter()
    due = fill_reminders(count)
    print(
        f"reminders: {count} due reminders, {connection.vendor}, sweep batch 500, "
        f"outbox batch {settings.OUTBOX_BATCH_SIZE}, SMTP sink on port {sink.port} "
        f"(setup {time.perf_counter() - start:.1f} s)"
    )
    statements = 0

    def counted(execute: Any, sql: str, *rest: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, *rest)

    start, cpu_start = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counted):
        queued = reminders.send_due_reminders(now=due)
    sweep_seconds, sweep_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    with scopes_disabled():
        left = AppointmentReminder.objects.filter(sent_at__isnull=True).count()
    assert queued == count and left == 0, (queued, left)
    rate_line(
        "send_due_reminders() (check, link, render, queue)",
        count,
        sweep_seconds,
        f"   (CPU {sweep_cpu:.2f} s, {statements / count:.2f} SQL statements per reminder)",
    )
    sent, delivery_seconds = deliver_all()
    assert sent == count == sink.count(), (sent, sink.count())
    rate_line("deliver_due() of the reminders", count, delivery_seconds)
    reminder_rate = rate_line("sweep + delivery", count, sweep_seconds + delivery_seconds)

    # The baseline: the same number of ready e-mails, delivered by the same worker.
    with scopes_disabled():
        OutboundMessage.objects.all().delete()
    outbox_bench.fill(count)
    plain_sent, plain_seconds = deliver_all()
    assert plain_sent == count and sink.count() == 2 * count
    with scopes_disabled():
        assert not OutboundMessage.objects.exclude(status=OutboundStatus.SENT).exists()
    plain_rate = rate_line("plain outbox deliver_due() (baseline)", count, plain_seconds)
    print(f"  ratio reminders (sweep + delivery) / plain outbox: {reminder_rate / plain_rate:.2f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
