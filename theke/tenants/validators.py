"""Checks of tenant data that forms and services share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import numdb
from stdnum import vatin as stdnum_vatin
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

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


# --- legal and bank details (letterhead and footer of the PDFs) ----------------------------
# python-stdnum knows the formats and check digits of every country; we only turn its verdict
# into a message that tells the user what to fix.

# Norway's; anything shorter is no IBAN with a few characters missing, but no IBAN at all.
SHORTEST_IBAN = 15


def compact(value: str) -> str:
    """Upper case without spaces, dots and hyphens: how VAT ids, IBANs and BICs are stored."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_vat_id(value: str) -> None:
    """A VAT id with country prefix, in the format and with the check digit of its country."""
    vat_id = compact(value)
    try:
        stdnum_vatin.validate(vat_id)
    except InvalidChecksum as error:
        raise ValidationError(
            _(
                "Diese USt-IdNr. ist ungültig: die Prüfziffer stimmt nicht. Bitte prüfen Sie "
                "die Eingabe."
            ),
            code="vat_id_checksum",
        ) from error
    except InvalidComponent as error:  # a country stdnum does not know
        raise _vat_id_without_country() from error
    except StdnumError as error:
        if vat_id.startswith("DE"):
            raise ValidationError(
                _(
                    "Eine deutsche USt-IdNr. besteht aus DE und 9 Ziffern, zum Beispiel "
                    "DE123456789."
                ),
                code="vat_id_format",
            ) from error
        if vat_id[:2].isalpha():
            raise ValidationError(
                _("Diese USt-IdNr. hat nicht den Aufbau der Nummern aus %(country)s."),
                code="vat_id_format",
                params={"country": vat_id[:2]},
            ) from error
        raise _vat_id_without_country() from error


def _vat_id_without_country() -> ValidationError:
    return ValidationError(
        _("Bitte geben Sie die USt-IdNr. mit Länderkennung an, zum Beispiel DE123456789."),
        code="vat_id_format",
    )


def validate_iban(value: str) -> None:
    """An IBAN: the format and length of its country, and the mod-97 check digits."""
    iban = compact(value)
    try:
        stdnum_iban.validate(iban)
        return
    except StdnumError as error:
        problem = error
    # stdnum tests the check digits first, so a number of the wrong shape fails there too;
    # with the right check digits put in, only a number of the right shape passes.
    if isinstance(problem, InvalidChecksum) and _passes_with_right_check_digits(iban):
        raise ValidationError(
            _(
                "Diese IBAN ist ungültig: die Prüfziffer stimmt nicht. Bitte prüfen Sie die "
                "Eingabe."
            ),
            code="iban_checksum",
        ) from problem
    length = _iban_length(iban[:2])
    if length is not None and len(iban) >= SHORTEST_IBAN and len(iban) != length:
        raise ValidationError(
            _("Eine IBAN aus %(country)s hat %(length)s Zeichen, diese hat %(actual)s."),
            code="iban_length",
            params={"country": iban[:2], "length": length, "actual": len(iban)},
        ) from problem
    raise ValidationError(
        _(
            "Bitte geben Sie eine IBAN an: Länderkennung, zwei Prüfziffern und die "
            "Kontonummer, zum Beispiel DE02 1005 0000 0054 5404 02."
        ),
        code="iban_format",
    ) from problem


def _passes_with_right_check_digits(iban: str) -> bool:
    if len(iban) < 5 or not (iban.isascii() and iban.isalnum()):
        return False
    return bool(stdnum_iban.is_valid(iban[:2] + stdnum_iban.calc_check_digits(iban) + iban[4:]))


def _iban_length(country: str) -> int | None:
    """The IBAN length of a country from stdnum's registry ("8!n10!n": 4 + 8 + 10), or None."""
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        return None
    parts = numdb.get("iban").info(country)
    bban = parts[0][1].get("bban") if parts else None
    if not bban:
        return None
    return 4 + sum(int(count) for count in re.findall(r"\d+", bban))


def validate_bic(value: str) -> None:
    try:
        stdnum_bic.validate(compact(value))
    except InvalidLength as error:
        raise ValidationError(
            _("Ein BIC hat 8 oder 11 Zeichen, zum Beispiel BELADEBEXXX."), code="bic_format"
        ) from error
    except StdnumError as error:
        raise ValidationError(
            _(
                "Dieser BIC ist ungültig: er beginnt mit vier Buchstaben der Bank und der "
                "Länderkennung, zum Beispiel BELADEBEXXX."
            ),
            code="bic_format",
        ) from error
