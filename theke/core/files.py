"""Uploaded files: the type is decided by the content, never by the name or declared type.

Photos and PDFs come from the back office (API uploads) and are shown to customers, so a
file that only claims to be an image (an HTML page named photo.jpg) must never be stored
as one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from theke.core.errors import ServiceError

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PDF_TYPES = frozenset({"application/pdf"})
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
EXTENSIONS["application/pdf"] = ".pdf"

# Pillow's format name -> content type, for the images we accept.
_PILLOW_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int


def sniff_type(data: bytes) -> str | None:
    """The content type of `data` by its signature, or None when it is none we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data[:3] == b"\xff\xd8\xff" or data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _verified_image(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _verified_image(data)
    return None


def _verified_image(data: bytes) -> str | None:
    """Let Pillow parse the image: a valid header on garbage is refused too."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return _PILLOW_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


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
        names = ", ".join(sorted(EXTENSIONS[t].lstrip(".").upper() for t in allowed))
        raise ServiceError(
            _("Dieser Dateityp ist hier nicht erlaubt. Erlaubt: %(types)s.") % {"types": names},
            field,
            code="file_type",
        )
    return CheckedFile(content_type, EXTENSIONS[content_type], len(data))
