"""Background tasks of accounts (run by the worker)."""

from __future__ import annotations

from django.tasks import task


@task
def send_password_reset(email: str) -> int:
    """Queue the reset e-mail for every active user with this address (usually one; none for
    an unknown address); returns how many were queued."""
    from theke.accounts import services

    return services.request_password_resets(email)


@task
def send_customer_password_reset(tenant_id: int, email: str) -> bool:
    """Queue a customer account's reset e-mail (none for an unknown address)."""
    from theke.accounts.services import customer_accounts

    return customer_accounts.request_customer_password_reset(tenant_id, email)
