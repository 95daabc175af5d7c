"""The letterhead of every PDF Theke makes: a German business letter after DIN 5008, Form B.

A domain builds its document on `LetterPDF`: the caller passes the sender as a `Letterhead`
(plain data; `theke.tenants.letterhead.tenant_letterhead` builds it from a tenant), then
`begin()` lays out the first page (logo top right, sender line and recipient in the window
field, information block, subject) and the domain writes its content below. Every page gets
the footer (company, contact, register, VAT id, bank) and "Seite x von y".

Geometry (A4, mm from the top left corner), DIN 5008 Form B: address field 45 mm from the
top and 20 mm from the left, 85 × 45 mm; its upper 17.7 mm are the "Zusatz- und
Vermerkzone" whose last line carries the sender line, the lower 27.3 mm hold up to six
address lines. The information block starts 50 mm from the top, 125 mm from the left; the
subject follows the address field. Folding marks at 105 and 210 mm, hole mark at 148.5 mm.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace
from PIL import Image, ImageOps
from stdnum import iban as stdnum_iban

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


def _rgb(color: str) -> tuple[int, int, int]:
    try:
        value = color.removeprefix("#")
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except (ValueError, IndexError):
        return 31, 78, 121


def _logo_png(data: bytes | None) -> tuple[bytes, float] | None:
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


def _photo_jpeg(data: bytes) -> io.BytesIO | None:
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


class LetterPDF(FPDF):
    """An A4 letter with the tenant's letterhead; `begin()` first, then the content."""

    def __init__(self, letterhead: Letterhead, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.letterhead = letterhead
        self.doc_title = title
        self.brand = _rgb(letterhead.brand_color)
        self.logo = _logo_png(letterhead.logo)
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN_LEFT, FOLLOWING_TOP, MARGIN_RIGHT)
        # Text starts exactly at the margins (DIN 5008's 25 mm), not a cell margin further in.
        self.c_margin = 0
        self.set_auto_page_break(auto=True, margin=PAGE_HEIGHT - CONTENT_BOTTOM)
        self.set_title(title)
        self.set_author(letterhead.company)
        self.set_creator("Theke")
        self.set_lang(get_language() or "de")
        # The page count is known only at the end. fpdf2 reserves the alias's length in
        # digits for it: a one-character alias keeps "Seite x von y" flush right (below 10
        # pages). A private-use character never occurs in real text.
        self.alias_nb_pages(PAGES_ALIAS, align="R")
        self.set_font(FONT, "", 9)

    def normalize_text(self, text: str) -> str:
        # fpdf2 passes every text it writes or measures through here. The shared formatters
        # (core.formatting) join amount and unit with a no-break space, which keeps them
        # together on a web page; in the PDF a plain space copies and searches better (the
        # amounts stand in cells wide enough for them).
        return super().normalize_text(text.replace("\N{NO-BREAK SPACE}", " "))

    # --- the first page ---------------------------------------------------------------------

    def begin(
        self, recipient: Sequence[str], info: Sequence[tuple[str, str]], subject: str
    ) -> None:
        """Start the letter: window field (sender line, recipient), information block, subject."""
        self.add_page()
        self._sender_line()
        self._recipient(recipient)
        info_bottom = self._info_block(info)
        self.set_xy(MARGIN_LEFT, max(SUBJECT_TOP, info_bottom + 6))
        self.set_font(FONT, "B", 11)
        self.multi_cell(0, 5.5, subject, new_x="LMARGIN", new_y="NEXT")
        self.ln(4)
        self.set_font(FONT, "", 9)

    def _fit(self, text: str, width: float, size: float, smallest: float, style: str = "") -> str:
        """Choose the largest font size from `size` down to `smallest` at which `text` fits
        into `width`; at the smallest size, cut it with an ellipsis."""
        while size > smallest and self._width_at(text, style, size) > width:
            size -= 0.5
        self.set_font(FONT, style, size)
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _width_at(self, text: str, style: str, size: float) -> float:
        self.set_font(FONT, style, size)
        return self.get_string_width(text)

    def _sender_line(self) -> None:
        line = self.letterhead.sender_line
        if not line:
            return
        text = self._fit(line, ADDRESS_TEXT_WIDTH, 7, 5.5)
        self.set_text_color(90)
        self.set_xy(MARGIN_LEFT, ADDRESS_ZONE_TOP - 4.6)
        self.cell(self.get_string_width(text), 3.5, text)
        self.set_draw_color(150)
        self.set_line_width(0.1)
        bottom = ADDRESS_ZONE_TOP - 0.9
        self.line(MARGIN_LEFT, bottom, MARGIN_LEFT + self.get_string_width(text), bottom)
        self.set_text_color(0)
        self.set_draw_color(0)

    def _recipient(self, lines: Sequence[str]) -> None:
        y = ADDRESS_ZONE_TOP + 0.8
        for line in [line for line in lines if line][:ADDRESS_MAX_LINES]:
            text = self._fit(line, ADDRESS_TEXT_WIDTH, 10, 8)
            self.set_xy(MARGIN_LEFT, y)
            self.cell(ADDRESS_TEXT_WIDTH, ADDRESS_LINE, text)
            y += ADDRESS_LINE

    def _info_block(self, rows: Sequence[tuple[str, str]]) -> float:
        """Label and value per row; returns where the block ends."""
        label_width = 34.0
        value_width = INFO_WIDTH - label_width
        y = INFO_TOP
        for label, value in rows:
            if not value:
                continue
            self.set_xy(INFO_LEFT, y)
            self.set_text_color(90)
            self.cell(label_width, 4.5, self._fit(label, label_width - 1, 8, 6.5))
            self.set_text_color(0)
            self.cell(value_width, 4.5, self._fit(value, value_width, 9, 7))
            y += 4.5
        return y

    # --- every page -------------------------------------------------------------------------

    def header(self) -> None:
        if self.page_no() == 1:
            self._logo(LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT, LOGO_TOP, big=True)
            self._fold_marks()
            return
        self._logo(40, 11, 10, big=False)
        self.set_xy(MARGIN_LEFT, 13)
        self.set_text_color(90)
        self.cell(CONTENT_WIDTH - 45, 4, self._fit(self.doc_title, CONTENT_WIDTH - 45, 8, 6.5))
        self.set_text_color(0)
        self.set_xy(MARGIN_LEFT, FOLLOWING_TOP)
        self.set_font(FONT, "", 9)

    def _logo(self, max_width: float, max_height: float, top: float, big: bool) -> None:
        right = PAGE_WIDTH - MARGIN_RIGHT
        if self.logo is None:
            # Without a logo the company name stands in its place, in the brand colour.
            size = 14 if big else 9
            self.set_text_color(*self.brand)
            text = self._fit(self.letterhead.name, max_width, size, size - 4, "B")
            self.set_xy(right - max_width, top + (4 if big else 1))
            self.cell(max_width, size * 0.45, text, align="R")
            self.set_text_color(0)
            return
        data, aspect = self.logo
        if max_width / max_height > aspect:
            height, width = max_height, max_height * aspect
        else:
            width, height = max_width, max_width / aspect
        self.image(io.BytesIO(data), x=right - width, y=top, w=width, h=height)

    def _fold_marks(self) -> None:
        self.set_draw_color(160)
        self.set_line_width(0.2)
        for y in FOLD_MARKS:
            self.line(4, y, 9, y)
        self.line(4, HOLE_MARK, 11, HOLE_MARK)
        self.set_draw_color(0)

    def footer(self) -> None:
        self.set_font(FONT, "", 8)
        self.set_text_color(90)
        self.set_xy(MARGIN_LEFT, FOOTER_RULE - 4.5)
        page = _("Seite %(page)s von %(pages)s") % {"page": self.page_no(), "pages": PAGES_ALIAS}
        self.cell(CONTENT_WIDTH, 4, page, align="R")
        self.set_draw_color(*self.brand)
        self.set_line_width(0.3)
        self.line(MARGIN_LEFT, FOOTER_RULE, PAGE_WIDTH - MARGIN_RIGHT, FOOTER_RULE)
        self._footer_columns(self.letterhead.footer_columns())
        self.set_text_color(0)
        self.set_draw_color(0)

    def _footer_columns(self, columns: list[list[str]]) -> None:
        """Columns as wide as their longest line, spread over the width; the font shrinks
        (7 to 5.5 pt) until they fit, a line still too long is cut."""
        if not columns:
            return
        size = 7.0
        while True:
            self.set_font(FONT, "", size)
            widths = [max(self.get_string_width(line) for line in column) for column in columns]
            needed = sum(widths) + FOOTER_GAP * (len(columns) - 1)
            if needed <= CONTENT_WIDTH or size <= 5.5:
                break
            size -= 0.5
        if needed > CONTENT_WIDTH:
            share = (CONTENT_WIDTH - FOOTER_GAP * (len(columns) - 1)) / len(columns)
            widths = [share] * len(columns)
        gap = (CONTENT_WIDTH - sum(widths)) / (len(columns) - 1) if len(columns) > 1 else 0
        x = MARGIN_LEFT
        for column, width in zip(columns, widths, strict=True):
            y = FOOTER_TOP
            for line in column:
                self.set_xy(x, y)
                self.cell(width, FOOTER_LINE, self._fit(line, width, size, size))
                y += FOOTER_LINE
            x += width + gap

    # --- content ----------------------------------------------------------------------------

    def heading(self, text: str, size: float = 10) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font(FONT, "", 9)

    def paragraph(self, title: str, text: str) -> None:
        """A titled block of text; nothing when the text is empty."""
        if not text:
            return
        self.ln(2)
        self.heading(title)
        self.multi_cell(0, 4.6, text.replace("\r\n", "\n"), new_x="LMARGIN", new_y="NEXT")

    def pairs(self, rows: Sequence[tuple[str, str]], label_width: float = 45) -> None:
        """Label and value per row; rows without a value are left out."""
        for label, value in rows:
            if not value:
                continue
            self.set_font(FONT, "B", 9)
            self.cell(label_width, 5, label)
            self.set_font(FONT, "", 9)
            self.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")

    def sums(self, rows: Sequence[tuple[str, str, bool]], amount_width: float = 36) -> None:
        """Right-aligned totals (label, amount, bold); kept on one page."""
        if self.will_page_break(6 * len(rows) + 2):
            self.add_page()
        self.ln(2)
        for label, amount, bold in rows:
            self.set_font(FONT, "B" if bold else "", 9.5 if bold else 9)
            self.cell(CONTENT_WIDTH - amount_width, 5.5, label, align="R")
            self.cell(amount_width, 5.5, amount, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 9)

    def table_style(self) -> FontFace:
        """The headings style of tables in letters (bold on light grey)."""
        return FontFace(family=FONT, emphasis="BOLD", size_pt=8.5, fill_color=235)

    def photo_pages(self, title: str, photos: Sequence[Photo]) -> None:
        """The photos on their own page(s) after the content: two per row, caption below."""
        if not photos:
            return
        self.add_page()
        self.heading(title, 11)
        self.ln(2)
        caption_height = 9.0
        row_height = PHOTO_HEIGHT + caption_height + PHOTO_GAP
        top = self.get_y()
        for index, photo in enumerate(photos):
            column = index % 2
            if column == 0:
                if self.will_page_break(row_height):
                    self.add_page()
                top = self.get_y()
            x = MARGIN_LEFT + column * (PHOTO_WIDTH + PHOTO_GAP)
            image = _photo_jpeg(photo.data)
            if image is None:
                self.set_draw_color(200)
                self.rect(x, top, PHOTO_WIDTH, PHOTO_HEIGHT)
                self.set_draw_color(0)
                self.set_xy(x, top + PHOTO_HEIGHT / 2 - 2)
                self.set_font(FONT, "", 8)
                self.cell(PHOTO_WIDTH, 4, _("Foto kann nicht angezeigt werden."), align="C")
            else:
                self.image(image, x=x, y=top, w=PHOTO_WIDTH, h=PHOTO_HEIGHT, keep_aspect_ratio=True)
            if photo.caption:
                self.set_font(FONT, "", 8)
                lines = cast(
                    list[str],
                    self.multi_cell(PHOTO_WIDTH, 3.8, photo.caption, dry_run=True, output="LINES"),
                )
                if len(lines) > 2:
                    # At most two lines under a photo: more would run into the next row.
                    lines = [lines[0], self._fit(" ".join(lines[1:]), PHOTO_WIDTH, 8, 8)]
                self.set_xy(x, top + PHOTO_HEIGHT + 1)
                self.multi_cell(PHOTO_WIDTH, 3.8, "\n".join(lines))
            self.set_xy(MARGIN_LEFT, top + row_height)
        self.set_font(FONT, "", 9)

    def render(self) -> bytes:
        return bytes(self.output())
