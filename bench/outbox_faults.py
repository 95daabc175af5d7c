#!/usr/bin/env python
"""Outbox under faults: what an SMTP outage and a killed worker cost, old ways against new.

1. SMTP down for 30 min, 1 h and 24 h while 600 e-mails wait (queued as it went down). A
   simulated clock (time-machine) runs the real delivery code: the sweeper every
   OUTBOX_SWEEP_SECONDS, SMTP refusing connections until the outage ends. Old schedule (as
   before issue 11, reproduced here): 8 attempts, exponential backoff with full jitter, base
   30 s, cap 1 h (about 30 minutes in all). New: theke.messaging.retries (≈ 27 h).
2. The worker killed with SIGKILL three times while it sends 600 e-mails to a real SMTP
   server (aiosmtpd in its own process); after each kill the dead worker's lease runs out
   and a new worker goes on. Old marking (reproduced here): "sent" written for up to 50
   messages or 2 s at once. New: each message right after its own SMTP transaction.

Lost = never accepted by the SMTP server; duplicated = accepted more than once.

    .venv/bin/python -P bench/outbox_faults.py
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MESSAGES = 600
OUTAGES = (
    ("30 min", timedelta(minutes=30)),
    ("1 h", timedelta(hours=1)),
    ("24 h", timedelta(hours=24)),
)
# E-mails accepted by the server when the worker is killed (off the old marks' multiples of 50).
KILLS_AT = (137, 311, 463)
SEED = 11

# What the old retries were: settings OUTBOX_MAX_ATTEMPTS, OUTBOX_RETRY_BASE/CAP_SECONDS.
OLD_MAX_ATTEMPTS = 8
OLD_BASE_SECONDS = 30.0
OLD_CAP_SECONDS = 3600.0
# What the old marking was: delivery.FLUSH_EVERY, FLUSH_SECONDS.
OLD_FLUSH_EVERY = 50
OLD_FLUSH_SECONDS = 2.0


def old_delay(attempts: int) -> float:
    """The old backoff: random in [5 s, min(cap, base·2^(attempts−1))]."""
    ceiling = min(OLD_CAP_SECONDS, OLD_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return max(5.0, random.uniform(0, ceiling))


# --- Django -------------------------------------------------------------------------------------


def setup_django(var_dir: str, migrate: bool) -> None:
    # Always a fresh SQLite file in a temporary directory: the bench empties the outbox.
    os.environ.pop("THEKE_DATABASE_URL", None)
    os.environ["THEKE_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def fill(count: int, now: datetime, max_attempts: int) -> list[int]:
    """Empty the outbox and queue `count` e-mails, due `now`."""
    from django.db import transaction

    from theke.messaging.models import OutboundMessage
    from theke.tenants.models import Tenant
    from theke.tenants.scoping import scopes_disabled
    from theke.tenants.services import create_tenant

    with scopes_disabled():
        OutboundMessage.objects.all().delete()
        tenant = Tenant.objects.filter(slug="alpha").first() or create_tenant(
            "Autohaus Alpha", "alpha", email="info@alpha.test"
        )
        rows = [
            OutboundMessage(
                tenant=tenant,
                channel="email",
                purpose="estimate_link",
                recipient=f"kundin{number}@kunde.example",
                recipient_name=f"Kundin {number}",
                sender_name=tenant.name,
                subject=f"Ihr Kostenvoranschlag Nr. {number}",
                body_text=f"Guten Tag,\n\nIhr Kostenvoranschlag Nr. {number} liegt bereit.\n",
                dedupe_key=f"estimate:{number}:link",
                max_attempts=max_attempts,
                next_attempt_at=now,
            )
            for number in range(count)
        ]
        with transaction.atomic():
            OutboundMessage.objects.bulk_create(rows)
            OutboundMessage.objects.update(created_at=now)
        return list(OutboundMessage.objects.order_by("pk").values_list("pk", flat=True))


def outbox_counts() -> Counter[str]:
    from theke.messaging.models import OutboundMessage
    from theke.tenants.scoping import scopes_disabled

    with scopes_disabled():
        return Counter(OutboundMessage.objects.values_list("status", flat=True))


# --- 1. SMTP outage on a simulated clock ---------------------------------------------------------


class SimulatedSmtp:
    """The mailer of part 1: refuses connections while down, else counts by Message-ID."""

    down = False
    received: Counter[str] = Counter()
    last_accepted: datetime | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def open(self) -> None:
        if SimulatedSmtp.down:
            raise ConnectionRefusedError(111, "Connection refused")

    def close(self) -> None:
        pass

    def send_messages(self, messages: Sequence[Any]) -> int:
        from django.utils import timezone

        self.open()
        for message in messages:
            SimulatedSmtp.received[message.extra_headers["Message-ID"]] += 1
        SimulatedSmtp.last_accepted = timezone.now()
        return len(messages)


@contextmanager
def retry_schedule(delay: Callable[[int], float] | None) -> Iterator[None]:
    """Run with another retry delay (the old backoff), or the shipped one (None)."""
    from theke.messaging import retries

    shipped = retries.delay
    if delay is not None:
        retries.delay = delay  # type: ignore[assignment]
    try:
        yield
    finally:
        retries.delay = shipped


def run_outage(outage: timedelta, old: bool) -> dict[str, Any]:
    """600 e-mails queued as SMTP goes down; the sweeper runs until none is left waiting."""
    import time_machine
    from django.conf import settings
    from django.utils import timezone

    from theke.messaging import retries
    from theke.messaging.models import OutboundMessage, OutboundStatus
    from theke.messaging.services import delivery
    from theke.tenants.scoping import scopes_disabled

    random.seed(SEED)
    start = timezone.now().replace(microsecond=0)
    back = start + outage
    fill(MESSAGES, start, OLD_MAX_ATTEMPTS if old else retries.MAX_ATTEMPTS)
    SimulatedSmtp.received = Counter()
    SimulatedSmtp.last_accepted = None
    sweep = timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS)
    now, sweeps = start, 0
    with retry_schedule(old_delay if old else None):
        while True:
            SimulatedSmtp.down = now < back
            with time_machine.travel(now, tick=False):
                delivery.deliver_due()
            sweeps += 1
            with scopes_disabled():
                due = (
                    OutboundMessage.objects.filter(status=OutboundStatus.QUEUED)
                    .order_by("next_attempt_at")
                    .values_list("next_attempt_at", flat=True)
                    .first()
                )
            if due is None:
                break
            # The next sweep at or after the next due message (sweeps come every 30 s).
            ticks = max(1, -(-(due - now) // sweep))
            now += ticks * sweep
    counts = outbox_counts()
    accepted = SimulatedSmtp.received
    after = SimulatedSmtp.last_accepted
    return {
        "lost": MESSAGES - len(accepted),
        "failed": counts[OutboundStatus.FAILED],
        "duplicated": sum(n - 1 for n in accepted.values()),
        "all_in_after": (after - back) if after and not counts[OutboundStatus.FAILED] else None,
        "sweeps": sweeps,
    }


def part_outages() -> None:
    from django.conf import settings

    settings.MAILERS = {"default": {"BACKEND": "__main__.SimulatedSmtp", "OPTIONS": {}}}
    print(f"1. SMTP down, {MESSAGES} e-mails queued as it goes down (simulated clock)")
    print(f"   {'outage':<8}{'schedule':<34}{'lost':>6}{'dupl.':>7}   all in, after SMTP is back")
    for label, outage in OUTAGES:
        for old in (True, False):
            started = time.perf_counter()
            result = run_outage(outage, old)
            schedule = "old (8 attempts, ~30 min)" if old else "new (8 attempts, ~27 h)"
            arrived = result["all_in_after"]
            last = "never" if arrived is None else f"{arrived.total_seconds() / 60:.0f} min"
            print(
                f"   {label:<8}{schedule:<34}{result['lost']:>6}{result['duplicated']:>7}"
                f"   {last:<10} ({result['sweeps']} sweeps, {time.perf_counter() - started:.1f} s)"
            )


# --- 2. worker killed mid-batch ------------------------------------------------------------------


SINK = """
import re, socket, sys, time
from collections import Counter
from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\\s*(\\S+)", re.I | re.M)

