"""Image files for the logo tests, made with Pillow in memory."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from theke.core.tests.browser import open_page  # noqa: F401  # fixture of the browser tests


def image_bytes(image_format: str, size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#1f4e79").save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.fixture
def png_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("logo.png", image_bytes("PNG"), content_type="image/png")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
