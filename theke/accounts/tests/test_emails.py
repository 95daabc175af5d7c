"""The accounts e-mails go through the outbox: a row in the request's transaction, nothing sent
inside the request, the worker sends it (with the one-time link made only then)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PASSWORD
from theke.accounts import emails, services
from theke.accounts.models import Membership, Role, User
from theke.audit.services import Actor
from theke.messaging.models import OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.outbox import SECRET_LINK
from theke.messaging.tests.conftest import smtp_peer  # noqa: F401  # fixture
from theke.messaging.tests.emailhtml import assert_in_layout
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def rows(**filters: Any) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(**filters).select_related("tenant"))


def invite_nina(owner_client: Client, tenant: Any, capture: Any) -> list[Any]:
    """POST the invitation form; the commit callbacks are captured, not run."""
    with tenant_scope(tenant):
        role = Role.objects.get(name="Techniker")
    payload = {"email": "nina@alpha.test", "full_name": "Nina Neu", "role": role.pk}
    with capture(execute=False) as callbacks:
        response = owner_client.post(reverse("accounts:user_invite"), payload)
    assert response.status_code == 302
    return callbacks


def link_in(body: Any) -> str:
    found = re.search(r"https?://\S+", str(body))
    assert found, body
    return found.group(0)


def test_invitation_is_an_outbox_row_and_nothing_is_sent_in_the_request(
    owner_client, tenant_a, django_capture_on_commit_callbacks
):
    tenant_a.default_language = "en"
    tenant_a.save(update_fields=["default_language"])

    callbacks = invite_nina(owner_client, tenant_a, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    [row] = rows(purpose=emails.INVITATION)
    assert row.tenant == tenant_a
    assert row.recipient == "nina@alpha.test"
    assert row.status == OutboundStatus.QUEUED
    assert row.subject == "Your Theke access at Autohaus Alpha"  # the new user's language
    assert row.reply_to == "info@alpha.test"
    # The link that sets the password is made by the worker, never stored.
    assert SECRET_LINK in row.body_text
    assert "/staff/invitation/" not in row.body_text

    # After the commit the worker is asked to send (here: run in-process).
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@alpha.test"]
    assert message.subject == "Your Theke access at Autohaus Alpha"
    assert "/staff/invitation/" in link_in(message.body)
    assert SECRET_LINK not in message.body
    assert rows(pk=row.pk)[0].status == OutboundStatus.SENT


def test_invitation_arrives_over_smtp_and_its_link_sets_the_password(
    smtp_peer,  # noqa: F811
    owner_client,
    tenant_a,
    django_capture_on_commit_callbacks,
):
    invite_nina(owner_client, tenant_a, django_capture_on_commit_callbacks)

    assert delivery.deliver_due() == 1

    [received] = smtp_peer.messages
    assert received["To"] == "nina@alpha.test"
    assert received["Subject"] == "Ihr Zugang zu Theke bei Autohaus Alpha"
    body = received.get_body(preferencelist=("plain",)).get_content()
    path = urlparse(link_in(body)).path
    client = Client()
    form_url = client.get(path)["Location"]
    new_password = "Zylinderkopf-Dichtung-42"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert User.objects.get(email="nina@alpha.test").check_password(new_password)


def test_delivery_log_shows_no_usable_link(
    owner_client, tenant_a, django_capture_on_commit_callbacks
):
    invite_nina(owner_client, tenant_a, django_capture_on_commit_callbacks)
    [row] = rows(purpose=emails.INVITATION)
    delivery.deliver_due()

    page = owner_client.get(reverse("messaging:delivery_detail", args=[row.pk]))

    assert page.status_code == 200
    assert "Nina Neu" in page.content.decode()
    assert "/staff/invitation/" not in page.content.decode()


def test_invitation_accepted_before_the_worker_sends_is_cancelled(
    owner_client, tenant_a, django_capture_on_commit_callbacks
):
    invite_nina(owner_client, tenant_a, django_capture_on_commit_callbacks)
    user = User.objects.get(email="nina@alpha.test")
    services.set_password(user, PASSWORD, reason="invitation")

    assert delivery.deliver_due() == 0

    assert mail.outbox == []
    [row] = rows(purpose=emails.INVITATION)
    assert row.status == OutboundStatus.CANCELLED
    assert "no longer wanted" in row.last_error


def test_resent_invitation_is_a_second_row(tenant_a, owner, django_capture_on_commit_callbacks):
    with tenant_scope(tenant_a):
        role = Role.objects.get(name="Techniker")
    membership = services.add_staff_member(
        tenant_a, Actor.staff(owner), email="nina@alpha.test", full_name="Nina Neu", role=role
    )
    services.resend_invitation(membership, Actor.staff(owner))

    assert len(rows(purpose=emails.INVITATION, tenant=tenant_a)) == 2
    assert delivery.deliver_due() == 2
    assert [message.to for message in mail.outbox] == [["nina@alpha.test"]] * 2
    assert all("/staff/invitation/" in link_in(message.body) for message in mail.outbox)


def test_membership_notice_is_queued_once_in_the_users_language(tenant_a, owner, outsider):
    outsider.language = "en"
    outsider.save(update_fields=["language"])
    with tenant_scope(tenant_a):
        role = Role.objects.get(name="Techniker")
    membership = services.add_staff_member(
        tenant_a, Actor.staff(owner), email="outsider@beta.test", role=role
    )
    with tenant_scope(tenant_a):
        again = emails.queue_membership_added(membership)  # e.g. the service's retry

    [row] = rows(purpose=emails.MEMBERSHIP_ADDED)
    assert again.pk == row.pk
    assert row.tenant == tenant_a
    assert row.recipient == "outsider@beta.test"
    assert row.subject == "New access in Theke: Autohaus Alpha"
    assert mail.outbox == []


def test_password_reset_is_an_outbox_row_in_the_tenant_of_the_first_active_membership(
    tenant_a, tenant_b, outsider, django_capture_on_commit_callbacks
):
    outsider.language = "en"
    outsider.save(update_fields=["language"])
    with scopes_disabled():
        role = Role.objects.get(tenant=tenant_a, name="Techniker")
        Membership.objects.create(tenant=tenant_a, user=outsider, role=role)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = Client().post(
            reverse("accounts:password_reset"), {"email": "Outsider@Beta.test"}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    [row] = rows(purpose=emails.PASSWORD_RESET)
    assert row.tenant == tenant_b  # the first membership (tenant B), not the later one
    assert row.recipient == "outsider@beta.test"
    assert row.subject == "Set a new password for Theke"
    assert row.sender_name == "Theke"
    assert SECRET_LINK in row.body_text
    assert "/staff/password/reset/" not in row.body_text

    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == ["outsider@beta.test"]
    assert message.subject == "Set a new password for Theke"
    assert link_in(message.body).startswith("http")
    assert "/staff/password/reset/" in message.body


def test_password_reset_skips_an_inactive_membership(
    tenant_a, tenant_b, outsider, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        Membership.objects.filter(user=outsider, tenant=tenant_b).update(is_active=False)
        role = Role.objects.get(tenant=tenant_a, name="Techniker")
        Membership.objects.create(tenant=tenant_a, user=outsider, role=role)

    Client().post(reverse("accounts:password_reset"), {"email": "outsider@beta.test"})

    [row] = rows(purpose=emails.PASSWORD_RESET)
    assert row.tenant == tenant_a


def test_second_reset_request_queues_a_second_link(owner):
    for _ in range(2):
        Client().post(reverse("accounts:password_reset"), {"email": "owner@alpha.test"})

    queued = rows(purpose=emails.PASSWORD_RESET)
    assert len(queued) == 2
    assert queued[0].dedupe_key != queued[1].dedupe_key
    assert delivery.deliver_due() == 2
    assert len(mail.outbox) == 2


def test_user_without_membership_gets_no_mail_and_the_same_answer(db):
    User.objects.create_user("operator@theke.test", PASSWORD, full_name="Olli Operator")

    known = Client().post(reverse("accounts:password_reset"), {"email": "operator@theke.test"})
    unknown = Client().post(reverse("accounts:password_reset"), {"email": "nobody@theke.test"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert rows() == []
    assert delivery.deliver_due() == 0
    assert mail.outbox == []


def test_reset_link_is_not_sent_to_an_address_the_user_no_longer_has(owner):
    Client().post(reverse("accounts:password_reset"), {"email": "owner@alpha.test"})
    owner.email = "olga@alpha.test"
    owner.save(update_fields=["email"])

    assert delivery.deliver_due() == 0

    assert mail.outbox == []
    assert rows(purpose=emails.PASSWORD_RESET)[0].status == OutboundStatus.CANCELLED


# --- the tenant's e-mail layout -------------------------------------------------------------


def test_invitation_arrives_in_the_tenants_layout_with_the_link_as_button(
    smtp_peer,  # noqa: F811
    owner_client,
    tenant_a,
    django_capture_on_commit_callbacks,
):
    invite_nina(owner_client, tenant_a, django_capture_on_commit_callbacks)
    [row] = rows(purpose=emails.INVITATION)
    assert SECRET_LINK in row.body_html  # the link is made at send time here too

    assert delivery.deliver_due() == 1

    [received] = smtp_peer.messages
    text = received.get_body(preferencelist=("plain",)).get_content()
    link = link_in(text)
    assert link in text.replace("\r\n", "\n").splitlines()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert SECRET_LINK not in html
    assert_in_layout(html, tenant_a, "de", link=link, label="Passwort festlegen", logo="")


def test_password_reset_is_in_the_layout_in_the_users_language(owner, tenant_a):
    owner.language = "en"
    owner.save(update_fields=["language"])
    Client().post(reverse("accounts:password_reset"), {"email": "owner@alpha.test"})

    assert delivery.deliver_due() == 1

    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    link = link_in(message.body)
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    assert_in_layout(html, tenant_a, "en", link=link, label="Set new password", logo="")
