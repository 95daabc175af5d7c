"""PDFs of an estimate and of the customer's decision, as letters on the tenant's letterhead.

`estimate_pdf(estimate)` and `decision_pdf(estimate, decision)` return bytes, ready for a
download or an e-mail attachment: the customer's address in the window, number, date and
customer number in the information block, then the positions with their totals; the
photos follow on a page of their own (theke.core.pdf).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from theke.core.formatting import (
    format_date,
    format_datetime,
    money,
    number,
    percent,
    unit_price,
)
from theke.core.pdf import CONTENT_WIDTH, FONT, Photo, new_letter
from theke.customers.models import CustomerKind
from theke.estimates.models import Estimate, EstimateDecision, EstimatePosition
from theke.estimates.services import billing_address
from theke.estimates.services.amounts import compute_totals
from theke.tenants.letterhead import tenant_letterhead

if TYPE_CHECKING:
    from theke.core.letter_pdf import LetterPDF

logger = logging.getLogger(__name__)

# Pos., text, quantity, unit price, VAT, net (mm; together the content width).
COLUMNS = (11.0, 68.0, 21.0, 25.0, 14.0, 26.0)
ALIGNS = ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def pdf_response(content: bytes, filename: str, disposition: str = "inline") -> HttpResponse:
    """A PDF of an estimate as the browser gets it (staff pages and the customer's page)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_label(estimate: Estimate) -> str:
    """The estimate's number as a file name part (with its version from the second on)."""
    label = estimate.display_number
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in label)[:60]
    return f"{safe}-v{estimate.version}" if estimate.version > 1 else safe


def pdf_filename(estimate: Estimate, answer: bool = False) -> str:
    """ "Kostenvoranschlag-KV-2026-0001.pdf", the answer's "…-Antwort.pdf": the number stands
    as it is (it may carry its own "KV-" prefix already)."""
    suffix = "-Antwort" if answer else ""
    return f"Kostenvoranschlag-{file_label(estimate)}{suffix}.pdf"


def _money(value: Decimal | None, currency: str = "EUR") -> str:
    return money(value, currency) or "–"


def _label(estimate: Estimate) -> str:
    return estimate.display_number


def _person(salutation: str, name: str) -> str:
    # In an address "Herr" takes the accusative (DIN 5008): "Herrn Max Muster".
    salutation = "Herrn" if salutation.strip() == "Herr" else salutation.strip()
    return " ".join(p for p in (salutation, name) if p)


def recipient_lines(estimate: Estimate) -> list[str]:
    """The customer's postal address for the window: name (with contact), street, city."""
    customer = estimate.customer
    if customer is None:
        return []
    address = billing_address(estimate)
    lines: list[str] = []
    if customer.kind == CustomerKind.COMPANY and customer.company_name:
        lines.append(customer.company_name)
        if estimate.contact is not None:
            lines.append(_person(estimate.contact.salutation, str(estimate.contact)))
    else:
        lines.append(_person(customer.salutation, address["name"]))
    lines.append(address["street"])
    lines.append(" ".join(p for p in (address["postal_code"], address["city"]) if p))
    if address["country"] and address["country"] != estimate.tenant.country:
        lines.append(address["country"])
    return [line for line in lines if line]


def _info(estimate: Estimate, day: Any) -> list[tuple[str, str]]:
    customer = estimate.customer
    order = str(estimate.order) if estimate.order_id else estimate.order_external_id
    return [
        (_("Kostenvoranschlag Nr."), _label(estimate)),
        (_("Version"), str(estimate.version) if estimate.version > 1 else ""),
        (_("Datum"), format_date(day, short=True)),
        (_("Kundennummer"), customer.number if customer else ""),
        (_("Auftrag"), order),
        (_("Ihr Ansprechpartner"), estimate.technician_name),
        (_("Gültig bis"), format_date(estimate.valid_until, short=True)),
    ]


def _letter(estimate: Estimate, title: str, day: Any) -> LetterPDF:
    pdf = new_letter(tenant_letterhead(estimate.tenant), title)
    pdf.begin(recipient_lines(estimate), _info(estimate, day), title)
    return pdf


def _position_text(position: EstimatePosition) -> str:
    text = position.text
    if position.discount_percent:
        text += " (" + _("Rabatt") + " " + percent(position.discount_percent) + ")"
    if position.is_optional:
        text += " · " + _("optional")
    return text


