"""Play the job manager's demo (theke.demo.job_data) through the real services.

The car dealer gets the job manager switched on (the standard workflow, published), private
customers, vehicles in stock, and jobs in every phase and status of the standard workflow:
callback requests waiting for staff, a marketplace lead from the API, offers waiting for the
customer, an accepted one with delivery wanted, invoiced and paid ones, closed and canceled
ones in the archive, one with messages suppressed. Petra Neumann has a customer login; her
Parkplatz shows her jobs. A copy of the standard workflow, "Werkstatt-Auftrag", with fields
of its own and a condition, is published twice with jobs still on version 1, so the editor's
impact preview has something to show.

Every step runs on the demo clock at the time it "happened" (theke.demo.clock); the phase
messages go to the demo's accepting mail server, so the delivery log shows them sent.
A tenant whose jobs exist already is left alone: seeding twice adds nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test.utils import override_settings

from theke.accounts.models import CustomerAccount, User
from theke.accounts.services.customer_accounts import (
    create_customer_account,
    set_customer_password,
)
from theke.audit.services import SYSTEM, Actor
from theke.customers import services as customers
from theke.customers.models import Contact, Customer, Vehicle
from theke.demo import job_data
from theke.demo.clock import clock_at, real_now
from theke.demo.estimate_seed import MAIL_ACCEPTS, mail_server
from theke.jobs import documents
from theke.jobs.forms import vehicle_label
from theke.jobs.models import (
    Field,
    FileKind,
    Job,
    Phase,
    PhaseEntry,
    View,
    Workflow,
)
from theke.jobs.services import jobs as services
from theke.jobs.services import setup, workflows
from theke.jobs.services.files import store_file
from theke.messaging.models import OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.tenants.models import Branch, Tenant

# The customer login of the demo (her Parkplatz shows her jobs).
JOB_LOGIN = job_data.JOB_CUSTOMERS[job_data.LOGIN_CUSTOMER].email
PASSWORD = "theke-demo"  # noqa: S105 - the documented demo password
MARKETPLACE = Actor.api_key("demo-boerse", "Fahrzeugbörse (Demo)")
ADMIN = "admin@autohaus-demo.de"
# No step happens later than this before the real now.
LATEST = datetime.timedelta(minutes=1)
SMS_SINK = "theke.messaging.sms.LocmemSmsBackend"


class JobSeeder:
    """Seeds one tenant's job manager; `run()` returns the number of jobs made."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.now = real_now()
        self.users = {u.email: u for u in User.objects.filter(memberships__tenant=tenant)}
        self.delivered_up_to = (
            OutboundMessage.objects.filter(tenant=tenant)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
            or 0
        )

    def run(self) -> int:
        if self.tenant.jobs_enabled and Job.objects.filter(tenant=self.tenant).exists():
            return 0
        admin = Actor.staff(self.users[ADMIN])
        with clock_at(self.now - datetime.timedelta(days=60)):
            self.standard = setup.enable_job_manager(self.tenant, admin)
        self.branches = list(Branch.objects.filter(tenant=self.tenant).order_by("pk"))
        self.customers = [self._customer(row) for row in job_data.JOB_CUSTOMERS]
        self.stock = [self._stock(row) for row in job_data.STOCK]
        self._login(job_data.JOB_CUSTOMERS[job_data.LOGIN_CUSTOMER])
        made = 0
        for row in sorted(job_data.DEMO_JOBS, key=lambda r: -r.started):
            self._play(row)
            made += 1
        made += self._workshop_workflow(admin)
        return made

    # --- master data ---

    def _customer(self, row: job_data.JobCustomer) -> Customer:
        found = Customer.objects.filter(tenant=self.tenant, number=row.number).first()
        if found is not None:
            return found
        customer = customers.create_customer(
            self.tenant,
            SYSTEM,
            kind="person",
            number=row.number,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        customers.add_contact(
            customer,
            SYSTEM,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            mobile_phone=row.mobile,
            is_primary=True,
            consent_email=True,
            consent_sms=True,
        )
        customers.add_location(
            customer,
            SYSTEM,
            name="Privat",
            street=row.street,
            postal_code=row.postal_code,
            city=row.city,
            is_billing=True,
        )
        return customer

    def _stock(self, row: job_data.StockVehicle) -> Vehicle:
        """A vehicle in stock: no holder (the customer master has no service for that; a
        back office would have pushed it)."""
        found = Vehicle.objects.filter(tenant=self.tenant, vin=row.vin).first()
        if found is not None:
            return found
        vehicle = Vehicle(
            tenant=self.tenant,
            customer=None,
            vin=row.vin,
            make=row.make,
            model=row.model,
            license_plate=row.license_plate,
            first_registration=row.first_registration,
            mileage_km=row.mileage_km,
            branch=self.branches[row.branch % len(self.branches)],
        )
        vehicle.full_clean()
        vehicle.save()
        return vehicle

    def _login(self, row: job_data.JobCustomer) -> None:
        """The customer's login (as if she had registered from her job link)."""
        if CustomerAccount.objects.filter(tenant=self.tenant, email=row.email).exists():
            return
        customer = Customer.objects.get(tenant=self.tenant, number=row.number)
        account = create_customer_account(
            customer,
            SYSTEM,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            phone=row.mobile,
        )
        set_customer_password(account, PASSWORD, reason="set")

    # --- jobs ---

    def _at(self, moment: datetime.datetime) -> datetime.datetime:
        return min(moment, self.now - LATEST)

    def _play(self, row: job_data.DemoJob) -> Job:
        start = self.now - row.started
        customer = self.customers[row.customer]
        contact = customer.contacts.order_by("pk").first()
        account = (
            CustomerAccount.objects.filter(customer=customer).first()
            if row.customer == job_data.LOGIN_CUSTOMER
            else None
        )
        staff = self.users[row.by]
        who = {
            "staff": services.Who.staff(staff),
            "callback": services.Who.customer(contact),
            "parking": services.Who.customer(contact, account),
            "api": services.Who.api(MARKETPLACE),
        }[row.origin]
        new = services.NewJob(
            customer=customer,
            origin=row.origin,
            contact=contact,
            vehicle=self.stock[row.vehicle] if row.vehicle is not None else None,
            title=row.title,
            callback_phone=row.callback_phone,
            customer_message=row.message,
            external_id=row.external_id,
        )
        with clock_at(self._at(start)):
            job = services.start_job(self.standard, new, who)
            self._deliver()
        for hours, kind, argument in row.steps:
            with clock_at(self._at(start + datetime.timedelta(hours=hours))):
                job = self._step(job, kind, argument, staff, contact, account)
                self._deliver()
        return job

    def _step(
        self,
        job: Job,
        kind: str,
        argument: Any,
        staff: User,
        contact: Contact | None,
        account: CustomerAccount | None,
    ) -> Job:
        job.refresh_from_db()
        who = services.Who.staff(staff)
        if kind == job_data.NOTE:
            return self._save(job, "staff", argument, who)
        if kind == job_data.CUSTOMER:
            customer = services.Who.customer(contact, account)
            return self._save(job, "customer", argument, customer, logged_in=account is not None)
        if kind == job_data.PHASE:
            return services.activate_phase(job, argument, who, expected_phase=job.phase_key)
        if kind == job_data.ASSIGN:
            return services.assign(job, self.users[argument], who)
        if kind == job_data.DOCUMENT:
            made = {key: self._document(job, key, code, who) for key, code in argument}
            return self._save(job, "staff", made, who)
        if kind == job_data.OFFER:
            values: dict[str, Any] = {}
            if job.vehicle is not None:
                values["fahrzeugkonfiguration"] = {
                    "vehicle": job.vehicle.pk,
                    "label": vehicle_label(job.vehicle),
                    "extras": [{"text": "Winterräder auf Alufelgen"}, {"text": "Fußmatten"}],
                    "price": argument,
                }
                # The offer shows the configuration being saved with it.
                job.values["fahrzeugkonfiguration"] = values["fahrzeugkonfiguration"]
            values["angebot"] = self._document(job, "angebot", "offer", who)
            return self._save(job, "staff", values, who)
        if kind == job_data.PAY:
            return self._pay(job)
        raise ValueError(kind)

    def _save(
        self,
        job: Job,
        view: str,
        values: dict[str, Any],
        who: services.Who,
        logged_in: bool = False,
    ) -> Job:
        return services.save_view(
            job,
            view=view,
            expected_phase=job.phase_key,
            submitted=values,
            who=who,
            logged_in=logged_in,
        ).job

    def _document(self, job: Job, key: str, code: str, who: services.Who) -> dict[str, Any]:
        """Create and save a document (the value of a "create and save" field). TODO: through
        the job page's documents service once it is on main."""
        label = documents.DOCUMENTS[code].label
        return store_file(
            job,
            key,
            kind=FileKind.DOCUMENT,
            name=f"{label} {job.number}.pdf",
            data=documents.render(job, code),
            content_type="application/pdf",
            by=who.name,
            document=code,
        )

    def _pay(self, job: Job) -> Job:
        """The customer pays online. TODO: through the payment service once it is on main;
        until then the demo's paid jobs have no payment row."""
        return job

    # --- the copied workflow ---

    def _workshop_workflow(self, admin: Actor) -> int:
        """ "Werkstatt-Auftrag": a copy of the standard workflow with fields of its own and a
        condition, published as v1, jobs started on it, then v2 published without the
        replacement car's class: the jobs stay on v1 and the impact preview shows what a
        move would lose."""
        if Workflow.objects.filter(tenant=self.tenant, name=job_data.WORKSHOP_NAME).exists():
            return 0
        start = self.now - datetime.timedelta(days=10)
        with clock_at(start):
            copy = setup.copy_workflow(self.standard, admin, job_data.WORKSHOP_NAME)
            fields = setup.install_fields(self.tenant, job_data.WORKSHOP_FIELDS)
            callback = Phase.objects.get(workflow=copy, key="rueckruf")
            self._entry(callback, fields["ersatzwagen"], 10)
            klasse = self._entry(
                callback, fields["ersatzwagen_klasse"], 11, condition=job_data.WORKSHOP_CONDITION
            )
            Workflow.objects.filter(pk=copy.pk).update(is_active=True)
            copy.refresh_from_db()
            workflows.publish(copy, admin, revision=copy.draft_revision)
            copy.refresh_from_db()
        made = 0
        for index, (customer, title, values, phase) in enumerate(job_data.WORKSHOP_JOBS):
            with clock_at(start + datetime.timedelta(days=1 + index)):
                job = services.start_job(
                    copy,
                    services.NewJob(
                        customer=self.customers[customer],
                        origin="staff",
                        title=title,
                        values=values,
                    ),
                    services.Who.staff(self.users[job_data.BERATER]),
                )
                if phase:
                    services.activate_phase(
                        job,
                        phase,
                        services.Who.staff(self.users[job_data.BERATER]),
                        expected_phase=job.phase_key,
                    )
                self._deliver()
            made += 1
        with clock_at(start + datetime.timedelta(days=5)):
            klasse.delete()
            self._entry(callback, fields["hol_und_bring"], 12)
            workflows.touch_drafts([copy])
            copy.refresh_from_db()
            workflows.publish(copy, admin, revision=copy.draft_revision)
        return made

    def _entry(self, phase: Phase, field: Field, position: int, condition: str = "") -> PhaseEntry:
        """A field placed in the phase's staff view (as the workflow editor does)."""
        entry = PhaseEntry.objects.create(
            tenant=self.tenant,
            phase=phase,
            view=View.STAFF,
            field=field,
            position=position,
            condition=condition,
        )
        workflows.touch_drafts([phase.workflow])
        return entry

    # --- messages ---

    def _deliver(self) -> None:
        """Send what the last step queued to the demo's accepting mail server (and SMS to a
        sink), so the delivery log shows them sent at the step's time."""
        ids = list(
            OutboundMessage.objects.filter(
                tenant=self.tenant, status=OutboundStatus.QUEUED, pk__gt=self.delivered_up_to
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return
        self.delivered_up_to = max(ids)
        with mail_server(MAIL_ACCEPTS), override_settings(SMS_BACKEND=SMS_SINK), _quiet_sms():
            for pk in ids:
                delivery.deliver_one(pk)


@contextmanager
def _quiet_sms() -> Iterator[None]:
    """The SMS sink keeps what it "sent" in memory: forget it after seeding."""
    from theke.messaging import sms

    before = len(sms.outbox)
    try:
        yield
    finally:
        del sms.outbox[before:]
