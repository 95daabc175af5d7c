"""Image files for the tests of the image pipeline and its users, made in memory."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import ExifTags, Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int, rows: int = 0) -> bytes:
    """A valid PNG header declaring `width` × `height` RGB pixels, with `rows` rows of zeros
    compressed as its data (the rest of the rows missing, or all of them: a small file that
    inflates to the whole size)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + 3 * width)
    idat = b"".join(compressor.compress(row) for _ in range(rows)) + compressor.flush()
    chunks = _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def encoded(image: Image.Image, image_format: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def marked_photo(size: tuple[int, int] = (400, 200)) -> Image.Image:
    """Blue, with a red block in the stored top-left corner (to see where it ends up)."""
    image = Image.new("RGB", size, "#3a6ea5")
    image.paste((220, 20, 20), (0, 0, size[0] // 4, size[1] // 4))
    return image


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Kamera GmbH"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (13.0, 24.0, 36.0),
    }
    return exif


def assert_no_metadata(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert not image.getexif(), "EXIF left"
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp"} & set(image.info)
        assert b"Kamera" not in data and b"52/1" not in data
        return image.copy()


def heic(image: Image.Image, orientation: int = 1) -> bytes:
    """`image` as an iPhone stores it: HEIC, with an EXIF block (orientation, GPS)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    return encoded(image, "HEIF", quality=80, exif=gps_exif(orientation).tobytes())


def jpeg_with_location(image: Image.Image, orientation: int = 1) -> bytes:
    """`image` as a camera stores it: JPEG with orientation, GPS position, XMP and comment."""
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/>Kamera</x:xmpmeta>'
    return encoded(image, "JPEG", exif=gps_exif(orientation), xmp=xmp, comment=b"Kamera")
