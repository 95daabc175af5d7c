"""Files of a job: uploads of file fields, and stored documents.

An upload's type is decided by its content (theke.core.files). Photos from phones, HEIC
included, are stored as upright JPEGs without their metadata, so every browser shows them
and no location leaks; PDFs are stored as they are. A newer file never deletes an older one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from theke.core import files as core_files
from theke.core import images
from theke.jobs.models import FileKind, Job, JobFile

UPLOAD_TYPES = images.PHOTO_TYPES | core_files.PDF_TYPES
PHOTO_BOX = (2560, 2560)
MAX_NAME = 120


@dataclass(frozen=True)
class Upload:
    """An upload checked (and a photo converted) by the form, stored when the view saves."""

    name: str
    data: bytes
    content_type: str

    def __repr__(self) -> str:  # never dump the bytes into a log or an error page
        return f"Upload({self.name!r}, {len(self.data)} bytes)"


def read_upload(upload: UploadedFile, field: str) -> Upload:
    """The checked content of an upload, its stored type and name (ServiceError if refused)."""
    data = upload.read()
    checked = core_files.check_upload(data, UPLOAD_TYPES, field=field)
    stem = PurePath(upload.name or "datei").stem[:MAX_NAME] or "datei"
    if checked.content_type in images.PHOTO_TYPES:
        rendition = images.Rendition("photo", PHOTO_BOX)
        processed = images.process(data, [rendition], images.PHOTO_TYPES, field=field)
        return Upload(f"{stem}.jpg", processed["photo"].data, "image/jpeg")
    return Upload(f"{stem}{checked.extension}", data, checked.content_type)


def store_file(
    job: Job,
    field_key: str,
    *,
    kind: str,
    name: str,
    data: bytes,
    content_type: str,
    by: str,
    document: str = "",
) -> dict[str, Any]:
    """Store a file of a job's field; returns the field's new value (the newest file)."""
    row = JobFile(
        tenant=job.tenant,
        job=job,
        field_key=field_key,
        kind=kind,
        document=document,
        name=name,
        content_type=content_type,
        size=len(data),
        created_by_name=by[:200],
    )
    row.file.save(name, ContentFile(data), save=False)
    row.save(force_insert=True)
    return {"id": row.pk, "name": row.name}


def store_upload(job: Job, field_key: str, upload: Upload, by: str) -> dict[str, Any]:
    return store_file(
        job,
        field_key,
        kind=FileKind.UPLOAD,
        name=upload.name,
        data=upload.data,
        content_type=upload.content_type,
        by=by,
    )
