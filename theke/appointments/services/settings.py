"""Online-booking settings: the tenant's (hold time, cut-off, duplicate criteria, ...) and
each branch's (switch, capacity, buffers, notice, horizon), with their defaults."""

from __future__ import annotations

from theke.appointments.models import BookingSettings, BranchBooking
from theke.tenants.models import Branch, Tenant

__all__ = ["booking_enabled", "booking_settings", "branch_booking", "embed_origins"]


def booking_settings(tenant: Tenant) -> BookingSettings:
    """The tenant's settings; an unsaved row with the defaults until it changed one."""
    return BookingSettings.objects.filter(tenant=tenant).first() or BookingSettings(tenant=tenant)


def branch_booking(branch: Branch) -> BranchBooking:
    """The branch's settings; an unsaved row with the defaults (switched off) until set."""
    found = BranchBooking.objects.filter(branch=branch).first()
    return found or BranchBooking(tenant_id=branch.tenant_id, branch=branch)


def booking_enabled(branch: Branch) -> bool:
    """Customers may book at the branch: switched on for the tenant (by the platform
    operator) and for the active branch."""
    return (
        branch.tenant.online_booking_enabled and branch.is_active and branch_booking(branch).enabled
    )


def embed_origins(tenant: Tenant) -> list[str]:
    """The origins allowed to embed the tenant's booking pages (CSP frame-ancestors)."""
    text = booking_settings(tenant).embed_origins
    return [line.strip() for line in text.splitlines() if line.strip()]
