"""`LetterPDF`, the letter of `core.pdf` on fpdf2: imported only by `core.pdf.new_letter()`,
so that only a process writing a PDF pays for loading fpdf2 and fontTools."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import cast

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace

from theke.core.pdf import (
    ADDRESS_LINE,
    ADDRESS_MAX_LINES,
    ADDRESS_TEXT_WIDTH,
    ADDRESS_ZONE_TOP,
    CONTENT_BOTTOM,
    CONTENT_WIDTH,
    FOLD_MARKS,
    FOLLOWING_TOP,
    FONT,
    FONTS,
    FOOTER_GAP,
    FOOTER_LINE,
    FOOTER_RULE,
    FOOTER_TOP,
    HOLE_MARK,
    INFO_LEFT,
    INFO_TOP,
    INFO_WIDTH,
    LOGO_MAX_HEIGHT,
    LOGO_MAX_WIDTH,
    LOGO_TOP,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PAGES_ALIAS,
    PHOTO_GAP,
    PHOTO_HEIGHT,
    PHOTO_WIDTH,
    SUBJECT_TOP,
    Letterhead,
    Photo,
    brand_rgb,
    logo_png,
    photo_jpeg,
)


class LetterPDF(FPDF):
    """An A4 letter with the tenant's letterhead; `begin()` first, then the content."""

    def __init__(self, letterhead: Letterhead, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.letterhead = letterhead
        self.doc_title = title
        self.brand = brand_rgb(letterhead.brand_color)
        self.logo = logo_png(letterhead.logo)
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
            image = photo_jpeg(photo.data)
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
