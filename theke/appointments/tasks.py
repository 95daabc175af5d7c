"""Background tasks of appointments (run by the worker, see core.tasks_backend)."""

from __future__ import annotations

from django.tasks import task


# --- life: proposals past their time ---
@task
def expire_appointment_proposals() -> dict[str, int]:
    """Expire the proposals the customer did not answer in time (their held slots are
    free again; the appointment returns to "Angefragt")."""
    from theke.appointments.services import workshop

    return {"expired": workshop.expire_proposals()}
