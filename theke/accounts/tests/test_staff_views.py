"""The tenant admin's user and role pages: lists, forms, refusals, and tenant isolation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.accounts.models import Membership, Role
from theke.accounts.permissions import PERMISSIONS
from theke.accounts.services import create_role
from theke.audit.services import SYSTEM
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def membership_of(user, tenant):
    return Membership.objects.get(user=user, tenant=tenant)


def role(tenant, name):
    with tenant_scope(tenant):
        return Role.objects.get(name=name)


# --- Isolation and permissions -------------------------------------------------------------


# The tenant settings hub (tenants:settings) shows a user manager the user and role pages only.
def test_user_manager_without_settings_right_sees_only_users_and_roles(tenant_a):
    create_role(tenant_a, SYSTEM, name="Personal", permissions=["accounts.manage_users"])
    user = make_staff(tenant_a, "hr@alpha.test", "Hanna HR", "Personal")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("tenants:settings"))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("accounts:user_list") in body
    assert reverse("tenants:tenant_edit") not in body
    assert client.get(reverse("tenants:tenant_edit")).status_code == 403


@pytest.fixture
def tenant_a_urls(tenant_a, owner, colleague):
    member = membership_of(colleague, tenant_a).pk
    techniker = role(tenant_a, "Techniker").pk
    return [
        ("get", reverse("accounts:user_edit", args=[member])),
        ("post", reverse("accounts:user_edit", args=[member])),
        ("post", reverse("accounts:user_resend_invitation", args=[member])),
        ("get", reverse("accounts:role_edit", args=[techniker])),
        ("post", reverse("accounts:role_edit", args=[techniker])),
        ("get", reverse("accounts:role_delete", args=[techniker])),
        ("post", reverse("accounts:role_delete", args=[techniker])),
    ]


def test_outsider_gets_404_on_every_user_and_role_url_of_tenant_a(
    outsider_client, tenant_a_urls, tenant_a
):
    for method, url in tenant_a_urls:
        response = getattr(outsider_client, method)(url, {"name": "x", "role": 1})
        assert response.status_code == 404, (method, url)
    techniker = role(tenant_a, "Techniker")
    assert techniker.name == "Techniker"


ADMIN_PAGES = [
    "accounts:user_list",
    "accounts:user_invite",
    "accounts:role_list",
    "accounts:role_create",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_role_without_user_management_gets_403(colleague, name):
    client = Client()
    client.force_login(colleague)
    assert client.get(reverse(name)).status_code == 403


def test_role_without_user_management_gets_403_on_object_pages(tenant_a, colleague, owner):
    client = Client()
    client.force_login(colleague)
    member = membership_of(owner, tenant_a).pk
    techniker = role(tenant_a, "Techniker").pk
    for url in [
        reverse("accounts:user_edit", args=[member]),
        reverse("accounts:role_edit", args=[techniker]),
        reverse("accounts:role_delete", args=[techniker]),
    ]:
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Users ---------------------------------------------------------------------------------


def test_user_list_shows_only_members_of_the_active_tenant(owner_client, colleague, outsider):
    response = owner_client.get(reverse("accounts:user_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "colleague@alpha.test" in body
    assert "Serviceberater" in body
    assert "outsider@beta.test" not in body


def test_invite_form_offers_only_roles_and_branches_of_the_tenant(owner_client, tenant_a, tenant_b):
    from theke.audit.services import SYSTEM
    from theke.tenants.services import create_branch

    create_branch(tenant_a, SYSTEM, "Alpha Mitte")
    create_branch(tenant_b, SYSTEM, "Beta Nord")
    body = owner_client.get(reverse("accounts:user_invite")).content.decode()
    assert "Alpha Mitte" in body
    assert "Beta Nord" not in body
    with scopes_disabled():
        foreign_role = Role.objects.get(tenant=tenant_b, name="Techniker")
    response = owner_client.post(
        reverse("accounts:user_invite"),
        {"email": "z@alpha.test", "full_name": "Z", "role": foreign_role.pk},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user__email="z@alpha.test").exists()


def test_invite_refusal_is_shown_on_the_form(owner_client, tenant_a, colleague):
    response = owner_client.post(
        reverse("accounts:user_invite"),
        {"email": "colleague@alpha.test", "role": role(tenant_a, "Techniker").pk},
    )
    assert response.status_code == 200
    assert "hat bereits einen Zugang" in response.content.decode()


def test_edit_membership_saves_through_the_service(owner_client, tenant_a, colleague):
    url = reverse("accounts:user_edit", args=[membership_of(colleague, tenant_a).pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, {"role": role(tenant_a, "Techniker").pk})
    assert response.status_code == 302
    membership = membership_of(colleague, tenant_a)
    assert membership.role.name == "Techniker"
    assert membership.is_active is False  # an unticked checkbox


def test_last_admin_demoting_themselves_sees_the_refusal(owner_client, tenant_a, owner):
    url = reverse("accounts:user_edit", args=[membership_of(owner, tenant_a).pk])
    response = owner_client.post(url, {"role": role(tenant_a, "Techniker").pk, "is_active": "on"})
    assert response.status_code == 200
    assert "mindestens ein aktives Mitglied" in response.content.decode()
    assert membership_of(owner, tenant_a).role.is_admin


# --- Roles ---------------------------------------------------------------------------------


def test_role_form_groups_permissions_by_area_with_their_labels(owner_client):
    body = owner_client.get(reverse("accounts:role_create")).content.decode()
    for label in ["Kunden", "Termine", "Kostenvoranschläge"]:
        assert f'<legend class="h6 card-title">{label}</legend>' in body
    assert str(PERMISSIONS["appointments.manage"]) in body


def test_create_and_edit_a_role(owner_client, tenant_a):
    response = owner_client.post(
        reverse("accounts:role_create"),
        {"name": "Lager", "permissions": ["customers.view", "estimates.view"]},
    )
    assert response.status_code == 302
    lager = role(tenant_a, "Lager")
    assert lager.permissions == ["customers.view", "estimates.view"]
    response = owner_client.post(
        reverse("accounts:role_edit", args=[lager.pk]), {"name": "Lager", "permissions": []}
    )
    assert response.status_code == 302
    lager.refresh_from_db()
    assert lager.permissions == []


def test_unknown_permission_code_in_the_form_is_refused(owner_client, tenant_a):
    response = owner_client.post(
        reverse("accounts:role_create"), {"name": "Böse", "permissions": ["nuclear.launch"]}
    )
    assert response.status_code == 200
    with tenant_scope(tenant_a):
        assert not Role.objects.filter(name="Böse").exists()


def test_admin_role_form_cannot_take_rights_away(owner_client, tenant_a):
    admin = role(tenant_a, "Admin")
    response = owner_client.post(
        reverse("accounts:role_edit", args=[admin.pk]),
        {"name": "Admin", "permissions": ["audit.view"]},
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert set(admin.permissions) == set(PERMISSIONS)


def test_delete_role_asks_first_and_refuses_a_role_in_use(owner_client, tenant_a, colleague):
    berater = role(tenant_a, "Serviceberater")
    url = reverse("accounts:role_delete", args=[berater.pk])
    page = owner_client.get(url)
    assert "noch 1 Zugang zugeordnet" in page.content.decode()
    response = owner_client.post(url)
    assert response.status_code == 200
    assert "noch 1 Zugang zugeordnet" in response.content.decode()
    with tenant_scope(tenant_a):
        assert Role.objects.filter(pk=berater.pk).exists()


def test_delete_unused_role_after_confirmation(owner_client, tenant_a):
    disposition = role(tenant_a, "Disposition")
    url = reverse("accounts:role_delete", args=[disposition.pk])
    page = owner_client.get(url)
    assert "wirklich löschen" in page.content.decode()
    with tenant_scope(tenant_a):
        assert Role.objects.filter(pk=disposition.pk).exists()
    response = owner_client.post(url)
    assert response["Location"] == reverse("accounts:role_list")
    with tenant_scope(tenant_a):
        assert not Role.objects.filter(pk=disposition.pk).exists()
