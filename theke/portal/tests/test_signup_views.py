"""Pages of the users area: the invitation and registration, consent, introduction, the
customer admin's users pages and the staff's portal pages."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.portal.models import PortalRole, PortalUser
from theke.portal.services import users as services
from theke.portal.tests.helpers_users import NEW_PASSWORD, fresh, invitations_to, last_token
from theke.portal.tests.world import World, portal_client, url
from theke.tenants.scoping import scopes_disabled, tenant_scope
from theke.tenants.services import consent_offer, publish_legal_text

EMAIL = "kollege@bau-berg.test"


def invitation_url(token: str) -> str:
    return reverse("portal_invitation:page", args=[token])


def form_data(tenant: Any, **overrides: Any) -> dict[str, Any]:
    offer = consent_offer(tenant)
    data = {
        "first_name": "Karl",
        "last_name": "Kollege",
        "phone": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "legal_consent": "on",
        "legal_terms_version": offer.terms.version or 0,
        "legal_privacy_version": offer.privacy.version or 0,
    }
    data.update(overrides)
    return data


def by_email(email: str) -> PortalUser:
    with scopes_disabled():
        return PortalUser.objects.select_related("account").get(account__email=email)


# --- invitation and registration -------------------------------------------------------------


def test_invitation_page_shows_the_registration_form(world: World, client: Client) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    response = client.get(invitation_url(last_token(EMAIL)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Registrierung im Kundenportal" in body and EMAIL in body
    assert 'name="legal_consent"' in body and 'name="password2"' in body
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_unknown_token_gets_the_neutral_page(world: World, client: Client) -> None:
    assert client.get(invitation_url("nichts-dergleichen")).status_code == 404


def test_expired_invitation_says_so(world: World, client: Client) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    token = last_token(EMAIL)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = client.get(invitation_url(token))
    assert response.status_code == 410
    assert "Diese Einladung ist abgelaufen" in response.content.decode()


def test_registration_logs_in_and_leads_to_the_introduction(world: World, client: Client) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    token = last_token(EMAIL)
    response = client.post(invitation_url(token), form_data(world.tenant))
    assert response.status_code == 302
    assert response["Location"] == url("introduction", world)
    user = by_email(EMAIL)
    assert user.registered_at is not None and user.account.first_name == "Karl"
    page = client.get(url("introduction", world))
    assert page.status_code == 200 and "Ihr Dashboard" in page.content.decode()
    done = client.post(url("introduction", world))
    assert done["Location"] == url("dashboard", world)
    assert fresh(user).introduction_seen_at is not None
    # shown once
    assert client.get(url("introduction", world))["Location"] == url("dashboard", world)
    # the used link no longer opens
    again = Client().get(invitation_url(token))
    assert again.status_code == 410 and "bereits verwendet" in again.content.decode()


def test_registration_shows_password_errors_next_to_the_field(world: World, client: Client) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    response = client.post(
        invitation_url(last_token(EMAIL)),
        form_data(world.tenant, password1="1234567890", password2="1234567890"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_password1-error"' in body
    assert by_email(EMAIL).registered_at is None


def test_registration_needs_the_consent_box(world: World, client: Client) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    data = form_data(world.tenant)
    del data["legal_consent"]
    response = client.post(invitation_url(last_token(EMAIL)), data)
    assert response.status_code == 400
    assert "Bitte bestätigen Sie die Bedingungen." in response.content.decode()


def test_mismatched_passwords_refused(world: World, client: Client) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    response = client.post(
        invitation_url(last_token(EMAIL)), form_data(world.tenant, password2="anders-und-lang")
    )
    assert response.status_code == 400
    assert "stimmen nicht überein" in response.content.decode()


def test_new_terms_version_is_asked_at_the_next_visit(world: World) -> None:
    publish_legal_text(world.tenant, SYSTEM, "terms", "AGB Fassung 1")
    client = portal_client(world.admin)
    response = client.get(url("users", world))
    assert response["Location"] == url("consent", world)
    page = client.get(url("consent", world))
    assert page.status_code == 200 and "Bedingungen bestätigen" in page.content.decode()
    offer = consent_offer(world.tenant)
    answer = client.post(
        url("consent", world),
        {
            "legal_consent": "on",
            "legal_terms_version": offer.terms.version,
            "legal_privacy_version": offer.privacy.version or 0,
        },
    )
    assert answer["Location"] == url("dashboard", world)
    admin = fresh(world.admin)
    assert admin.terms_text is not None and admin.terms_text.version == 1
    assert client.get(url("users", world)).status_code == 200


# --- the customer admin's users pages --------------------------------------------------------


def test_admin_sees_the_colleagues_with_their_state(world: World) -> None:
    services.invite_user(world.customer, SYSTEM, EMAIL)
    response = portal_client(world.admin).get(url("users", world))
    assert response.status_code == 200
    body = response.content.decode()
    assert EMAIL in body and world.reader.account.email in body
    assert "Eingeladen" in body and "Registriert" in body
    assert world.other_admin.account.email not in body


def test_non_admins_get_404_on_the_users_pages(world: World) -> None:
    target = world.reader.pk
    for user in (world.orderer, world.reader):
        client = portal_client(user)
        assert client.get(url("users", world)).status_code == 404
        assert client.get(url("user_invite", world)).status_code == 404
        assert client.get(url("user_edit", world, target)).status_code == 404
        assert client.post(url("user_resend", world, target)).status_code == 404


def test_admin_of_another_customer_gets_404_for_our_user(world: World) -> None:
    client = portal_client(world.other_admin)
    assert client.get(url("user_edit", world, world.reader.pk)).status_code == 404
    assert client.post(url("user_resend", world, world.reader.pk)).status_code == 404


def test_admin_invites_a_colleague_for_one_location(world: World) -> None:
    client = portal_client(world.admin)
    location = world.locations[2]
    response = client.post(
        url("user_invite", world),
        {
            "email": EMAIL,
            "first_name": "Karl",
            "last_name": "Kollege",
            "role": PortalRole.ORDERS,
            "locations": [location.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    user = by_email(EMAIL)
    with scopes_disabled():
        assert not user.all_locations and list(user.locations.all()) == [location]
    assert len(invitations_to(EMAIL)) == 1


def test_admin_cannot_offer_another_customers_location(world: World) -> None:
    client = portal_client(world.admin)
    response = client.post(
        url("user_invite", world),
        {"email": EMAIL, "role": PortalRole.ORDERS, "locations": [world.other_location.pk]},
    )
    assert response.status_code == 400
    assert invitations_to(EMAIL) == []


def test_admin_cannot_demote_the_last_admin(world: World) -> None:
    client = portal_client(world.admin)
    response = client.post(
        url("user_edit", world, world.admin.pk),
        {"role": PortalRole.READ_ONLY, "all_locations": "on"},
    )
    assert response.status_code == 400
    assert "mindestens ein Administrator" in response.content.decode()
    assert fresh(world.admin).role == PortalRole.ADMIN


def test_admin_resends_an_invitation(world: World) -> None:
    user = services.invite_user(world.customer, SYSTEM, EMAIL)
    response = portal_client(world.admin).post(url("user_resend", world, user.pk))
    assert response["Location"] == url("users", world)
    assert len(invitations_to(EMAIL)) == 2


# --- staff -----------------------------------------------------------------------------------


def test_staff_without_portal_manage_get_403(world: World, colleague: Any, client: Client) -> None:
    client.force_login(colleague)
    pages = [
        reverse("portal_staff:customer", args=[world.customer.pk]),
        reverse("portal_staff:activate", args=[world.customer.pk]),
        reverse("portal_staff:invite", args=[world.customer.pk]),
        reverse("portal_staff:user_edit", args=[world.admin.pk]),
        reverse("portal_staff:settings"),
    ]
    for page in pages:
        assert client.get(page).status_code == 403, page
    assert client.post(reverse("portal_staff:resend", args=[world.admin.pk])).status_code == 403


def test_staff_activate_a_customer_from_the_form(world: World, owner_client: Client) -> None:
    with tenant_scope(world.tenant):
        customer = customers.create_customer(
            world.tenant, SYSTEM, kind="company", company_name="Neu GmbH"
        )
    page = reverse("portal_staff:activate", args=[customer.pk])
    missing = owner_client.post(page, {"first_user_email": "chef@neu.test"})
    assert missing.status_code == 400 and "Online-Portal" in missing.content.decode()
    response = owner_client.post(page, {"online_portal": "on", "first_user_email": "chef@neu.test"})
    assert response["Location"] == reverse("portal_staff:customer", args=[customer.pk])
    assert by_email("chef@neu.test").role == PortalRole.ADMIN
    detail = owner_client.get(response["Location"])
    assert detail.status_code == 200 and "chef@neu.test" in detail.content.decode()


def test_customer_page_shows_the_portal_panel(world: World, owner_client: Client) -> None:
    response = owner_client.get(reverse("customers:detail", args=[world.customer.pk]))
    body = response.content.decode()
    assert 'id="customer-portal"' in body and world.admin.account.email in body


def test_no_panel_when_the_tenant_has_no_portal(world: World, owner_client: Client) -> None:
    world.tenant.portal_enabled = False
    world.tenant.save(update_fields=["portal_enabled"])
    response = owner_client.get(reverse("customers:detail", args=[world.customer.pk]))
    assert 'id="customer-portal"' not in response.content.decode()


def test_staff_resend_and_deactivate(world: World, owner_client: Client) -> None:
    user = services.invite_user(world.customer, SYSTEM, EMAIL)
    owner_client.post(reverse("portal_staff:resend", args=[user.pk]))
    assert len(invitations_to(EMAIL)) == 2
    owner_client.post(reverse("portal_staff:deactivate", args=[world.customer.pk]))
    assert portal_client_fails(world)


def portal_client_fails(world: World) -> bool:
    client = portal_client(world.admin)
    return client.get(url("users", world)).status_code == 404


def test_staff_edit_settings(world: World, owner_client: Client) -> None:
    page = reverse("portal_staff:settings")
    assert owner_client.get(page).status_code == 200
    response = owner_client.post(
        page,
        {
            "lead_time_days": "3",
            "show_prices": "on",
            "rent_free_days": "14",
            "rent_reminder_days": "2",
            "sales_email": "vertrieb@alpha.test",
            "dispatch_email": "",
        },
    )
    assert response.status_code == 302
    stored = services.settings_of(world.tenant)
    assert stored.lead_time_days == 3 and stored.rent_free_days == 14
    bad = owner_client.post(page, {"lead_time_days": "-1", "rent_reminder_days": "2"})
    assert bad.status_code == 400
    settings_overview = owner_client.get(reverse("tenants:settings")).content.decode()
    assert 'id="settings-portal"' in settings_overview


# --- the customer login's start page ---------------------------------------------------------


def test_login_without_next_lands_on_the_portal(world: World, client: Client) -> None:
    from conftest import PASSWORD

    response = client.post(
        reverse("customer_accounts:login", args=[world.tenant.slug]),
        {"email": world.reader.account.email, "password": PASSWORD},
    )
    assert response["Location"] == url("dashboard", world)
    account_page = client.get(reverse("customer_accounts:account", args=[world.tenant.slug]))
    assert "Zum Kundenportal" in account_page.content.decode()


def test_login_of_a_deactivated_portal_customer_lands_on_the_account(
    world: World, client: Client
) -> None:
    from conftest import PASSWORD

    services.deactivate_customer(world.customer, SYSTEM)
    response = client.post(
        reverse("customer_accounts:login", args=[world.tenant.slug]),
        {"email": world.reader.account.email, "password": PASSWORD},
    )
    assert response["Location"] == reverse("customer_accounts:account", args=[world.tenant.slug])
