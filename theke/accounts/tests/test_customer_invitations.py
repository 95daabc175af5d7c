"""Invitations to a customer login from the staff customer page: the e-mail (its link made
when the worker sends it), the page where the invitee sets the first password and is logged
in, resending, expiry, a second use, deactivation, and the panel on the customer page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_staff
from theke.accounts import customer_auth, emails
from theke.accounts.models import CustomerAccount, CustomerSession
from theke.accounts.services import customer_accounts
from theke.accounts.services.customer_invitations import (
    INVITATION_KIND,
    accept_customer_invitation,
    invite_customer_account,
)
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, Actor
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.customers.models import Contact, Customer, CustomerLink
from theke.messaging.models import OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.outbox import SECRET_LINK
from theke.messaging.tests.emailhtml import assert_in_layout
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kiesel-Wald-Laterne-42"


@pytest.fixture(autouse=True)
def locmem_mail(settings: Any) -> None:
    """The worker's mailer is Django's test outbox (mail.outbox)."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def customer(tenant_a: Any) -> Customer:
    with tenant_scope(tenant_a):
        return customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Petra", last_name="Neumann"
        )


@pytest.fixture
def contact(customer: Customer) -> Contact:
    with tenant_scope(customer.tenant):
        return customers.add_contact(
            customer,
            SYSTEM,
            first_name="Petra",
            last_name="Neumann",
            email="Petra.Neumann@Example.org",
        )


def _invite(customer: Customer, contact: Contact, who: Any = None) -> CustomerAccount:
    actor = Actor.staff(who) if who is not None else SYSTEM
    return invite_customer_account(customer, contact, actor)


def _messages() -> list[OutboundMessage]:
    with scopes_disabled():
        return list(
            OutboundMessage.objects.filter(purpose=emails.CUSTOMER_INVITATION).order_by("pk")
        )


def _link_in(text: Any) -> str:
    found = re.search(r"https?://\S+/konto/zugang/\S+/", str(text))
    assert found, text
    return found.group(0)


def _path(link: str) -> str:
    return link.removeprefix("http://127.0.0.1:8000")


def _sent_link() -> str:
    """Let the worker send what is due; the path of the newest invitation e-mail's link."""
    delivery.deliver_due()
    return _path(_link_in(mail.outbox[-1].body))


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _account(email: str = "petra.neumann@example.org") -> CustomerAccount:
    with scopes_disabled():
        return CustomerAccount.objects.get(email=email)


