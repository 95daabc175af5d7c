"""The job's row of the shared customer-link suite (theke/tests/test_customer_links.py)."""

from __future__ import annotations

import re

from django_scopes import scopes_disabled

from theke.audit.services import SYSTEM
from theke.customers.models import Customer, CustomerLink
from theke.jobs.services import setup
from theke.jobs.services.jobs import SYSTEM_WHO, NewJob, start_job
from theke.jobs.services.links import LINK_KIND
from theke.messaging.models import OutboundMessage
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope
from theke.tests.link_cases import IssuedLink, LinkCase


def issue(tenant: Tenant, customer: Customer, *, with_data: bool = True) -> IssuedLink:
    """A job of the standard workflow; its link from the first phase's e-mail."""
    workflow = setup.enable_job_manager(tenant, SYSTEM)
    with tenant_scope(tenant):
        contact = customer.contacts.order_by("pk").first()
        job = start_job(
            workflow, NewJob(customer, "staff", contact=contact, title="Tiguan"), SYSTEM_WHO
        )
    with scopes_disabled():
        message = OutboundMessage.objects.get(purpose="job_phase", object_id=str(job.pk))
        link = CustomerLink.objects.get(kind=LINK_KIND, object_id=str(job.pk))
    found = re.search(r"/p/([A-Za-z0-9_-]+)/", message.body_text)
    assert found is not None
    return IssuedLink(link=link, token=found.group(1), path=f"/p/{found.group(1)}/")


def staff_path(issued: IssuedLink) -> str:
    # The job's staff page (jobs:job) lists its messages once it lands; until then the
    # delivery log, which every sent link passes.
    return "/staff/messages/deliveries/"


JOB = LinkCase(kind=LINK_KIND, issue=issue, shows="Rückruf angefordert", staff_path=staff_path)
