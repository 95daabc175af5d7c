"""Checks of tenant data that forms and services share."""

from __future__ import annotations

import re
import warnings
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 40_000_000
# Pillow's format name -> the file extension we store it under.
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}

_BRAND_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_brand_color(value: str) -> None:
    if not _BRAND_COLOR.match(value or ""):
        raise ValidationError(
            _("Bitte geben Sie eine Farbe im Format #RRGGBB an, zum Beispiel #1f4e79."),
            code="brand_color",
        )


def logo_extension(upload: Any) -> str:
    """The extension of a valid logo (PNG, JPEG or WebP, at most 2 MB), or a ValidationError.

    The content decides, not the file name or the browser's content type: the file is
    opened with Pillow and fully verified.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("Das Logo ist zu groß (%(size)s MB). Erlaubt sind höchstens 2 MB."),
            code="logo_too_large",
            params={"size": f"{size / 1024 / 1024:.1f}".replace(".", ",")},
        )
    stream: IO[bytes] = upload.file if hasattr(upload, "file") else upload
    not_an_image = ValidationError(
        _(
            "Die Datei ist kein gültiges Bild. Bitte laden Sie das Logo als PNG, JPEG oder WebP "
            "hoch."
        ),
        code="logo_invalid",
    )
    try:
        stream.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=list(LOGO_FORMATS)) as image:
                image_format = image.format or ""
                width, height = image.size
                image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,  # a warning turned into an error above
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise not_an_image from error
    finally:
        stream.seek(0)
    if image_format not in LOGO_FORMATS:
        raise not_an_image
    if width * height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _(
                "Das Logo hat zu viele Bildpunkte (%(width)s × %(height)s). "
                "Bitte verkleinern Sie es."
            ),
            code="logo_too_many_pixels",
            params={"width": width, "height": height},
        )
    return LOGO_FORMATS[image_format]
