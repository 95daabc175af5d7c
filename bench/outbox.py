#!/usr/bin/env python
"""Outbox: N queued e-mails delivered by the worker (deliver_due) to a local SMTP sink.

Baseline measured in the same run: a raw smtplib loop sending the same N messages (their
bytes prepared beforehand) over one connection to the same sink. The sink (aiosmtpd) runs
in its own process, as a mail server would.

    .venv/bin/python -P bench/outbox.py [--messages 10000]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/theke_bench python -P bench/outbox.py
    BENCH_PROFILE=/tmp/outbox.prof python -P bench/outbox.py   # cProfile of deliver_due()

The PostgreSQL database is flushed first: use one meant for benchmarks.
"""

from __future__ import annotations

import argparse
import os
import resource
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = (
    "Guten Tag {name},\n\nvielen Dank für Ihre Anfrage. Ihr Kostenvoranschlag Nr. {number} "
    "für Ihr Fahrzeug B-AB {number} liegt bereit. Sie können ihn hier ansehen, annehmen oder "
    "ablehnen:\n\nhttps://theke.example/t/alpha/e/{number}/QmFzZTY0LXRva2VuLWZvci1iZW5jaA\n\n"
    "Bei Fragen antworten Sie einfach auf diese E-Mail.\n\nMit freundlichen Grüßen\n"
    "Ihr Team vom Autohaus Alpha\nHauptstraße 1, 10115 Berlin · Tel. 030 1234567\n"
)
HTML = (
    "<!doctype html><html lang='de'><body><p>Guten Tag {name},</p><p>vielen Dank für Ihre "
    "Anfrage. Ihr <strong>Kostenvoranschlag Nr. {number}</strong> für Ihr Fahrzeug "
    "B-AB {number} liegt bereit.</p><p><a href='https://theke.example/t/alpha/e/{number}/"
    "QmFzZTY0LXRva2VuLWZvci1iZW5jaA'>Kostenvoranschlag ansehen</a></p><p>Bei Fragen "
    "antworten Sie einfach auf diese E-Mail.</p><p>Mit freundlichen Grüßen<br>Ihr Team vom "
    "Autohaus Alpha<br>Hauptstraße 1, 10115 Berlin · Tel. 030 1234567</p></body></html>"
)

