"""Activation, invitations, registration and users of a portal customer (services)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from theke.accounts.models import CustomerAccount
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.customers.links import LinkState
from theke.customers.models import Contact, CustomerLink
from theke.portal.models import PortalCustomer, PortalRole, PortalUser
from theke.portal.services import consent as consent_services
from theke.portal.services import users as services
from theke.portal.tests.helpers_users import NEW_PASSWORD, fresh, invitations_to, last_token
from theke.portal.tests.world import World
from theke.tenants.scoping import scopes_disabled, tenant_scope
from theke.tenants.services import consent_offer, publish_legal_text

EMAIL = "neu@bau-berg.test"


def new_customer(world: World, name: str = "Container Neu GmbH") -> Any:
    with tenant_scope(world.tenant):
        return customers.create_customer(world.tenant, SYSTEM, kind="company", company_name=name)


def register(token: str, tenant: Any, **overrides: Any) -> PortalUser:
    offer = consent_offer(tenant)
    values: dict[str, Any] = {
        "first_name": "Nora",
        "last_name": "Neu",
        "phone": "030 123",
        "password": NEW_PASSWORD,
        "accepted": True,
        "terms_version": offer.terms.version or 0,
        "privacy_version": offer.privacy.version or 0,
    }
    values.update(overrides)
    return services.register(token, **values)


def actions(world: World, action: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(tenant=world.tenant, action=action).count()


# --- activation ------------------------------------------------------------------------------


def test_activation_creates_admin_login_contact_and_invitation(world: World) -> None:
    customer = new_customer(world)
    user = services.activate_customer(
        customer, SYSTEM, first_user_email=" Nora@Neu.TEST ", first_name="Nora", last_name="Neu"
    )
    user = fresh(user)
    assert user.role == PortalRole.ADMIN and user.all_locations
    assert user.sees_invoices and user.sees_prices
    assert user.account.email == "nora@neu.test" and not user.account.has_usable_password()
    assert user.contact is not None and user.contact.email == "nora@neu.test"
    assert user.invited_at is not None and user.registered_at is None
    with scopes_disabled():
        assert PortalCustomer.objects.get(customer=customer).is_active
    sent = invitations_to("nora@neu.test")
    assert len(sent) == 1
    assert "Jetzt anmelden" in sent[0].body_html and "/portal/einladung/" in sent[0].body_text
    assert "Container Neu GmbH" in sent[0].body_text
    assert actions(world, "portal_customer.activated") == 1
    assert actions(world, "portal_user.invited") == 1


def test_second_activation_click_changes_nothing(world: World) -> None:
    customer = new_customer(world)
    first = services.activate_customer(customer, SYSTEM, first_user_email="nora@neu.test")
    second = services.activate_customer(customer, SYSTEM, first_user_email="NORA@neu.test")
    assert first.pk == second.pk
    assert len(invitations_to("nora@neu.test")) == 1
    assert actions(world, "portal_customer.activated") == 1


def test_activation_reuses_the_contact_with_that_email(world: World) -> None:
    customer = new_customer(world)
    with tenant_scope(world.tenant):
        contact = customers.add_contact(
            customer,
            SYSTEM,
            first_name="Nora",
            last_name="Neu",
            email="nora@neu.test",
            language="en",
        )
    user = services.activate_customer(customer, SYSTEM, first_user_email="nora@neu.test")
    assert fresh(user).contact == contact
    with scopes_disabled():
        assert Contact.objects.filter(customer=customer).count() == 1
    # rendered in the contact's language
    assert invitations_to("nora@neu.test")[0].subject.startswith("Your access")


def test_activation_refused_when_the_tenant_has_no_portal(world: World) -> None:
    world.tenant.portal_enabled = False
    world.tenant.save(update_fields=["portal_enabled"])
    with pytest.raises(ServiceError) as refused:
        services.activate_customer(new_customer(world), SYSTEM, first_user_email="a@b.test")
    assert refused.value.code == "portal_disabled"
    assert invitations_to("a@b.test") == []


def test_activation_refuses_an_invalid_email(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.activate_customer(new_customer(world), SYSTEM, first_user_email="kein-at")
    assert refused.value.field == "first_user_email"


def test_activation_refuses_the_login_of_another_customer(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.activate_customer(
            new_customer(world), SYSTEM, first_user_email=world.admin.account.email
        )
    assert refused.value.field == "first_user_email"


def test_deactivation_closes_the_portal_and_the_open_invitations(world: World, client: Any) -> None:
    customer = new_customer(world)
    services.activate_customer(customer, SYSTEM, first_user_email="nora@neu.test")
    token = last_token("nora@neu.test")
    services.deactivate_customer(customer, SYSTEM)
    assert services.find_invitation(token).state == LinkState.REVOKED
    assert actions(world, "portal_customer.deactivated") == 1
    # again: the invitation of the same user is sent anew
    services.activate_customer(customer, SYSTEM, first_user_email="nora@neu.test")
    assert services.find_invitation(last_token("nora@neu.test")).state == LinkState.VALID


# --- invitation links ------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "state"), [(6.9, LinkState.VALID), (7.01, LinkState.EXPIRED)])
def test_invitation_expires_after_seven_days(world: World, days: float, state: str) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    token = last_token(EMAIL)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=days)):
        assert services.find_invitation(token).state == state
        if state == LinkState.EXPIRED:
            with pytest.raises(ServiceError):
                register(token, world.tenant)


def test_invitation_is_used_once(world: World) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    token = last_token(EMAIL)
    register(token, world.tenant)
    assert services.find_invitation(token).state == LinkState.REVOKED
    with pytest.raises(ServiceError) as refused:
        register(token, world.tenant)
    assert refused.value.code == "invitation_unavailable"


def test_resend_supersedes_the_previous_link(world: World) -> None:
    user = services.invite_user(world.customer, SYSTEM, EMAIL)
    old = last_token(EMAIL)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6)):
        services.resend_invitation(user, SYSTEM)
        new = last_token(EMAIL)
    assert new != old and len(invitations_to(EMAIL)) == 2
    assert services.find_invitation(old).state == LinkState.SUPERSEDED
    # the new link counts its 7 days from the resend
    with time_machine.travel(timezone.now() + datetime.timedelta(days=12)):
        assert services.find_invitation(new).state == LinkState.VALID
        register(new, world.tenant)


def test_resend_after_expiry_works(world: World) -> None:
    user = services.invite_user(world.customer, SYSTEM, EMAIL)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        services.resend_invitation(user, SYSTEM)
        assert services.find_invitation(last_token(EMAIL)).state == LinkState.VALID


def test_resend_refused_once_registered(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.resend_invitation(world.admin, SYSTEM)
    assert refused.value.code == "registered"


# --- registration ----------------------------------------------------------------------------


def test_registration_stores_names_password_consent_and_time(world: World) -> None:
    terms = publish_legal_text(world.tenant, SYSTEM, "terms", "AGB Fassung 1")
    privacy = publish_legal_text(world.tenant, SYSTEM, "privacy", "Datenschutz 1")
    user = services.invite_user(world.customer, SYSTEM, EMAIL)
    user = register(last_token(EMAIL), world.tenant)
    user = fresh(user)
    assert user.registered_at is not None and user.consented_at is not None
    assert user.terms_text_id == terms.pk and user.privacy_text_id == privacy.pk
    assert user.account.first_name == "Nora" and check_password(NEW_PASSWORD, user.account.password)
    assert user.contact is not None and user.contact.first_name == "Nora"
    assert actions(world, "portal_user.registered") == 1
    assert actions(world, "portal_user.consented") == 1


def test_new_terms_version_asks_again(world: World) -> None:
    publish_legal_text(world.tenant, SYSTEM, "terms", "AGB Fassung 1")
    services.invite_user(world.customer, SYSTEM, EMAIL)
    user = fresh(register(last_token(EMAIL), world.tenant))
    assert not consent_services.needs_consent(user)
    publish_legal_text(world.tenant, SYSTEM, "terms", "AGB Fassung 2")
    assert consent_services.needs_consent(fresh(user))


def test_registration_refuses_terms_changed_meanwhile(world: World) -> None:
    publish_legal_text(world.tenant, SYSTEM, "terms", "AGB Fassung 1")
    services.invite_user(world.customer, SYSTEM, EMAIL)
    token = last_token(EMAIL)
    publish_legal_text(world.tenant, SYSTEM, "terms", "AGB Fassung 2")
    with pytest.raises(ServiceError) as refused:
        register(token, world.tenant, terms_version=1)
    assert refused.value.code == "legal_text_changed"
    assert fresh_by_email(EMAIL).registered_at is None


def fresh_by_email(email: str) -> PortalUser:
    with scopes_disabled():
        return PortalUser.objects.get(account__email=email)


def test_registration_refuses_unticked_terms(world: World) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    with pytest.raises(ServiceError) as refused:
        register(last_token(EMAIL), world.tenant, accepted=False)
    assert refused.value.code == "terms_required"


@pytest.mark.parametrize(
    "password",
    ["kurz123", "1234567890123", "password1234", "noraneu@bau-berg"],
    ids=["short", "digits", "common", "like-email"],
)
def test_registration_refuses_weak_passwords(world: World, password: str) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    with pytest.raises(ServiceError) as refused:
        register(last_token(EMAIL), world.tenant, password=password)
    assert refused.value.field == "password"
    assert fresh_by_email(EMAIL).registered_at is None


def test_introduction_is_stamped_once(world: World) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    user = register(last_token(EMAIL), world.tenant)
    services.mark_introduction_seen(user)
    first = fresh(user).introduction_seen_at
    services.mark_introduction_seen(fresh(user))
    assert first is not None and fresh(user).introduction_seen_at == first


# --- users of a customer ---------------------------------------------------------------------


def test_customer_admin_invites_a_colleague_for_one_location(world: World) -> None:
    location = world.locations[1]
    user = services.invite_user(
        world.admin,
        services.portal_actor(world.admin),
        EMAIL,
        role=PortalRole.ORDERS,
        all_locations=False,
        locations=[location],
    )
    with scopes_disabled():
        assert list(user.locations.all()) == [location]
    assert not user.all_locations and user.role == PortalRole.ORDERS


def test_customer_admin_cannot_grant_another_customers_location(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.invite_user(
            world.admin,
            SYSTEM,
            EMAIL,
            all_locations=False,
            locations=[world.other_location],
        )
    assert refused.value.code == "foreign_location"
    with scopes_disabled():
        assert not CustomerAccount.objects.filter(email=EMAIL).exists()


def test_non_admin_cannot_invite(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.invite_user(world.orderer, SYSTEM, EMAIL)
    assert refused.value.code == "not_admin"


def test_restricted_invitation_needs_a_location(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.invite_user(world.customer, SYSTEM, EMAIL, all_locations=False)
    assert refused.value.field == "locations"


def test_duplicate_invitation_refused(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.invite_user(world.customer, SYSTEM, world.reader.account.email)
    assert refused.value.code == "duplicate"


def test_last_admin_cannot_demote_themselves(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.update_user(
            world.admin,
            SYSTEM,
            editor=world.admin,
            role=PortalRole.READ_ONLY,
            sees_invoices=True,
            sees_prices=True,
            all_locations=True,
        )
    assert refused.value.code == "last_admin"
    assert fresh(world.admin).role == PortalRole.ADMIN


def test_admin_may_step_down_when_another_admin_remains(world: World) -> None:
    services.update_user(
        world.reader,
        SYSTEM,
        editor=world.admin,
        role=PortalRole.ADMIN,
        sees_invoices=True,
        sees_prices=True,
        all_locations=True,
    )
    services.update_user(
        world.admin,
        SYSTEM,
        editor=world.admin,
        role=PortalRole.ORDERS,
        sees_invoices=False,
        sees_prices=False,
        all_locations=False,
        locations=[world.locations[0]],
    )
    admin = fresh(world.admin)
    assert admin.role == PortalRole.ORDERS and not admin.all_locations
    assert actions(world, "portal_user.changed") == 2


def test_links_of_the_invitation_kind_name_the_user(world: World) -> None:
    user = services.invite_user(world.customer, SYSTEM, EMAIL)
    with scopes_disabled():
        link = CustomerLink.objects.get(kind="portal_invitation", object_id=str(user.pk))
    assert link.contact_id == fresh(user).contact_id
