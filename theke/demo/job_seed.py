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
from django.utils import timezone

from theke.accounts.models import CustomerAccount, User
from theke.audit.services import SYSTEM, Actor
from theke.customers import services as customers
from theke.customers.models import Contact, Customer, Vehicle
from theke.demo import job_data
from theke.demo.clock import clock_at, real_now
from theke.demo.estimate_seed import MAIL_ACCEPTS, mail_server
from theke.jobs.forms import vehicle_label
from theke.jobs.models import Job, Origin, PaymentStatus, Phase, View, Workflow
from theke.jobs.services import drafts, payments, requests, setup, workflows
from theke.jobs.services import jobs as services
from theke.jobs.services.documents import create_document
from theke.jobs.services.fields import FieldData, create_field
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
        self.prices: dict[int, str] = {}
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
        with clock_at(self._at(start)):
            job = self._start(row, customer, contact, account, staff)
            self._deliver()
            if row.customer == job_data.LOGIN_CUSTOMER and account is None and contact:
                # She makes her login from the link of her first job.
                account = requests.register_account(job, contact, password=PASSWORD)
        for hours, kind, argument in row.steps:
            with clock_at(self._at(start + datetime.timedelta(hours=hours))):
                job = self._step(job, kind, argument, staff, contact, account)
                self._deliver()
        return job

    def _start(
        self,
        row: job_data.DemoJob,
        customer: Customer,
        contact: Contact | None,
        account: CustomerAccount | None,
        staff: User,
    ) -> Job:
        """The job as it comes in: the public callback form, the customer's Parkplatz, the
        back office's API, or staff."""
        if row.origin == Origin.CALLBACK:
            request = requests.CallbackRequest(
                name=f"{contact.first_name} {contact.last_name}" if contact else str(customer),
                phone=row.callback_phone,
                email=contact.email if contact else "",
                message=row.message,
                vehicle=row.title,
                consent=True,
            )
            return requests.request_callback(self.tenant, request)
        if row.origin == Origin.PARKING:
            if account is None:
                raise ValueError("only a customer with a login parks a request")
            return requests.park_request(account, vehicle_text=row.title, message=row.message)
        who = (
            services.Who.api(MARKETPLACE)  # what POST /api/v1/jobs does
            if row.origin == Origin.API
            else services.Who.staff(staff)
        )
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
        return services.start_job(self.standard, new, who)

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
            for key, code in argument:
                create_document(job, key, code, who, expected_phase=job.phase_key)
            return job
        if kind == job_data.OFFER:
            return self._offer(job, argument, who)
        if kind == job_data.PAY:
            return self._pay(job, who, paid=argument)
        raise ValueError(kind)

    def _offer(self, job: Job, price: str, who: services.Who) -> Job:
        """Staff create the offer, configure the vehicle and create the offer again with the
        configuration on it (the first one stays in the history)."""
        self.prices[job.pk] = price
        create_document(job, "angebot", "offer", who, expected_phase=job.phase_key)
        if job.vehicle is None:
            return job
        config = {
            "vehicle": job.vehicle.pk,
            "label": vehicle_label(job.vehicle),
            "extras": [{"text": "Winterräder auf Alufelgen"}, {"text": "Fußmatten"}],
            "price": price,
        }
        job = self._save(job, "staff", {"fahrzeugkonfiguration": config}, who)
        create_document(job, "angebot", "offer", who, expected_phase=job.phase_key)
        return job

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

    def _pay(self, job: Job, who: services.Who, *, paid: bool) -> Job:
        """Staff send the payment link for the offer's price; the customer pays at the
        (test) provider, whose notification settles it a few hours later."""
        amount = self.prices.get(job.pk, "1000.00")
        payment = payments.create_payment(job, "bezahlung", amount, f"Rechnung {job.number}", who)
        if not paid:
            return job
        with clock_at(timezone.now() + datetime.timedelta(hours=5)):
            payments.settle(
                payment.reference, PaymentStatus.PAID, payments.provider_who(payment.provider)
            )
            self._deliver()
        job.refresh_from_db()
        return job

    # --- the copied workflow ---

    def _workshop_workflow(self, admin: Actor) -> int:
        """ "Werkstatt-Auftrag": a copy of the standard workflow with fields of its own and a
        condition, published as v1, jobs started on it, then v2 published without the
        replacement car's class: the jobs stay on v1 and the impact preview shows what a
        move would lose. Built with the workflow editor's services."""
        if Workflow.objects.filter(tenant=self.tenant, name=job_data.WORKSHOP_NAME).exists():
            return 0
        start = self.now - datetime.timedelta(days=10)
        with clock_at(start):
            copy = setup.copy_workflow(self.standard, admin, job_data.WORKSHOP_NAME)
            fields = {
                spec.key: create_field(
                    self.tenant,
                    admin,
                    FieldData(
                        label=spec.label, type=spec.type, key=spec.key, options=list(spec.options)
                    ),
                )
                for spec in job_data.WORKSHOP_FIELDS
            }
            callback = Phase.objects.get(workflow=copy, key="rueckruf")
            drafts.add_entry(callback, admin, View.STAFF, fields["ersatzwagen"])
            klasse = drafts.add_entry(callback, admin, View.STAFF, fields["ersatzwagen_klasse"])
            condition = drafts.EntryData(condition=job_data.WORKSHOP_CONDITION)
            drafts.update_entry(klasse, admin, condition)
            copy.refresh_from_db()
            workflows.publish(copy, admin, revision=copy.draft_revision)
            drafts.set_active(copy, admin, True)
            copy.refresh_from_db()
        made = 0
        berater = services.Who.staff(self.users[job_data.BERATER])
        for index, (customer, title, values, phase) in enumerate(job_data.WORKSHOP_JOBS):
            with clock_at(start + datetime.timedelta(days=1 + index)):
                new = services.NewJob(
                    customer=self.customers[customer], origin="staff", title=title, values=values
                )
                job = services.start_job(copy, new, berater)
                if phase:
                    services.activate_phase(job, phase, berater, expected_phase=job.phase_key)
                self._deliver()
            made += 1
        with clock_at(start + datetime.timedelta(days=5)):
            drafts.remove_entry(klasse, admin)
            drafts.add_entry(callback, admin, View.STAFF, fields["hol_und_bring"])
            copy.refresh_from_db()
            workflows.publish(copy, admin, revision=copy.draft_revision)
        return made

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
