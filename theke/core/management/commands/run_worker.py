"""Run the background worker (huey consumer) alone: `python manage.py run_worker`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from theke.core.tasks_backend import register_huey_tasks


class Command(BaseCommand):
    help = "Runs the background worker that executes enqueued tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, workers: int, **options: Any) -> None:
        huey = register_huey_tasks()
        self.stdout.write(f"Theke worker: {workers} threads, queue {huey.storage_class.__name__}")
        consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
        consumer.run()
