"""Background tasks of online estimates (run by the worker)."""

from __future__ import annotations

from django.tasks import task


@task
def estimate_housekeeping() -> dict[str, int]:
    """Expire estimates past their validity date, then send the due reminders."""
    from theke.estimates.services import lifecycle

    return {"expired": lifecycle.expire_overdue(), "reminded": lifecycle.remind_unanswered()}