def _register(client: Client, path: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(path, {"new_password1": password, "new_password2": password})


# --- inviting --------------------------------------------------------------------------------


def test_invitation_makes_a_login_without_password_and_an_email_without_the_link(
    customer: Customer, contact: Contact, owner: Any
) -> None:
    account = _invite(customer, contact, owner)
    assert account.email == "petra.neumann@example.org"
    assert account.customer_id == customer.pk
    assert (account.first_name, account.last_name) == ("Petra", "Neumann")
    assert not account.has_usable_password()
    [message] = _messages()
    assert message.recipient == "petra.neumann@example.org"
    assert message.subject == "Einladung zum Kundenkonto bei Autohaus Alpha"
    assert SECRET_LINK in message.body_text  # the delivery log shows no usable link
    with scopes_disabled():
        assert not CustomerLink.objects.filter(kind=INVITATION_KIND).exists()
        event = AuditEvent.objects.get(action="customer_account.invited")
    assert event.data["email"] == "petra.neumann@example.org"
    assert event.actor_user_id == owner.pk


def test_email_carries_the_button_and_the_link(customer: Customer, contact: Contact) -> None:
    _invite(customer, contact)
    assert delivery.deliver_due() == 1
    [sent] = mail.outbox
    assert isinstance(sent, EmailMultiAlternatives)
    assert sent.subject == "Einladung zum Kundenkonto bei Autohaus Alpha"
    link = _link_in(sent.body)
    assert link in sent.body.splitlines()
    assert "Guten Tag Petra Neumann," in sent.body
    assert "7 Tage gültig" in sent.body
    assert "petra.neumann@example.org" in sent.body
    html = sent.alternatives[0][0]
    assert isinstance(html, str)
    assert SECRET_LINK not in html
    assert_in_layout(html, customer.tenant, "de", link=link, label="Zugang anlegen", logo="")
    with scopes_disabled():
        [row] = CustomerLink.objects.filter(kind=INVITATION_KIND)
    assert row.object_id == str(_account().pk)
    assert timedelta(days=6, hours=23) < row.expires_at - timezone.now() <= timedelta(days=7)


def test_a_contact_without_email_is_refused(customer: Customer) -> None:
    with tenant_scope(customer.tenant):
        mobile_only = customers.add_contact(
            customer, SYSTEM, first_name="Paul", last_name="Neumann", mobile_phone="+491701111111"
        )
    with pytest.raises(ServiceError) as refused:
        _invite(customer, mobile_only)
    assert refused.value.code == "no_email"
    assert "Paul Neumann" in refused.value.messages[0]


def test_an_address_that_logs_in_already_is_refused(customer: Customer, contact: Contact) -> None:
    _invite(customer, contact)
    accept_customer_invitation(_token(_sent_link()), NEW_PASSWORD)
    with pytest.raises(ServiceError) as refused:
        _invite(customer, contact)
    assert refused.value.messages == ["petra.neumann@example.org hat bereits einen Zugang."]


def test_an_address_of_another_customer_is_refused(
    customer: Customer, contact: Contact, tenant_a: Any
) -> None:
    with tenant_scope(tenant_a):
        other = customers.create_customer(tenant_a, SYSTEM, kind="person", last_name="Anders")
        customer_accounts.create_customer_account(other, SYSTEM, email=contact.email)
    with pytest.raises(ServiceError) as refused:
        _invite(customer, contact)
    assert refused.value.code == "other_customer"


# --- registering -----------------------------------------------------------------------------


def test_registration_sets_the_password_and_logs_in(customer: Customer, contact: Contact) -> None:
    _invite(customer, contact)
    path = _sent_link()
    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Zugang anlegen" in text
    assert "petra.neumann@example.org" in text
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]

    response = _register(client, path)
    assert response.status_code == 302
    account = _account()
    expected = customer_auth.homes_of(account)
    landing = expected[0].url if expected else reverse("customer_accounts:account", args=["alpha"])
    assert response["Location"] == landing
    assert check_password(NEW_PASSWORD, account.password)
    assert account.last_login is not None
    assert client.get(reverse("customer_accounts:account", args=["alpha"])).status_code == 200
    with scopes_disabled():
        assert CustomerSession.objects.filter(account=account).count() == 1
        [link] = CustomerLink.objects.filter(kind=INVITATION_KIND)
        assert link.revoked_at is not None
        assert AuditEvent.objects.filter(action="customer_account.invitation_accepted").exists()


def test_a_second_use_is_refused(customer: Customer, contact: Contact) -> None:
    _invite(customer, contact)
    path = _sent_link()
    assert _register(Client(), path).status_code == 302
    stored = _account().password

    again = Client().get(path)
    assert again.status_code == 410
    assert "Diese Einladung ist nicht mehr gültig" in again.content.decode()
    refused = _register(Client(), path, "Ganz-anderes-Passwort-7")
    assert refused.status_code == 410
    assert _account().password == stored
    with pytest.raises(ServiceError):
        accept_customer_invitation(_token(path), "Noch-ein-Passwort-99")


def test_a_weak_password_is_refused_at_the_field(customer: Customer, contact: Contact) -> None:
    _invite(customer, contact)
    path = _sent_link()
    response = _register(Client(), path, "12345678")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not _account().has_usable_password()
    assert Client().get(path).status_code == 200  # the link still works


def test_expired_invitation_shows_its_page(customer: Customer, contact: Contact) -> None:
    _invite(customer, contact)
    path = _sent_link()
    with scopes_disabled():
        CustomerLink.objects.filter(kind=INVITATION_KIND).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    response = Client().get(path)
    assert response.status_code == 410
    text = response.content.decode()
    assert "Diese Einladung ist abgelaufen" in text
    assert "Autohaus Alpha" in text
    assert _register(Client(), path).status_code == 410
    assert not _account().has_usable_password()


def test_unknown_token_is_the_neutral_404(db: None) -> None:
    response = Client().get(reverse("customer_accounts:invitation", args=["x" * 32]))
    assert response.status_code == 404


# --- resending -------------------------------------------------------------------------------


