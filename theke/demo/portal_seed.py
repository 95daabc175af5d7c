"""The container service's portal demo (seed 003): a building company with several sites,
containers placed there, twelve months of container orders and invoices (with PDFs) as the
back office would have pushed them, quotes, and one portal user per role.

Everything goes through the services (orders' upserts, the portal's activation and
invitations), so the demo shows what a real tenant would see.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from django.utils import timezone

from theke.audit.services import SYSTEM
from theke.core.formatting import format_date, money
from theke.core.pdf import new_letter
from theke.customers import services as customers
from theke.customers.models import Asset, ContainerType, Customer, Location, WasteType
from theke.messaging.models import OutboundMessage
from theke.messaging.services import conversations
from theke.messaging.services.inbound import receive_message
from theke.orders import services as orders
from theke.orders.models import Invoice, Order, Quote
from theke.portal.models import PortalRole, PortalUser, QuoteRequest
from theke.portal.services import quotes, shop
from theke.portal.services import users as portal_users
from theke.portal.services.users import settings_of
from theke.tenants.letterhead import tenant_letterhead
from theke.tenants.models import Tenant

VAT = Decimal("1.19")
MONTHS = 12
PASSWORD = "theke-demo"  # noqa: S105 - the documented demo password
INVITATION_URL = re.compile(r"/portal/einladung/([A-Za-z0-9_-]+)/")


@dataclass(frozen=True)
class DemoPortalUser:
    email: str
    first_name: str
    last_name: str
    role: PortalRole
    sees_invoices: bool
    sees_prices: bool
    sites: tuple[int, ...]  # indexes into FLAGSHIP_SITES; empty: all locations
    registered: bool = True


# One login per portal role (README, "Demo logins"), and one invitation not yet accepted.
PORTAL_USERS = (
    DemoPortalUser(
        "bauleitung@hochbau-havelland.de", "Katrin", "Wendt", PortalRole.ADMIN, True, True, ()
    ),
    DemoPortalUser(
        "polier@hochbau-havelland.de", "Murat", "Kaya", PortalRole.ORDERS, False, False, (1, 2)
    ),
    DemoPortalUser(
        "buchhaltung@hochbau-havelland.de", "Sabine", "Roth", PortalRole.READ_ONLY, True, True, ()
    ),
    DemoPortalUser(
        "einkauf@hochbau-havelland.de",
        "Jonas",
        "Pohl",
        PortalRole.READ_ONLY,
        True,
        False,
        (),
        registered=False,
    ),
)


@dataclass(frozen=True)
class DemoSite:
    name: str
    street: str
    postal_code: str
    city: str
    state: str
    access_notes: str
    containers: tuple[tuple[str, str], ...]  # (container type id, waste type id)


FLAGSHIP_NUMBER = "60001"
FLAGSHIP_SITES = (
    DemoSite(
        "Firmensitz",
        "Zeppelinstraße 40",
        "14471",
        "Potsdam",
        "BB",
        "Zufahrt über den Hof, Tor ist werktags ab 7 Uhr offen.",
        (("BT-AS7", "AA-170107"), ("BT-AR20", "AA-170201")),
    ),
    DemoSite(
        "Baustelle Havelpromenade",
        "Havelpromenade 12",
        "14776",
        "Brandenburg an der Havel",
        "BB",
        "Stellplatz auf dem Gehweg vor dem Haus, Genehmigung liegt vor.",
        (("BT-AS5", "AA-170904"), ("BT-AS10", "AA-200301"), ("BT-AR10", "AA-170504")),
    ),
    DemoSite(
        "Baustelle Friedrichshain",
        "Warschauer Straße 58",
        "10243",
        "Berlin",
        "BE",
        "Einfahrt Höhe 3,80 m; Ansprechpartner Polier Herr Kaya, 0171 2345678.",
        (("BT-AS7", "AA-170107"), ("BT-AS5D", "AA-200201")),
    ),
    DemoSite(
        "Lager Werder",
        "Gewerbering 3",
        "14542",
        "Werder (Havel)",
        "BB",
        "",
        (("BT-PC20", "AA-200301"),),
    ),
    DemoSite(
        "Baustelle Leipzig Plagwitz",
        "Karl-Heine-Straße 90",
        "04229",
        "Leipzig",
        "SN",
        "Nur Anlieferung 7–16 Uhr.",
        (("BT-AS7", "AA-170904"),),
    ),
)


class PortalSeeder:
    """Fills the container tenant's portal demo; `run` returns the number of orders made
    (0 when the demo is there already)."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.rng = random.Random(3)  # noqa: S311 - demo data, not security
        self.today = timezone.localdate()

    def run(self) -> int:
        if Order.objects.filter(external_id__startswith="CW-").exists():
            return 0
        flagship = self._flagship()
        companies = list(
            Customer.objects.filter(kind="company").exclude(pk=flagship.pk).order_by("number")
        )
        made = 0
        for customer in [flagship, *companies]:
            made += self._history(customer)
        self._quotes(flagship)
        self._portal(flagship)
        made += self._portal_activity(flagship)
        return made

    # --- the portal: switch, settings, one user per role -----------------------------------

    def _portal(self, customer: Customer) -> None:
        self.tenant.portal_enabled = True
        self.tenant.save(update_fields=["portal_enabled"])
        settings_of(self.tenant)
        portal_users.save_portal_settings(
            self.tenant,
            SYSTEM,
            lead_time_days=2,
            show_prices=True,
            rent_free_days=14,
            rent_reminder_days=3,
            sales_email="vertrieb@containerdienst-demo.de",
            dispatch_email="dispo@containerdienst-demo.de",
        )
        sites = list(Location.objects.filter(customer=customer).order_by("pk"))
        admin, *others = PORTAL_USERS
        user = portal_users.activate_customer(
            customer,
            SYSTEM,
            first_user_email=admin.email,
            first_name=admin.first_name,
            last_name=admin.last_name,
        )
        self._register(user, admin)
        for row in others:
            colleague = portal_users.invite_user(
                user,
                portal_users.portal_actor(user),
                row.email,
                row.first_name,
                row.last_name,
                role=row.role,
                sees_invoices=row.sees_invoices,
                sees_prices=row.sees_prices,
                all_locations=not row.sites,
                locations=[sites[index] for index in row.sites],
            )
            if row.registered:
                self._register(colleague, row)

    def _portal_activity(self, customer: Customer) -> int:
        """What the customer's users did in the portal: container orders in every state of
        the round trip, quote requests answered by sales and waiting for them."""
        admin, orderer = (
            PortalUser.objects.select_related("account", "customer", "contact")
            .filter(customer=customer, account__email=row.email)
            .get()
            for row in PORTAL_USERS[:2]
        )
        sites = list(Location.objects.filter(customer=customer).order_by("pk"))
        rubble = WasteType.objects.get(external_id="AA-170107")
        skip = ContainerType.objects.get(external_id="BT-AS7")
        day = shop.earliest_date(self.tenant, shop.state_of(sites[1]), self.today)
        # 1. A new container at a site: released, waiting for the back office's id.
        shop.place_container_order(
            orderer,
            waste_type=rubble,
            container_type=skip,
            location=sites[1],
            date=day,
            note="Bitte rechts neben der Einfahrt abstellen.",
            public_ground=True,
            permit_by_service=True,
        )
        # 2. A container for a new delivery location: waits in "Neue Lieferorte".
        shop.place_container_order(
            orderer,
            waste_type=rubble,
            container_type=skip,
            new_location=shop.NewLocation(
                "Baustelle Cottbus Mitte",
                "Spremberger Straße 20",
                "03046",
                "Cottbus",
                "Zufahrt über die Parkplatzeinfahrt.",
            ),
            date=day,
        )
        # 3. An exchange the back office took over and planned (the customer was e-mailed).
        free = self._free_order(customer)
        if free is not None:
            container, kind = free
            order = shop.order_on_container(admin, container, kind=kind, wish_date=day)
            orders.assign_external_id(self.tenant, SYSTEM, order.pk, f"CW-P-{order.pk}")
            orders.upsert_orders(
                self.tenant,
                SYSTEM,
                [(f"CW-P-{order.pk}", {"planned_date": day, "status": "planned"})],
            )
        # 4. Quote requests: one answered by sales from their mail program, one waiting.
        answered = quotes.request_quote(
            admin,
            subject="Neue Baustelle Cottbus: zwei Mulden für drei Monate",
            description=(
                "Ab nächstem Monat benötigen wir zwei 7-m³-Mulden für Bauschutt und eine für "
                "Holz, Leerung nach Bedarf, etwa alle zwei Wochen."
            ),
            new_location_values={
                "name": "Baustelle Cottbus Süd",
                "street": "Thiemstraße 111",
                "postal_code": "03050",
                "city": "Cottbus",
            },
        )
        self._sales_answer(answered)
        quotes.request_quote(
            orderer,
            subject="Asbestplatten Havelpromenade",
            description="Etwa 40 m² Wellasbestplatten vom Schuppendach; bitte mit Big Bags.",
            location=sites[1],
        )
        return 3

    def _free_order(self, customer: Customer) -> tuple[Asset, str] | None:
        """A container and an order kind it allows with no open order of that kind yet."""
        open_kinds = set(
            Order.objects.filter(customer=customer, status__in=["open", "planned"]).values_list(
                "asset_id", "kind"
            )
        )
        for asset in customer.assets.select_related("container_type").order_by("pk"):
            for kind in shop.allowed_kinds(asset):
                if kind != "withdrawal" and (asset.pk, kind) not in open_kinds:
                    return asset, kind
        return None

    def _sales_answer(self, request: QuoteRequest) -> None:
        """Sales answer from their mail program, with the quote attached."""
        conversation = request.conversation
        if conversation is None:
            return
        mail = EmailMessage()
        mail["From"] = "Vertrieb Containerdienst Demo <vertrieb@containerdienst-demo.de>"
        mail["To"] = conversations.reply_address(conversation)
        mail["Subject"] = f"AW: {conversations.tagged_subject(request.subject, conversation)}"
        mail.set_content(
            "Guten Tag Frau Wendt,\n\nvielen Dank für Ihre Anfrage. Anbei unser Angebot für "
            "die Baustelle Cottbus Süd.\n\nMit freundlichen Grüßen\nVertrieb Containerdienst Demo"
        )
        pdf = new_letter(tenant_letterhead(self.tenant), "Angebot AN-2026-51")
        pdf.begin([request.customer.display_name], [("Angebotsnr.", "AN-2026-51")], request.subject)
        pdf.sums([("Netto", money(Decimal("1240.00")), False)])
        mail.add_attachment(
            pdf.render(), maintype="application", subtype="pdf", filename="Angebot AN-2026-51.pdf"
        )
        receive_message(mail, source="demo")

    def _register(self, user: PortalUser, row: DemoPortalUser) -> None:
        """Register as the invited person would: with the token from the invitation e-mail."""
        message = (
            OutboundMessage.objects.filter(purpose="portal_invitation", recipient=row.email)
            .order_by("-pk")
            .first()
        )
        found = INVITATION_URL.search(message.body_text if message is not None else "")
        if found is None:
            raise RuntimeError(f"no invitation e-mail for {row.email}")
        registered = portal_users.register(
            found.group(1),
            first_name=row.first_name,
            last_name=row.last_name,
            password=PASSWORD,
            accepted=True,
            terms_version=None,
            privacy_version=None,
        )
        portal_users.mark_introduction_seen(registered)

    # --- master data -----------------------------------------------------------------------

    def _flagship(self) -> Customer:
        customer = customers.create_customer(
            self.tenant,
            SYSTEM,
            kind="company",
            number=FLAGSHIP_NUMBER,
            external_id=f"CW-K-{FLAGSHIP_NUMBER}",
            company_name="Hochbau Havelland GmbH",
        )
        customers.add_contact(
            customer,
            SYSTEM,
            first_name="Katrin",
            last_name="Wendt",
            role="Bauleitung",
            email="bauleitung@hochbau-havelland.de",
            mobile_phone="+491715550101",
            is_primary=True,
            consent_email=True,
        )
        for index, site in enumerate(FLAGSHIP_SITES):
            location = customers.add_location(
                customer,
                SYSTEM,
                name=site.name,
                street=site.street,
                postal_code=site.postal_code,
                city=site.city,
                state=site.state,
                is_billing=index == 0,
                access_notes=site.access_notes,
                external_id=f"CW-S-{FLAGSHIP_NUMBER}-{index + 1}",
            )
            for number, (type_id, waste_id) in enumerate(site.containers):
                customers.add_asset(
                    customer,
                    SYSTEM,
                    location=location,
                    container_type=ContainerType.objects.get(external_id=type_id),
                    waste_type=WasteType.objects.get(external_id=waste_id),
                    placed_on=self.today - datetime.timedelta(days=2 + (index * 7 + number * 4)),
                    serial_number=f"C-{FLAGSHIP_NUMBER}-{index + 1}{number + 1}",
                    external_id=f"CW-C-{FLAGSHIP_NUMBER}-{index + 1}{number + 1}",
                )
        return customer

    # --- twelve months of orders and invoices ----------------------------------------------

    def _month_start(self, back: int) -> datetime.date:
        year, month = self.today.year, self.today.month - back
        while month <= 0:
            year, month = year - 1, month + 12
        return datetime.date(year, month, 1)

    def _history(self, customer: Customer) -> int:
        """Per month and container one to three orders; the months before this one invoiced."""
        containers = list(
            customer.assets.select_related("container_type", "waste_type", "location")
            .filter(container_type__isnull=False, waste_type__isnull=False)
            .order_by("pk")
        )
        typed = [(a, a.container_type, a.waste_type) for a in containers]
        items: list[tuple[str, dict[str, Any]]] = []
        per_month: dict[datetime.date, list[tuple[str, Decimal]]] = {}
        for back in range(MONTHS - 1, -1, -1):
            start = self._month_start(back)
            for asset, container_type, waste_type in typed:
                if container_type is None or waste_type is None:
                    continue
                kinds = [k for k in ("emptying", "exchange") if container_type.allows(k)]
                for _repeat in range(self.rng.randint(1, 3)):
                    day = start + datetime.timedelta(days=self.rng.randint(0, 26))
                    if day > self.today + datetime.timedelta(days=10):
                        continue
                    kind = self.rng.choice(kinds) if kinds else "placement"
                    external_id = f"CW-A-{customer.number}-{len(items) + 1:04d}"
                    done = day < self.today - datetime.timedelta(days=2)
                    status = "invoiced" if done and back > 0 else "completed" if done else "planned"
                    items.append(
                        (
                            external_id,
                            {
                                "kind": kind,
                                "number": f"A{start:%y%m}-{customer.number[-3:]}{len(items):03d}",
                                "customer": customer,
                                "location": asset.location,
                                "asset": asset,
                                "container_type": container_type,
                                "waste_type": waste_type,
                                "title": f"{container_type} · {waste_type.name}",
                                "status": status,
                                "planned_date": day,
                            },
                        )
                    )
                    if status == "invoiced":
                        price = container_type.price or Decimal("150.00")
                        per_month.setdefault(start, []).append((external_id, price))
        orders.upsert_orders(self.tenant, SYSTEM, items)
        self._invoices(customer, per_month)
        return len(items)

    def _invoices(
        self, customer: Customer, per_month: dict[datetime.date, list[tuple[str, Decimal]]]
    ) -> None:
        """One invoice per month over its orders; paid, except the last month's."""
        items = []
        lines: dict[str, list[tuple[str, Decimal]]] = {}
        for start, rows in sorted(per_month.items()):
            net = sum((price for _id, price in rows), Decimal("0.00"))
            issue = (start + datetime.timedelta(days=32)).replace(day=3)
            external_id = f"CW-R-{customer.number}-{start:%Y%m}"
            recent = issue > self.today - datetime.timedelta(days=30)
            items.append(
                (
                    external_id,
                    {
                        "number": f"R{start:%Y%m}-{customer.number}",
                        "customer": customer,
                        "issue_date": issue,
                        "due_date": issue + datetime.timedelta(days=14),
                        "net_total": net,
                        "gross_total": (net * VAT).quantize(Decimal("0.01")),
                        "status": "open" if recent else "paid",
                    },
                )
            )
            lines[external_id] = rows
        orders.upsert_invoices(self.tenant, SYSTEM, items)
        for invoice in Invoice.objects.filter(customer=customer, external_id__in=lines):
            orders.attach_pdf(
                invoice, SYSTEM, self._invoice_pdf(invoice, lines[invoice.external_id])
            )

    def _invoice_pdf(self, invoice: Invoice, rows: list[tuple[str, Decimal]]) -> bytes:
        customer = invoice.customer
        billing = customer.locations.order_by("-is_billing", "pk").first()
        recipient = [customer.display_name]
        if billing is not None:
            recipient += [billing.street, f"{billing.postal_code} {billing.city}"]
        title = f"Rechnung {invoice.number}"
        pdf = new_letter(tenant_letterhead(self.tenant), title)
        pdf.begin(
            recipient,
            [
                ("Rechnungsnr.", invoice.number),
                ("Datum", format_date(invoice.issue_date, short=True)),
                ("Kundennummer", customer.number),
                ("Fällig am", format_date(invoice.due_date, short=True)),
            ],
            title,
        )
        numbers = dict(
            Order.objects.filter(external_id__in=[r[0] for r in rows]).values_list(
                "external_id", "number"
            )
        )
        pdf.pairs([(numbers.get(ext, ext), money(price)) for ext, price in rows], 60)
        pdf.sums(
            [
                ("Netto", money(invoice.net_total), False),
                ("zzgl. 19 % USt.", money(invoice.gross_total - invoice.net_total), False),
                ("Gesamt", money(invoice.gross_total), True),
            ]
        )
        return pdf.render()

    # --- quotes ----------------------------------------------------------------------------

    def _quotes(self, customer: Customer) -> None:
        location = Location.objects.filter(customer=customer).order_by("-pk").first()
        items = [
            (
                f"CW-Q-{customer.number}-{index + 1}",
                {
                    "number": f"AN-{self.today:%Y}-{40 + index}",
                    "customer": customer,
                    "location": location,
                    "date": self.today - datetime.timedelta(days=days),
                    "valid_until": self.today + datetime.timedelta(days=30 - days),
                    "title": title,
                    "net_total": net,
                    "gross_total": (net * VAT).quantize(Decimal("0.01")),
                    "status": status,
                },
            )
            for index, (title, net, days, status) in enumerate(
                [
                    (
                        "Containerstellung Baustelle Leipzig, 3 Monate",
                        Decimal("1840.00"),
                        5,
                        "open",
                    ),
                    ("Entsorgung Asbestplatten, Big Bags", Decimal("960.00"), 40, "accepted"),
                    ("Abrollcontainer 36 m³ Sperrmüll", Decimal("520.00"), 75, "expired"),
                ]
            )
        ]
        orders.upsert_quotes(self.tenant, SYSTEM, items)
        for quote in Quote.objects.filter(customer=customer):
            pdf = new_letter(tenant_letterhead(self.tenant), f"Angebot {quote.number}")
            pdf.begin([customer.display_name], [("Angebotsnr.", quote.number)], quote.title)
            pdf.sums(
                [
                    ("Netto", money(quote.net_total), False),
                    ("Gesamt", money(quote.gross_total), True),
                ]
            )
            orders.attach_pdf(quote, SYSTEM, pdf.render())
