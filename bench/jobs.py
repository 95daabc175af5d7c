#!/usr/bin/env python
"""The job manager: the staff job list with 20,000 jobs, and the evaluation of a phase with
50 rules.

*list*: a fresh database gets a car dealer with the job manager on (the standard workflow),
2,000 customers and jobs spread over the standard workflow's phases and statuses
(bulk_create; a third of them closed or canceled). The staff job list (`jobs:list`: the
default filter, open and sold, first page; and a search for a customer's name) is fetched
through the Django test client logged in as a staff member, and the API's
`GET /api/v1/jobs?status=open&limit=25` with a key: p50/p95 of the server time, the
status and the SQL queries of one request, at `--small` jobs and at `--jobs`. Target: p95
< 150 ms, the same number of queries at both sizes. Baseline in the same run: the first 25
open jobs with their customers as a plain ORM SELECT.

*rules*: a phase of 50 field entries, each with a condition (comparisons, `in`, `enthält`,
`und`/`oder`/`nicht`, numbers), compiled once; µs per `Compiled.shown(phase, view,
values)` (all 50 entries; their reasons explained only when read, as the staff page does)
and per single `Rule.evaluate`, against the same 50 tests written as plain Python
comparisons of the same values (the baseline).

    .venv/bin/python -P bench/jobs.py [--section list|rules] [--jobs 20000] [--small 2000]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -P bench/jobs.py

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
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 150.0
PAGE = 25
RULES = 50


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--section", choices=["list", "rules", "all"], default="all")
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--evaluations", type=int, default=20_000)
    return parser.parse_args()


def setup_django(var_dir: str, *, database: bool) -> None:
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
    if not database:
        return
    if "THEKE_DATABASE_URL" in os.environ:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)


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


# --- the job list ---------------------------------------------------------------------------


@dataclass
class Scene:
    tenant: Any
    workflow: Any
    staff: Any
    key: str
    customers: list[Any]
    branches: list[Any]
    made: int = 0


def build(args: argparse.Namespace) -> Scene:
    """The tenant with the job manager on, a staff member, an API key, the customers."""
    from django.db import transaction

    from theke.accounts.models import Membership, Role, User
    from theke.api.services import create_api_key
    from theke.audit.services import SYSTEM
    from theke.customers.models import Contact, Customer
    from theke.jobs.services.setup import enable_job_manager
    from theke.tenants.models import Branch
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_branch, create_tenant

    tenant = create_tenant("Autohaus Bench", f"bench-{time.time_ns()}")
    workflow = enable_job_manager(tenant, SYSTEM)
    with tenant_scope(tenant), transaction.atomic():
        create_branch(tenant, SYSTEM, "Autohaus Bench Mitte")
        create_branch(tenant, SYSTEM, "Autohaus Bench Süd")
        branches = list(Branch.objects.filter(tenant=tenant))
        customers = Customer.objects.bulk_create(
            Customer(
                tenant=tenant,
                kind="person",
                number=f"K-{n:05d}",
                external_id=f"K-{n:05d}",
                first_name="Kunde",
                last_name=f"Nummer {n}",
            )
            for n in range(args.customers)
        )
        Contact.objects.bulk_create(
            Contact(
                tenant=tenant,
                customer=customer,
                first_name="Kunde",
                last_name=customer.last_name,
                email=f"kunde{n}@example.org",
            )
            for n, customer in enumerate(customers)
        )
        user = User.objects.create_user(f"berater@{tenant.slug}.test", "bench", full_name="Berater")
        role = Role.objects.get(tenant=tenant, name="Serviceberater")
        Membership.objects.create(tenant=tenant, user=user, role=role)
        _key, plaintext = create_api_key(tenant, SYSTEM, "Bench")
    return Scene(tenant, workflow, user, plaintext, customers, branches)


def add_jobs(scene: Scene, count: int) -> None:
    """`count` more jobs over the last year (bulk_create), spread over phases and statuses."""
    from django.db import connection, transaction
    from django.utils import timezone

    from theke.jobs.models import Job
    from theke.tenants.scoping import tenant_scope

    rng = random.Random(scene.made)
    phases = ["rueckruf", "angebot", "angenommen", "bestellung", "zahlung", "abholung", "meinung"]
    statuses = ["open", "open", "open", "sold", "sold", "closed", "canceled"]
    now = timezone.now()
    with tenant_scope(scene.tenant), transaction.atomic():
        jobs = []
        for n in range(scene.made, scene.made + count):
            status = rng.choice(statuses)
            moment = now - datetime.timedelta(minutes=rng.randrange(365 * 24 * 60))
            jobs.append(
                Job(
                    tenant=scene.tenant,
                    number=f"J-2026-{n + 1:05d}",
                    title=f"Anfrage {n}",
                    workflow=scene.workflow,
                    version_id=scene.workflow.published_id,
                    phase_key=rng.choice(phases),
                    phase_activated_at=moment,
                    status=status,
                    waiting_for=rng.choice(["staff", "customer"]),
                    customer=rng.choice(scene.customers),
                    branch=rng.choice(scene.branches),
                    origin=rng.choice(["staff", "callback", "api"]),
                    values={"interne_notiz": f"Notiz {n}"},
                    closed_at=moment if status in ("closed", "canceled") else None,
                )
            )
        Job.objects.bulk_create(jobs, batch_size=2000)
        # Spread the change times (auto_now stamped them all with now).
        for job in jobs:
            job.updated_at = job.phase_activated_at
            job.created_at = job.phase_activated_at
        Job.objects.bulk_update(jobs, ["updated_at", "created_at"], batch_size=2000)
    scene.made += count
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(scene: Scene, requests: int) -> dict[str, tuple[int, int, float, float]]:
    """Per page: (status, queries, p50 ms, p95 ms)."""
    from django.test import Client
    from django.urls import reverse

    found: dict[str, tuple[int, int, float, float]] = {}
    pages: list[tuple[str, Client, str]] = []
    staff = Client()
    staff.force_login(scene.staff)
    path = reverse("jobs:list")
    pages.append(("GET jobs:list (default: open and sold)", staff, path))
    pages.append(("GET jobs:list?q=Nummer 1234 (search)", staff, f"{path}?q=Nummer+1234"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {scene.key}")
    pages.append((f"GET /api/v1/jobs?status=open&limit={PAGE}", api, ""))
    for name, client, url in pages:
        if url:
            call = partial(client.get, url)
        else:
            call = partial(client.get, "/api/v1/jobs", {"status": "open", "limit": str(PAGE)})
        for _ in range(3):  # warm up
            call()
        count, response = queries_of(call)
        p50, p95 = p50_p95(timed(call, requests))
        found[name] = (response.status_code, count, p50, p95)
    return found


def baseline(scene: Scene, requests: int) -> tuple[int, float, float]:
    from theke.jobs.models import Job
    from theke.tenants.scoping import tenant_scope

    def first_page() -> list[Any]:
        return list(
            Job.objects.filter(tenant=scene.tenant, is_test=False, status="open")
            .select_related("customer")
            .order_by("-updated_at", "-pk")[:PAGE]
        )

    with tenant_scope(scene.tenant):
        first_page()
        count, _ = queries_of(first_page)
        p50, p95 = p50_p95(timed(first_page, requests))
    return count, p50, p95


def bench_list(args: argparse.Namespace) -> None:
    from django.db import connection

    start = time.perf_counter()
    scene = build(args)
    print(
        f"job list: {args.customers} customers, {connection.vendor}, {args.requests} requests "
        f"each (setup {time.perf_counter() - start:.1f} s)"
    )
    results: dict[int, dict[str, tuple[int, int, float, float]]] = {}
    for size in (args.small, args.jobs):
        add_jobs(scene, size - scene.made)
        results[size] = measure(scene, args.requests)
        count, b50, b95 = baseline(scene, args.requests)
        print(f"  {size} jobs:")
        print(
            f"    {f'first {PAGE} open jobs, plain ORM SELECT (baseline)':<46} "
            f"queries {count:3d}   p50 {b50:7.2f} ms   p95 {b95:7.2f} ms"
        )
        for name, (status, queries, p50, p95) in results[size].items():
            ok = "ok" if p95 < TARGET_P95_MS else "OVER TARGET"
            print(
                f"    {name:<46} status {status}   queries {queries:3d}   "
                f"p50 {p50:7.2f} ms   p95 {p95:7.2f} ms ({ok})   "
                f"ratio p50 / baseline {p50 / b50:6.1f}"
            )
    small, big = results[args.small], results[args.jobs]
    for name in small:
        same = "same" if small[name][1] == big[name][1] else "GROWS WITH THE JOBS"
        print(
            f"  queries of {name}: {small[name][1]} at {args.small} jobs, "
            f"{big[name][1]} at {args.jobs} jobs ({same})"
        )
    print(f"  target: p95 < {TARGET_P95_MS:.0f} ms")


# --- the rules of a phase -------------------------------------------------------------------


# The baseline: the same tests as plain Python.
Values = dict[str, object]


def _ticked(box: str, v: Values) -> bool:
    return v[box] is True


def _red_or_blue_unticked(choice: str, box: str, v: Values) -> bool:
    return v[choice] in ("rot", "blau") and not v[box]


def _express_or_black(text: str, choice: str, v: Values) -> bool:
    return "express" in str(v[text]).lower() or v[choice] == "schwarz"


def _noted_and_ticked_or_not_green(text: str, box: str, choice: str, v: Values) -> bool:
    return bool(v[text]) and (bool(v[box]) or v[choice] != "grün")


def _open_anonymous_unticked(box: str, v: Values) -> bool:
    return v["jobstatus"] == "open" and not v["kunde_angemeldet"] and not v[box]


def rule_scene() -> tuple[Any, Any, dict[str, object], list[Callable[[dict[str, object]], bool]]]:
    """A definition of one phase with 50 conditioned entries, values for them, and the same
    50 tests as plain Python (the baseline)."""
    from theke.jobs.definition import Definition, EntryDef, FieldDef, PhaseDef, compile_definition

    fields: dict[str, FieldDef] = {}
    entries = []
    plain: list[Callable[[dict[str, object]], bool]] = []
    options = ("rot", "grün", "blau", "schwarz")
    for n in range(RULES):
        box, choice, text, amount = f"haken_{n}", f"farbe_{n}", f"notiz_{n}", f"betrag_{n}"
        fields[box] = FieldDef(box, f"Haken {n}", "checkbox")
        fields[choice] = FieldDef(choice, f"Farbe {n}", "select", options=options)
        fields[text] = FieldDef(text, f"Notiz {n}", "text")
        fields[amount] = FieldDef(amount, f"Betrag {n}", "text")
        kind = n % 5
        if kind == 0:
            rule = f"{box} = ja"
            plain.append(partial(_ticked, box))
        elif kind == 1:
            rule = f"{choice} in (rot, blau) und nicht {box}"
            plain.append(partial(_red_or_blue_unticked, choice, box))
        elif kind == 2:
            rule = f'{text} enthält "express" oder {choice} = schwarz'
            plain.append(partial(_express_or_black, text, choice))
        elif kind == 3:
            rule = f"{text} ist nicht leer und ({box} oder {choice} != grün)"
            plain.append(partial(_noted_and_ticked_or_not_green, text, box, choice))
        else:
            rule = f"jobstatus = offen und kunde_angemeldet = nein und {box} = nein"
            plain.append(partial(_open_anonymous_unticked, box))
        entries.append(EntryDef(text, condition=rule))
    definition = Definition("Bench", fields, (PhaseDef("p", "Phase", staff=tuple(entries)),))
    made = compile_definition(definition)
    assert not made.problems, made.problems
    rng = random.Random(4)
    values: dict[str, object] = {"jobstatus": "open", "kunde_angemeldet": False}
    for n in range(RULES):
        values[f"haken_{n}"] = rng.random() < 0.5
        values[f"farbe_{n}"] = rng.choice(options)
        values[f"notiz_{n}"] = rng.choice(["", "Express-Lieferung", "bitte anrufen"])
        values[f"betrag_{n}"] = str(rng.randrange(1000))
    return made, definition.phases[0], values, plain


def per_call_us(call: Callable[[], object], times: int) -> tuple[float, float]:
    """(median, p95) µs per call over batches of 100 calls."""
    batches = max(times // 100, 5)
    latencies = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(100):
            call()
        latencies.append((time.perf_counter() - start) / 100)
    return (
        statistics.median(latencies) * 1e6,
        statistics.quantiles(latencies, n=20)[18] * 1e6,
    )


def bench_rules(args: argparse.Namespace) -> None:
    made, phase, values, plain = rule_scene()
    rules = [made.rule(entry.condition) for entry in phase.staff]
    agree = sum(
        bool(rule.evaluate(values)) == test(values)
        for rule, test in zip(rules, plain, strict=True)
        if rule is not None
    )
    shown = made.shown(phase, "staff", values)
    print(
        f"rules: a phase of {RULES} conditioned entries ({sum(s.visible for s in shown)} "
        f"visible with these values; the plain tests agree on {agree} of {RULES})"
    )
    rule = rules[1]
    assert rule is not None

    def visible_only() -> list[bool]:
        return [made.holds(entry.condition, values) for entry in phase.staff]

    def with_reasons() -> list[str]:  # what the staff page asks for: every hidden reason
        return [s.reason for s in made.shown(phase, "staff", values)]

    cases: list[tuple[str, Callable[[], object]]] = [
        (
            f"Compiled.shown(phase, staff, values), {RULES} entries",
            partial(made.shown, phase, "staff", values),
        ),
        ("the same, every hidden entry's reason read", with_reasons),
        (f"{RULES} x Compiled.holds (visibility only, no reasons)", visible_only),
        ("one Rule.evaluate (x in (…) und nicht y)", partial(rule.evaluate, values)),
        (f"{RULES} tests as plain Python (baseline)", lambda: [test(values) for test in plain]),
        ("one test as plain Python (baseline)", partial(plain[1], values)),
    ]
    results = {name: per_call_us(call, args.evaluations) for name, call in cases}
    for name, (median, p95) in results.items():
        print(f"  {name:<52} {median:9.2f} µs (p95 {p95:9.2f} µs)")
    phase_us, reasons_us, holds_us, one_us, plain_us, one_plain = (
        results[name][0] for name, _ in cases
    )
    print(
        f"  ratio to the plain tests: the phase {phase_us / plain_us:5.1f} x "
        f"({phase_us / RULES:5.2f} µs per entry), with reasons {reasons_us / plain_us:5.1f} x, "
        f"visibility only {holds_us / plain_us:5.1f} x "
        f"({holds_us / RULES:5.2f} µs per rule); "
        f"one rule {one_us / one_plain:5.1f} x one plain test"
    )


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir, database=args.section != "rules")
        if args.section in ("rules", "all"):
            bench_rules(args)
        if args.section in ("list", "all"):
            bench_list(args)


if __name__ == "__main__":
    main()
