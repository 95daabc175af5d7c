"""Load the demo tenants, staff and customers. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from theke.accounts.models import Membership, Role, User
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Asset, ContainerType, Customer, WasteType
from theke.customers.services import catalog
from theke.demo.booking_seed import BookingSeeder
from theke.demo.data import (
    DEMO_ARTICLES,
    DEMO_BRANCHES,
    DEMO_CONTAINER_TYPES,
    DEMO_LEGAL_TEXTS,
    DEMO_TENANT_DETAILS,
    DEMO_WASTE_TYPES,
    DemoCustomer,
    demo_customers,
)
from theke.demo.estimate_seed import EstimateSeeder
from theke.demo.job_seed import JOB_LOGIN, JobSeeder
from theke.demo.portal_seed import PORTAL_USERS, PortalSeeder
from theke.demo.workshop_seed import WorkshopSeeder
from theke.estimates.services import set_fee_articles
from theke.messaging.services import conversations
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch, create_tenant, publish_legal_text

PASSWORD = "theke-demo"  # noqa: S105 - the documented demo password
DEMO_SLUG = "autohaus-demo"
CONTAINER_SLUG = "containerdienst-demo"

STAFF = [
    ("admin@autohaus-demo.de", "Anna Admin", "Admin"),
    ("berater@autohaus-demo.de", "Bernd Berater", "Serviceberater"),
    ("technik@autohaus-demo.de", "Tom Technik", "Techniker"),
    ("vertrieb@autohaus-demo.de", "Vera Vertrieb", "Vertrieb"),
    ("dispo@autohaus-demo.de", "Dirk Disposition", "Disposition"),
]
SUPERUSER = ("root@theke.local", "Plattform Betrieb")

# The container types the demo customers' containers are of, with the waste they hold.
PLACED = [("BT-AS7", "AA-170107"), ("BT-AR20", "AA-170201"), ("BT-PC20", "AA-200301")]

WEEKDAY_HOURS = [(day, datetime.time(7, 30), datetime.time(18, 0)) for day in range(5)]
SATURDAY_HOURS = [(5, datetime.time(9, 0), datetime.time(13, 0))]


class Command(BaseCommand):
    help = "Loads the demo tenants 'Autohaus Demo' and 'Containerdienst Demo' (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            already = Tenant.objects.filter(slug=DEMO_SLUG).exists()
        if already:
            self.stdout.write("Demo-Daten sind bereits vorhanden / demo data already loaded.")
            # A database from before the demo estimates gets them now (nothing twice).
            made = self._estimates()
            if made:
                self.stdout.write(f"{made} Demo-Kostenvoranschläge ergänzt / estimates added.")
            leads = self._booking()
            if leads:
                self.stdout.write(f"{leads} Demo-Terminanfragen ergänzt / booking leads added.")
            # --- hist ---
            workshop = self._workshop()
            if workshop:
                self.stdout.write(
                    f"{workshop} Demo-Werkstatttermine ergänzt / workshop appointments added."
                )
            if self._container_catalog():
                self.stdout.write("Demo-Behälterkatalog ergänzt / container catalog added.")
            portal = self._portal()
            if portal:
                self.stdout.write(f"{portal} Demo-Containeraufträge ergänzt / portal demo added.")
            # --- jobs ---
            jobs = self._jobs()
            if jobs:
                self.stdout.write(f"{jobs} Demo-Jobs ergänzt / job manager demo added.")
        else:
            self._load()
            self.stdout.write(self.style.SUCCESS("Demo-Daten geladen / demo data loaded."))
        self._print_logins()

    @transaction.atomic
    def _load(self) -> None:
        autohaus = create_tenant(
            "Autohaus Demo",
            DEMO_SLUG,
            legal_name="Autohaus Demo GmbH & Co. KG",
            street="Friedrichstraße 120",
            postal_code="10117",
            city="Berlin",
            phone="+49 30 1234567",
            email="service@autohaus-demo.de",
            brand_color="#0b5394",
            **DEMO_TENANT_DETAILS[DEMO_SLUG],
        )
        container = create_tenant(
            "Containerdienst Demo",
            CONTAINER_SLUG,
            legal_name="Containerdienst Demo GmbH",
            street="Industriestraße 7",
            postal_code="14482",
            city="Potsdam",
            phone="+49 331 765432",
            email="dispo@containerdienst-demo.de",
            brand_color="#2e7d32",
            **DEMO_TENANT_DETAILS[CONTAINER_SLUG],
        )
        with tenant_scope(autohaus):
            self._branches(autohaus)
            self._legal_texts(autohaus)
            users = self._staff(autohaus)
            self._articles(autohaus)
            demo_list = [self._customer(autohaus, demo) for demo in demo_customers(50)]
            self._conversations(demo_list, users[0])
            EstimateSeeder(autohaus).run()
            BookingSeeder(autohaus).run()
            WorkshopSeeder(autohaus).run()  # --- hist ---
            JobSeeder(autohaus).run()  # --- jobs ---
        with tenant_scope(container):
            self._branches(container)
            self._legal_texts(container)
            admin_role = Role.objects.get(tenant=container, name="Admin")
            Membership.objects.create(tenant=container, user=users[0], role=admin_role)
            self._catalog(container)
            for demo in demo_customers(10, seed=7, first_number=50001):
                demo.vehicles = []
                self._containers(self._customer(container, demo))
            PortalSeeder(container).run()
        superuser_email, superuser_name = SUPERUSER
        User.objects.create_superuser(superuser_email, PASSWORD, full_name=superuser_name)

    @transaction.atomic
    def _estimates(self) -> int:
        with scopes_disabled():
            autohaus = Tenant.objects.get(slug=DEMO_SLUG)
        with tenant_scope(autohaus):
            return EstimateSeeder(autohaus).run()

    @transaction.atomic
    def _booking(self) -> int:
        with scopes_disabled():
            autohaus = Tenant.objects.get(slug=DEMO_SLUG)
        with tenant_scope(autohaus):
            return BookingSeeder(autohaus).run()

    # --- hist ---
    @transaction.atomic
    def _workshop(self) -> int:
        with scopes_disabled():
            autohaus = Tenant.objects.get(slug=DEMO_SLUG)
        with tenant_scope(autohaus):
            return WorkshopSeeder(autohaus).run()

    # --- jobs ---
    @transaction.atomic
    def _jobs(self) -> int:
        """A database from before the job manager gets its demo (nothing twice)."""
        with scopes_disabled():
            autohaus = Tenant.objects.get(slug=DEMO_SLUG)
        with tenant_scope(autohaus):
            return JobSeeder(autohaus).run()

    @transaction.atomic
    def _portal(self) -> int:
        """A database from before the portal gets its demo (nothing twice)."""
        with scopes_disabled():
            container = Tenant.objects.filter(slug=CONTAINER_SLUG).first()
        if container is None:
            return 0
        with tenant_scope(container):
            return PortalSeeder(container).run()

    @transaction.atomic
    def _container_catalog(self) -> bool:
        """A database from before the catalog gets it, and its containers their types."""
        with scopes_disabled():
            container = Tenant.objects.filter(slug=CONTAINER_SLUG).first()
        if container is None:
            return False
        with tenant_scope(container):
            if WasteType.objects.exists():
                return False
            self._catalog(container)
            untyped = Asset.objects.filter(container_type=None).select_related("customer")
            for index, asset in enumerate(untyped.order_by("pk")):
                customers.update_asset(asset, SYSTEM, **self._placement(index))
        return True

    def _catalog(self, tenant: Tenant) -> None:
        waste = {}
        for sort_order, (external_id, name, code, description) in enumerate(DEMO_WASTE_TYPES):
            waste[external_id] = catalog.create_waste_type(
                tenant,
                SYSTEM,
                external_id=external_id,
                name=name,
                code=code,
                description=description,
                sort_order=(sort_order + 1) * 10,
            )
        for external_id, name, volume, variant, kinds, price, waste_ids in DEMO_CONTAINER_TYPES:
            catalog.create_container_type(
                tenant,
                SYSTEM,
                external_id=external_id,
                name=name,
                volume_m3=volume,
                variant=variant,
                order_kinds=kinds,
                price=price,
                waste_types=[waste[w] for w in dict.fromkeys(waste_ids)],
            )

    def _placement(self, index: int) -> dict[str, Any]:
        """Container type, waste type and placement date of the demo's index-th container."""
        type_id, waste_id = PLACED[index % len(PLACED)]
        return {
            "container_type": ContainerType.objects.get(external_id=type_id),
            "waste_type": WasteType.objects.get(external_id=waste_id),
            "placed_on": datetime.date.today() - datetime.timedelta(days=3 + (index * 5) % 40),
        }

    def _conversations(self, customer_list: list[Customer], staff: User) -> None:
        """Two threads with a customer's answer nobody has read: the start page's to-do."""
        threads = [
            ("Termin Inspektion", "Wann kann ich den Wagen zur Inspektion bringen?", None),
            (
                "Rückfrage Reifenwechsel",
                "Haben Sie die Winterreifen noch bei sich eingelagert?",
                "Ja, Ihre Reifen liegen bei uns. Passt Ihnen Donnerstag?",
            ),
        ]
        with_email = [c for c in customer_list if c.contacts.exclude(email="").exists()]
        for customer, (subject, question, answer) in zip(with_email, threads, strict=False):
            contact = customer.contacts.exclude(email="").first()
            conversation = conversations.conversation_for(
                None, tenant=customer.tenant, customer=customer, subject=subject
            )
            conversations.post_customer_message(conversation, contact, question)
            if answer:
                conversations.post_staff_message(conversation, staff, answer)
                conversations.post_customer_message(conversation, contact, "Donnerstag passt.")

    def _branches(self, tenant: Tenant) -> list[Branch]:
        branches = []
        for name, street, postal_code, city, state in DEMO_BRANCHES[tenant.slug]:
            branch = create_branch(
                tenant,
                SYSTEM,
                f"{tenant.name} {name}",
                opening_hours=WEEKDAY_HOURS + SATURDAY_HOURS,
                street=street,
                postal_code=postal_code,
                city=city,
                state=state,
                phone=tenant.phone,
                email=tenant.email,
            )
            branches.append(branch)
        return branches

    def _legal_texts(self, tenant: Tenant) -> None:
        for kind, versions in DEMO_LEGAL_TEXTS[tenant.slug].items():
            for body in versions:
                publish_legal_text(tenant, SYSTEM, kind, body)

    def _staff(self, tenant: Tenant) -> list[User]:
        # Demo logins get their documented password directly, not an invitation e-mail.
        users = []
        for email, name, role_name in STAFF:
            user = User.objects.create_user(email, PASSWORD, full_name=name)
            role = Role.objects.get(tenant=tenant, name=role_name)
            Membership.objects.create(tenant=tenant, user=user, role=role)
            users.append(user)
        return users

    def _articles(self, tenant: Tenant) -> None:
        created = {}
        for number, text, unit, price, special in DEMO_ARTICLES:
            created[number] = customers.create_article(
                tenant, SYSTEM, number=number, text=text, unit=unit, price=price, is_special=special
            )
        # The flat fees a customer declining an estimate chooses between.
        set_fee_articles(
            tenant,
            SYSTEM,
            return_shipping=created["PA-RUECK"],
            disposal=created["PA-ENTS"],
            pickup_unrepaired=created["PA-ABHOL"],
            scrapping=created["PA-VERSCHR"],
        )

    def _customer(self, tenant: Tenant, demo: DemoCustomer) -> Customer:
        customer = customers.create_customer(
            tenant,
            SYSTEM,
            kind=demo.kind,
            number=demo.number,
            first_name=demo.first_name,
            last_name=demo.last_name,
            company_name=demo.company_name,
        )
        for index, contact in enumerate(demo.contacts):
            customers.add_contact(customer, SYSTEM, is_primary=index == 0, **asdict(contact))
        for location in demo.locations:
            customers.add_location(customer, SYSTEM, **asdict(location))
        for vehicle in demo.vehicles:
            customers.add_vehicle(customer, SYSTEM, **asdict(vehicle))
        return customer

    def _containers(self, customer: Customer) -> None:
        """Containers placed at the customer's sites, of the catalog's types."""
        for index, location in enumerate(customer.locations.all()):
            customers.add_asset(
                customer,
                SYSTEM,
                location=location,
                serial_number=f"C-{customer.number}-{index + 1}",
                **self._placement(customer.pk + index),
            )

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write("Demo-Anmeldungen / demo logins (Passwort / password: theke-demo):")
        for email, _name, role in STAFF:
            self.stdout.write(f"  {email:<28} {role}")
        self.stdout.write(f"  {SUPERUSER[0]:<28} Superuser, /admin/")
        self.stdout.write("")
        self.stdout.write(f"Kundenportal / customer portal: /konto/{CONTAINER_SLUG}/anmelden/")
        for row in PORTAL_USERS:
            if row.registered:
                self.stdout.write(f"  {row.email:<34} {row.role.label}")
        self.stdout.write("")
        # --- jobs ---
        self.stdout.write(
            f"Parkplatz (Jobmanager): /konto/{DEMO_SLUG}/anmelden/, dann /parkplatz/{DEMO_SLUG}/"
        )
        self.stdout.write(f"  {JOB_LOGIN:<34} Kundin mit Jobs")
        self.stdout.write("")
