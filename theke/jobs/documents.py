"""The documents a job's document fields create, on the tenant's letterhead (core.pdf).

"Dokument erstellen/anzeigen" renders one fresh on every click (nothing stored);
"Dokument erstellen/speichern" renders one and stores it as a JobFile (the newest is the
field's value, older ones stay). Each document is built from the job: customer, vehicle and
its configuration, and the values of the workflow version's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.core.formatting import format_date, money
from theke.core.pdf import new_letter
from theke.customers.models import CustomerKind, Location
from theke.jobs.definition import Definition
from theke.jobs.models import FieldType, Job, JobChange
from theke.jobs.services.workflows import version_compiled
from theke.jobs.values import display, stored
from theke.tenants.letterhead import tenant_letterhead
from theke.tenants.models import Branch
from theke.tenants.scoping import tenant_scope


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str | Promise
    # The closing paragraph of the document (empty: none).
    note: str | Promise = ""
    # Whether the document lists the job's field values (the archive's print does).
    with_values: bool = False
    with_history: bool = False
    # A document for the customer lists only the fields a customer view shows, never the
    # staff's own (internal notes); the archive's print is for staff.
    for_staff: bool = False


DOCUMENTS: dict[str, DocumentKind] = {
    kind.code: kind
    for kind in (
        DocumentKind(
            "offer",
            gettext_lazy("Angebot"),
            gettext_lazy("Wir freuen uns auf Ihre Antwort. Das Angebot ist freibleibend."),
        ),
        DocumentKind(
            "order_confirmation",
            gettext_lazy("Auftragsbestätigung"),
            gettext_lazy("Vielen Dank für Ihren Auftrag. Wir bestätigen ihn hiermit."),
        ),
        DocumentKind(
            "invoice",
            gettext_lazy("Rechnung"),
            gettext_lazy("Bitte überweisen Sie den Betrag oder bezahlen Sie online."),
        ),
        DocumentKind(
            "handover",
            gettext_lazy("Übergabeprotokoll"),
            gettext_lazy("Das Fahrzeug wurde mit den genannten Unterlagen übergeben."),
            with_values=True,
        ),
        DocumentKind(
            "summary",
            gettext_lazy("Jobübersicht"),
            with_values=True,
            with_history=True,
            for_staff=True,
        ),
    )
}


def document_choices() -> list[tuple[str, str]]:
    return [(code, str(kind.label)) for code, kind in DOCUMENTS.items()]


def _recipient(job: Job) -> list[str]:
    customer = job.customer
    lines: list[str] = []
    if customer.kind == CustomerKind.COMPANY and customer.company_name:
        lines.append(customer.company_name)
        if job.contact is not None:
            lines.append(str(job.contact))
    else:
        lines.append(f"{customer.first_name} {customer.last_name}".strip())
    with tenant_scope(job.tenant):
        address = Location.objects.filter(customer=customer).order_by("-is_billing", "pk").first()
    if address is not None:
        lines += [address.street, f"{address.postal_code} {address.city}".strip()]
    return [line for line in lines if line]


def _config(job: Job, definition: Definition) -> tuple[list[tuple[str, str]], Decimal | None]:
    """The vehicle configuration's lines and price, if the workflow has one."""
    for item in definition.fields.values():
        if item.type != FieldType.VEHICLE_CONFIG:
            continue
        value = stored(job, item)
        if not isinstance(value, dict):
            continue
        rows = [(_("Fahrzeug"), str(value.get("label", "")))]
        rows += [(_("Extra"), str(e.get("text", ""))) for e in value.get("extras", [])]
        try:
            price = Decimal(str(value.get("price"))) if value.get("price") else None
        except InvalidOperation:
            price = None
        return rows, price
    return [], None


def _vehicle(job: Job) -> str:
    if job.vehicle is None:
        return ""
    v = job.vehicle
    return ", ".join(p for p in (f"{v.make} {v.model}".strip(), v.license_plate, v.vin) if p)


def render(job: Job, code: str) -> bytes:
    """The PDF of document `code` for the job, made now (LookupError: unknown code)."""
    kind = DOCUMENTS[code]
    definition = version_compiled(job.version).definition
    today = timezone.localdate()
    pdf = new_letter(tenant_letterhead(job.tenant), f"{kind.label} {job.number}")
    pdf.begin(
        _recipient(job),
        [
            (str(kind.label), job.number),
            (_("Datum"), format_date(today, short=True)),
            (_("Kundennummer"), job.customer.number),
        ],
        f"{kind.label} {job.number}" + (f" – {job.title}" if job.title else ""),
    )
    pdf.pairs([(_("Fahrzeug"), _vehicle(job))])
    rows, price = _config(job, definition)
    if rows:
        pdf.ln(2)
        pdf.pairs(rows)
    if price is not None and code in ("offer", "order_confirmation", "invoice"):
        net = (price / Decimal("1.19")).quantize(Decimal("0.01"))
        pdf.sums(
            [
                (_("Nettobetrag"), money(net), False),
                (_("zzgl. 19 % USt."), money(price - net), False),
                (_("Gesamtbetrag"), money(price), True),
            ]
        )
    if kind.with_values:
        with tenant_scope(job.tenant):
            names = dict(Branch.objects.values_list("pk", "name"))
        values = [
            (item.label, display(item, stored(job, item), names))
            for item in (
                definition.used_fields() if kind.for_staff else definition.customer_fields()
            )
            if item.type not in (FieldType.SAVE_BUTTON, FieldType.DOCUMENT_SHOW)
        ]
        pdf.ln(2)
        pdf.heading(_("Angaben"))
        pdf.pairs(values, label_width=60)
    if kind.with_history:
        with tenant_scope(job.tenant):
            changes = list(JobChange.objects.filter(job=job).order_by("at", "pk"))
        pdf.ln(2)
        pdf.heading(_("Verlauf"))
        for change in changes:
            when = timezone.localtime(change.at).strftime("%d.%m.%Y %H:%M")
            text = (
                f"{change.field_label}: {change.old} → {change.new}"
                if change.old
                else (f"{change.field_label}: {change.new}")
            )
            pdf.multi_cell(
                0, 4.6, f"{when} · {change.actor_name} · {text}", new_x="LMARGIN", new_y="NEXT"
            )
    if kind.note:
        pdf.ln(4)
        pdf.multi_cell(0, 4.6, str(kind.note), new_x="LMARGIN", new_y="NEXT")
    return pdf.render()
