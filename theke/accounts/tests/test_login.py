"""Login by e-mail, throttling per account and per IP address (django-axes), tenant switch."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from conftest import PASSWORD
from theke.accounts.middleware import ACTIVE_TENANT_SESSION_KEY

pytestmark = pytest.mark.django_db

LOGIN = "/staff/login/"


def attempt(email: str, password: str, ip: str = "10.0.0.1", client: Client | None = None):
    client = client or Client()
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )
    return client, response


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_login_url_is_where_the_settings_point():
    assert reverse("accounts:login") == LOGIN


def test_login_by_email_ignores_case_and_spaces(owner):
    client, response = attempt("  Owner@ALPHA.test ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    assert logged_in(client)


def test_wrong_password_shows_a_german_message(owner):
    client, response = attempt("owner@alpha.test", "wrong")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist nicht korrekt" in response.content.decode()
    assert not logged_in(client)


def test_inactive_user_cannot_log_in(owner):
    owner.is_active = False
    owner.save()
    client, response = attempt("owner@alpha.test", PASSWORD)
    assert response.status_code == 200
    assert not logged_in(client)


def test_login_page_links_to_password_reset(client):
    response = client.get(LOGIN)
    assert reverse("accounts:password_reset") in response.content.decode()


def test_five_wrong_passwords_lock_the_account_even_from_another_ip(owner):
    assert settings.AXES_FAILURE_LIMIT == 5
    for number in range(4):
        _, response = attempt("owner@alpha.test", f"wrong-{number}", ip=f"10.0.1.{number}")
        assert response.status_code == 200
    _, response = attempt("owner@alpha.test", "wrong-4", ip="10.0.1.4")
    assert response.status_code == 429
    client, response = attempt("owner@alpha.test", PASSWORD, ip="192.0.2.77")
    assert response.status_code == 429
    assert not logged_in(client)


def test_changing_the_case_of_the_address_does_not_dodge_the_account_lock(owner):
    for number, variant in enumerate(["OWNER@alpha.test", "Owner@Alpha.Test", "owner@ALPHA.TEST"]):
        attempt(variant, "wrong", ip=f"10.0.2.{number}")
    for number in range(2):
        attempt(" owner@alpha.test", "wrong", ip=f"10.0.3.{number}")
    client, response = attempt("owner@alpha.test", PASSWORD, ip="192.0.2.78")
    assert response.status_code == 429
    assert not logged_in(client)


def test_wrong_passwords_for_different_accounts_lock_the_ip(owner, colleague):
    for number in range(5):
        attempt(f"guess{number}@alpha.test", "wrong", ip="203.0.113.9")
    client, response = attempt("colleague@alpha.test", PASSWORD, ip="203.0.113.9")
    assert response.status_code == 429
    assert not logged_in(client)
    # The accounts themselves are not locked: from another address the login works.
    client, response = attempt("colleague@alpha.test", PASSWORD, ip="198.51.100.1")
    assert response.status_code == 302
    assert logged_in(client)


def test_locked_out_page_explains_in_german(owner):
    for _ in range(5):
        _, response = attempt("owner@alpha.test", "wrong")
    body = response.content.decode()
    assert response.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in body
    assert "Bitte versuchen Sie es in 15 Minuten erneut." in body
    assert reverse("accounts:password_reset") in body


def test_a_successful_login_before_the_limit_keeps_the_account_open(owner):
    for _ in range(3):
        attempt("owner@alpha.test", "wrong")
    _, response = attempt("owner@alpha.test", PASSWORD)
    assert response.status_code == 302


# --- Behind a reverse proxy (THEKE_PROXY_COUNT) ------------------------------------------------

PROXY = "10.0.0.2"  # every request reaches Theke from the proxy


def via_proxy(email: str, password: str, client_ip: str, spoofed: str = ""):
    """A login POST as the proxy forwards it: it appends the address it saw to the header."""
    forwarded = f"{spoofed}, {client_ip}" if spoofed else client_ip
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    return client, response


@override_settings(PROXY_COUNT=1)
def test_failed_logins_behind_a_proxy_lock_out_the_client_not_everyone(owner, colleague):
    for number in range(settings.AXES_FAILURE_LIMIT):
        _, response = via_proxy("owner@alpha.test", f"wrong-{number}", "203.0.113.9")
    assert response.status_code == 429

    client, response = via_proxy("colleague@alpha.test", PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert logged_in(client)
    # axes recorded the client's address, not the proxy's.
    attempts = list(AccessAttempt.objects.values_list("ip_address", "username"))
    logins = list(AccessLog.objects.values_list("ip_address", "username"))
    assert attempts == [("203.0.113.9", "owner@alpha.test")]
    assert logins == [("198.51.100.7", "colleague@alpha.test")]


@override_settings(PROXY_COUNT=1)
def test_guessing_many_accounts_behind_a_proxy_locks_only_the_guessing_client(owner, colleague):
    for number in range(settings.AXES_FAILURE_LIMIT):
        # A forged left part of the header changes nothing: the proxy's entry counts.
        via_proxy(f"guess{number}@alpha.test", "wrong", "203.0.113.9", spoofed=f"192.0.2.{number}")

    client, response = via_proxy("colleague@alpha.test", PASSWORD, "203.0.113.9")
    assert response.status_code == 429
    assert not logged_in(client)
    client, response = via_proxy("colleague@alpha.test", PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert logged_in(client)
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert addresses == {"203.0.113.9"}


# --- Tenant switch -------------------------------------------------------------------------


def test_member_of_two_tenants_switches_between_them(commuter, tenant_a, tenant_b):
    client = Client()
    client.force_login(commuter)
    first = client.get(reverse("core:dashboard"))
    assert first.context["tenant"] == tenant_a
    assert 'id="tenant-switcher"' in first.content.decode()

    response = client.post(reverse("accounts:switch_tenant"), {"tenant": tenant_b.pk})
    assert response.status_code == 302
    assert client.session[ACTIVE_TENANT_SESSION_KEY] == tenant_b.pk
    second = client.get(reverse("core:dashboard"))
    assert second.context["tenant"] == tenant_b
    assert second.context["membership"].role.name == "Admin"
    # The role in B grants user management; in A it did not.
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_switching_to_a_tenant_one_is_not_member_of_changes_nothing(
    owner_client, tenant_a, tenant_b
):
    owner_client.post(reverse("accounts:switch_tenant"), {"tenant": tenant_b.pk})
    assert ACTIVE_TENANT_SESSION_KEY not in owner_client.session
    assert owner_client.get(reverse("core:dashboard")).context["tenant"] == tenant_a
    owner_client.post(reverse("accounts:switch_tenant"), {"tenant": "not-a-number"})
    assert owner_client.get(reverse("core:dashboard")).context["tenant"] == tenant_a


def test_switching_to_a_deactivated_membership_changes_nothing(commuter, tenant_a, tenant_b):
    from theke.accounts.models import Membership

    Membership.objects.filter(user=commuter, tenant=tenant_b).update(is_active=False)
    client = Client()
    client.force_login(commuter)
    client.post(reverse("accounts:switch_tenant"), {"tenant": tenant_b.pk})
    assert client.get(reverse("core:dashboard")).context["tenant"] == tenant_a


def test_switch_tenant_refuses_get(owner_client):
    assert owner_client.get(reverse("accounts:switch_tenant")).status_code == 405


def test_own_successful_login_does_not_reset_the_count_for_another_account(owner, outsider):
    for round_ in range(2):
        for number in range(3):
            attempt("owner@alpha.test", f"guess-{round_}-{number}", ip="10.5.5.5")
        _, response = attempt("outsider@beta.test", PASSWORD, ip="10.5.5.5")
    client, response = attempt("owner@alpha.test", PASSWORD, ip="10.6.6.6")
    assert response.status_code == 429
    assert not logged_in(client)


def test_axes_username_callable_normalises_the_address(rf):
    from theke.accounts.backends import axes_username

    request = rf.post("/admin/login/", {"username": " Owner@ALPHA.test "})
    assert axes_username(request) == "owner@alpha.test"
    assert axes_username(request, {"username": "X@Y.test"}) == "x@y.test"
    assert axes_username(rf.post("/x", {})) == ""
