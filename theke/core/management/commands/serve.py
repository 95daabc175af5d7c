"""Serve Theke and run the worker beside it; one Ctrl-C stops both (`make run`)."""

import sys
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from honcho.manager import Manager

from theke.core import serving

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Command(BaseCommand):
    help = "Runs the web server (gunicorn) and the background worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args: Any, port: int, host: str, web_workers: int, **options: Any) -> None:
        python = sys.executable
        manager = Manager()
        manager.add_process(
            "web",
            f"{python} -m gunicorn theke.wsgi:application --bind {host}:{port} "
            f"--workers {web_workers} --threads 4 --access-logfile - --graceful-timeout 5",
        )
        manager.add_process("worker", f"{python} manage.py run_worker")
        with serving.announce(host, port) as served:
            self.stdout.write(
                f"Theke läuft auf / is running at {served.local_url}  (Ctrl-C stoppt)"
            )
            self.stdout.write(f"Links in E-Mails und SMS / links in messages: {settings.BASE_URL}")
            if urlsplit(settings.BASE_URL).hostname in LOOPBACK:
                address = serving.lan_address() or "<IP dieses Rechners / this machine's IP>"
                self.stdout.write(
                    "  Ein Telefon erreicht sie nicht / a phone cannot open them; dafür / "
                    f"for that: make run HOST=0.0.0.0 THEKE_BASE_URL=http://{address}:{port}"
                )
            manager.loop()
        sys.exit(manager.returncode)
