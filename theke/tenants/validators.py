"""Checks of tenant data that forms and services share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from theke.core import images

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 40_000_000
LOGO_TYPES = frozenset({images.PNG, images.JPEG, images.WEBP})
# The stored logo fits this box: the customer pages show it 48 px high (144 px on 3x
# screens), a letterhead a few centimetres wide; a 4000 px export would weigh on every page.
LOGO_BOX = (1200, 600)
# The type of a logo -> the format it is stored in (the same: PNG and WebP keep transparency).
_LOGO_FORMATS = {images.PNG: "PNG", images.JPEG: "JPEG", images.WEBP: "WEBP"}

_BRAND_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_brand_color(value: str) -> None:
    if not _BRAND_COLOR.match(value or ""):
        raise ValidationError(
            _("Bitte geben Sie eine Farbe im Format #RRGGBB an, zum Beispiel #1f4e79."),
            code="brand_color",
        )


@dataclass(frozen=True)
class PreparedLogo:
    data: bytes
    extension: str  # without the dot, from the content: png, jpg or webp


def _too_large(size: int) -> ValidationError:
    return ValidationError(
        _("Das Logo ist zu groß (%(size)s MB). Erlaubt sind höchstens 2 MB."),
        code="logo_too_large",
        params={"size": f"{size / 1024 / 1024:.1f}".replace(".", ",")},
    )


def _refusal(error: images.ImageError) -> ValidationError:
    """The logo's own messages for the image pipeline's refusals."""
    if error.code == "too_many_pixels" and error.size is not None:
        width, height = error.size
        return ValidationError(
            _(
                "Das Logo hat zu viele Bildpunkte (%(width)s × %(height)s). "
                "Bitte verkleinern Sie es."
            ),
            code="logo_too_many_pixels",
            params={"width": width, "height": height},
        )
    return ValidationError(
        _(
            "Die Datei ist kein gültiges Bild. Bitte laden Sie das Logo als PNG, JPEG oder WebP "
            "hoch."
        ),
        code="logo_invalid",
    )


def prepare_logo(upload: Any) -> PreparedLogo:
    """The logo as it is stored, or a ValidationError.

    PNG, JPEG or WebP (by content, never by name or declared type), at most 2 MB and 40
    megapixels (checked before decoding), through the image pipeline: upright, without
    metadata, at most 1200 × 600 px, in the format it came in (transparency kept).
    """
    size = getattr(upload, "size", None)
    if size is not None and size > LOGO_MAX_BYTES:
        raise _too_large(size)
    stream: IO[bytes] = upload.file if hasattr(upload, "file") else upload
    stream.seek(0)
    try:
        data = stream.read(LOGO_MAX_BYTES + 1)
    finally:
        stream.seek(0)
    if len(data) > LOGO_MAX_BYTES:
        raise _too_large(len(data))
    limits: dict[str, Any] = {"field": None, "max_bytes": LOGO_MAX_BYTES}
    limits["max_pixels"] = LOGO_MAX_PIXELS
    try:
        info = images.inspect(data, LOGO_TYPES, **limits)
        rendition = images.Rendition("logo", LOGO_BOX, _LOGO_FORMATS[info.content_type], 90)
        logo = images.process(data, [rendition], LOGO_TYPES, keep_alpha=True, **limits)["logo"]
    except images.ImageError as error:
        raise _refusal(error) from error
    return PreparedLogo(logo.data, logo.extension.lstrip("."))


def logo_extension(upload: Any) -> str:
    """The extension of a valid logo (png, jpg or webp; see prepare_logo), or a
    ValidationError."""
    return prepare_logo(upload).extension
