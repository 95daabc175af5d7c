"""Run the background worker (huey consumer) alone: `python manage.py run_worker`.

Beside huey's worker threads runs the outbox sweeper: at start and then every
OUTBOX_SWEEP_SECONDS it claims and sends every due message, so a lost queue entry delays
a message but never loses it. Several workers may run at once: claims never overlap.
"""

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.tasks import Task
from django.utils.module_loading import import_string

from theke.core.tasks_backend import OUTBOX_SWEEP_TASK, register_huey_tasks

logger = logging.getLogger("theke.worker")


class OutboxSweeper(threading.Thread):
    """Calls the sweep at start and then every `interval` seconds until stopped."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="outbox-sweeper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.sweep()
            self.stopped.wait(self.interval)

    def sweep(self) -> None:
        sweep_outbox: Task = import_string(OUTBOX_SWEEP_TASK)
        close_old_connections()
        try:
            sent = sweep_outbox.call()
            if sent:
                logger.info("outbox sweep: %d messages sent", sent)
        except Exception:
            logger.exception("outbox sweep failed")
        finally:
            close_old_connections()

    def stop(self) -> None:
        self.stopped.set()


class Command(BaseCommand):
    help = "Runs the background worker that executes enqueued tasks and sweeps the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-sweeper",
            action="store_true",
            help="Leave the outbox to huey's per-minute periodic sweep.",
        )

    def handle(self, *args: Any, workers: int, no_sweeper: bool, **options: Any) -> None:
        huey = register_huey_tasks()
        self.stdout.write(f"Theke worker: {workers} threads, queue {huey.storage_class.__name__}")
        sweeper = None
        if not no_sweeper:
            sweeper = OutboxSweeper(settings.OUTBOX_SWEEP_SECONDS)
            sweeper.start()
        consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
        try:
            consumer.run()
        finally:
            if sweeper is not None:
                sweeper.stop()
                sweeper.join(timeout=10)
