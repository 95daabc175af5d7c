"""Background tasks of the portal (run by the worker, see core.tasks_backend)."""

from __future__ import annotations

from django.tasks import task


# --- container shop (shop) ---
@task
def send_rent_free_reminders() -> int:
    """Hourly: remind customer admins before a container's rent-free days end (each
    container and period once)."""
    from theke.portal.services.shop import send_rent_free_reminders as send

    return send()
