"""Uploaded files: the type is decided by the content, never by the name or declared type.

Photos and PDFs come from the back office (API uploads) and are shown to customers, so a
file that only claims to be an image (an HTML page named photo.jpg) must never be stored
as one. Images are checked by the image pipeline (theke.core.images: header, pixel limit);
an image that is shown should be stored through `theke.core.images.process`, which also
turns it upright and drops its metadata.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from theke.core import images
from theke.core.errors import ServiceError

IMAGE_TYPES = images.WEB_TYPES
PDF_TYPES = frozenset({"application/pdf"})
EXTENSIONS = {**images.EXTENSIONS, "application/pdf": ".pdf"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int


def sniff_type(data: bytes) -> str | None:
    """The content type of `data` by its signature, or None when it is none we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return images.sniff(data)


def _type_names(allowed: frozenset[str]) -> str:
    return ", ".join(sorted({EXTENSIONS[t].lstrip(".").upper() for t in allowed}))


def check_upload(data: bytes, allowed: frozenset[str], field: str = "file") -> CheckedFile:
    """The checked type of an upload, or a ServiceError naming what is allowed."""
    limit = settings.API_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise ServiceError(
            _("Die Datei ist zu groß (%(size)s, erlaubt sind höchstens %(max)s).")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(limit)},
            field,
            code="too_large",
        )
    if not data:
        raise ServiceError(_("Die Datei ist leer."), field, code="empty")
    content_type = sniff_type(data)
    if content_type not in allowed:
        raise ServiceError(
            _("Dieser Dateityp ist hier nicht erlaubt. Erlaubt: %(types)s.")
            % {"types": _type_names(allowed)},
            field,
            code="file_type",
        )
    if content_type in images.PHOTO_TYPES:
        # The header is parsed and the pixel count checked (refusals name the field).
        images.inspect(data, allowed & images.PHOTO_TYPES, field=field, max_bytes=limit)
    return CheckedFile(content_type, EXTENSIONS[content_type], len(data))
