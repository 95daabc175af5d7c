"""Background tasks of accounts (run by the worker)."""

from __future__ import annotations

from django.tasks import task


@task
def send_password_reset(email: str) -> int:
    """Queue the reset e-mail for every active user with this address (usually one; none for
    an unknown address); returns how many were queued."""
    from theke.accounts import services

    return services.request_password_resets(email)