def test_resend_supersedes_the_older_link(customer: Customer, contact: Contact) -> None:
    _invite(customer, contact)
    first = _sent_link()
    _invite(customer, contact)
    second = _sent_link()
    assert first != second
    old = Client().get(first)
    assert old.status_code == 410
    assert "Es gibt eine neuere Einladung" in old.content.decode()
    assert Client().get(second).status_code == 200
    with scopes_disabled():
        resent = AuditEvent.objects.filter(action="customer_account.invited").order_by("pk")
        assert [e.data["resent"] for e in resent] == [False, True]


def test_an_older_invitation_not_yet_sent_is_not_sent(customer: Customer, contact: Contact) -> None:
    _invite(customer, contact)
    _invite(customer, contact)
    assert delivery.deliver_due() == 1
    first, second = _messages()
    assert first.status == OutboundStatus.CANCELLED
    assert second.status == OutboundStatus.SENT
    assert len(mail.outbox) == 1


# --- deactivating ----------------------------------------------------------------------------


def test_deactivation_stops_the_login_and_an_open_invitation(
    customer: Customer, contact: Contact, owner_client: Client
) -> None:
    account = _invite(customer, contact)
    path = _sent_link()
    response = owner_client.post(reverse("accounts:customer_login_deactivate", args=[account.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith("#customer-logins")
    assert not _account().is_active
    assert Client().get(path).status_code == 410


def test_inviting_a_deactivated_login_starts_it_afresh(
    customer: Customer, contact: Contact
) -> None:
    _invite(customer, contact)
    accept_customer_invitation(_token(_sent_link()), NEW_PASSWORD)
    account = _account()
    with tenant_scope(customer.tenant):
        CustomerSession.objects.create(
            account=account, session_key="x", last_seen_at=timezone.now()
        )
    customer_accounts.deactivate_customer_account(account, SYSTEM)
    _invite(customer, contact)
    again = _account()
    assert again.is_active
    assert not again.has_usable_password()  # the old password no longer opens it
    path = _sent_link()
    assert _register(Client(), path, "Neues-Leben-Passwort-8").status_code == 302
    assert check_password("Neues-Leben-Passwort-8", _account().password)


# --- the staff customer page -----------------------------------------------------------------


def test_panel_shows_contacts_and_invites_from_the_customer_page(
    customer: Customer, contact: Contact, owner_client: Client
) -> None:
    page = owner_client.get(reverse("customers:detail", args=[customer.pk]))
    text = page.content.decode()
    assert "Kundenkonto" in text
    assert "Kein Zugang" in text
    invite = reverse("accounts:customer_login_invite", args=[customer.pk, contact.pk])
    assert invite in text

    response = owner_client.post(invite)
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("customers:detail", args=[customer.pk]) + "#customer-logins"
    )
    text = owner_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Eingeladen" in text
    assert "Einladung erneut senden" in text
    assert "Die Einladung zum Kundenkonto an petra.neumann@example.org ist unterwegs." in text

    accept_customer_invitation(_token(_sent_link()), NEW_PASSWORD)
    customer_accounts.record_customer_login(_account())
    text = owner_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Zugang aktiv" in text
    assert "zuletzt angemeldet" in text
    assert "Zugang deaktivieren" in text


def test_panel_without_the_right_to_manage_has_no_buttons(
    customer: Customer, contact: Contact, tenant_a: Any
) -> None:
    viewer = make_staff(tenant_a, "techniker@alpha.test", "Tim Techniker", "Techniker")
    client = Client()
    client.force_login(viewer)
    text = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Kundenkonto" in text
    assert "Einladen" not in text
    response = client.post(
        reverse("accounts:customer_login_invite", args=[customer.pk, contact.pk])
    )
    assert response.status_code == 403
    assert _messages() == []


def test_outsider_gets_404(customer: Customer, contact: Contact, outsider_client: Client) -> None:
    invite = reverse("accounts:customer_login_invite", args=[customer.pk, contact.pk])
    assert outsider_client.post(invite).status_code == 404
    assert _messages() == []
    account = _invite(customer, contact)
    deactivate = reverse("accounts:customer_login_deactivate", args=[account.pk])
    assert outsider_client.post(deactivate).status_code == 404
    assert _account().is_active


def test_a_contact_of_another_customer_is_404(
    customer: Customer, contact: Contact, owner_client: Client, tenant_a: Any
) -> None:
    with tenant_scope(tenant_a):
        other = customers.create_customer(tenant_a, SYSTEM, kind="person", last_name="Anders")
    url = reverse("accounts:customer_login_invite", args=[other.pk, contact.pk])
    assert owner_client.post(url).status_code == 404
