"""The one pipeline for every uploaded image: estimate photos, tenant logos.

1. The type is decided by the content (signature, then the format's own header parser), never
   by the file name or the declared type. JPEG, PNG, WebP and HEIC/HEIF (iPhones) are known.
2. The pixel count is read from the header and checked against `IMAGE_MAX_PIXELS` before a
   single pixel is decoded: a 109-byte PNG declaring 30000 × 30000 pixels is refused as it is,
   not after a gigabyte of memory. Pillow's own bomb check sits in `Image.open`, which is not
   used, so the refusal carries the size and every refusal is a `ImageError` (no 500).
3. Decoding is bounded: a JPEG is decoded already reduced (`draft`, DCT scaling) to the size
   the largest rendition needs; the decoded pixels of all uploads in flight share one budget
   per process (`IMAGE_DECODE_MEMORY_BYTES`), so ten uploads at once queue instead of taking
   ten times the memory; one decoded image at a time, made smaller in place.
4. The EXIF orientation is applied and everything else of the original is left behind: EXIF
   (GPS position, camera, time), XMP, comments. Only the colour profile is kept.
5. Renditions (a box, a format, a quality) are made largest first from the one decoded image.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import struct
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pillow_heif
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageFile, ImageOps, JpegImagePlugin

from theke.core.errors import ServiceError

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
HEIF = "image/heif"

# What a customer-facing photo may be uploaded as, and what browsers show as it is.
PHOTO_TYPES = frozenset({JPEG, PNG, WEBP, HEIC, HEIF})
WEB_TYPES = frozenset({JPEG, PNG, WEBP})

EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp", HEIC: ".heic", HEIF: ".heif"}
# HEIF is named HEIC in messages: what iPhone users know their photos as.
_NAMES = {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", HEIC: "HEIC", HEIF: "HEIC"}
# Pillow's plugin for each type (pillow_heif's opener reads HEIC and HEIF alike).
_PLUGINS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", HEIC: "HEIF", HEIF: "HEIF"}
# Pillow's save format -> (content type, extension) of what we store.
_STORED = {"JPEG": (JPEG, ".jpg"), "PNG": (PNG, ".png"), "WEBP": (WEBP, ".webp")}

# ISO base media "ftyp" brands: HEVC-coded images (iPhone: "heic") and the generic HEIF ones.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})

# Exceptions Pillow's parsers and decoders raise on broken or hostile input.
_BROKEN = (SyntaxError, OSError, ValueError, IndexError, TypeError, EOFError, struct.error)

_ORIENTATION = ExifTags.Base.Orientation
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})  # turned by 90°: width and height swap

# Registered once, when this module is first imported: Pillow then opens HEIC/HEIF files.
pillow_heif.register_heif_opener()
Image.init()


def _give_freed_pixels_back() -> None:
    """Make glibc serve every allocation from 128 KB on with its own mapping, returned to
    the system when freed.

    By default glibc raises that threshold to the largest block freed so far (up to 32 MB),
    after which Pillow's 16 MB pixel blocks come from per-thread heaps that keep freed
    memory: ten uploads at once then left a worker 440 MB high where the pixels alive never
    passed 175 MB (bench/uploads.py). Setting the threshold fixes it (and ends the raising).
    Nothing happens on other C libraries.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_mmap_threshold = -3
    mallopt(m_mmap_threshold, 128 * 1024)


_give_freed_pixels_back()


class ImageError(ServiceError):
    """A refused image, with `code`: empty, too_large, file_type, too_many_pixels, unreadable."""

    def __init__(
        self, message: str, field: str | None, code: str, size: tuple[int, int] | None = None
    ) -> None:
        super().__init__(message, field, code=code)
        self.size = size  # (width, height) as the header declares it, when known


@dataclass(frozen=True)
class ImageInfo:
    """An upload as its header describes it (nothing decoded)."""

    content_type: str
    width: int
    height: int
    size: int  # bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


