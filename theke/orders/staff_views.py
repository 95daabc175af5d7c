"""Staff views of the orders domain: the PDFs of invoices and quotes.

The files are stored under random names and served only here, to staff of the tenant who
may see the customer master; another tenant's ids answer 404.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from theke.core.auth import staff_required
from theke.orders.models import Invoice, Quote
from theke.orders.services import documents_of


def _pdf(document: Invoice | Quote, prefix: str) -> FileResponse:
    if not document.pdf:
        raise Http404("no PDF")
    try:
        handle = document.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404("PDF missing") from exc
    name = re.sub(r"[^\w.-]+", "_", document.number) or "document"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{prefix}-{name}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required("customers.view")
def invoice_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """Download an invoice's PDF."""
    return _pdf(get_object_or_404(Invoice.objects, pk=pk), "Rechnung")


@staff_required("customers.view")
def quote_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """Download a quote's PDF."""
    return _pdf(get_object_or_404(Quote.objects, pk=pk), "Angebot")


def customer_documents_panel(request: HttpRequest, customer: Any) -> dict[str, Any]:
    """Customer-page panel: the customer's latest orders, invoices and quotes."""
    return {"customer": customer, **documents_of(customer, limit=10)}