def _positions(pdf: LetterPDF, positions: Sequence[EstimatePosition], currency: str) -> None:
    """The positions as a table (headings repeated on a new page), then the totals."""
    pdf.set_font(FONT, "", 8.5)
    pdf.set_draw_color(200)
    pdf.set_line_width(0.2)
    headings = (_("Pos."), _("Bezeichnung"), _("Menge"), _("Einzelpreis"), _("MwSt."))
    with pdf.table(
        col_widths=COLUMNS,
        width=CONTENT_WIDTH,
        align="LEFT",
        text_align=ALIGNS,
        borders_layout="HORIZONTAL_LINES",
        headings_style=pdf.table_style(),
        line_height=4.6,
        padding=(0.8, 1, 0.8, 1),
        v_align="TOP",
    ) as table:
        table.row((*headings, _("Netto")))
        for position in positions:
            amount = number(position.quantity) + (f" {position.unit}" if position.unit else "")
            table.row(
                (
                    str(position.position),
                    _position_text(position),
                    amount,
                    unit_price(position.unit_price, currency),
                    percent(position.vat_rate),
                    _money(position.net_amount, currency),
                )
            )
    pdf.set_draw_color(0)
    totals = compute_totals(positions)
    rows: list[tuple[str, str, bool]] = [(_("Summe netto"), _money(totals.net, currency), False)]
    for rate in totals.by_rate:
        label = _("MwSt. %(rate)s auf %(net)s") % {
            "rate": percent(rate.vat_rate),
            "net": _money(rate.net, currency),
        }
        rows.append((label, _money(rate.vat, currency), False))
    rows.append((_("Gesamtbetrag brutto"), _money(totals.gross, currency), True))
    pdf.sums(rows)


def _photos(estimate: Estimate) -> list[Photo]:
    """The estimate's photos (the upright preview where there is one) for the photo page."""
    photos = []
    for photo in estimate.photos.all():
        stored = photo.preview or photo.file
        try:
            with stored.open("rb") as handle:
                data = bytes(handle.read())
        except OSError as error:
            logger.warning("Photo %s of estimate %s is missing: %s", photo.pk, estimate.pk, error)
            continue
        photos.append(Photo(data, photo.caption))
    return photos


def estimate_pdf(estimate: Estimate) -> bytes:
    """The estimate as a letter: positions with totals per VAT rate, defect, terms, photos."""
    title = _("Kostenvoranschlag %(number)s") % {"number": _label(estimate)}
    pdf = _letter(estimate, title, estimate.data_received_at or estimate.created_at)
    pdf.pairs([(_("Gegenstand"), estimate.item)])
    pdf.paragraph(_("Fehlerbeschreibung"), estimate.defect_description)
    pdf.ln(3)
    _positions(pdf, list(estimate.positions.all()), estimate.currency)
    pdf.paragraph(_("Hinweise"), estimate.notes)
    pdf.paragraph(_("Bedingungen"), estimate.terms)
    pdf.photo_pages(_("Fotos"), _photos(estimate))
    return pdf.render()


def _choice_label(obj: Any, field: str) -> str:
    """The display label of a choice field, or the raw value, or ""."""
    display = getattr(obj, f"get_{field}_display", None)
    if callable(display):
        return str(display())
    return str(getattr(obj, field, "") or "")


def _decline_text(decision: EstimateDecision) -> str:
    """The decline choice as the customer chose it ("Fahrzeug unrepariert abholen"), with what
    follows from it ("Sie holen Ihr Fahrzeug unrepariert bei uns ab.")."""
    chosen = decision.decline_wording
    if chosen is None:
        return _choice_label(decision, "choice")
    return f"{chosen.option}. {chosen.decision}"


def left_out_positions(estimate: Estimate, decision: Any) -> list[EstimatePosition]:
    """The optional positions the customer did not choose when accepting."""
    selected = getattr(decision, "selected_positions", None)
    if selected is None or getattr(decision, "answer", "") != "accepted":
        return []
    chosen = {str(pk) for pk in selected}
    return [p for p in estimate.positions.all() if p.is_optional and str(p.pk) not in chosen]


def decision_pdf(estimate: Estimate, decision: EstimateDecision) -> bytes:
    """The customer's answer as a letter: what was answered, by whom, when, which positions
    with which totals, the photos."""
    title = _("Antwort zum Kostenvoranschlag %(number)s") % {"number": _label(estimate)}
    pdf = _letter(estimate, title, decision.decided_at)
    fee = decision.fee_gross
    fee_text = decision.fee_text
    pdf.pairs(
        [
            (_("Antwort"), _choice_label(decision, "answer")),
            (_("Wunsch bei Ablehnung"), _decline_text(decision)),
            (_("Pauschale"), f"{fee_text} {_money(fee)}".strip() if fee is not None else fee_text),
            (_("Rücksendeadresse"), ", ".join(decision.address_lines)),
            (_("Bestätigt von"), decision.signed_name),
            (_("Zeitpunkt"), format_datetime(decision.decided_at, short=True) or "–"),
            (_("Version"), str(decision.version)),
            (_("Bedingungen"), decision.consent_summary or ""),
        ]
    )
    positions = list(estimate.positions.all())
    accepted = decision.answer == "accepted"
    if accepted:
        chosen = {str(pk) for pk in decision.selected_positions}
        positions = [p for p in positions if str(p.pk) in chosen]
    pdf.ln(3)
    pdf.heading(_("Beauftragte Positionen") if accepted else _("Abgelehnte Positionen"))
    _positions(pdf, positions, estimate.currency)
    left_out = left_out_positions(estimate, decision)
    if left_out:
        pdf.paragraph(
            _("Nicht gewählte optionale Positionen"),
            "\n".join(f"{p.position}. {p.text}" for p in left_out),
        )
    pdf.photo_pages(_("Fotos"), _photos(estimate))
    return pdf.render()
