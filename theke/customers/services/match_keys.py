"""Keeping the duplicate search's match keys (CustomerMatchKey) in step with the customer
master. Called with `Customer.search_text`'s rebuild, for one customer or a whole batch:
three reads and two writes, whatever the number of customers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from theke.customers.duplicates import PersonFacts, customer_match_keys
from theke.customers.models import Contact, Customer, CustomerMatchKey, Location, Vehicle

__all__ = ["facts_of", "write_match_keys"]


def facts_of(
    customer: Customer,
    contacts: Iterable[Contact],
    locations: Iterable[Location],
    vehicles: Iterable[Vehicle],
) -> PersonFacts:
    """What the duplicate search needs of a customer and its children, as plain values."""
    contacts = list(contacts)
    names = [(customer.first_name, customer.last_name)]
    names += [(c.first_name, c.last_name) for c in contacts]
    vehicles = list(vehicles)
    return PersonFacts(
        names=list(dict.fromkeys(names)),
        postal_codes=[location.postal_code for location in locations],
        emails=[c.email for c in contacts],
        phones=[str(p) for c in contacts for p in (c.phone, c.mobile_phone) if p],
        plates=[v.license_plate for v in vehicles],
        vins=[v.vin for v in vehicles],
    )


def write_match_keys(customers: Sequence[tuple[Customer, PersonFacts]]) -> None:
    """Replace the stored match keys of these customers by the ones their facts give."""
    if not customers:
        return
    # Only the difference is written: an update that changes no name, phone or vehicle
    # (most back-office upserts) writes nothing. Plain manager: with the scope's bare
    # `tenant_id = ?` SQLite (without statistics) would walk the tenant's index.
    ids = [customer.pk for customer, _facts in customers]
    stored = CustomerMatchKey._base_manager.filter(customer_id__in=ids)
    existing = {
        (c, k, v): pk for pk, c, k, v in stored.values_list("pk", "customer_id", "kind", "key")
    }
    wanted = {
        (customer.pk, kind, key): customer.tenant_id
        for customer, facts in customers
        for kind, key in customer_match_keys(facts)
    }
    stale = [pk for row, pk in existing.items() if row not in wanted]
    if stale:
        CustomerMatchKey._base_manager.filter(pk__in=stale).delete()
    rows = sorted((tenant_id, *row) for row, tenant_id in wanted.items() if row not in existing)
    if not rows:
        return
    CustomerMatchKey._base_manager.bulk_create(
        (
            CustomerMatchKey(tenant_id=tenant_id, customer_id=customer_id, kind=kind, key=key)
            for tenant_id, customer_id, kind, key in rows
        ),
        batch_size=1000,
    )
