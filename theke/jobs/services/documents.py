"""Documents of a job's "Dokument erstellen/speichern" fields: rendered on the letterhead,
stored as a JobFile (the newest is the field's value, older ones stay downloadable).

"Dokument erstellen/anzeigen" fields need no service: the page renders their PDF fresh on
every click (theke.jobs.documents.render) and stores nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from theke.audit.services import record
from theke.core.errors import ServiceError
from theke.jobs import documents
from theke.jobs.definition import Shown
from theke.jobs.models import FieldType, FileKind, Job, JobFile, View
from theke.jobs.services.files import store_file
from theke.jobs.services.jobs import (
    Who,
    _change,
    _lock,
    _refuse_archived,
    _refuse_moved,
    compiled_of,
    current_phase,
    values_for_rules,
    was_saved,
)
from theke.jobs.values import put
from theke.tenants.scoping import tenant_scope

PDF = "application/pdf"
# File names without umlauts: "auftragsbestaetigung-J-2026-00001.pdf" reads right everywhere.
_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def document_filename(job: Job, code: str) -> str:
    """ "angebot-J-2026-00001.pdf": the document's name and the job's number."""
    label = slugify(str(documents.DOCUMENTS[code].label).translate(_GERMAN)) or code
    return f"{label}-{job.number}.pdf"


def staff_entry(job: Job, field_key: str, kind: str) -> Shown:
    """The visible, editable entry of a field of type `kind` in the current phase's staff
    view (ServiceError when the page offers no such field now)."""
    made = compiled_of(job)
    phase = current_phase(job)
    values = values_for_rules(job, logged_in=False)
    sent = was_saved(job, phase.key, View.STAFF)
    for shown in made.shown(phase, View.STAFF, values, sent=sent):
        if shown.field.key == field_key and shown.field.type == kind and shown.editable:
            return shown
    raise ServiceError(
        _("Dieses Feld gibt es in der aktuellen Phase nicht. Bitte laden Sie die Seite neu."),
        None,
        code="field",
    )


def create_document(
    job: Job, field_key: str, code: str, who: Who, *, expected_phase: str | None = None
) -> JobFile:
    """Render document `code` of a document field of the current phase's staff view and
    store it as the field's newest file; the older ones stay."""
    with tenant_scope(job.tenant), transaction.atomic():
        locked = _lock(job)
        if expected_phase is not None:
            _refuse_moved(locked, expected_phase)
        _refuse_archived(locked)
        shown = staff_entry(locked, field_key, FieldType.DOCUMENT_SAVE)
        if code not in shown.field.documents or code not in documents.DOCUMENTS:
            raise ServiceError(
                _("Dieses Dokument gehört nicht zu diesem Feld."), None, code="document"
            )
        name = document_filename(locked, code)
        data = documents.render(locked, code)
        value = store_file(
            locked,
            field_key,
            kind=FileKind.DOCUMENT,
            name=name,
            data=data,
            content_type=PDF,
            by=who.name,
            document=code,
        )
        put(locked, shown.field, value)
        locked.save(update_fields=["values", "updated_at"])
        label = _("%(label)s erstellt") % {"label": documents.DOCUMENTS[code].label}
        _change(locked, who, current_phase(locked), field_key, label, "", name).save()
        record(
            locked.tenant,
            who.actor,
            "job.document_created",
            locked,
            {"field": field_key, "document": code, "file": name},
        )
        return JobFile.objects.get(pk=value["id"])
