#!/usr/bin/env python
"""Appointment reminders: N due reminders swept (send_due_reminders) and delivered by the
outbox worker (deliver_due) to a local SMTP sink.

Each reminder belongs to its own planned appointment of its own customer (a contact with an
e-mail address, German or English), so the sweep does all its work per row: re-check the
appointment and the wish, issue the link to the appointment page, render the text in the
customer's language, queue the outbox row, mark the reminder sent. Baseline in the same run:
the plain outbox delivery (deliver_due) of the same number of ready e-mails (rows stored
directly, as bench/outbox.py does). The ratio says what the reminders cost on top of sending.

    .venv/bin/python bench/reminders.py [--count 100000]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/theke_bench python bench/reminders.py

SQLite in a throwaway directory by default; a PostgreSQL database is flushed first: use one
meant for benchmarks. The on-commit kick of each queued message is off (the worker's
deliver_due below sends them), so the two phases are timed apart.
"""

from __future__ import annotations

import argparse
import datetime
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# The SMTP sink, the Django setup and the plain e-mails of bench/outbox.py.
import outbox as outbox_bench  # noqa: E402

BATCH = 2000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    return parser.parse_args()


def fill_reminders(count: int) -> tuple[Any, datetime.datetime]:
    """`count` planned appointments tomorrow, each with one reminder due now; returns the
    tenant and the moment the reminders are due."""
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
        for first in range(0, count, BATCH):
            numbers = range(first, min(first + BATCH, count))
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
    return tenant, due


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


def main() -> None:
    args = parse_args()
    sink = outbox_bench.Sink()
    try:
        with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
            outbox_bench.setup_django(var_dir)
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
            setattr(outbox, "_kick_worker", lambda message_id: None)  # noqa: B010

            start = time.perf_counter()
            _tenant, due = fill_reminders(args.count)
            print(
                f"reminders: {args.count} due reminders, {connection.vendor}, sweep batch 500, "
                f"outbox batch {settings.OUTBOX_BATCH_SIZE}, SMTP sink on port {sink.port} "
                f"(setup {time.perf_counter() - start:.1f} s)"
            )
            if not _module_exists("theke.appointments.services.links"):
                print("  (no links service yet: the reminders go without the page link)")

            start = time.perf_counter()
            cpu_start = time.process_time()
            queued = reminders.send_due_reminders(now=due)
            sweep_seconds = time.perf_counter() - start
            sweep_cpu = time.process_time() - cpu_start
            with scopes_disabled():
                left = AppointmentReminder.objects.filter(sent_at__isnull=True).count()
            assert queued == args.count and left == 0, (queued, left)
            print(
                f"  {'send_due_reminders() (check, link, render, queue)':<52} "
                f"{args.count / sweep_seconds:9.1f} msg/s   {sweep_seconds:7.2f} s"
                f"   (CPU {sweep_cpu:.2f} s)"
            )

            sent, delivery_seconds = deliver_all()
            assert sent == args.count == sink.count(), (sent, sink.count())
            print(
                f"  {'deliver_due() of the reminders':<52} "
                f"{args.count / delivery_seconds:9.1f} msg/s   {delivery_seconds:7.2f} s"
            )
            total = sweep_seconds + delivery_seconds
            reminder_rate = args.count / total
            print(f"  {'sweep + delivery':<52} {reminder_rate:9.1f} msg/s   {total:7.2f} s")

            # The baseline: the same number of ready e-mails, delivered by the same worker.
            with scopes_disabled():
                OutboundMessage.objects.all().delete()
            outbox_bench.fill(args.count)
            plain_sent, plain_seconds = deliver_all()
            assert plain_sent == args.count and sink.count() == 2 * args.count
            with scopes_disabled():
                assert not OutboundMessage.objects.exclude(status=OutboundStatus.SENT).exists()
            plain_rate = args.count / plain_seconds
            print(
                f"  {'plain outbox deliver_due() (baseline)':<52} "
                f"{plain_rate:9.1f} msg/s   {plain_seconds:7.2f} s"
            )
            print(
                "  ratio reminders (sweep + delivery) / plain outbox: "
                f"{reminder_rate / plain_rate:.2f}"
            )
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  peak RSS of the process: {peak_mb:.0f} MB")
    finally:
        sink.stop()


def _module_exists(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    main()
