"""Helper run in a separate process by the worker tests, against its own database.

python -m theke.messaging.tests.outbox_script setup    # migrate, queue one e-mail
python -m theke.messaging.tests.outbox_script state    # the outbox rows as JSON
"""

from __future__ import annotations

import json
import os
import sys


def main(command: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django_scopes import scopes_disabled

    from theke.messaging.models import OutboundMessage
    from theke.messaging.services.outbox import queue_message
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_tenant

    if command == "setup":
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
    elif command == "state":
        with scopes_disabled():
            rows = OutboundMessage.objects.order_by("pk").values(
                "pk", "status", "attempts", "claimed_by", "last_error", "provider_id"
            )
            print(json.dumps(list(rows)))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1])
