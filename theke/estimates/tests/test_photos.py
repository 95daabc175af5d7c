"""Defect photos through the image pipeline: the API, the staff upload, what is stored and
what the customer's page shows; photos stored before the pipeline."""

from __future__ import annotations

import importlib
import io
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from theke.audit.services import SYSTEM
from theke.core.tests.imagefiles import (
    assert_no_metadata,
    encoded,
    heic,
    jpeg_with_location,
    marked_photo,
    png_declaring,
)
from theke.estimates import services
from theke.estimates.models import EstimatePhoto
from theke.tenants.scoping import scopes_disabled, tenant_scope

from .conftest import ESTIMATE, estimate_body, image_bytes, post_json, put_json
from .test_api import assert_problem, paths, upload

BOMB = png_declaring(30000, 30000)


def stored_photo() -> EstimatePhoto:
    with scopes_disabled():
        return EstimatePhoto.objects.get()


def opened(stored: Any) -> Image.Image:
    with stored.open("rb") as file:
        data = file.read()
    return assert_no_metadata(data)


def stored_format(stored: Any) -> str | None:
    with stored.open("rb") as file, Image.open(file) as image:
        return image.format


# --- the API --------------------------------------------------------------------------------


def test_api_answers_a_bomb_with_a_problem_not_a_500(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    body = assert_problem(upload(api_client, BOMB, name="riss.png"), 422)
    assert paths(body) == ["file"]
    assert body["errors"][0]["code"] == "too_many_pixels"
    assert "30000 × 30000" in body["detail"]
    with scopes_disabled():
        assert not EstimatePhoto.objects.exists()


def test_api_refuses_a_huge_png_above_the_pixel_limit(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    huge = png_declaring(11000, 11000, rows=11000)  # ~350 KB, 121 megapixels
    body = assert_problem(upload(api_client, huge), 422)
    assert body["errors"][0]["code"] == "too_many_pixels"
    assert "11000 × 11000" in body["errors"][0]["message"]


def test_api_refuses_an_unreadable_image(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    broken = encoded(Image.effect_noise((400, 300), 60), "PNG")
    body = assert_problem(upload(api_client, broken[: len(broken) // 2]), 422)
    assert body["errors"][0]["code"] == "unreadable"


def test_api_accepts_heic_and_stores_it_as_jpeg(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    sent = heic(marked_photo((800, 600)))
    response = upload(api_client, sent, name="IMG_0001.HEIC", caption="Kratzer")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/heic"
    assert response.json()["size"] == len(sent)
    assert (response.json()["width"], response.json()["height"]) == (800, 600)
    photo = stored_photo()
    assert str(photo.file.name).endswith(".jpg")
    assert stored_format(photo.file) == "JPEG"
    assert stored_format(photo.thumbnail) == "WEBP"


# --- staff ----------------------------------------------------------------------------------


@pytest.fixture
def staff_estimate(tenant_a: Any, customer: Any) -> Any:
    with tenant_scope(tenant_a):
        estimate, _created = services.save_estimate(
            tenant_a, SYSTEM, "KV-1", {"customer": customer}, []
        )
    return estimate


def test_staff_upload_of_a_bomb_shows_the_refusal_next_to_the_field(
    owner_client: Any, staff_estimate: Any
) -> None:
    url = reverse("estimates:photo_add", args=[staff_estimate.pk])
    bomb = SimpleUploadedFile("riss.png", BOMB, content_type="image/png")
    response = owner_client.post(url, {"file": bomb, "caption": "Riss"})
    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('id="photo-form"') :]
    assert "zu viele Bildpunkte (30000 × 30000" in field
    assert "is-invalid" in field[: field.index("zu viele Bildpunkte")]
    with scopes_disabled():
        assert not staff_estimate.photos.exists()


def test_staff_refusal_speaks_english_to_english_staff(
    owner_client: Any, staff_estimate: Any
) -> None:
    owner_client.cookies["django_language"] = "en"
    url = reverse("estimates:photo_add", args=[staff_estimate.pk])
    bomb = SimpleUploadedFile("riss.png", BOMB, content_type="image/png")
    page = owner_client.post(url, {"file": bomb}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "too many pixels (30000 × 30000" in page


def test_staff_upload_of_an_iphone_photo(
    owner_client: Any, tenant_a: Any, staff_estimate: Any
) -> None:
    url = reverse("estimates:photo_add", args=[staff_estimate.pk])
    photo = SimpleUploadedFile("IMG_0001.HEIC", heic(marked_photo()), content_type="")
    assert owner_client.post(url, {"file": photo}).status_code == 302
    with tenant_scope(tenant_a):
        stored = staff_estimate.photos.get()
    assert stored.content_type == "image/heic"
    served = owner_client.get(reverse("estimates:photo", args=[staff_estimate.pk, stored.pk]))
    assert served["Content-Type"] == "image/jpeg"
    original = owner_client.get(
        reverse("estimates:photo", args=[staff_estimate.pk, stored.pk]) + "?original=1"
    )
    assert original["Content-Type"] == "image/jpeg"


# --- what is stored -------------------------------------------------------------------------


def test_every_stored_size_is_upright_and_without_location(
    tenant_a: Any, staff_estimate: Any
) -> None:
    data = jpeg_with_location(marked_photo((3200, 1600)), orientation=6)
    with tenant_scope(tenant_a):
        photo, _added = services.add_photo(staff_estimate, SYSTEM, data=data)
    assert (photo.width, photo.height) == (800, 1600)
    assert (photo.thumbnail_width, photo.thumbnail_height) == (480, 960)
    assert photo.content_type == "image/jpeg" and photo.size == len(data)
    for stored, size in (
        (photo.file, (1280, 2560)),
        (photo.preview, (800, 1600)),
        (photo.thumbnail, (480, 960)),
    ):
        shown = opened(stored)
        assert shown.size == size
        red, green, _blue = shown.getpixel((shown.width - 10, 10))  # type: ignore[misc]
        assert red > 180 and green < 80  # the stored top-left, turned to the right


def test_replaced_photo_leaves_no_files_behind(
    tenant_a: Any, staff_estimate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with tenant_scope(tenant_a):
        first, _added = services.add_photo(
            staff_estimate, SYSTEM, data=image_bytes(), external_id="P"
        )
        names = [str(first.file.name), str(first.preview.name), str(first.thumbnail.name)]
        with django_capture_on_commit_callbacks(execute=True):
            services.add_photo(staff_estimate, SYSTEM, data=image_bytes("WEBP"), external_id="P")
    storage = first.file.storage
    assert names[2] and not any(storage.exists(name) for name in names)


def test_a_revoked_estimate_refuses_a_photo_before_decoding_it(
    tenant_a: Any, staff_estimate: Any, monkeypatch: Any
) -> None:
    from theke.estimates.services import photos

    with tenant_scope(tenant_a):
        services.revoke_estimate(staff_estimate, SYSTEM)
        staff_estimate.refresh_from_db()
        monkeypatch.setattr(photos, "process", lambda *args, **kwargs: pytest.fail("decoded"))
        with pytest.raises(services.EstimateError) as refused:
            services.add_photo(staff_estimate, SYSTEM, data=image_bytes())
    assert refused.value.code == "revoked"


# --- the customer's page --------------------------------------------------------------------


def new_link(api_client: Any) -> str:
    response = post_json(api_client, ESTIMATE + "/link", {})
    assert response.status_code == 201, response.content
    return str(response.json()["url"]).removeprefix("https://theke.example")


def test_page_lists_thumbnails_lazily_with_srcset_and_links_the_photo(
    api_client: Any, client: Any, customer: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    upload(api_client, encoded(marked_photo((2400, 1800)), "JPEG"), caption="Riss")
    path = new_link(api_client)
    page = client.get(path).content.decode()
    key = stored_photo().key
    base = f"{path}fotos/{key}"
    assert f'<a href="{base}/original" target="_blank"' in page
    assert f'src="{base}/klein" srcset="{base}/klein 480w, {base} 1600w"' in page
    assert 'sizes="(min-width: 576px) 230px, (min-width: 384px) 160px, calc(50vw - 2rem)"' in page
    assert 'width="480" height="360"' in page and 'loading="lazy"' in page
    thumbnail = client.get(f"{base}/klein")
    assert thumbnail["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))) as shown:
        assert shown.size == (480, 360)


def test_photo_from_before_the_thumbnails_still_shows(
    api_client: Any, client: Any, customer: Any, tenant_a: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    upload(api_client, image_bytes(size=(800, 600)))
    with scopes_disabled():
        EstimatePhoto.objects.update(thumbnail="", thumbnail_width=0, thumbnail_height=0)
    path = new_link(api_client)
    page = client.get(path).content.decode()
    key = stored_photo().key
    assert f'src="{path}fotos/{key}" width="800" height="600"' in page
    assert "srcset" not in page
    # A thumbnail asked for anyway is the preview.
    assert client.get(f"{path}fotos/{key}/klein")["Content-Type"] == "image/jpeg"


# --- photos stored before the pipeline ------------------------------------------------------

migration = importlib.import_module("theke.estimates.migrations.0010_photo_renditions_of_old_rows")


def old_row(estimate: Any, original: bytes, preview: bytes | None, **values: Any) -> Any:
    """A photo as the code before the pipeline stored it: the upload as it came."""
    photo = EstimatePhoto(tenant=estimate.tenant, estimate=estimate, external_id="P-old")
    photo.file.save("photo.jpg", ContentFile(original), save=False)
    if preview is not None:
        photo.preview.save("preview.jpg", ContentFile(preview), save=False)
    photo.content_type, photo.size = "image/jpeg", len(original)
    for name, value in values.items():
        setattr(photo, name, value)
    photo.save()
    return photo


def test_migration_replaces_an_old_original_with_a_clean_photo_and_thumbnail(
    tenant_a: Any, staff_estimate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    original = jpeg_with_location(marked_photo((1000, 800)), orientation=6)
    with tenant_scope(tenant_a):
        old = old_row(staff_estimate, original, image_bytes("JPEG", (1000, 800)))
        copy = EstimatePhoto.objects.create(
            tenant=tenant_a,
            estimate=staff_estimate,
            external_id="P-copy",
            file=old.file.name,
            preview=old.preview.name,
            content_type="image/jpeg",
            size=1,
        )
    old_names = [str(old.file.name), str(old.preview.name)]
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        migration.make_renditions(apps, None)
    with scopes_disabled():
        rows = list(EstimatePhoto.objects.filter(pk__in=[old.pk, copy.pk]))
    assert {row.file.name for row in rows} == {rows[0].file.name}  # still shared
    photo = rows[0]
    assert (photo.width, photo.height, photo.thumbnail_width) == (800, 1000, 480)
    assert opened(photo.file).size == (800, 1000)
    assert opened(photo.thumbnail).size == (480, 600)
    assert not any(photo.file.storage.exists(name) for name in old_names)


def test_migration_keeps_an_original_it_cannot_read_and_thumbs_the_preview(
    tenant_a: Any, staff_estimate: Any
) -> None:
    with tenant_scope(tenant_a):
        old = old_row(
            staff_estimate, b"\xff\xd8\xff broken", image_bytes("JPEG", (1600, 1200)), width=1600
        )
    with scopes_disabled():
        migration.make_renditions(apps, None)
    with scopes_disabled():
        photo = EstimatePhoto.objects.get(pk=old.pk)
    assert photo.file.name == old.file.name and photo.width == 1600
    assert (photo.thumbnail_width, photo.thumbnail_height) == (480, 360)