@dataclass(frozen=True)
class Rendition:
    """One stored size: fits `box` (max width, max height), never enlarged."""

    name: str
    box: tuple[int, int]
    format: str = "JPEG"  # Pillow's save format: JPEG, WEBP or PNG
    quality: int = 82


@dataclass(frozen=True)
class RenderedImage:
    name: str
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    info: ImageInfo
    renditions: dict[str, RenderedImage] = field(default_factory=dict)

    def __getitem__(self, name: str) -> RenderedImage:
        return self.renditions[name]


# --- refusals -------------------------------------------------------------------------------


def _type_names(allowed: frozenset[str]) -> str:
    return ", ".join(sorted({_NAMES[t] for t in allowed}, key=str.lower))


def _not_allowed(allowed: frozenset[str], field: str | None) -> ImageError:
    return ImageError(
        _("Dieser Dateityp ist hier nicht erlaubt. Erlaubt: %(types)s.")
        % {"types": _type_names(allowed)},
        field,
        "file_type",
    )


def _unreadable(field: str | None) -> ImageError:
    return ImageError(_("Das Bild kann nicht gelesen werden."), field, "unreadable")


def _too_many_pixels(width: int, height: int, limit: int, field: str | None) -> ImageError:
    megapixels = f"{limit / 1_000_000:g}".replace(".", ",")
    return ImageError(
        _(
            "Das Bild hat zu viele Bildpunkte (%(width)s × %(height)s, erlaubt sind höchstens "
            "%(megapixels)s Megapixel). Bitte verkleinern Sie es."
        )
        % {"width": width, "height": height, "megapixels": megapixels},
        field,
        "too_many_pixels",
        size=(width, height),
    )


# --- detection ------------------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The image type the signature of `data` claims (not yet checked by a parser)."""
    if data[:3] == b"\xff\xd8\xff":
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _HEIC_BRANDS:
            return HEIC
        if brand in _HEIF_BRANDS:
            return HEIF
    return None


def _parse(data: bytes, content_type: str) -> ImageFile.ImageFile:
    """The format's own header parser, without `Image.open`'s bomb check (ours follows, with
    the size in the message). Raises one of _BROKEN on anything it cannot parse."""
    factory, accept = Image.OPEN[_PLUGINS[content_type]]
    accepted = accept(data[:16]) if accept is not None else True
    if not accepted or isinstance(accepted, str):  # a string is Pillow's "no, because …"
        raise SyntaxError("not this format")
    image = factory(io.BytesIO(data), "")
    assert isinstance(image, ImageFile.ImageFile)
    return image


def _open(
    data: bytes,
    allowed: frozenset[str],
    field: str | None,
    max_bytes: int | None,
    max_pixels: int | None,
) -> tuple[ImageInfo, ImageFile.ImageFile]:
    limit = settings.API_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise ImageError(
            _("Die Datei ist zu groß (%(size)s, erlaubt sind höchstens %(max)s).")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(limit)},
            field,
            "too_large",
        )
    if not data:
        raise ImageError(_("Die Datei ist leer."), field, "empty")
    content_type = sniff(data)
    if content_type not in allowed:
        raise _not_allowed(allowed, field)
    try:
        image = _parse(data, content_type)
    except _BROKEN as error:
        raise _not_allowed(allowed, field) from error
    width, height = image.size
    pixel_limit = settings.IMAGE_MAX_PIXELS if max_pixels is None else max_pixels
    if width < 1 or height < 1:
        image.close()
        raise _unreadable(field)
    if width * height > pixel_limit:
        image.close()
        raise _too_many_pixels(width, height, pixel_limit, field)
    return ImageInfo(content_type, width, height, len(data)), image


