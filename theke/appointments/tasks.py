"""Background tasks of workshop appointments (run by the worker)."""

from __future__ import annotations

from django.tasks import task

# --- remind ---


@task
def send_appointment_reminders() -> int:
    """Every minute: queue the reminders that are due (each exactly once)."""
    from theke.appointments.services.reminders import send_due_reminders

    return send_due_reminders()
