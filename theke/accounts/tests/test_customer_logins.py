"""Customer logins: accounts, login and refusal, throttling, sessions, passwords, isolation."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.accounts import customer_auth
from theke.accounts.models import CustomerAccount, CustomerSession
from theke.accounts.services import customer_accounts as services
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

PASSWORD = "Kipper-Mulde-Container-7"
NEW_PASSWORD = "Abrollcontainer-Wechsel-9"
UA_PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(autouse=True)
def locmem_mail(settings: Any) -> None:
    """The worker's mailer is Django's test outbox (mail.outbox)."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def fresh_cache(db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def make_account(tenant: Any, email: str = "Eva.Berg@Kunde.test", password: str = PASSWORD) -> Any:
    with tenant_scope(tenant):
        customer = customers.create_customer(
            tenant, SYSTEM, kind="company", company_name="Bau Berg GmbH", last_name="Berg"
        )
    account = services.create_customer_account(
        customer, SYSTEM, email=email, first_name="Eva", last_name="Berg"
    )
    if password:
        account = services.set_customer_password(account, password, reason="set")
    return account


@pytest.fixture
def account(tenant_a: Any) -> Any:
    return make_account(tenant_a)


def login_url(tenant: Any) -> str:
    return reverse("customer_accounts:login", args=[tenant.slug])


def log_in(
    client: Client, tenant: Any, email: str = "eva.berg@kunde.test", password: str = PASSWORD
) -> Any:
    return client.post(
        login_url(tenant),
        {"email": email, "password": password},
        HTTP_USER_AGENT=UA_PHONE,
        REMOTE_ADDR="203.0.113.7",
    )


# --- model and services --------------------------------------------------------------------


def test_account_stores_the_email_lower_cased_without_a_password(tenant_a: Any) -> None:
    account = make_account(tenant_a, password="")
    assert account.email == "eva.berg@kunde.test"
    assert not account.has_usable_password()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="customer_account.created").count() == 1


def test_second_account_with_the_same_email_in_any_case_is_refused(account: Any) -> None:
    with pytest.raises(ServiceError) as refused:
        services.create_customer_account(account.customer, SYSTEM, email="EVA.berg@kunde.test")
    assert refused.value.field == "email"


def test_same_email_may_have_an_account_at_another_tenant(account: Any, tenant_b: Any) -> None:
    other = make_account(tenant_b)
    assert other.email == account.email and other.tenant_id != account.tenant_id


