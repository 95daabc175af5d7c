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


# --- legal and bank details (letterhead and footer of the PDFs) ----------------------------

_VAT_ID = re.compile(r"[A-Z]{2}[0-9A-Z+*]{2,12}")
_GERMAN_VAT_ID = re.compile(r"DE[1-9][0-9]{8}")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
# The IBAN lengths of the countries a German business most often pays to or from (SEPA).
IBAN_LENGTHS = {
    "AT": 20,
    "BE": 16,
    "CH": 21,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "ES": 24,
    "FR": 27,
    "GB": 22,
    "IT": 27,
    "LI": 21,
    "LU": 20,
    "NL": 18,
    "PL": 28,
}


def compact(value: str) -> str:
    """Upper case without spaces, dots and hyphens: how VAT ids, IBANs and BICs are stored."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def _german_vat_check_digit(digits: str) -> int:
    """ISO 7064 MOD 11,10 over the first eight digits of a German USt-IdNr."""
    product = 10
    for digit in digits[:8]:
        total = (int(digit) + product) % 10 or 10
        product = (2 * total) % 11
    check = 11 - product
    return 0 if check == 10 else check


def validate_vat_id(value: str) -> None:
    """A VAT id with country prefix; a German one is DE + 9 digits with a valid check digit."""
    vat_id = compact(value)
    if vat_id.startswith("DE"):
        if not _GERMAN_VAT_ID.fullmatch(vat_id):
            raise ValidationError(
                _(
                    "Eine deutsche USt-IdNr. besteht aus DE und 9 Ziffern, zum Beispiel "
                    "DE123456789."
                ),
                code="vat_id_format",
            )
        if _german_vat_check_digit(vat_id[2:]) != int(vat_id[-1]):
            raise ValidationError(
                _(
                    "Diese USt-IdNr. ist ungültig: die Prüfziffer stimmt nicht. Bitte prüfen Sie "
                    "die Eingabe."
                ),
                code="vat_id_checksum",
            )
    elif not _VAT_ID.fullmatch(vat_id):
        raise ValidationError(
            _("Bitte geben Sie die USt-IdNr. mit Länderkennung an, zum Beispiel DE123456789."),
            code="vat_id_format",
        )


def validate_iban(value: str) -> None:
    """An IBAN: format, the country's length where known, and the mod-97 checksum."""
    iban = compact(value)
    if not _IBAN.fullmatch(iban):
        raise ValidationError(
            _(
                "Bitte geben Sie eine IBAN an: Länderkennung, zwei Prüfziffern und die "
                "Kontonummer, zum Beispiel DE02 1005 0000 0054 5404 02."
            ),
            code="iban_format",
        )
    length = IBAN_LENGTHS.get(iban[:2])
    if length is not None and len(iban) != length:
        raise ValidationError(
            _("Eine IBAN aus %(country)s hat %(length)s Zeichen, diese hat %(actual)s."),
            code="iban_length",
            params={"country": iban[:2], "length": length, "actual": len(iban)},
        )
    # ISO 13616: the country and check digits move to the end, letters become 10..35.
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        raise ValidationError(
            _(
                "Diese IBAN ist ungültig: die Prüfziffer stimmt nicht. Bitte prüfen Sie die "
                "Eingabe."
            ),
            code="iban_checksum",
        )


def validate_bic(value: str) -> None:
    if not _BIC.fullmatch(compact(value)):
        raise ValidationError(
            _("Ein BIC hat 8 oder 11 Zeichen, zum Beispiel BELADEBEXXX."), code="bic_format"
        )
