"""Services of users, memberships and roles: happy paths and refusals."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from theke.accounts import services
from theke.accounts.models import Membership, Role, User
from theke.accounts.permissions import all_codes
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, Actor
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

pytestmark = pytest.mark.django_db


def role(tenant, name):
    with tenant_scope(tenant):
        return Role.objects.get(name=name)


def membership_of(user, tenant):
    return Membership.objects.select_related("role", "user", "tenant").get(user=user, tenant=tenant)


def actions(tenant):
    with tenant_scope(tenant):
        return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- Adding staff --------------------------------------------------------------------------


def test_new_person_gets_user_membership_and_invitation(
    tenant_a, owner, django_capture_on_commit_callbacks
):
    with tenant_scope(tenant_a):
        branch = create_branch(tenant_a, Actor.staff(owner), "Alpha Mitte")
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.add_staff_member(
            tenant_a,
            Actor.staff(owner),
            email=" New.Person@Alpha.TEST ",
            full_name="Nina Neu",
            role=role(tenant_a, "Techniker"),
            branches=[branch],
        )
    user = membership.user
    assert user.email == "new.person@alpha.test"
    assert not user.has_usable_password()
    assert membership.role.name == "Techniker"
    with tenant_scope(tenant_a):
        assert list(membership.branches.all()) == [branch]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@alpha.test"]
    assert "membership.created" in actions(tenant_a)
    assert "invitation.sent" in actions(tenant_a)


def test_invitation_is_only_sent_after_commit(tenant_a, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.add_staff_member(
            tenant_a,
            Actor.staff(owner),
            email="later@alpha.test",
            full_name="Lara Later",
            role=role(tenant_a, "Techniker"),
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_existing_user_of_another_tenant_gets_membership_and_notice(
    tenant_a, outsider, owner, django_capture_on_commit_callbacks
):
    old_password = outsider.password
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.add_staff_member(
            tenant_a,
            Actor.staff(owner),
            email="OUTSIDER@beta.test",
            full_name="ignored",
            role=role(tenant_a, "Vertrieb"),
        )
    assert membership.user == outsider
    outsider.refresh_from_db()
    assert outsider.password == old_password
    assert outsider.full_name == "Otto Outsider"
    assert len(mail.outbox) == 1
    assert "Autohaus Alpha" in mail.outbox[0].body
    assert "invitation" not in mail.outbox[0].body


def test_adding_an_existing_member_again_is_refused(tenant_a, owner, colleague):
    with pytest.raises(services.ServiceError, match="bereits einen Zugang"):
        services.add_staff_member(
            tenant_a,
            Actor.staff(owner),
            email="colleague@alpha.test",
            role=role(tenant_a, "Techniker"),
        )


def test_new_person_needs_a_name(tenant_a, owner):
    with pytest.raises(services.ServiceError):
        services.add_staff_member(
            tenant_a, Actor.staff(owner), email="x@alpha.test", role=role(tenant_a, "Techniker")
        )
    assert not User.objects.filter(email="x@alpha.test").exists()


def test_role_and_branches_of_another_tenant_are_refused(tenant_a, tenant_b, owner, outsider):
    with pytest.raises(services.ServiceError):
        services.add_staff_member(
            tenant_a,
            Actor.staff(owner),
            email="y@alpha.test",
            full_name="Y",
            role=role(tenant_b, "Techniker"),
        )
    with tenant_scope(tenant_b):
        foreign = create_branch(tenant_b, Actor.staff(outsider), "Beta Nord")
    with pytest.raises(services.ServiceError):
        services.add_staff_member(
            tenant_a,
            Actor.staff(owner),
            email="y@alpha.test",
            full_name="Y",
            role=role(tenant_a, "Techniker"),
            branches=[foreign],
        )


def test_resend_invitation_refused_once_password_is_set(tenant_a, owner, colleague):
    with pytest.raises(services.ServiceError, match="bereits festgelegt"):
        services.resend_invitation(membership_of(colleague, tenant_a), Actor.staff(owner))


# --- Changing memberships ------------------------------------------------------------------


def test_update_membership_changes_role_branches_and_active_flag(tenant_a, owner, colleague):
    with tenant_scope(tenant_a):
        branch = create_branch(tenant_a, Actor.staff(owner), "Alpha Mitte")
    services.update_membership(
        membership_of(colleague, tenant_a),
        Actor.staff(owner),
        role=role(tenant_a, "Techniker"),
        branches=[branch],
        is_active=False,
    )
    membership = membership_of(colleague, tenant_a)
    assert membership.role.name == "Techniker"
    assert not membership.is_active
    with tenant_scope(tenant_a):
        assert list(membership.branches.all()) == [branch]
        event = AuditEvent.objects.get(action="membership.updated")
    assert event.data["changes"]["role"] == ["Serviceberater", "Techniker"]
    assert event.data["changes"]["is_active"] == [True, False]


def test_last_admin_cannot_demote_themselves(tenant_a, owner):
    with pytest.raises(services.ServiceError) as refusal:
        services.update_membership(
            membership_of(owner, tenant_a),
            Actor.staff(owner),
            role=role(tenant_a, "Techniker"),
            branches=[],
            is_active=True,
        )
    assert refusal.value.code == "last_admin"
    assert membership_of(owner, tenant_a).role.is_admin


def test_last_admin_cannot_deactivate_themselves(tenant_a, owner):
    with pytest.raises(services.ServiceError):
        services.update_membership(
            membership_of(owner, tenant_a),
            Actor.staff(owner),
            role=role(tenant_a, "Admin"),
            branches=[],
            is_active=False,
        )
    assert membership_of(owner, tenant_a).is_active


def test_an_admin_may_step_down_while_another_admin_remains(tenant_a, owner, second_admin):
    services.update_membership(
        membership_of(owner, tenant_a),
        Actor.staff(owner),
        role=role(tenant_a, "Techniker"),
        branches=[],
        is_active=True,
    )
    assert membership_of(owner, tenant_a).role.name == "Techniker"
    with pytest.raises(services.ServiceError):
        services.update_membership(
            membership_of(second_admin, tenant_a),
            Actor.staff(second_admin),
            role=role(tenant_a, "Techniker"),
            branches=[],
            is_active=True,
        )


def test_an_admin_whose_user_account_is_disabled_does_not_count(tenant_a, owner, second_admin):
    second_admin.is_active = False
    second_admin.save()
    with pytest.raises(services.ServiceError):
        services.update_membership(
            membership_of(owner, tenant_a),
            Actor.staff(owner),
            role=role(tenant_a, "Techniker"),
            branches=[],
            is_active=True,
        )


def test_unchanged_membership_writes_no_event(tenant_a, owner, colleague):
    services.update_membership(
        membership_of(colleague, tenant_a),
        Actor.staff(owner),
        role=role(tenant_a, "Serviceberater"),
        branches=[],
        is_active=True,
    )
    assert "membership.updated" not in actions(tenant_a)


# --- Roles ---------------------------------------------------------------------------------


def test_create_role_stores_sorted_known_codes(tenant_a, owner):
    created = services.create_role(
        tenant_a,
        Actor.staff(owner),
        name=" Werkstatt ",
        permissions=["estimates.view", "customers.view", "estimates.view"],
    )
    assert created.name == "Werkstatt"
    assert created.permissions == ["customers.view", "estimates.view"]
    assert "role.created" in actions(tenant_a)


def test_unknown_permission_code_is_refused(tenant_a, owner):
    with pytest.raises(services.ServiceError, match=r"nuclear\.launch") as refusal:
        services.create_role(
            tenant_a, Actor.staff(owner), name="Böse", permissions=["nuclear.launch"]
        )
    assert refusal.value.code == "unknown_permission"
    with tenant_scope(tenant_a):
        assert not Role.objects.filter(name="Böse").exists()


def test_role_names_are_unique_per_tenant_in_any_case(tenant_a, tenant_b, owner):
    with pytest.raises(services.ServiceError):
        services.create_role(tenant_a, Actor.staff(owner), name="techniker", permissions=[])
    # The same name in another tenant is fine.
    services.create_role(tenant_b, SYSTEM, name="Lager", permissions=[])
    services.create_role(tenant_a, Actor.staff(owner), name="Lager", permissions=[])


def test_update_role_renames_and_changes_codes(tenant_a, owner):
    techniker = role(tenant_a, "Techniker")
    services.update_role(
        techniker, Actor.staff(owner), name="Mechatroniker", permissions=["estimates.manage"]
    )
    techniker.refresh_from_db()
    assert techniker.name == "Mechatroniker"
    assert techniker.permissions == ["estimates.manage"]
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="role.updated")
    assert event.data["name"] == ["Techniker", "Mechatroniker"]
    assert "customers.view" in event.data["removed"]


def test_update_role_refuses_unknown_codes(tenant_a, owner):
    with pytest.raises(services.ServiceError):
        services.update_role(
            role(tenant_a, "Techniker"), Actor.staff(owner), name="Techniker", permissions=["x.y"]
        )


def test_admin_role_keeps_every_right(tenant_a, owner):
    admin = role(tenant_a, "Admin")
    with pytest.raises(services.ServiceError):
        services.update_role(admin, Actor.staff(owner), name="Admin", permissions=["audit.view"])
    services.update_role(admin, Actor.staff(owner), name="Chef")
    admin.refresh_from_db()
    assert admin.name == "Chef"
    assert set(admin.permissions) == all_codes()


def test_role_in_use_cannot_be_deleted(tenant_a, owner, colleague):
    berater = role(tenant_a, "Serviceberater")
    with pytest.raises(services.ServiceError, match="noch 1 Zugang zugeordnet") as refusal:
        services.delete_role(berater, Actor.staff(owner))
    assert refusal.value.code == "in_use"
    with tenant_scope(tenant_a):
        assert Role.objects.filter(pk=berater.pk).exists()


def test_role_held_only_by_a_deactivated_membership_cannot_be_deleted(tenant_a, owner, colleague):
    services.update_membership(
        membership_of(colleague, tenant_a),
        Actor.staff(owner),
        role=role(tenant_a, "Serviceberater"),
        branches=[],
        is_active=False,
    )
    with pytest.raises(services.ServiceError):
        services.delete_role(role(tenant_a, "Serviceberater"), Actor.staff(owner))


def test_admin_role_cannot_be_deleted(tenant_a, owner):
    with pytest.raises(services.ServiceError, match="Administratorrolle"):
        services.delete_role(role(tenant_a, "Admin"), Actor.staff(owner))


def test_unused_role_is_deleted_with_an_event(tenant_a, owner):
    disposition = role(tenant_a, "Disposition")
    services.delete_role(disposition, Actor.staff(owner))
    with tenant_scope(tenant_a):
        assert not Role.objects.filter(name="Disposition").exists()
        event = AuditEvent.objects.get(action="role.deleted")
    assert event.object_label == "Disposition"


# --- Passwords -----------------------------------------------------------------------------


def test_set_password_records_an_event_in_each_tenant_of_the_user(tenant_a, tenant_b, owner):
    with scopes_disabled():
        Membership.objects.create(
            tenant=tenant_b, user=owner, role=Role.objects.get(tenant=tenant_b, name="Techniker")
        )
    services.set_password(owner, "a-new-long-passphrase", reason="reset")
    owner.refresh_from_db()
    assert owner.check_password("a-new-long-passphrase")
    assert "user.password_reset" in actions(tenant_a)
    assert "user.password_reset" in actions(tenant_b)
