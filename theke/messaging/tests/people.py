"""A customer of tenant A with three kinds of contacts, for the template and compose tests."""

from __future__ import annotations

from dataclasses import dataclass

from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Contact, Customer
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope


@dataclass
class People:
    customer: Customer
    hans: Contact  # German, e-mail and mobile with SMS consent
    erika: Contact  # English, e-mail only
    mobile_only: Contact  # mobile with consent, no e-mail
    other: Customer


def make_people(tenant: Tenant) -> People:
    with tenant_scope(tenant):
        customer = customers.create_customer(
            tenant, SYSTEM, kind="company", company_name="Müller Logistik GmbH"
        )
        hans = customers.add_contact(
            customer,
            SYSTEM,
            salutation="Herr",
            first_name="Hans",
            last_name="Müller",
            email="hans@example.com",
            mobile_phone="0171 1234567",
            consent_sms=True,
        )
        erika = customers.add_contact(
            customer,
            SYSTEM,
            salutation="Frau",
            first_name="Erika",
            last_name="Smith",
            email="erika@example.com",
            mobile_phone="0171 7654321",
            language="en",
        )
        mobile_only = customers.add_contact(
            customer, SYSTEM, last_name="Mobil", mobile_phone="0172 1111111", consent_sms=True
        )
        other = customers.create_customer(tenant, SYSTEM, kind="person", last_name="Anders")
    return People(customer, hans, erika, mobile_only, other)