SINK = """
import socket, sys
from aiosmtpd.controller import Controller

class Count:
    def __init__(self):
        self.count = 0
    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"

handler = Count()
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
controller = Controller(handler, hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
for line in sys.stdin:  # "count" asks for the number received so far; EOF stops the sink
    print(handler.count, flush=True)
controller.stop()
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    return parser.parse_args()


class Sink:
    """The aiosmtpd sink in a child process; counts what it accepted."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SINK],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def count(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def setup_django(var_dir: str) -> None:
    os.environ["THEKE_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if "THEKE_DATABASE_URL" in os.environ:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)


def fill(count: int) -> None:
    """Queue `count` e-mails of two tenants, as the business transactions would."""
    from django.db import connection, transaction

    from theke.messaging import retries
    from theke.messaging.models import OutboundMessage
    from theke.tenants.scoping import scopes_disabled
    from theke.tenants.services import create_tenant

    tenants = [
        create_tenant("Autohaus Alpha", f"alpha-{time.time_ns()}", email="info@alpha.test"),
        create_tenant("Werkstatt Beta", f"beta-{time.time_ns()}", email="info@beta.test"),
    ]
    rows = []
    for number in range(count):
        tenant = tenants[number % 2]
        name = f"Kundin {number}"
        rows.append(
            OutboundMessage(
                tenant=tenant,
                channel="email",
                purpose="estimate_link",
                recipient=f"kundin{number}@kunde.example",
                recipient_name=name,
                sender_name=tenant.name,
                reply_to=f"reply+{number:08d}@reply.theke.example",
                subject=f"Ihr Kostenvoranschlag Nr. {number}",
                body_text=TEXT.format(name=name, number=number),
                body_html=HTML.format(name=name, number=number),
                dedupe_key=f"estimate:{number}:link|email|kundin{number}@kunde.example",
                max_attempts=retries.MAX_ATTEMPTS,
            )
        )
    with scopes_disabled(), transaction.atomic():
        OutboundMessage.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def raw_messages() -> list[tuple[str, str, bytes]]:
    """The same messages as plain bytes (stdlib email), prepared before the raw loop."""
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import formataddr, make_msgid

    from theke.messaging.models import OutboundMessage
    from theke.tenants.scoping import scopes_disabled

    prepared = []
    with scopes_disabled():
        for row in OutboundMessage.objects.order_by("pk").iterator(chunk_size=2000):
            msg = EmailMessage(policy=SMTP)
            msg["Subject"] = row.subject
            msg["From"] = formataddr((row.sender_name, "theke@localhost"))
            msg["To"] = formataddr((row.recipient_name, row.recipient))
            msg["Reply-To"] = row.reply_to
            msg["Message-ID"] = make_msgid(domain="localhost")
            msg.set_content(row.body_text, cte="quoted-printable")
            msg.add_alternative(row.body_html, subtype="html", cte="quoted-printable")
            prepared.append(("theke@localhost", row.recipient, msg.as_bytes()))
    return prepared


def raw_loop(port: int, messages: list[tuple[str, str, bytes]]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as smtp:
        for sender, recipient, data in messages:
            smtp.sendmail(sender, [recipient], data)
    return time.perf_counter() - start


def main() -> None:
    args = parse_args()
    sink = Sink()
    try:
        with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
            setup_django(var_dir)
            from django.conf import settings
            from django.db import connection

            from theke.messaging.models import OutboundMessage, OutboundStatus
            from theke.messaging.services.delivery import deliver_due
            from theke.tenants.scoping import scopes_disabled

            settings.MAILERS = {
                "default": {
                    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 20},
                }
            }
            start = time.perf_counter()
            fill(args.messages)
            print(
                f"outbox: {args.messages} queued e-mails, {connection.vendor}, "
                f"batch {settings.OUTBOX_BATCH_SIZE}, SMTP sink on port {sink.port} "
                f"(setup {time.perf_counter() - start:.1f} s)"
            )

            start = time.perf_counter()
            cpu_start = time.process_time()
            if os.environ.get("BENCH_PROFILE"):
                import cProfile

                cProfile.runctx("deliver_due()", globals(), locals(), os.environ["BENCH_PROFILE"])
                sent = args.messages
            else:
                sent = deliver_due()
            worker_seconds = time.perf_counter() - start
            worker_cpu = time.process_time() - cpu_start
            received = sink.count()
            with scopes_disabled():
                left = OutboundMessage.objects.exclude(status=OutboundStatus.SENT).count()
                errors = set(
                    OutboundMessage.objects.exclude(last_error="").values_list(
                        "last_error", flat=True
                    )[:5]
                )
            assert sent == args.messages == received, (sent, received, errors)
            assert left == 0, left
            worker = args.messages / worker_seconds
            print(
                f"  {'deliver_due() (claim, build, send, mark)':<44} {worker:9.1f} msg/s"
                f"   {worker_seconds:6.2f} s   (CPU {worker_cpu:.2f} s)"
            )

            prepared = raw_messages()
            raw_seconds = raw_loop(sink.port, prepared)
            assert sink.count() == 2 * args.messages
            raw = args.messages / raw_seconds
            print(
                f"  {'raw smtplib loop, one connection (baseline)':<44} {raw:9.1f} msg/s"
                f"   {raw_seconds:6.2f} s"
            )
            print(f"  ratio worker / raw smtplib: {worker / raw:.2f}")
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  peak RSS of the process: {peak_mb:.0f} MB")
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