def test_password_is_an_argon2_hash(account: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    account = services.set_customer_password(account, NEW_PASSWORD, reason="change")
    assert account.password.startswith("argon2$")
    assert account.password_changed_at is not None


def test_account_queries_outside_a_tenant_scope_fail(account: Any) -> None:
    from theke.tenants.scoping import ScopeError

    with pytest.raises(ScopeError):
        list(CustomerAccount.objects.all())


# --- login and refusal ---------------------------------------------------------------------


def test_login_page_is_branded_and_protected(client: Client, tenant_a: Any) -> None:
    response = client.get(login_url(tenant_a))
    assert response.status_code == 200
    assert tenant_a.name in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")


def test_login_in_any_case_opens_the_account_page(client: Client, account: Any) -> None:
    before = client.get(login_url(account.tenant)).cookies.get("sessionid")
    response = log_in(client, account.tenant, email="EVA.Berg@kunde.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_accounts:account", args=["alpha"])
    page = client.get(response["Location"])
    assert "Angemeldet als" in page.content.decode()
    assert "eva.berg@kunde.test" in page.content.decode()
    with scopes_disabled():
        account.refresh_from_db()
        row = CustomerSession.objects.get(account=account)
    assert account.last_login is not None
    assert row.client_address == "203.0.113.7"
    assert "iPhone" in row.user_agent
    # The session key was rotated at the login.
    assert before is None or client.cookies["sessionid"].value != before.value


def test_wrong_password_and_unknown_email_get_the_same_answer(client: Client, account: Any) -> None:
    wrong = log_in(client, account.tenant, password="falsches-passwort-1")
    unknown = log_in(client, account.tenant, email="niemand@kunde.test")
    assert wrong.status_code == unknown.status_code == 400
    message = "E-Mail-Adresse oder Passwort ist nicht korrekt."
    assert message in wrong.content.decode() and message in unknown.content.decode()


def test_unknown_email_checks_a_dummy_hash(tenant_a: Any, monkeypatch: Any) -> None:
    checked: list[str] = []
    original = services.check_password

    def spy(raw: str, hashed: str) -> bool:
        checked.append(hashed)
        return original(raw, hashed)

    monkeypatch.setattr(services, "check_password", spy)
    assert services.authenticate_customer(tenant_a, "niemand@kunde.test", PASSWORD) is None
    assert len(checked) == 1


def test_inactive_account_cannot_log_in(client: Client, account: Any) -> None:
    services.deactivate_customer_account(account, SYSTEM)
    assert log_in(client, account.tenant).status_code == 400


def test_next_is_followed_only_on_this_host(client: Client, account: Any) -> None:
    devices = reverse("customer_accounts:devices", args=["alpha"])
    response = client.post(
        login_url(account.tenant) + f"?next={devices}",
        {"email": account.email, "password": PASSWORD, "next": devices},
    )
    assert response["Location"] == devices
    client.post(reverse("customer_accounts:logout", args=["alpha"]))
    response = client.post(
        login_url(account.tenant),
        {"email": account.email, "password": PASSWORD, "next": "https://evil.test/"},
    )
    assert response["Location"] == reverse("customer_accounts:account", args=["alpha"])


def test_customer_pages_send_the_anonymous_to_the_login_with_next(
    client: Client, tenant_a: Any
) -> None:
    devices = reverse("customer_accounts:devices", args=["alpha"])
    response = client.get(devices)
    assert response.status_code == 302
    assert response["Location"] == f"{login_url(tenant_a)}?next={devices}"


def test_account_of_tenant_a_cannot_log_in_at_tenant_b(
    client: Client, account: Any, tenant_b: Any
) -> None:
    assert log_in(client, tenant_b).status_code == 400
    # Logged in at A, the pages of B know nobody.
    log_in(client, account.tenant)
    response = client.get(reverse("customer_accounts:account", args=[tenant_b.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(login_url(tenant_b))


def test_logout_ends_only_the_customer_login(client: Client, account: Any, owner: Any) -> None:
    client.force_login(owner)
    log_in(client, account.tenant)
    response = client.post(reverse("customer_accounts:logout", args=["alpha"]))
    assert response["Location"] == login_url(account.tenant)
    assert client.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200
    with scopes_disabled():
        assert not CustomerSession.objects.exists()


# --- staff and customers do not mix --------------------------------------------------------


def test_customer_session_never_reaches_staff_pages(client: Client, account: Any) -> None:
    log_in(client, account.tenant)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    login_page = client.get(response["Location"])
    assert login_page.status_code == 200
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]


def test_staff_login_is_not_a_customer_login(client: Client, owner: Any, tenant_a: Any) -> None:
    client.force_login(owner)
    response = client.get(reverse("customer_accounts:account", args=[tenant_a.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(login_url(tenant_a))


def test_staff_login_in_the_same_browser_keeps_the_customer_login(
    client: Client, account: Any, owner: Any
) -> None:
    from conftest import PASSWORD as STAFF_PASSWORD

    log_in(client, account.tenant)
    client.post(reverse("accounts:login"), {"username": owner.email, "password": STAFF_PASSWORD})
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert client.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 200


# --- throttling ----------------------------------------------------------------------------


def test_failed_logins_lock_the_email_with_a_time_to_try_again(
    client: Client, account: Any, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        response = log_in(client, account.tenant, password="falsches-passwort-1")
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    assert re.search(r"ab \d\d:\d\d Uhr", response.content.decode())
    # Even the right password is refused while locked, from another address too.
    other = Client()
    refused = other.post(
        login_url(account.tenant),
        {"email": account.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in refused.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="customer_account.locked").count() == 1


def test_lock_ends_after_the_cooloff(client: Client, account: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    for _ in range(2):
        log_in(client, account.tenant, password="falsches-passwort-1")
    assert customer_auth.lock_of(account.tenant, account.email, "203.0.113.7") is not None
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert customer_auth.lock_of(account.tenant, account.email, "203.0.113.7") is None


def test_failures_from_one_address_lock_that_address_for_every_email(
    client: Client, account: Any, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for number in range(3):
        log_in(client, account.tenant, email=f"raten{number}@kunde.test")
    response = log_in(client, account.tenant)
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    # The account itself is not locked for its owner elsewhere.
    elsewhere = Client().post(
        login_url(account.tenant),
        {"email": account.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )
    assert elsewhere.status_code == 302


# --- sessions ------------------------------------------------------------------------------


def test_password_change_ends_other_sessions_and_keeps_this_one(account: Any) -> None:
    phone, laptop = Client(), Client()
    log_in(phone, account.tenant)
    log_in(laptop, account.tenant)
    response = phone.post(
        reverse("customer_accounts:password_change", args=["alpha"]),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert phone.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 200
    assert laptop.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 302
    with scopes_disabled():
        assert CustomerSession.objects.filter(account=account).count() == 1


def test_password_change_refuses_a_wrong_old_or_weak_new_password(
    client: Client, account: Any
) -> None:
    log_in(client, account.tenant)
    url = reverse("customer_accounts:password_change", args=["alpha"])
    wrong = client.post(
        url, {"old_password": "x", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert "Das bisherige Passwort ist nicht korrekt." in wrong.content.decode()
    for weak in ("kurz-9", "1234567890123", "password123", "eva.berg.kunde"):
        response = client.post(
            url, {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
        )
        assert response.status_code == 400, weak
        assert 'id="id_new_password1-error"' in response.content.decode(), weak


def test_hash_change_elsewhere_ends_the_session(client: Client, account: Any) -> None:
    log_in(client, account.tenant)
    services.set_customer_password(account, NEW_PASSWORD, reason="reset")
    assert client.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 302


def test_devices_lists_sessions_and_signs_out_elsewhere(account: Any) -> None:
    phone, laptop = Client(), Client()
    log_in(phone, account.tenant)
    log_in(laptop, account.tenant)
    page = phone.get(reverse("customer_accounts:devices", args=["alpha"]))
    text = page.content.decode()
    assert text.count("list-group-item py-3") == 2
    assert "dieses Gerät" in text and "Safari" in text
    assert "Überall sonst abmelden" in text
    laptop_key = laptop.cookies["sessionid"].value
    response = phone.post(reverse("customer_accounts:sign_out_elsewhere", args=["alpha"]))
    assert response.status_code == 302
    assert laptop.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 302
    assert phone.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 200
    assert not Session.objects.filter(session_key=laptop_key).exists()
    with scopes_disabled():
        assert CustomerSession.objects.filter(account=account).count() == 1
        assert AuditEvent.objects.filter(action="customer_account.signed_out_elsewhere").exists()


def test_sign_out_elsewhere_keeps_a_staff_login_in_that_browser(account: Any, owner: Any) -> None:
    phone, shared = Client(), Client()
    shared.force_login(owner)
    log_in(shared, account.tenant)
    log_in(phone, account.tenant)
    phone.post(reverse("customer_accounts:sign_out_elsewhere", args=["alpha"]))
    assert shared.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 302
    assert shared.get(reverse("core:dashboard")).status_code == 200


def test_session_row_is_touched_at_most_once_a_minute(client: Client, account: Any) -> None:
    log_in(client, account.tenant)
    with scopes_disabled():
        first = CustomerSession.objects.get().last_seen_at
    client.get(reverse("customer_accounts:account", args=["alpha"]))
    with scopes_disabled():
        assert CustomerSession.objects.get().last_seen_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        client.get(reverse("customer_accounts:account", args=["alpha"]))
    with scopes_disabled():
        assert CustomerSession.objects.get().last_seen_at > first


# --- password reset ------------------------------------------------------------------------


def _reset_link(tenant: Any, email: str) -> str:
    """The link of the reset e-mail as the worker sends it (a path on this host)."""
    from urllib.parse import urlparse

    from theke.messaging.services import delivery

    delivery.deliver_due()
    [sent] = [m for m in mail.outbox if any(email in to for to in m.to)]
    assert tenant.name in sent.subject
    found = re.search(r"https?://\S+", str(sent.body))
    assert found, sent.body
    return urlparse(found.group(0)).path


def test_reset_form_answers_the_same_for_known_and_unknown_addresses(
    client: Client, account: Any
) -> None:
    url = reverse("customer_accounts:password_reset", args=["alpha"])
    known = client.post(url, {"email": "Eva.Berg@kunde.test"})
    unknown = client.post(url, {"email": "niemand@kunde.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    with scopes_disabled():
        messages = list(OutboundMessage.objects.filter(purpose="customer_password_reset"))
    assert [m.recipient for m in messages] == ["eva.berg@kunde.test"]
    assert messages[0].tenant_id == account.tenant_id
    assert "https://" not in messages[0].body_text  # the link is made when sending


def test_reset_link_sets_a_password_once(client: Client, account: Any) -> None:
    client.post(
        reverse("customer_accounts:password_reset", args=["alpha"]), {"email": account.email}
    )
    link = _reset_link(account.tenant, account.email)
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened["Referrer-Policy"] == "no-referrer"
    form_url = opened["Location"]
    assert "neues-passwort" in form_url
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == login_url(account.tenant)
    assert log_in(client, account.tenant, password=NEW_PASSWORD).status_code == 302
    # Spent: the same link again, in a fresh browser.
    again = Client().get(link)
    assert "nicht mehr gültig" in again.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="customer_account.password_reset").exists()


def test_reset_link_expires(client: Client, account: Any, settings: Any) -> None:
    client.post(
        reverse("customer_accounts:password_reset", args=["alpha"]), {"email": account.email}
    )
    link = _reset_link(account.tenant, account.email)
    # An epoch float: unambiguous for the naive local clock the token generator reads.
    later = time.time() + settings.PASSWORD_RESET_TIMEOUT + 60
    with time_machine.travel(later, tick=False):
        response = client.get(link)
    assert "nicht mehr gültig" in response.content.decode()


def test_reset_link_of_tenant_a_does_not_open_at_tenant_b(
    client: Client, account: Any, tenant_b: Any
) -> None:
    client.post(
        reverse("customer_accounts:password_reset", args=["alpha"]), {"email": account.email}
    )
    link = _reset_link(account.tenant, account.email)
    response = client.get(link.replace("/konto/alpha/", f"/konto/{tenant_b.slug}/"))
    assert "nicht mehr gültig" in response.content.decode()


def test_reset_clears_the_lock(client: Client, account: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        log_in(client, account.tenant, email=account.email, password="falsches-passwort-1")
    other = Client()
    other.post(
        reverse("customer_accounts:password_reset", args=["alpha"]), {"email": account.email}
    )
    form_url = other.get(_reset_link(account.tenant, account.email))["Location"]
    other.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = other.post(
        login_url(account.tenant),
        {"email": account.email, "password": NEW_PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 302


def test_no_reset_email_for_a_deactivated_account(client: Client, account: Any) -> None:
    services.deactivate_customer_account(account, SYSTEM)
    client.post(
        reverse("customer_accounts:password_reset", args=["alpha"]), {"email": account.email}
    )
    with scopes_disabled():
        assert not OutboundMessage.objects.filter(purpose="customer_password_reset").exists()
    assert mail.outbox == []
