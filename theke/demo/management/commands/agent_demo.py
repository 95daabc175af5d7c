"""`manage.py agent_demo`: a simulated back office pushing a day of data through the API.

Start Theke first (`make run`), then in a second terminal::

    .venv/bin/python manage.py agent_demo --watch 300

Everything goes over HTTP to `--url` (default: where `make run` serves, as `serve` announced
it in var/serve.json), as a real agent would. Without
`--key` the command creates a fresh key for the tenant (the only step that does not use
the API). With `--watch` it keeps polling the event feed, so opening the printed estimate
link on a phone shows up as `estimate.viewed`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from theke.api.services import create_api_key
from theke.audit.services import SYSTEM
from theke.core import serving
from theke.demo.agent import Agent, AgentError
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

DEMO_TENANT = "autohaus-demo"


class Command(BaseCommand):
    help = "Push a realistic day of back-office data through the API and print the events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", help="Theke's URL (default: the one `make run` serves on, var/serve.json)"
        )
        parser.add_argument("--tenant", default=DEMO_TENANT, help="slug of the tenant")
        parser.add_argument("--key", help="an API key of the tenant (default: create one)")
        parser.add_argument(
            "--watch", type=float, default=0, help="seconds to keep polling the event feed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"] or self._running_url()
        key = options["key"] or self._new_key(options["tenant"])
        agent = Agent(url, key, out=self.stdout.write)
        today = timezone.localdate()
        self.stdout.write(f"Agent → {agent.base_url} (tenant {options['tenant']}, {today})")
        try:
            opened = agent.push_day(today)
            self.stdout.write("Events (GET /api/v1/events):")
            agent.pull_events()
            self.stdout.write(f"Open the estimate as the customer would: {opened['estimate_url']}")
            if options["watch"]:
                self.stdout.write(f"Watching the feed for {options['watch']:.0f} s (Ctrl-C stops)…")
                agent.watch(options["watch"])
        except AgentError as exc:
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _running_url(self) -> str:
        """Where `make run` serves (var/serve.json), else a message naming `--url`."""
        served = serving.running()
        if served is None:
            example = settings.BASE_URL or "http://127.0.0.1:8000"
            raise CommandError(
                f"Theke läuft nicht (keine {serving.serve_file()}): starten Sie `make run` "
                f"oder geben Sie die Adresse an, z. B. --url {example}\n"
                f"Theke is not running (no {serving.serve_file()}): start `make run` or pass "
                f"its address, e.g. --url {example}"
            )
        return served.local_url

    def _new_key(self, slug: str) -> str:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(
                f"No tenant {slug!r}; load the demo data first (make run / make demo)."
            )
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        with tenant_scope(tenant):
            _key, plaintext = create_api_key(tenant, SYSTEM, f"Agent-Demo {stamp}")
        return plaintext