class Count:
    def __init__(self):
        self.ids = Counter()
    async def handle_DATA(self, server, session, envelope):
        time.sleep(0.004)  # a server at work: a batch of 600 takes a few seconds
        self.ids[MESSAGE_ID.search(envelope.original_content).group(1).decode()] += 1
        return "250 OK"

handler = Count()
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
controller = Controller(handler, hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
for line in sys.stdin:  # "count": accepted so far; "ids": {message id: times}; EOF stops
    if line.strip() == "ids":
        import json
        print(json.dumps(dict(handler.ids)), flush=True)
    else:
        print(sum(handler.ids.values()), flush=True)
controller.stop()
"""


class Sink:
    """The aiosmtpd server in a child process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SINK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def ask(self, what: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(what + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline()

    def count(self) -> int:
        return int(self.ask("count"))

    def ids(self) -> Counter[str]:
        return Counter(json.loads(self.ask("ids")))

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def use_batch_marking() -> None:
    """The old way, for comparison: "sent" marks collected and written every 50 messages or
    2 seconds, and for the rest when the batch is done."""
    from django.db import transaction

    from theke.messaging.models import OutboundMessage
    from theke.messaging.services import delivery

    class BatchMarking(delivery.Batch):
        def __init__(self, messages: Sequence[OutboundMessage], token: str) -> None:
            super().__init__(messages, token)
            self.pending: dict[int, str] = {}
            self.flushed_at = time.monotonic()

        def _mark_sent(self, message: OutboundMessage, sent: Any) -> None:
            self.pending[message.pk] = sent.provider_id
            if (
                len(self.pending) >= OLD_FLUSH_EVERY
                or time.monotonic() - self.flushed_at > OLD_FLUSH_SECONDS
            ):
                self.flush()

        def flush(self) -> None:
            self.flushed_at = time.monotonic()
            pending, self.pending = self.pending, {}
            with transaction.atomic():
                for pk, provider_id in pending.items():
                    self.sent += delivery._mark_sent(pk, provider_id, self.token)

    def send_batch(messages: Sequence[OutboundMessage], token: str, senders: Any) -> int:
        batch = BatchMarking(messages, token)
        try:
            for channel, send in delivery.SENDERS.items():
                of_channel = [m for m in messages if m.channel == channel]
                if of_channel:
                    send(batch, of_channel, senders)
        finally:
            batch.flush()
        return batch.sent

    delivery._send_batch = send_batch


def start_worker(marking: str, port: int) -> int:
    """A worker process (forked, so it needs no start-up) sending every due e-mail."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()  # the worker opens its own connection
    pid = os.fork()
    if pid:
        return pid
    try:
        from theke.messaging.services import delivery

        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port},
            }
        }
        if marking == "old":
            use_batch_marking()
        delivery.deliver_due()
    finally:
        os._exit(0)


def running(pid: int) -> bool:
    done, _status = os.waitpid(pid, os.WNOHANG)
    return done == 0


def expire_leases() -> int:
    """What waiting OUTBOX_LEASE_SECONDS would do: the dead worker's rows are due again."""
    from django.utils import timezone

    from theke.messaging.models import OutboundMessage, OutboundStatus
    from theke.tenants.scoping import scopes_disabled

    with scopes_disabled():
        return OutboundMessage.objects.filter(status=OutboundStatus.SENDING).update(
            claimed_until=timezone.now() - timedelta(seconds=1)
        )


def sent_rows() -> int:
    return outbox_counts()["sent"]


def run_kills(marking: str) -> dict[str, Any]:
    from django.utils import timezone

    fill(MESSAGES, timezone.now(), 8)
    sink = Sink()
    per_kill: list[int] = []
    try:
        for threshold in KILLS_AT:
            worker = start_worker(marking, sink.port)
            while sink.count() < threshold and running(worker):
                time.sleep(0.002)
            os.kill(worker, signal.SIGKILL)
            os.waitpid(worker, 0)
            # Accepted by the server but not marked sent: the next worker sends these again.
            per_kill.append(len(sink.ids()) - sent_rows())
            expire_leases()
        os.waitpid(start_worker(marking, sink.port), 0)
        accepted = sink.ids()
    finally:
        sink.stop()
    counts = outbox_counts()
    return {
        "per_kill": per_kill,
        "duplicated": sum(n - 1 for n in accepted.values()),
        "lost": MESSAGES - len(accepted),
        "not_sent": MESSAGES - counts["sent"],
    }


def part_kills() -> None:
    print(f"2. Worker killed (SIGKILL) {len(KILLS_AT)} times while sending {MESSAGES} e-mails")
    print(f"   {'marking':<38}{'duplicates per kill':<22}{'dupl.':>6}{'lost':>6}")
    for marking in ("old", "new"):
        started = time.perf_counter()
        result = run_kills(marking)
        label = (
            f"old (every {OLD_FLUSH_EVERY} or {OLD_FLUSH_SECONDS:.0f} s)"
            if marking == "old"
            else "new (each message, one-row UPDATE)"
        )
        per_kill = " / ".join(str(n) for n in result["per_kill"])
        print(
            f"   {label:<38}{per_kill:<22}{result['duplicated']:>6}{result['lost']:>6}"
            f"   ({time.perf_counter() - started:.1f} s)"
        )
        assert result["not_sent"] == 0, result


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir, migrate=True)
        logging.getLogger("theke.messaging").setLevel(logging.WARNING)  # a line per retry
        part_outages()
        part_kills()


if __name__ == "__main__":
    main()
