"""Serve Theke and run the worker beside it; one Ctrl-C stops both (`make run`)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from honcho.manager import Manager


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
        self.stdout.write(f"Theke läuft auf / is running at http://{host}:{port}  (Ctrl-C stoppt)")
        manager.loop()
        sys.exit(manager.returncode)
