"""Downloads of the portal: CSV exports for German Excel and stored PDFs."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

BOM = "\ufeff"
# Spreadsheets run a cell starting with these as a formula (CSV injection); a negative
# number ("-12,50") is no formula and stays as it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NEGATIVE_NUMBER = re.compile(r"-\d[\d.,]*(\s?\S{1,3})?")


def safe_name(text: str, fallback: str = "dokument") -> str:
    """A file name part of letters, digits, dots and dashes only."""
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or fallback


def cell(value: object) -> str:
    """One CSV cell: text that a spreadsheet would run as a formula gets a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not NEGATIVE_NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV the way German Excel opens them: BOM, ';' between fields, CRLF lines,
    no cell a spreadsheet would run as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([cell(value) for value in row] for row in rows)
    return BOM + buffer.getvalue()


def csv_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(
        csv_text(headers, rows).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{safe_name(filename)}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def pdf_response(pdf: FieldFile, name: str) -> FileResponse:
    """A stored PDF as an attachment named `name`.pdf (404 when there is no file)."""
    if not pdf:
        raise Http404("no PDF")
    try:
        handle = pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404("PDF missing") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{safe_name(name)}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
