"""The image pipeline (theke.core.images): detection by content, the pixel limit before
decoding, bounded decoding, orientation, metadata, renditions."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pillow_heif
import pytest
from django.utils import translation
from PIL import Image, ImageFile

from theke.core import images
from theke.core.images import ImageError, Rendition
from theke.core.tests.imagefiles import (
    assert_no_metadata,
    encoded,
    gps_exif,
    half,
    marked_photo,
    png_declaring,
)


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    """The messages are asserted in German, whatever an earlier request left active."""
    with translation.override("de"):
        yield


SIZES = [
    Rendition("photo", (2560, 2560), "JPEG", 85),
    Rendition("thumbnail", (480, 960), "WEBP", 75),
]


# --- detection and refusals -----------------------------------------------------------------


def test_bomb_png_is_refused_from_its_header_with_its_size() -> None:
    bomb = png_declaring(30000, 30000)
    assert len(bomb) < 120  # the 109-byte file of the report, give or take the zlib stream
    with pytest.raises(ImageError) as refused:
        images.inspect(bomb)
    assert refused.value.code == "too_many_pixels" and refused.value.size == (30000, 30000)
    assert refused.value.field == "file"
    assert "30000 × 30000" in refused.value.messages[0]
    with pytest.raises(ImageError, match="zu viele Bildpunkte"):
        images.process(bomb, SIZES)


def test_huge_png_is_refused_before_a_pixel_is_decoded(monkeypatch: Any) -> None:
    """The 353 KB PNG of 11000 × 11000 pixels (a worker went from 148 MB to 1.1 GB)."""
    huge = png_declaring(11000, 11000, rows=11000)
    assert len(huge) < 1_000_000
    decoded: list[Any] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))
    with pytest.raises(ImageError) as refused:
        images.process(huge, SIZES)
    assert refused.value.code == "too_many_pixels" and refused.value.size == (11000, 11000)
    assert "40 Megapixel" in refused.value.messages[0]
    assert decoded == []


def test_pixel_limit_is_a_setting(settings: Any) -> None:
    photo = encoded(marked_photo((400, 300)), "PNG")
    settings.IMAGE_MAX_PIXELS = 100_000
    with pytest.raises(ImageError, match="0,1 Megapixel"):
        images.inspect(photo)
    settings.IMAGE_MAX_PIXELS = 120_000
    assert images.inspect(photo).content_type == "image/png"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"<html>not an image</html>", "file_type"),
        (b"%PDF-1.4 hello", "file_type"),
        (encoded(marked_photo(), "GIF"), "file_type"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "file_type"),
        (encoded(marked_photo(), "PNG")[:90], "unreadable"),
        (half(encoded(Image.effect_noise((400, 300), 60), "JPEG")), "unreadable"),
    ],
    ids=["empty", "html", "pdf", "gif", "broken-header", "truncated-png", "truncated-jpeg"],
)
def test_what_is_no_readable_image_is_refused_by_content(data: bytes, code: str) -> None:
    with pytest.raises(ImageError) as refused:
        images.process(data, SIZES)
    assert refused.value.code == code and refused.value.field == "file"
    if code == "file_type":
        assert "Erlaubt: HEIC, JPEG, PNG, WebP." in refused.value.messages[0]


def test_too_many_bytes_are_refused_before_looking_inside(settings: Any) -> None:
    settings.API_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ImageError) as refused:
        images.inspect(encoded(marked_photo((300, 300)), "PNG") + b"\0" * 2000)
    assert refused.value.code == "too_large"


def test_the_content_decides_the_type_not_the_name() -> None:
    assert images.sniff(encoded(marked_photo(), "JPEG")) == "image/jpeg"
    assert images.sniff(encoded(marked_photo(), "WEBP")) == "image/webp"
    assert images.sniff(b"<svg/>") is None
    assert images.content_type_of("estimates/1/abc.webp") == "image/webp"
    assert images.content_type_of("estimates/1/abc.JPG") == "image/jpeg"
    assert images.content_type_of("estimates/1/abc") == "application/octet-stream"


# --- what is made -------------------------------------------------------------------------


def test_renditions_are_upright_and_carry_no_metadata() -> None:
    """EXIF orientation 6 (turn 90° clockwise to show), a GPS position, XMP and a comment."""
    original = marked_photo((4000, 2000))
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/>Kamera</x:xmpmeta>'
    data = encoded(original, "JPEG", exif=gps_exif(orientation=6), xmp=xmp, comment=b"Kamera")
    processed = images.process(data, SIZES)
    photo, thumbnail = processed["photo"], processed["thumbnail"]
    assert (photo.width, photo.height) == (1280, 2560)
    assert (thumbnail.width, thumbnail.height) == (480, 960)
    assert (photo.content_type, photo.extension) == ("image/jpeg", ".jpg")
    assert (thumbnail.content_type, thumbnail.extension) == ("image/webp", ".webp")
    shown = assert_no_metadata(photo.data)
    assert_no_metadata(thumbnail.data)
    # The stored top-left corner is the shown top-right one after a turn to the right.
    red, green, blue = shown.getpixel((shown.width - 20, 20))  # type: ignore[misc]
    assert red > 180 and green < 80 and blue < 80
    assert shown.getpixel((20, 20))[0] < 100  # type: ignore[index]
    assert processed.info == images.ImageInfo("image/jpeg", 4000, 2000, len(data))


def test_small_image_is_never_enlarged() -> None:
    processed = images.process(encoded(marked_photo((64, 48)), "PNG"), SIZES)
    assert (processed["photo"].width, processed["photo"].height) == (64, 48)
    assert (processed["thumbnail"].width, processed["thumbnail"].height) == (64, 48)


def test_transparent_png_becomes_white_where_it_was_transparent() -> None:
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (0, 0, 50, 100))
    processed = images.process(encoded(image, "PNG"), SIZES)
    with Image.open(io.BytesIO(processed["photo"].data)) as photo:
        assert photo.mode == "RGB"
        assert min(photo.getpixel((90, 50))) > 240  # type: ignore[arg-type]


def test_transparency_is_kept_when_asked() -> None:
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    processed = images.process(
        encoded(image, "PNG"), [Rendition("logo", (50, 50), "PNG")], keep_alpha=True
    )
    with Image.open(io.BytesIO(processed["logo"].data)) as logo:
        assert logo.mode == "RGBA" and logo.getpixel((10, 10))[3] == 0  # type: ignore[index]


@pytest.mark.parametrize("mode", ["P", "I;16", "CMYK", "LA"])
def test_other_pixel_modes_come_out_as_rgb(mode: str) -> None:
    image = Image.new("RGB", (120, 80), "#3a6ea5").convert(mode)
    image_format = "JPEG" if mode == "CMYK" else "PNG"
    processed = images.process(encoded(image, image_format), SIZES)
    with Image.open(io.BytesIO(processed["photo"].data)) as photo:
        assert photo.mode in ("RGB", "L") and photo.size == (120, 80)


def test_heic_from_an_iphone_is_accepted_and_converted() -> None:
    pillow_heif.register_heif_opener()
    original = marked_photo((640, 480))
    heic = encoded(original, "HEIF", quality=80, exif=gps_exif(orientation=1).tobytes())
    assert heic[4:12] == b"ftypheic"
    info = images.inspect(heic)
    assert (info.content_type, info.width, info.height) == ("image/heic", 640, 480)
    processed = images.process(heic, SIZES)
    assert processed["photo"].content_type == "image/jpeg"
    shown = assert_no_metadata(processed["photo"].data)
    assert shown.size == (640, 480)
    red, green, _blue = shown.getpixel((20, 20))  # type: ignore[misc]
    assert red > 180 and green < 80


def test_large_jpeg_is_decoded_reduced(monkeypatch: Any) -> None:
    """JPEG's DCT scaling: a 4000 × 3000 photo for a 1000 px box is decoded at 1000 × 750."""
    decoded: list[tuple[int, int]] = []
    reduced = images._reduced

    def spy(image: Image.Image, box: tuple[int, int]) -> Image.Image:
        decoded.append(image.size)
        return reduced(image, box)

    monkeypatch.setattr(images, "_reduced", spy)
    data = encoded(marked_photo((4000, 3000)), "JPEG", quality=80)
    processed = images.process(data, [Rendition("photo", (1000, 1000))])
    assert decoded == [(1000, 750)]
    assert (processed["photo"].width, processed["photo"].height) == (1000, 750)


