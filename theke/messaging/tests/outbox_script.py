"""Helper run in a separate process by the worker tests, against its own database.

python -m theke.messaging.tests.outbox_script setup       # migrate, queue one e-mail
python -m theke.messaging.tests.outbox_script setup 60    # migrate, queue 60 e-mails for
                                                          # the sweeper (no task per message)

The tests read the outbox rows straight from the SQLite file (`test_delivery_worker.read_outbox`):
a Django start-up per look would take seconds on a busy machine.
"""

from __future__ import annotations

import os
import sys


def main(command: str, count: int | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from theke.messaging.services import outbox
    from theke.messaging.services.outbox import queue_message
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_tenant

    if command == "setup" and count is not None:
        call_command("migrate", verbosity=0)
        tenant = create_tenant("Autohaus Alpha", "alpha", city="Berlin", email="info@alpha.test")
        # No task per message: the worker's sweeper claims them all as one batch.
        outbox._kick_worker = lambda message_id: None
        with tenant_scope(tenant), transaction.atomic():
            for number in range(count):
                queue_message(
                    tenant,
                    channel="email",
                    purpose="estimate_link",
                    recipient=f"kunde{number}@kunde.test",
                    dedupe_key=f"estimate:{number}:link",
                    subject=f"Ihr Kostenvoranschlag {number}",
                    text="Guten Tag",
                )
        print(count)
    elif command == "setup":
        call_command("migrate", verbosity=0)
        tenant = create_tenant("Autohaus Alpha", "alpha", city="Berlin", email="info@alpha.test")
        with tenant_scope(tenant), transaction.atomic():
            message = queue_message(
                tenant,
                channel="email",
                purpose="estimate_link",
                recipient="klara@kunde.test",
                dedupe_key="estimate:1:link",
                subject="Ihr Kostenvoranschlag",
                text="Guten Tag",
            )
        print(message.pk)
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
