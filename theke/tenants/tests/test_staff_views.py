"""Tenant settings pages: master data with logo, branches with opening hours, isolation."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.audit.services import SYSTEM
from theke.tenants.models import Branch, OpeningHours, Tenant
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

pytestmark = pytest.mark.django_db

T = datetime.time


def tenant_data(tenant: Tenant, **changes):
    data = {
        "name": tenant.name,
        "legal_name": tenant.legal_name,
        "street": tenant.street,
        "postal_code": tenant.postal_code,
        "city": tenant.city,
        "country": tenant.country,
        "phone": tenant.phone,
        "email": tenant.email,
        "website": tenant.website,
        "brand_color": tenant.brand_color,
        "default_language": tenant.default_language,
    }
    data.update(changes)
    return data


def hours_data(rows, initial=0, extra_empty=1):
    data = {
        "hours-TOTAL_FORMS": str(len(rows) + extra_empty),
        "hours-INITIAL_FORMS": str(initial),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for index, (weekday, opens, closes, *delete) in enumerate(rows):
        data[f"hours-{index}-weekday"] = str(weekday)
        data[f"hours-{index}-opens"] = opens
        data[f"hours-{index}-closes"] = closes
        if delete:
            data[f"hours-{index}-DELETE"] = "on"
    for index in range(len(rows), len(rows) + extra_empty):
        data[f"hours-{index}-weekday"] = ""
        data[f"hours-{index}-opens"] = ""
        data[f"hours-{index}-closes"] = ""
    return data


def branch_data(name="Alpha Mitte", rows=(), **extra):
    return {"name": name, "city": "Berlin", "is_active": "on", **hours_data(rows), **extra}


# --- Isolation and permissions -------------------------------------------------------------


def test_outsider_gets_404_on_branch_urls_of_tenant_a(outsider_client, tenant_a):
    branch = create_branch(tenant_a, SYSTEM, "Alpha Mitte")
    url = reverse("tenants:branch_edit", args=[branch.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, branch_data("Gekapert")).status_code == 404
    with tenant_scope(tenant_a):
        assert Branch.objects.get(pk=branch.pk).name == "Alpha Mitte"


def test_outsider_edits_their_own_tenant_not_tenant_a(outsider_client, tenant_a, tenant_b):
    response = outsider_client.post(
        reverse("tenants:tenant_edit"), tenant_data(tenant_b, name="Beta neu")
    )
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    tenant_b.refresh_from_db()
    assert (tenant_a.name, tenant_b.name) == ("Autohaus Alpha", "Beta neu")


@pytest.mark.parametrize(
    "name",
    ["tenants:settings", "tenants:tenant_edit", "tenants:branch_list", "tenants:branch_create"],
)
def test_role_without_settings_right_gets_403(colleague, name):
    client = Client()
    client.force_login(colleague)
    assert client.get(reverse(name)).status_code == 403


def test_branch_edit_is_403_for_a_role_without_settings_right(colleague, tenant_a):
    branch = create_branch(tenant_a, SYSTEM, "Alpha Mitte")
    client = Client()
    client.force_login(colleague)
    url = reverse("tenants:branch_edit", args=[branch.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, branch_data("Gekapert")).status_code == 403


def test_settings_page_links_to_all_four_sections_for_the_admin(owner_client):
    body = owner_client.get(reverse("tenants:settings")).content.decode()
    for name in [
        "tenants:tenant_edit",
        "tenants:branch_list",
        "accounts:user_list",
        "accounts:role_list",
    ]:
        assert reverse(name) in body


# --- Master data and logo ------------------------------------------------------------------


def test_admin_edits_master_data_and_uploads_a_logo(owner_client, tenant_a, png_upload):
    page = owner_client.get(reverse("tenants:tenant_edit"))
    assert 'type="color"' in page.content.decode()
    response = owner_client.post(
        reverse("tenants:tenant_edit"),
        {**tenant_data(tenant_a, phone="030 1234567", brand_color="#336699"), "logo": png_upload},
    )
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.phone == "030 1234567"
    assert tenant_a.brand_color == "#336699"
    assert tenant_a.logo.name.endswith(".png")
    logo = Client().get(reverse("tenant_pages:logo", args=[tenant_a.slug]))
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"


def test_logo_upload_of_a_non_image_is_refused_with_a_clear_message(owner_client, tenant_a):
    fake = SimpleUploadedFile("logo.png", b"MZ\x90\x00 this is an executable", "image/png")
    response = owner_client.post(
        reverse("tenants:tenant_edit"), {**tenant_data(tenant_a, name="Neu"), "logo": fake}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Die Datei ist kein gültiges Bild" in body
    assert "PNG, JPEG oder WebP" in body
    tenant_a.refresh_from_db()
    assert tenant_a.name == "Autohaus Alpha"
    assert not tenant_a.logo


def test_invalid_master_data_does_not_show_up_in_the_navigation(owner_client, tenant_a):
    response = owner_client.post(
        reverse("tenants:tenant_edit"),
        tenant_data(tenant_a, name="Unsaved Name", brand_color="blue", country="1"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "#RRGGBB" in body
    assert "zweistelligen Ländercode" in body
    assert response.context["tenant"].name == "Autohaus Alpha"


# --- Branches and opening hours ------------------------------------------------------------


def test_new_branch_form_suggests_weekday_hours(owner_client):
    page = owner_client.get(reverse("tenants:branch_create"))
    assert page.status_code == 200
    assert page.context["hours"].initial[0] == {"weekday": 0, "opens": T(8), "closes": T(17)}


def test_admin_creates_a_branch_with_a_lunch_break(owner_client, tenant_a):
    response = owner_client.post(
        reverse("tenants:branch_create"),
        branch_data(rows=[(0, "08:00", "12:00"), (0, "13:00", "17:30")]),
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        branch = Branch.objects.get(name="Alpha Mitte")
        assert [str(h) for h in branch.opening_hours.all()] == [
            "Montag 08:00–12:00",
            "Montag 13:00–17:30",
        ]
    listing = owner_client.get(reverse("tenants:branch_list")).content.decode()
    assert "Montag 13:00–17:30" in listing


def test_closing_before_opening_is_refused(owner_client, tenant_a):
    response = owner_client.post(
        reverse("tenants:branch_create"), branch_data(rows=[(0, "17:00", "08:00")])
    )
    assert response.status_code == 200
    assert "Das Ende muss nach dem Beginn liegen." in response.content.decode()
    with tenant_scope(tenant_a):
        assert not Branch.objects.exists()


def test_overlapping_intervals_on_one_day_are_refused(owner_client, tenant_a):
    response = owner_client.post(
        reverse("tenants:branch_create"),
        branch_data(rows=[(3, "08:00", "12:00"), (3, "11:30", "15:00")]),
    )
    assert response.status_code == 200
    assert "überschneiden sich" in response.content.decode()
    with tenant_scope(tenant_a):
        assert not Branch.objects.exists()


def test_half_filled_row_is_refused(owner_client, tenant_a):
    response = owner_client.post(
        reverse("tenants:branch_create"), branch_data(rows=[(3, "08:00", "")])
    )
    assert response.status_code == 200
    assert "Bitte geben Sie Wochentag, Beginn und Ende an." in response.content.decode()


def test_editing_a_branch_can_remove_a_row(owner_client, tenant_a):
    branch = create_branch(
        tenant_a, SYSTEM, "Alpha Mitte", opening_hours=[(0, T(8), T(12)), (0, T(13), T(17))]
    )
    url = reverse("tenants:branch_edit", args=[branch.pk])
    page = owner_client.get(url)
    assert 'value="08:00"' in page.content.decode()
    data = {
        "name": "Alpha Mitte",
        "is_active": "on",
        **hours_data([(0, "08:00", "12:00"), (0, "13:00", "17:00", "delete")], initial=2),
    }
    response = owner_client.post(url, data)
    assert response.status_code == 302
    with scopes_disabled():
        assert [str(h) for h in OpeningHours.objects.filter(branch=branch)] == [
            "Montag 08:00–12:00"
        ]


def test_duplicate_branch_name_is_shown_on_the_form(owner_client, tenant_a):
    create_branch(tenant_a, SYSTEM, "Alpha Mitte")
    response = owner_client.post(reverse("tenants:branch_create"), branch_data("alpha mitte"))
    assert response.status_code == 200
    assert "bereits einen Betrieb" in response.content.decode()