# --- bounded memory -------------------------------------------------------------------------


def test_decodes_beyond_the_budget_wait_for_each_other(settings: Any) -> None:
    settings.IMAGE_DECODE_MEMORY_BYTES = 100
    budget = images.DecodeBudget()
    inside: list[int] = []
    most = [0]
    lock = threading.Lock()

    def decode() -> None:
        with budget.hold(60):
            with lock:
                inside.append(1)
                most[0] = max(most[0], len(inside))
            time.sleep(0.05)
            with lock:
                inside.pop()

    threads = [threading.Thread(target=decode) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert most[0] == 1 and budget.used == 0


def test_a_decode_larger_than_the_budget_runs_alone_and_small_ones_share(
    settings: Any,
) -> None:
    settings.IMAGE_DECODE_MEMORY_BYTES = 100
    budget = images.DecodeBudget()
    with budget.hold(500) as held:
        assert budget.used == 500
        held.resize(30)
        assert budget.used == 30
        with budget.hold(60):  # fits next to the rest
            assert budget.used == 90
    assert budget.used == 0


def test_budget_is_released_when_decoding_fails() -> None:
    with pytest.raises(ImageError):
        images.process(encoded(marked_photo(), "PNG")[:90], SIZES)
    assert images.BUDGET.used == 0


def test_ten_uploads_at_once_stay_within_the_budget(settings: Any, monkeypatch: Any) -> None:
    """Every decode holds its estimate while it runs; together they never pass the budget."""
    settings.IMAGE_DECODE_MEMORY_BYTES = 100 * 1024 * 1024
    held_at_once: list[int] = []
    hold = images.DecodeBudget.hold

    @contextmanager
    def watched(budget: images.DecodeBudget, nbytes: int) -> Iterator[Any]:
        with hold(budget, nbytes) as held:
            held_at_once.append(budget.used)
            yield held

    data = encoded(marked_photo((2000, 1500)), "PNG")  # ~40 MB estimated
    results: list[Any] = []
    monkeypatch.setattr(images.DecodeBudget, "hold", watched)
    threads = [
        threading.Thread(target=lambda: results.append(images.process(data, SIZES)))
        for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 10 and images.BUDGET.used == 0
    assert len(held_at_once) == 10
    assert max(held_at_once) <= settings.IMAGE_DECODE_MEMORY_BYTES


def test_heic_turned_by_its_orientation_is_turned_once() -> None:
    pillow_heif.register_heif_opener()
    heic = encoded(marked_photo((640, 480)), "HEIF", quality=80, exif=gps_exif(6).tobytes())
    processed = images.process(heic, SIZES)
    shown = assert_no_metadata(processed["photo"].data)
    assert shown.size == (480, 640)
    red, green, _blue = shown.getpixel((shown.width - 20, 20))  # type: ignore[misc]
    assert red > 180 and green < 80


def test_check_upload_of_an_image_applies_the_pixel_limit() -> None:
    """Other uploads that accept images (theke.core.files) get the header check too."""
    from theke.core.errors import ServiceError
    from theke.core.files import IMAGE_TYPES, check_upload

    with pytest.raises(ServiceError) as refused:
        check_upload(png_declaring(30000, 30000), IMAGE_TYPES)
    assert refused.value.code == "too_many_pixels"
    checked = check_upload(encoded(marked_photo(), "WEBP"), IMAGE_TYPES)
    assert (checked.content_type, checked.extension) == ("image/webp", ".webp")
    with pytest.raises(ServiceError, match=r"Erlaubt: JPG, PNG, WEBP\."):
        check_upload(b"<html></html>", IMAGE_TYPES)
