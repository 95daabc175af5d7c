"""The letterhead of every PDF Theke makes: a German business letter after DIN 5008, Form B.

A domain builds its document on `LetterPDF`: the caller passes the sender as a `Letterhead`
(plain data; `theke.tenants.letterhead.tenant_letterhead` builds it from a tenant), then
`begin()` lays out the first page (logo top right, sender line and recipient in the window
field, information block, subject) and the domain writes its content below. Every page gets
the footer (company, contact, register, VAT id, bank) and "Seite x von y".

`new_letter()` makes the letter. The class itself lives in `core.letter_pdf` and is imported
only there: fpdf2 pulls in fontTools, about 3 s of start-up on a small machine, which every
process would otherwise pay (the web server, the worker, the mail gate run once per incoming
e-mail) although few of them ever write a PDF.

Geometry (A4, mm from the top left corner), DIN 5008 Form B: address field 45 mm from the
top and 20 mm from the left, 85 × 45 mm; its upper 17.7 mm are the "Zusatz- und
Vermerkzone" whose last line carries the sender line, the lower 27.3 mm hold up to six
address lines. The information block starts 50 mm from the top, 125 mm from the left; the
subject follows the address field. Folding marks at 105 and 210 mm, hole mark at 148.5 mm.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from stdnum import iban as stdnum_iban

if TYPE_CHECKING:
    from theke.core.letter_pdf import LetterPDF

logger = logging.getLogger(__name__)
# fontTools logs every font subset at INFO: noise in the application log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
PAGES_ALIAS = "\ue000"

PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN_LEFT = 25.0  # DIN 5008: text starts 25 mm from the left edge
MARGIN_RIGHT = 20.0
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

ADDRESS_TOP = 45.0
ADDRESS_LEFT = 20.0
ADDRESS_WIDTH = 85.0
ADDRESS_HEIGHT = 45.0
ADDRESS_ZONE_TOP = ADDRESS_TOP + 17.7  # below the Zusatz- und Vermerkzone
ADDRESS_TEXT_WIDTH = ADDRESS_LEFT + ADDRESS_WIDTH - MARGIN_LEFT - 2
ADDRESS_MAX_LINES = 6
ADDRESS_LINE = 4.23  # 12 pt pitch: six lines fill the 27.3 mm zone

INFO_LEFT = 125.0
INFO_TOP = 50.0
INFO_WIDTH = PAGE_WIDTH - MARGIN_RIGHT - INFO_LEFT

SUBJECT_TOP = ADDRESS_TOP + ADDRESS_HEIGHT + 8.5
FOLD_MARKS = (105.0, 210.0)
HOLE_MARK = PAGE_HEIGHT / 2

LOGO_TOP = 12.0
LOGO_MAX_WIDTH = 70.0
LOGO_MAX_HEIGHT = 24.0
FOLLOWING_TOP = 28.0  # where content starts on the pages after the first

FOOTER_RULE = 268.0
FOOTER_TOP = 269.5
FOOTER_LINE = 3.1
FOOTER_GAP = 4.0
CONTENT_BOTTOM = 260.0  # the automatic page break leaves room for page number and footer

PHOTO_GAP = 5.0
PHOTO_WIDTH = (CONTENT_WIDTH - PHOTO_GAP) / 2
PHOTO_HEIGHT = PHOTO_WIDTH * 3 / 4
PHOTO_MAX_PIXELS = 1400  # a photo is scaled down to this; enough for print at 80 mm width


@dataclass(frozen=True)
class Letterhead:
    """The sender of a letter: what the header, the sender line and the footer show."""

    name: str
    legal_name: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    register_court: str = ""
    register_number: str = ""
    vat_id: str = ""
    managing_director: str = ""
    bank_name: str = ""
    iban: str = ""
    bic: str = ""
    logo: bytes | None = None
    brand_color: str = "#1f4e79"

    @property
    def company(self) -> str:
        return self.legal_name or self.name

    @property
    def city_line(self) -> str:
        return " ".join(p for p in (self.postal_code, self.city) if p)

    @property
    def sender_line(self) -> str:
        """One line above the recipient: company · street · postcode city."""
        return " · ".join(p for p in (self.company, self.street, self.city_line) if p)

    def footer_columns(self) -> list[list[str]]:
        """The footer's columns (empty ones left out): address, contact, register, bank."""
        website = self.website.removeprefix("https://").removeprefix("http://").rstrip("/")
        columns = [
            [self.company, self.street, self.city_line],
            [
                _("Tel. %(phone)s") % {"phone": self.phone} if self.phone else "",
                self.email,
                website,
            ],
            [
                self.register_court,
                self.register_number,
                _("USt-IdNr. %(vat_id)s") % {"vat_id": self.vat_id} if self.vat_id else "",
                _("Geschäftsführung: %(names)s") % {"names": self.managing_director}
                if self.managing_director
                else "",
            ],
            [
                self.bank_name,
                _("IBAN %(iban)s") % {"iban": group_iban(self.iban)} if self.iban else "",
                _("BIC %(bic)s") % {"bic": self.bic} if self.bic else "",
            ],
        ]
        kept = [[line for line in column if line] for column in columns]
        return [column for column in kept if column]


@dataclass(frozen=True)
class Photo:
    """A photo for `LetterPDF.photo_pages`: the image file's bytes and its caption."""

    data: bytes
    caption: str = ""


def group_iban(iban: str) -> str:
    """The IBAN in groups of four, as printed: DE02 1005 0000 0054 5404 02."""
    return str(stdnum_iban.format(iban))


def brand_rgb(color: str) -> tuple[int, int, int]:
    try:
        value = color.removeprefix("#")
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except (ValueError, IndexError):
        return 31, 78, 121


def logo_png(data: bytes | None) -> tuple[bytes, float] | None:
    """The logo as PNG bytes (scaled down) and its aspect ratio; None if it cannot be read.

    A broken logo file must not stop a letter: it is logged and left out.
    """
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            logo = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        logger.warning("Logo cannot be read for the PDF letterhead: %s", error)
        return None
    logo.thumbnail((900, 900))
    buffer = io.BytesIO()
    logo.save(buffer, format="PNG")
    return buffer.getvalue(), logo.width / max(1, logo.height)


def photo_jpeg(data: bytes) -> io.BytesIO | None:
    """The photo upright, scaled down and as JPEG (embedded as is); None if unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            photo = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        logger.warning("Photo cannot be read for a PDF: %s", error)
        return None
    photo.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=85)
    buffer.seek(0)
    return buffer


def new_letter(letterhead: Letterhead, title: str) -> LetterPDF:
    """An A4 letter with the sender's letterhead; `begin()` it, then write the content."""
    from theke.core.letter_pdf import LetterPDF

    return LetterPDF(letterhead, title)
