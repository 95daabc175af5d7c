"""The tenant's logo through the image pipeline (theke.core.images)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.core.tests.imagefiles import assert_no_metadata, jpeg_with_location, png_declaring
from theke.tenants import services
from theke.tenants.models import Tenant


def stored_logo(tenant: Any) -> Image.Image:
    tenant.refresh_from_db()
    with tenant.logo.open("rb") as file:
        return assert_no_metadata(file.read())


def test_bomb_logo_is_refused_with_its_size_before_decoding(tenant_a: Any, owner: Any) -> None:
    bomb = SimpleUploadedFile("logo.png", png_declaring(30000, 30000), content_type="image/png")
    with pytest.raises(ServiceError, match="zu viele Bildpunkte \\(30000 × 30000\\)"):
        services.update_tenant(tenant_a, Actor.staff(owner), logo=bomb)
    assert not Tenant.objects.get(pk=tenant_a.pk).logo


def test_large_logo_is_stored_smaller_upright_and_without_metadata(
    tenant_a: Any, owner: Any
) -> None:
    data = jpeg_with_location(Image.new("RGB", (2000, 4000), "#1f4e79"), orientation=6)
    upload = SimpleUploadedFile("logo.jpg", data, content_type="image/jpeg")
    services.update_tenant(tenant_a, Actor.staff(owner), logo=upload)
    logo = stored_logo(tenant_a)
    assert tenant_a.logo.name.endswith(".jpg")
    assert logo.size == (1200, 600)  # turned to 4000 × 2000, then fitted into 1200 × 600


def test_transparent_png_logo_stays_transparent(tenant_a: Any, owner: Any) -> None:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    image.paste((31, 78, 121, 255), (0, 0, 100, 100))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    upload = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    services.update_tenant(tenant_a, Actor.staff(owner), logo=upload)
    logo = stored_logo(tenant_a)
    assert tenant_a.logo.name.endswith(".png") and logo.mode == "RGBA"
    assert logo.getpixel((250, 50))[3] == 0  # type: ignore[index]


def test_heic_is_no_logo(tenant_a: Any, owner: Any) -> None:
    from theke.core.tests.imagefiles import heic

    upload = SimpleUploadedFile("logo.heic", heic(Image.new("RGB", (40, 20))), content_type="")
    with pytest.raises(ServiceError, match="kein gültiges Bild"):
        services.update_tenant(tenant_a, Actor.staff(owner), logo=upload)