def inspect(
    data: bytes,
    allowed: frozenset[str] = PHOTO_TYPES,
    *,
    field: str | None = "file",
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> ImageInfo:
    """Type and size of an image from its header, or an ImageError; decodes nothing.

    `max_bytes` defaults to THEKE_API_MAX_UPLOAD_BYTES, `max_pixels` to THEKE_IMAGE_MAX_PIXELS.
    """
    info, image = _open(data, allowed, field, max_bytes, max_pixels)
    image.close()
    return info


# --- bounded decoding -----------------------------------------------------------------------


class DecodeBudget:
    """Bytes of decoded pixels this process holds at once, shared by all threads.

    A decode waits until its estimate fits next to the ones in flight; one larger than the
    whole budget waits until it is alone. The limit is read on every call (a setting).
    """

    def __init__(self) -> None:
        self._used = 0
        self._changed = threading.Condition()

    @property
    def used(self) -> int:
        return self._used

    @contextmanager
    def hold(self, nbytes: int) -> Iterator[_Hold]:
        held = _Hold(self, 0)
        with self._changed:
            limit = settings.IMAGE_DECODE_MEMORY_BYTES
            self._changed.wait_for(lambda: self._used == 0 or self._used + nbytes <= limit)
            self._used += nbytes
            held.nbytes = nbytes
        try:
            yield held
        finally:
            held.resize(0)

    def _adjust(self, delta: int) -> None:
        with self._changed:
            self._used += delta
            self._changed.notify_all()


@dataclass
class _Hold:
    budget: DecodeBudget
    nbytes: int

    def resize(self, nbytes: int) -> None:
        """Give back what is no longer held (the image was made smaller)."""
        if nbytes < self.nbytes:
            self.budget._adjust(nbytes - self.nbytes)
            self.nbytes = nbytes


BUDGET = DecodeBudget()


def _bytes_per_pixel(mode: str) -> int:
    # Pillow keeps every multi-band pixel in 4 bytes (RGB too), single bands in 1, 16-bit in
    # 2; a palette image is made RGBA before it is made smaller (1 + 4).
    if mode in ("1", "L"):
        return 1
    if mode == "P":
        return 5
    if mode.startswith("I;16"):
        return 2
    return 4


def _decode_estimate(image: ImageFile.ImageFile, box: tuple[int, int], extra: int) -> int:
    """Peak bytes of decoding `image` (after draft) and making it fit `box`: the decoded
    pixels, a quarter of them for the halved copy, and the fitted size at 4 bytes a pixel
    twice (the resize's intermediate and its result)."""
    width, height = image.size
    decoded = width * height * _bytes_per_pixel(image.mode)
    # WebP and HEIF are decoded by their libraries into buffers of their own first, which
    # Pillow then copies (measured: WebP about four times, HEIF about twice the pixels).
    decoded *= {"WEBP": 4, "HEIF": 2}.get(image.format or "", 1)
    target = _fit(image.size, box)
    return decoded + width * height + extra + target[0] * target[1] * 8


def _coefficient_bytes(image: ImageFile.ImageFile) -> int:
    """What libjpeg keeps of a progressive JPEG: every DCT coefficient (2 bytes) of the
    whole image, at full size whatever the draft scale; nothing for a baseline one."""
    if not image.info.get("progressive"):
        return 0
    layers = max(1, int(getattr(image, "layers", 3)))
    chroma = {0: 1.0, 1: 0.5, 2: 0.25}.get(JpegImagePlugin.get_sampling(image), 1.0)
    return int(image.size[0] * image.size[1] * 2 * (1 + (layers - 1) * chroma))


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled down (never up) to fit `box`, aspect ratio kept."""
    scale = min(1.0, box[0] / size[0], box[1] / size[1])
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _oriented_box(box: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The box in the stored (not yet turned) orientation of the image."""
    return (box[1], box[0]) if orientation in _SWAPPING_ORIENTATIONS else box


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except _BROKEN:  # a broken EXIF block is dropped like any other
        return 1
    return value if isinstance(value, int) else 1


def _reduced(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """`image` made to fit `box`: first by an integer factor (a box filter, cheap), and the
    full-size pixels released before the fine resize, so at most two sizes live at once."""
    if image.mode in ("P", "1"):  # resizing palette indices would mix colours at random
        converted = image.convert("RGBA" if "transparency" in image.info else "RGB")
        image.close()
        image = converted
    target = _fit(image.size, box)
    factor = min(image.width // target[0], image.height // target[1])
    if factor >= 2:
        smaller = image.reduce(factor)
        image.close()
        image = smaller
    image.thumbnail(box, Image.Resampling.LANCZOS, reducing_gap=None)
    return image


def _flattened(image: Image.Image, keep_alpha: bool) -> Image.Image:
    """RGB (or RGBA when kept), transparent parts on white; 16-bit scaled to 8."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or ("transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        if keep_alpha:
            return rgba
        background = Image.new("RGB", rgba.size, "#ffffff")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    return image


def _encode(image: Image.Image, rendition: Rendition, icc_profile: bytes | None) -> bytes:
    params: dict[str, object] = {}
    if icc_profile:
        params["icc_profile"] = icc_profile
    if rendition.format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = _flattened(image, keep_alpha=False)
        params.update(quality=rendition.quality, optimize=True, progressive=True)
    elif rendition.format == "WEBP":
        params.update(quality=rendition.quality, method=4)
    else:
        params.update(optimize=True)
    out = io.BytesIO()
    image.save(out, rendition.format, **params)
    return out.getvalue()


def process(
    data: bytes,
    renditions: Sequence[Rendition],
    allowed: frozenset[str] = PHOTO_TYPES,
    *,
    field: str | None = "file",
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    keep_alpha: bool = False,
) -> ProcessedImage:
    """Check `data` and make its renditions: upright, without metadata, within bounded memory.

    Refusals are ImageErrors naming `field`. Transparent parts become white unless
    `keep_alpha` (and the rendition's format keeps them: PNG, WebP).
    """
    info, image = _open(data, allowed, field, max_bytes, max_pixels)
    ordered = sorted(renditions, key=lambda r: r.box[0] * r.box[1], reverse=True)
    largest = ordered[0].box
    with image:
        try:
            extra = 0
            if image.format == "JPEG":
                extra = _coefficient_bytes(image)
                # The EXIF block sits before the pixels: the orientation is known before the
                # draft, which must be asked in the stored orientation.
                image.draft(None, _fit(image.size, _oriented_box(largest, _orientation(image))))
            with BUDGET.hold(_decode_estimate(image, largest, extra)) as held:
                image.load()
                orientation = _orientation(image)
                icc_profile = image.info.get("icc_profile")
                picture = _reduced(image, _oriented_box(largest, orientation))
                held.resize(picture.width * picture.height * 4 * 3)  # the copies made below
                picture = _upright_without_metadata(picture, orientation, keep_alpha)
                if icc_profile:
                    picture.info["icc_profile"] = icc_profile
                rendered: dict[str, RenderedImage] = {}
                for rendition in ordered:
                    picture.thumbnail(rendition.box, Image.Resampling.LANCZOS, 2.0)
                    content_type, extension = _STORED[rendition.format]
                    rendered[rendition.name] = RenderedImage(
                        rendition.name,
                        _encode(picture, rendition, icc_profile),
                        content_type,
                        extension,
                        picture.width,
                        picture.height,
                    )
        except (*_BROKEN, Image.DecompressionBombError) as error:
            raise _unreadable(field) from error
    return ProcessedImage(info, rendered)


def _upright_without_metadata(
    image: Image.Image, orientation: int, keep_alpha: bool
) -> Image.Image:
    """A new image, turned as the EXIF orientation says and flattened, with none of the
    original's metadata (EXIF, XMP, comments, text chunks)."""
    if orientation != 1:
        transposed = ImageOps.exif_transpose(image)
        assert transposed is not None
        image = transposed
    picture = _flattened(image, keep_alpha)
    if picture is image:
        picture = image.copy()
    picture.info = {}
    return picture


def content_type_of(name: str) -> str:
    """The content type of a stored image by its name (the pipeline named it by content)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    for content_type, extension in EXTENSIONS.items():
        if suffix == extension:
            return content_type
    return "application/octet-stream"
