"""The estimate's row of the shared customer-link suite (theke/tests/test_customer_links.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from theke.audit.services import SYSTEM
from theke.customers.models import Customer
from theke.estimates import services
from theke.estimates.models import Estimate
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope
from theke.tests.link_cases import IssuedLink, LinkCase

POSITION = {"text": "Display tauschen", "quantity": "1", "unit_price": "89", "vat_rate": "19"}


def issue(tenant: Tenant, customer: Customer, *, with_data: bool = True) -> IssuedLink:
    with tenant_scope(tenant):
        if with_data:
            values: dict[str, Any] = {"customer": customer, "object_description": "Galaxy S21"}
            services.save_estimate(tenant, SYSTEM, "KV-LINK", values, [POSITION])
        link, token = services.create_link(tenant, SYSTEM, "KV-LINK")
        if with_data:
            contact = customer.contacts.first()
            services.send_link(link, token, SYSTEM, ["email"], contact)
    return IssuedLink(link=link, token=token, path=f"/k/{token}/")


def staff_path(issued: IssuedLink) -> str:
    with tenant_scope(issued.link.tenant):
        estimate = Estimate.objects.filter(external_id=issued.link.object_id).latest("version")
    return reverse("estimates:detail", args=[estimate.pk])


ESTIMATE = LinkCase(
    kind="estimate",
    issue=issue,
    shows="Galaxy S21",
    staff_path=staff_path,
    pending_shows="Ihr Kostenvoranschlag steht in Kürze zur Verfügung",
)
