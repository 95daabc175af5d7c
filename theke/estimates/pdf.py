"""PDFs of an estimate and of the customer's decision (fpdf2, DejaVu Sans for umlauts and €).

`estimate_pdf(estimate)` and `decision_pdf(estimate, decision)` return bytes, ready for a
download or an e-mail attachment. The decision is read defensively (getattr), so these work
with whatever fields the decision model has.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from theke.estimates.models import Estimate, EstimatePosition
from theke.estimates.services.amounts import compute_totals

# fontTools logs every font subset at INFO: noise in the application log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"


def money(value: Decimal | None, currency: str = "EUR") -> str:
    """German-style amount: 1.234,50 €."""
    if value is None:
        return "–"
    text = f"{Decimal(value):,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{text} €" if currency == "EUR" else f"{text} {currency}"


def number(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def _date(value: Any) -> str:
    if value is None:
        return "–"
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
        return str(formats.date_format(value, "SHORT_DATETIME_FORMAT"))
    return str(formats.date_format(value, "SHORT_DATE_FORMAT"))


class _Document(FPDF):
    def __init__(self, title: str, tenant_name: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.tenant_name = tenant_name
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(title)
        self.set_creator("Theke")
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        page = _("Seite %(page)s von %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 5, f"{self.tenant_name} · {self.doc_title} · {page}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def pairs(self, rows: list[tuple[str, str]]) -> None:
        for label, value in rows:
            if not value:
                continue
            self.set_font(FONT, "B", 9)
            self.cell(45, 5.5, label)
            self.set_font(FONT, "", 9)
            self.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, title: str, text: str) -> None:
        if not text:
            return
        self.ln(2)
        self.set_font(FONT, "B", 10)
        self.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 9)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")


def _header(pdf: _Document, estimate: Estimate) -> None:
    customer = estimate.customer
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(90)
    pdf.cell(0, 5, estimate.tenant.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(3)
    pdf.heading(pdf.doc_title)
    pdf.pairs(
        [
            (_("Kunde"), customer.display_name if customer else ""),
            (_("Gegenstand"), estimate.item),
            (
                _("Auftrag"),
                str(estimate.order) if estimate.order_id else estimate.order_external_id,
            ),
            (_("Zuständig"), estimate.technician_name),
            (_("Version"), str(estimate.version) if estimate.version > 1 else ""),
            (_("Gültig bis"), _date(estimate.valid_until) if estimate.valid_until else ""),
        ]
    )


def _positions(pdf: _Document, estimate: Estimate) -> None:
    positions = list(estimate.positions.all())
    totals = compute_totals(positions)
    currency = estimate.currency
    pdf.ln(4)
    widths = (10, 74, 22, 26, 14, 28)
    headers = (_("Pos."), _("Bezeichnung"), _("Menge"), _("Einzelpreis"), _("MwSt."), _("Netto"))
    pdf.set_font(FONT, "B", 8.5)
    pdf.set_fill_color(235)
    for width, header, align in zip(widths, headers, "LLRRRR", strict=True):
        pdf.cell(width, 6, header, border="B", align=align, fill=True)
    pdf.ln()
    pdf.set_font(FONT, "", 8.5)
    for position in positions:
        text = position.text
        if position.discount_percent:
            text += " (" + _("Rabatt") + f" {number(position.discount_percent)} %)"
        if position.is_optional:
            text += " · " + _("optional")
        quantity = number(position.quantity) + (f" {position.unit}" if position.unit else "")
        cells = (
            str(position.position),
            text,
            quantity,
            money(position.unit_price.quantize(Decimal("0.01")), currency),
            f"{number(position.vat_rate)} %",
            money(position.net_amount, currency),
        )
        # The text may wrap: measure its height first so the row stays together.
        lines: Any = pdf.multi_cell(widths[1], 5, text, dry_run=True, output="LINES")
        height = 5 * max(1, len(lines))
        if pdf.will_page_break(height):
            pdf.add_page()
        y = pdf.get_y()
        x = pdf.l_margin
        for width, value, align in zip(widths, cells, "LLRRRR", strict=True):
            pdf.set_xy(x, y)
            if width == widths[1]:
                pdf.multi_cell(width, 5, value, align="L")
            else:
                pdf.cell(width, 5, value, align=align)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)
        pdf.set_draw_color(220)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(widths), pdf.get_y())
        pdf.set_draw_color(0)
    pdf.ln(2)
    label_width = sum(widths) - widths[-1] - 10
    rows: list[tuple[str, Decimal, bool]] = [(_("Summe netto"), totals.net, False)]
    for rate in totals.by_rate:
        rows.append(
            (
                _("MwSt. %(rate)s %% auf %(net)s")
                % {"rate": number(rate.vat_rate), "net": money(rate.net, currency)},
                rate.vat,
                False,
            )
        )
    rows.append((_("Gesamtbetrag brutto"), totals.gross, True))
    for label, amount, bold in rows:
        pdf.set_font(FONT, "B" if bold else "", 9.5 if bold else 9)
        pdf.cell(label_width, 6, label, align="R")
        pdf.cell(
            widths[-1] + 10, 6, money(amount, currency), align="R", new_x="LMARGIN", new_y="NEXT"
        )


def estimate_pdf(estimate: Estimate) -> bytes:
    """The estimate as a PDF: header, positions with totals per VAT rate, defect, terms."""
    label = estimate.number or estimate.external_id
    pdf = _Document(_("Kostenvoranschlag %(number)s") % {"number": label}, estimate.tenant.name)
    pdf.add_page()
    _header(pdf, estimate)
    pdf.paragraph(_("Fehlerbeschreibung"), estimate.defect_description)
    _positions(pdf, estimate)
    pdf.paragraph(_("Hinweise"), estimate.notes)
    pdf.paragraph(_("Bedingungen"), estimate.terms)
    return bytes(pdf.output())


def _label(obj: Any, field: str) -> str:
    """The display label of a choice field, or the raw value, or ""."""
    display = getattr(obj, f"get_{field}_display", None)
    if callable(display):
        return str(display())
    return str(getattr(obj, field, "") or "")


def left_out_positions(estimate: Estimate, decision: Any) -> list[EstimatePosition]:
    """The optional positions the customer did not choose when accepting."""
    selected = getattr(decision, "selected_positions", None)
    if selected is None or getattr(decision, "answer", "") != "accepted":
        return []
    chosen = {str(pk) for pk in selected}
    return [p for p in estimate.positions.all() if p.is_optional and str(p.pk) not in chosen]


def decision_pdf(estimate: Estimate, decision: Any) -> bytes:
    """The customer's answer as a PDF: what was answered, by whom, when, with which totals."""
    label = estimate.number or estimate.external_id
    pdf = _Document(
        _("Antwort zum Kostenvoranschlag %(number)s") % {"number": label}, estimate.tenant.name
    )
    pdf.add_page()
    _header(pdf, estimate)
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, _("Antwort des Kunden"), new_x="LMARGIN", new_y="NEXT")
    address = ", ".join(
        str(part)
        for part in (
            getattr(decision, "address_name", ""),
            getattr(decision, "address_street", ""),
            " ".join(
                str(p)
                for p in (
                    getattr(decision, "address_postal_code", ""),
                    getattr(decision, "address_city", ""),
                )
                if p
            ),
        )
        if part
    )
    fee = getattr(decision, "fee_gross", None)
    fee_text = getattr(decision, "fee_text", "") or ""
    pdf.pairs(
        [
            (_("Antwort"), _label(decision, "answer")),
            (_("Wunsch bei Ablehnung"), _label(decision, "choice")),
            (_("Pauschale"), f"{fee_text} {money(fee)}".strip() if fee is not None else fee_text),
            (_("Rücksendeadresse"), address),
            (_("Bestätigt von"), str(getattr(decision, "signed_name", "") or "")),
            (_("Bedingungen"), str(getattr(decision, "consent_summary", "") or "")),
            (_("Zeitpunkt"), _date(getattr(decision, "decided_at", None))),
            (_("Version"), str(getattr(decision, "version", "") or "")),
        ]
    )
    gross = getattr(decision, "gross_total", None)
    if gross is not None:
        pdf.ln(2)
        pdf.pairs(
            [
                (_("Summe netto"), money(getattr(decision, "net_total", None))),
                (_("MwSt."), money(getattr(decision, "vat_total", None))),
                (_("Summe brutto"), money(gross)),
            ]
        )
    left_out = left_out_positions(estimate, decision)
    if left_out:
        pdf.paragraph(
            _("Nicht gewählte optionale Positionen"),
            "\n".join(f"{p.position}. {p.text}" for p in left_out),
        )
    return bytes(pdf.output())
