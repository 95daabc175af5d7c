"""A job's files and documents on the staff side: "Dokument erstellen" (stored, the older
ones kept), "Dokument anzeigen" (made fresh, nothing stored), downloading a stored file,
and the archive's print (the summary document)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from theke.core.errors import ServiceError
from theke.jobs import documents
from theke.jobs.models import FieldType, JobFile
from theke.jobs.services.documents import PDF, create_document, document_filename
from theke.jobs.services.jobs import compiled_of
from theke.jobs.staff_views.common import USE, job_or_404, jobs_page, who

SUMMARY = "summary"


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@jobs_page(USE)
@require_POST
def document_create(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """ "Dokument erstellen": render the chosen document of a document field of the current
    phase's staff view and store it as the field's newest file."""
    job = job_or_404(request, pk)
    code = str(request.POST.get("document") or "")
    expected = str(request.POST.get("expected_phase") or "") or None
    try:
        made = create_document(job, key, code, who(request), expected_phase=expected)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dokument erstellt: %(name)s") % {"name": made.name})
    return redirect(reverse("jobs:job", args=[job.pk]) + f"#row-{key}")


@jobs_page(USE)
@require_GET
def document_show(request: HttpRequest, pk: int, key: str, code: str) -> HttpResponse:
    """ "Dokument anzeigen": the document made now from the job, stored nowhere."""
    job = job_or_404(request, pk)
    item = compiled_of(job).definition.fields.get(key)
    if (
        item is None
        or item.type not in (FieldType.DOCUMENT_SHOW, FieldType.DOCUMENT_SAVE)
        or code not in item.documents
        or code not in documents.DOCUMENTS
    ):
        raise Http404
    return _pdf(documents.render(job, code), document_filename(job, code))


@jobs_page(USE)
@require_GET
def file_download(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    """A stored file of the job (upload or document, older versions too): PDFs and photos
    open in the browser, with their own type and never sniffed."""
    job = job_or_404(request, pk)
    stored = get_object_or_404(JobFile.objects, pk=file_id, job=job)
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=stored.content_type not in (PDF, "image/jpeg", "image/png"),
        filename=stored.name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@jobs_page(USE)
@require_GET
def job_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's summary on the letterhead (values and history): the archive's print."""
    job = job_or_404(request, pk)
    return _pdf(documents.render(job, SUMMARY), document_filename(job, SUMMARY))
