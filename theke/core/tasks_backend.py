"""A django.tasks backend run by huey: SQLite in var/ by default, Redis with THEKE_REDIS_URL.

Code enqueues with the django.tasks API (`my_task.enqueue(...)`); huey only carries the
task's import path and arguments to the worker (`manage.py run_worker`).
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from huey import Huey, RedisHuey, SqliteHuey, crontab

# The worker names the domains' tasks by import path: core imports no domain's code.
OUTBOX_SWEEP_TASK = "theke.messaging.tasks.sweep_outbox"

# Tasks huey runs on its own schedule: (name, import path of a django.tasks task, every how
# many minutes; None: the outbox sweep interval).
PERIODIC_TASKS: list[tuple[str, str, int | None]] = [
    ("theke.sweep_outbox", OUTBOX_SWEEP_TASK, None),
    ("theke.estimate_housekeeping", "theke.estimates.tasks.estimate_housekeeping", 15),
    # --- life ---
    (
        "theke.expire_appointment_proposals",
        "theke.appointments.tasks.expire_appointment_proposals",
        5,
    ),
    # --- remind ---
    ("theke.appointment_reminders", "theke.appointments.tasks.send_appointment_reminders", 1),
    # --- portal: rent-free days ending ---
    ("theke.portal_rent_free", "theke.portal.tasks.send_rent_free_reminders", 60),
]


@functools.cache
def get_huey() -> Huey:
    if settings.REDIS_URL:
        return RedisHuey(settings.QUEUE_NAME, url=settings.REDIS_URL)
    return SqliteHuey(settings.QUEUE_NAME, filename=str(settings.HUEY_SQLITE_PATH))


def _run_django_task(module_path: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    # Worker threads live long: drop connections the database has closed or that are too old.
    close_old_connections()
    try:
        task: Task = import_string(module_path)
        task.call(*args, **kwargs)
    finally:
        close_old_connections()


@functools.cache
def _huey_runner() -> Any:
    return get_huey().task(name="theke.run_django_task")(_run_django_task)


def sweep_interval_minutes() -> int:
    """Huey's periodic tasks run at most once a minute; shorter sweeps come from run_worker."""
    return max(1, settings.OUTBOX_SWEEP_SECONDS // 60)


@functools.cache
def _periodic_tasks() -> list[Any]:
    huey = get_huey()
    return [
        huey.periodic_task(crontab(minute=f"*/{minutes or sweep_interval_minutes()}"), name=name)(
            _periodic_runner(path)
        )
        for name, path, minutes in PERIODIC_TASKS
    ]


def _periodic_runner(module_path: str) -> Any:
    def run() -> None:
        _run_django_task(module_path, [], {})

    return run


def register_huey_tasks() -> Huey:
    """Make the runner and the periodic tasks (the outbox sweeper) known to huey; the
    consumer calls this at start."""
    _huey_runner()
    _periodic_tasks()
    return get_huey()


class HueyBackend(BaseTaskBackend):
    supports_defer = True

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        runner = _huey_runner()
        call_args = (task.module_path, list(args), dict(kwargs))
        if task.run_after is not None:
            runner.schedule(args=call_args, eta=task.run_after)
        else:
            runner(*call_args)
        return TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
