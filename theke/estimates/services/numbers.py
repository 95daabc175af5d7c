"""Theke's own number sequence for estimates entered by staff: "KV-2026-0001".

One counter row per tenant and year, raised with F() while the row is locked, inside the
transaction that creates the estimate: two saves at the same moment wait for each other
and never share a number (a rolled-back save leaves a gap, which is harmless). Estimates
pushed by the back office keep the number it sends.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from theke.estimates.models import EstimateNumberCounter, EstimateSettings
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

DEFAULT_PREFIX = "KV"


def format_number(prefix: str, year: int, sequence: int) -> str:
    """ "KV", 2026, 1 -> "KV-2026-0001" (without a prefix: "2026-0001")."""
    return "-".join(part for part in (prefix, str(year), f"{sequence:04d}") if part)


def number_prefix(tenant: Tenant) -> str:
    with tenant_scope(tenant):
        row = EstimateSettings.objects.filter(tenant=tenant).only("number_prefix").first()
    return row.number_prefix if row is not None else DEFAULT_PREFIX


def _locked_counter(tenant: Tenant, year: int) -> EstimateNumberCounter:
    counters = EstimateNumberCounter.objects.select_for_update()
    found = counters.filter(tenant=tenant, year=year).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return EstimateNumberCounter.objects.create(tenant=tenant, year=year, last=0)
    except IntegrityError:  # another save created this year's row a moment ago
        return counters.get(tenant=tenant, year=year)


@transaction.atomic
def next_estimate_number(tenant: Tenant) -> str:
    """The next number of the tenant's sequence for this year (call inside the save's
    transaction, so the number and the estimate commit together)."""
    year = timezone.localdate().year
    with tenant_scope(tenant):
        counter = _locked_counter(tenant, year)
        EstimateNumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
    return format_number(number_prefix(tenant), year, counter.last)
