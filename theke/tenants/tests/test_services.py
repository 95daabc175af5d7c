"""Services of tenant master data, logo, branches and opening hours."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from theke.audit.models import AuditEvent
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.tenants import services
from theke.tenants.models import Branch, OpeningHours, Tenant
from theke.tenants.scoping import tenant_scope
from theke.tenants.tests.conftest import image_bytes

pytestmark = pytest.mark.django_db

T = datetime.time


def test_update_tenant_changes_master_data_with_an_event(tenant_a, owner):
    services.update_tenant(
        tenant_a, Actor.staff(owner), name="Autohaus Alpha GmbH", brand_color="#AA0000"
    )
    tenant_a.refresh_from_db()
    assert tenant_a.name == "Autohaus Alpha GmbH"
    assert tenant_a.brand_color == "#aa0000"
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="tenant.updated")
    assert event.data["changes"]["name"] == ["Autohaus Alpha", "Autohaus Alpha GmbH"]


def test_update_tenant_refuses_a_bad_colour_and_unknown_fields(tenant_a, owner):
    with pytest.raises(ServiceError, match="#RRGGBB"):
        services.update_tenant(tenant_a, Actor.staff(owner), brand_color="red")
    with pytest.raises(TypeError):
        services.update_tenant(tenant_a, Actor.staff(owner), slug="hijack")


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_logo_is_stored_under_a_name_from_its_content(tenant_a, owner, image_format):
    upload = SimpleUploadedFile("evil.html", image_bytes(image_format), content_type="text/html")
    services.update_tenant(tenant_a, Actor.staff(owner), logo=upload)
    tenant_a.refresh_from_db()
    extension = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[image_format]
    assert tenant_a.logo.name.startswith("tenant-logos/alpha-")
    assert tenant_a.logo.name.endswith(f".{extension}")


def test_replacing_the_logo_removes_the_old_file_after_commit(
    tenant_a, owner, png_upload, django_capture_on_commit_callbacks
):
    services.update_tenant(tenant_a, Actor.staff(owner), logo=png_upload)
    tenant_a.refresh_from_db()
    old = tenant_a.logo.name
    storage = tenant_a.logo.storage
    assert storage.exists(old)
    second = SimpleUploadedFile("b.png", image_bytes("PNG"), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_tenant(tenant_a, Actor.staff(owner), logo=second)
    tenant_a.refresh_from_db()
    assert tenant_a.logo.name != old
    assert not storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_tenant(tenant_a, Actor.staff(owner), remove_logo=True)
    tenant_a.refresh_from_db()
    assert not tenant_a.logo


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not an image", "kein gültiges Bild"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "kein gültiges Bild"),
        (image_bytes("GIF"), "kein gültiges Bild"),
        (image_bytes("PNG")[:60], "kein gültiges Bild"),
    ],
    ids=["pdf", "svg", "gif", "truncated-png"],
)
def test_logo_that_is_no_png_jpeg_or_webp_is_refused(tenant_a, owner, content, message):
    upload = SimpleUploadedFile("logo.png", content, content_type="image/png")
    with pytest.raises(ServiceError, match=message):
        services.update_tenant(tenant_a, Actor.staff(owner), logo=upload)
    assert not Tenant.objects.get(pk=tenant_a.pk).logo


def test_logo_over_two_megabytes_is_refused(tenant_a, owner):
    upload = SimpleUploadedFile("big.png", b"\0" * (2 * 1024 * 1024 + 1), content_type="image/png")
    with pytest.raises(ServiceError, match="höchstens 2 MB"):
        services.update_tenant(tenant_a, Actor.staff(owner), logo=upload)


def test_create_branch_with_opening_hours(tenant_a, owner):
    branch = services.create_branch(
        tenant_a,
        Actor.staff(owner),
        "Alpha Mitte",
        opening_hours=[(0, T(13), T(17)), (0, T(8), T(12)), (5, T(9), T(12))],
        city="Berlin",
    )
    with tenant_scope(tenant_a):
        rows = [str(h) for h in OpeningHours.objects.filter(branch=branch)]
        event = AuditEvent.objects.get(action="branch.created")
    assert rows == ["Montag 08:00–12:00", "Montag 13:00–17:00", "Samstag 09:00–12:00"]
    assert event.data["opening_hours"] == rows


def test_opening_hours_must_end_after_they_start(tenant_a, owner):
    with pytest.raises(ServiceError, match="Ende muss nach dem Beginn"):
        services.create_branch(
            tenant_a, Actor.staff(owner), "Alpha Mitte", opening_hours=[(1, T(12), T(8))]
        )
    with pytest.raises(ServiceError):
        services.create_branch(
            tenant_a, Actor.staff(owner), "Alpha Mitte", opening_hours=[(1, T(8), T(8))]
        )
    with tenant_scope(tenant_a):
        assert not Branch.objects.exists()


def test_overlapping_opening_hours_on_one_day_are_refused(tenant_a, owner):
    with pytest.raises(ServiceError, match="überschneiden sich") as refusal:
        services.create_branch(
            tenant_a,
            Actor.staff(owner),
            "Alpha Mitte",
            opening_hours=[(2, T(8), T(12)), (2, T(11), T(14))],
        )
    assert refusal.value.code == "overlap"


def test_touching_intervals_and_the_same_times_on_other_days_are_fine(tenant_a, owner):
    services.create_branch(
        tenant_a,
        Actor.staff(owner),
        "Alpha Mitte",
        opening_hours=[(2, T(8), T(12)), (2, T(12), T(14)), (3, T(8), T(12))],
    )


def test_update_branch_replaces_opening_hours_and_records_changes(tenant_a, owner):
    branch = services.create_branch(
        tenant_a, Actor.staff(owner), "Alpha Mitte", opening_hours=[(0, T(8), T(17))]
    )
    services.update_branch(
        branch,
        Actor.staff(owner),
        name="Alpha Zentrum",
        city="Potsdam",
        opening_hours=[(1, T(9), T(18))],
    )
    with tenant_scope(tenant_a):
        branch.refresh_from_db()
        assert [str(h) for h in branch.opening_hours.all()] == ["Dienstag 09:00–18:00"]
        event = AuditEvent.objects.get(action="branch.updated")
    assert branch.name == "Alpha Zentrum"
    assert event.data["changes"]["name"] == ["Alpha Mitte", "Alpha Zentrum"]
    assert event.data["changes"]["opening_hours"] == [
        ["Montag 08:00–17:00"],
        ["Dienstag 09:00–18:00"],
    ]


def test_branch_names_are_unique_per_tenant(tenant_a, tenant_b, owner, outsider):
    services.create_branch(tenant_a, Actor.staff(owner), "Mitte")
    with pytest.raises(ServiceError, match="bereits einen Betrieb"):
        services.create_branch(tenant_a, Actor.staff(owner), "mitte")
    services.create_branch(tenant_b, Actor.staff(outsider), "Mitte")
