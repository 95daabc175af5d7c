"""The job manager's test world: a tenant with the job manager on (the standard workflow
installed and published), a customer with a contact and a vehicle, and staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from theke.accounts.models import User
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Contact, Customer, Vehicle
from theke.jobs.models import Job, Workflow
from theke.jobs.services import setup
from theke.jobs.services.jobs import NewJob, Who, start_job
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import tenant_scope


@dataclass
class JobWorld:
    tenant: Tenant
    standard: Workflow
    customer: Customer
    contact: Contact
    vehicle: Vehicle
    branch: Branch

    def start(self, *, staff: User | None = None, **values: Any) -> Job:
        """A job of the standard workflow for the world's customer."""
        workflow = values.pop("workflow", self.standard)
        new = NewJob(
            customer=self.customer,
            origin=values.pop("origin", "staff"),
            contact=self.contact,
            vehicle=values.pop("vehicle", self.vehicle),
            title=values.pop("title", "VW Golf 8 Variant"),
            **values,
        )
        who = Who.staff(staff) if staff is not None else Who(SYSTEM, "system", "System")
        with tenant_scope(self.tenant):
            return start_job(workflow, new, who)


def make_job_world(tenant: Tenant) -> JobWorld:
    standard = setup.enable_job_manager(tenant, SYSTEM)
    with tenant_scope(tenant):
        return _populate(tenant, standard)


def _populate(tenant: Tenant, standard: Workflow) -> JobWorld:
    branch = Branch.objects.filter(tenant=tenant).order_by("pk").first()
    if branch is None:
        branch = Branch.objects.create(tenant=tenant, name="Hauptbetrieb")
    customer = customers.create_customer(
        tenant, SYSTEM, kind="person", first_name="Petra", last_name="Neumann", number="K-4711"
    )
    contact = customers.add_contact(
        customer,
        SYSTEM,
        first_name="Petra",
        last_name="Neumann",
        email="petra.neumann@example.org",
        mobile_phone="+491701234567",
    )
    vehicle = customers.add_vehicle(
        customer, SYSTEM, make="VW", model="Golf 8 Variant", license_plate="B-TH 412"
    )
    vehicle.branch = branch
    vehicle.save(update_fields=["branch"])
    standard.refresh_from_db()
    return JobWorld(tenant, standard, customer, contact, vehicle, branch)


# --- staff pages ---


def set_status(job: Job, status: str) -> Job:
    """Put a job into a status directly (test setup: closed and canceled jobs for the archive)."""
    from django.utils import timezone

    from theke.jobs.models import ARCHIVED_STATUSES

    closed_at = timezone.now() if status in ARCHIVED_STATUSES else None
    with tenant_scope(job.tenant):
        Job.objects.filter(pk=job.pk).update(status=status, closed_at=closed_at)
    job.status, job.closed_at = status, closed_at
    return job


def other_customer_job(
    world: JobWorld, first_name: str, last_name: str, *, plate: str = "", **values: Any
) -> Job:
    """A job of the standard workflow for another customer (with a vehicle when a plate is
    given)."""
    from django.utils.text import slugify

    with tenant_scope(world.tenant):
        customer = customers.create_customer(
            world.tenant, SYSTEM, kind="person", first_name=first_name, last_name=last_name
        )
        contact = customers.add_contact(
            customer,
            SYSTEM,
            first_name=first_name,
            last_name=last_name,
            email=f"{slugify(last_name) or 'kunde'}@example.org",
        )
        vehicle = (
            customers.add_vehicle(customer, SYSTEM, make="VW", model="Passat", license_plate=plate)
            if plate
            else None
        )
        new = NewJob(
            customer=customer,
            origin="staff",
            contact=contact,
            vehicle=vehicle,
            title=values.pop("title", ""),
            **values,
        )
        return start_job(world.standard, new, Who(SYSTEM, "system", "System"))


# --- parking (customer side) ----------------------------------------------------------------

CUSTOMER_PASSWORD = "Parkplatz-Golf-2026!"


def link_token(job: Job) -> str:
    """A new customer link to the job's Parkplatz page (to its contact); its token."""
    from theke.jobs.services.links import job_link_url

    return job_link_url(job).rstrip("/").rsplit("/", 1)[-1]


def customer_login(world: JobWorld, email: str = "") -> Any:
    """A customer login with a password for the world's customer (the contact's e-mail)."""
    from theke.accounts.services import customer_accounts

    account = customer_accounts.create_customer_account(
        world.customer,
        SYSTEM,
        email=email or world.contact.email,
        first_name="Petra",
        last_name="Neumann",
    )
    return customer_accounts.set_customer_password(account, CUSTOMER_PASSWORD, reason="set")


def log_in_customer(client: Any, tenant: Tenant, email: str) -> None:
    response = client.post(
        f"/konto/{tenant.slug}/anmelden/", {"email": email, "password": CUSTOMER_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def move_to(job: Job, phase: str) -> Job:
    """Activate `phase` for the job (as staff would)."""
    from theke.jobs.services.jobs import SYSTEM_WHO, activate_phase

    return activate_phase(job, phase, SYSTEM_WHO, expected_phase=job.phase_key)


def store_document(job: Job, key: str, code: str) -> dict[str, Any]:
    """Store document `code` as the value of the job's field `key` (as staff would)."""
    from theke.jobs import documents
    from theke.jobs.models import FileKind
    from theke.jobs.services.files import store_file

    with tenant_scope(job.tenant):
        value = store_file(
            job,
            key,
            kind=FileKind.DOCUMENT,
            document=code,
            name=f"{key}-{job.number}.pdf",
            data=documents.render(job, code),
            content_type="application/pdf",
            by="Staff",
        )
        values = Job.objects.get(pk=job.pk).values
        Job.objects.filter(pk=job.pk).update(values={**values, key: value})
    return value
