"""The rights registry: each domain declares its own rights and default-role grants; rights
of products not built yet are not offered, and stored roles that list them keep working."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from theke.accounts import middleware, permissions, services
from theke.accounts.models import Role
from theke.accounts.permissions import PERMISSIONS, all_codes, default_roles
from theke.audit.models import AuditEvent
from theke.audit.services import Actor
from theke.tenants.scoping import tenant_scope

# Rights of the seeds' products that are not built yet: their issues bring them back.
UNBUILT: set[str] = set()
THEKE = Path(__file__).resolve().parents[2]


def test_each_domain_brings_its_own_rights() -> None:
    assert PERMISSIONS["estimates.manage"] and PERMISSIONS["appointments.manage"]
    with translation.override("de"):  # whatever language a test before left active
        assert permissions.area_label("customers") == "Kunden"
        assert permissions.area_label("estimates") == "Kostenvoranschläge"
    assert default_roles()["Serviceberater"] >= {"estimates.manage", "customers.manage"}
    assert default_roles()["Techniker"] == {
        "customers.view",
        "estimates.view",
        "messaging.use_conversations",
    }


def test_rights_of_products_not_built_yet_are_not_offered() -> None:
    assert not UNBUILT & all_codes()
    for codes in default_roles().values():
        assert not UNBUILT & codes


def test_every_offered_right_is_checked_somewhere() -> None:
    sources = [
        path.read_text()
        for path in THEKE.rglob("*")
        if path.suffix in {".py", ".html"}
        and "tests" not in path.parts
        and "migrations" not in path.parts
        and path.name != "apps.py"
    ]
    for code in all_codes():
        quoted = re.compile(rf"[\"']{re.escape(code)}[\"']")
        assert any(quoted.search(text) for text in sources), code


def test_admin_gets_every_right() -> None:
    assert default_roles()["Admin"] == all_codes()


def test_an_existing_admin_role_holds_a_right_declared_later(
    tenant_a, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tenant_scope(tenant_a):
        admin = Role.objects.get(is_admin=True)
        other = Role.objects.get(name="Techniker")
    later = frozenset({*all_codes(), "fleet.use"})  # a product that arrives after the role
    monkeypatch.setattr(middleware, "all_codes", lambda: later)
    assert "fleet.use" not in admin.permissions
    assert "fleet.use" in middleware.role_codes(admin)
    assert "fleet.use" not in middleware.role_codes(other)


def test_a_right_outside_its_area_or_a_grant_to_an_unknown_role_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(permissions, "PERMISSIONS", dict(PERMISSIONS))
    monkeypatch.setattr(permissions, "AREAS", dict(permissions.AREAS))
    with pytest.raises(ImproperlyConfigured):
        permissions.register_permissions("fleet", "Flotte", {"portal.manage": "x"})
    with pytest.raises(ImproperlyConfigured):
        permissions.register_permissions(
            "fleet", "Flotte", {"fleet.use": "x"}, {"Chef": ["fleet.use"]}
        )
    with pytest.raises(ImproperlyConfigured):
        permissions.register_permissions(
            "fleet", "Flotte", {"fleet.use": "x"}, {"Techniker": ["y"]}
        )


# --- stored roles listing unknown codes -----------------------------------------------------


@pytest.fixture
def old_role(tenant_a) -> Role:
    """A role stored with rights of a product Theke does not offer (any more)."""
    with tenant_scope(tenant_a):
        return Role.objects.create(
            tenant=tenant_a,
            name="Werkstatt alt",
            permissions=["customers.view", "fleet.use", "fleet.administer"],
        )


@pytest.mark.django_db
def test_role_form_offers_no_unbuilt_rights(owner_client) -> None:
    body = owner_client.get(reverse("accounts:role_create")).content.decode()
    for code in UNBUILT:
        assert f'value="{code}"' not in body
    assert 'value="jobs.use"' in body  # the job manager's rights, now that it is built
    assert 'value="appointments.manage"' in body


@pytest.mark.django_db
def test_stored_unknown_codes_are_ignored_on_display(owner_client, old_role) -> None:
    listing = owner_client.get(reverse("accounts:role_list"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Kundenstamm ansehen" in body
    assert "fleet.use" not in body and "fleet.administer" not in body
    form = owner_client.get(reverse("accounts:role_edit", args=[old_role.pk]))
    assert form.status_code == 200
    body = form.content.decode()
    assert 'value="fleet.use"' not in body
    assert re.search(r'value="customers.view"[^>]*checked', body)


@pytest.mark.django_db
def test_stored_unknown_codes_neither_block_nor_change_a_save(
    owner_client, tenant_a, owner, old_role
) -> None:
    response = owner_client.post(
        reverse("accounts:role_edit", args=[old_role.pk]),
        {"name": "Werkstatt", "permissions": ["customers.view", "estimates.view"]},
    )
    assert response.status_code == 302
    old_role.refresh_from_db()
    assert old_role.name == "Werkstatt"
    assert old_role.permissions == [
        "customers.view",
        "estimates.view",
        "fleet.administer",
        "fleet.use",
    ]
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="role.updated")
    assert event.data["added"] == ["estimates.view"] and event.data["removed"] == []
    # A rename alone keeps them too.
    services.update_role(old_role, Actor.staff(owner), name="Werkstatt neu")
    old_role.refresh_from_db()
    assert "fleet.use" in old_role.permissions
