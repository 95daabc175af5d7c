"""The letterhead (DIN 5008 Form B): where recipient, sender line, information block and footer
land on the page, read back with pypdf."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from theke.core.pdf import Letterhead, Photo, group_iban, new_letter
from theke.core.tests.pdf_text import find, pages, runs, text_of

SENDER = Letterhead(
    name="Autohaus Alpha",
    legal_name="Autohaus Alpha GmbH",
    street="Friedrichstraße 120",
    postal_code="10117",
    city="Berlin",
    phone="+49 30 1234567",
    email="service@alpha.test",
    website="https://www.alpha.test/",
    register_court="Amtsgericht Berlin-Charlottenburg",
    register_number="HRB 123456 B",
    vat_id="DE136695976",
    managing_director="Katrin Sommer",
    bank_name="Berliner Sparkasse",
    iban="DE02100500000054540402",
    bic="BELADEBEXXX",
)
RECIPIENT = ["Frau Eva Berg", "Lindenallee 17", "14467 Potsdam"]
INFO = [("Kostenvoranschlag Nr.", "KV-4711"), ("Datum", "05.03.2026"), ("Kundennummer", "10042")]


def image(
    size: tuple[int, int] = (400, 100), image_format: str = "PNG", color: str = "#0b5394"
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()


def letter(letterhead: Letterhead = SENDER, paragraphs: int = 1, photos: int = 0) -> bytes:
    pdf = new_letter(letterhead, "Kostenvoranschlag KV-4711")
    pdf.begin(RECIPIENT, INFO, "Kostenvoranschlag KV-4711")
    for number in range(paragraphs):
        pdf.paragraph(f"Abschnitt {number + 1}", "Text des Abschnitts. " * 40)
    colors = ["#aa0000", "#00aa00", "#0000aa", "#aaaa00"]
    shots = [Photo(image((800, 600), "JPEG", colors[n]), f"Foto {n}") for n in range(photos)]
    pdf.photo_pages("Fotos", shots)
    return pdf.render()


def test_recipient_stands_in_the_window_field_below_the_sender_line() -> None:
    first = pages(letter())[0]
    sender = find(first, "Autohaus Alpha GmbH · Friedrichstraße 120 · 10117 Berlin")
    lines = [find(first, line) for line in RECIPIENT]
    for line in lines:
        assert 20 <= line.x <= 30, line  # the window starts 20 mm from the left
        assert 45 < line.y < 90, line  # Form B: 45 mm from the top, 45 mm high
    assert [line.y for line in lines] == sorted(line.y for line in lines)
    assert 20 <= sender.x <= 30
    assert 45 < sender.y < lines[0].y  # in the window, above the address
    assert sender.y < 62.7  # in the upper zone of the field, not among the address lines


def test_information_block_stands_right_of_the_window_with_its_values() -> None:
    first = pages(letter())[0]
    for label, value in INFO:
        label_run, value_run = find(first, label), find(first, value)
        assert label_run.x >= 124.9 and value_run.x > label_run.x
        assert 45 < label_run.y < 90
        assert abs(label_run.y - value_run.y) < 1  # on one line


def test_subject_follows_the_window_field() -> None:
    first = pages(letter())[0]
    subject = [r for r in runs(first) if r.text == "Kostenvoranschlag KV-4711"]
    assert subject and subject[0].y > 90 and 24 <= subject[0].x <= 26


def test_footer_with_register_vat_id_and_bank_on_every_page() -> None:
    document = pages(letter(paragraphs=12))
    assert len(document) >= 2
    for number, page in enumerate(document, start=1):
        for text in (
            "Amtsgericht Berlin-Charlottenburg",
            "HRB 123456 B",
            "USt-IdNr. DE136695976",
            "Geschäftsführung: Katrin Sommer",
            "IBAN DE02 1005 0000 0054 5404 02",
            "BIC BELADEBEXXX",
            "Tel. +49 30 1234567",
            "www.alpha.test",
        ):
            run = find(page, text)
            assert run.y > 297 - 30, (number, run)  # within the last 30 mm of the page
            assert 25 <= run.x < 190
        assert find(page, f"Seite {number} von {len(document)}").y > 297 - 35


def test_content_never_runs_into_the_footer() -> None:
    for page in pages(letter(paragraphs=12)):
        body = [r for r in runs(page) if "Abschnitt" in r.text]
        assert body and all(r.y < 262 for r in body)


def test_following_pages_name_the_document_at_the_top() -> None:
    second = pages(letter(paragraphs=12))[1]
    title = find(second, "Kostenvoranschlag KV-4711")
    assert title.y < 25
    assert not [r for r in runs(second) if "Eva Berg" in r.text]  # the window is page 1 only


def test_logo_stands_top_right_on_the_first_page() -> None:
    document = pages(letter(Letterhead(**{**SENDER.__dict__, "logo": image()})))
    first = document[0]
    assert len(first.images) == 1
    assert not [r for r in runs(first) if r.text == "Autohaus Alpha"]


def test_without_logo_the_company_name_stands_in_its_place() -> None:
    first = pages(letter())[0]
    name = [r for r in runs(first) if r.text == "Autohaus Alpha"]
    assert name and name[0].x > 105 and name[0].y < 45
    assert not first.images


def test_a_broken_logo_does_not_stop_the_letter() -> None:
    broken = Letterhead(**{**SENDER.__dict__, "logo": b"not an image"})
    assert "Eva Berg" in text_of(letter(broken))


def test_photos_come_on_a_page_of_their_own_two_per_row() -> None:
    document = pages(letter(photos=3))
    assert len(document) == 2
    assert not document[0].images
    assert len(document[1].images) == 3
    first, second, third = (find(document[1], f"Foto {n}") for n in range(3))
    assert first.y == pytest.approx(second.y) and second.x > first.x
    assert third.y > first.y


def test_an_unreadable_photo_leaves_a_note_not_an_error() -> None:
    pdf = new_letter(SENDER, "Fotos")
    pdf.begin(RECIPIENT, INFO, "Fotos")
    pdf.photo_pages("Fotos", [Photo(b"broken", "Kaputt")])
    text = text_of(pdf.render())
    assert "Foto kann nicht angezeigt werden." in text
    assert "Kaputt" in text


def test_a_sparse_letterhead_leaves_out_what_it_does_not_have() -> None:
    text = text_of(letter(Letterhead(name="Werkstatt Klein", city="Potsdam")))
    assert "Werkstatt Klein · Potsdam" in text
    assert "USt-IdNr." not in text
    assert "IBAN" not in text


def test_overlong_recipient_lines_are_fitted_into_the_window() -> None:
    pdf = new_letter(SENDER, "Brief")
    long_name = "Gemeinnützige Wohnungsbaugenossenschaft Berlin-Brandenburg Süd-West eG"
    pdf.begin([long_name, "Straße 1", "10115 Berlin"], INFO, "Brief")
    first = pages(pdf.render())[0]
    line = find(first, "Gemeinnützige")
    assert 20 <= line.x <= 30 and 45 < line.y < 90


def test_iban_is_printed_in_groups_of_four() -> None:
    assert group_iban("de02100500000054540402") == "DE02 1005 0000 0054 5404 02"
