"""Invitation, password reset and password change, end to end through the views and mail."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from theke.accounts import tasks
from theke.accounts.models import Role
from theke.audit.models import AuditEvent
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zylinderkopf-Dichtung-42"


def link_in(message) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0)


def log_in(email: str, password: str, ip: str = "10.9.9.9") -> Client:
    client = Client()
    client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )
    return client


def set_password_via(link: str):
    client = Client()
    response = client.get(urlparse(link).path)
    assert response.status_code == 302, "Django moves the token out of the URL first"
    assert response["Referrer-Policy"] == "no-referrer"
    form_url = response["Location"]
    page = client.get(form_url)
    return client, form_url, page


def invite(owner_client, tenant, django_capture_on_commit_callbacks, **data):
    with tenant_scope(tenant):
        techniker = Role.objects.get(name="Techniker")
    payload = {"email": "nina@alpha.test", "full_name": "Nina Neu", "role": techniker.pk, **data}
    with django_capture_on_commit_callbacks(execute=True):
        return owner_client.post(reverse("accounts:user_invite"), payload)


def test_invited_user_sets_a_password_and_logs_in(
    owner_client, tenant_a, django_capture_on_commit_callbacks
):
    response = invite(owner_client, tenant_a, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@alpha.test"]
    assert message.subject == "Ihr Zugang zu Theke bei Autohaus Alpha"
    assert "Guten Tag Nina Neu" in message.body
    assert "Bitte legen Sie über den folgenden Link Ihr Passwort fest" in message.body
    assert message.reply_to == ["info@alpha.test"]
    link = link_in(message)
    assert link.startswith(f"{settings.BASE_URL}/staff/invitation/")

    client, form_url, page = set_password_via(link)
    assert page.status_code == 200
    assert "nina@alpha.test" in page.content.decode()
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:invitation_complete")

    member = log_in("Nina@Alpha.test", NEW_PASSWORD)
    assert member.get(reverse("core:dashboard")).status_code == 200
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="invitation.accepted").exists()

    # The link is spent.
    again = Client().get(urlparse(link).path)
    assert "Einladungslink ungültig" in again.content.decode()


def test_invitation_link_is_valid_for_days_not_forever(
    owner_client, tenant_a, django_capture_on_commit_callbacks
):
    invite(owner_client, tenant_a, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6), tick=False):
        _, _, page = set_password_via(link)
        assert "new_password1" in page.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8), tick=False):
        page = Client().get(urlparse(link).path)
        assert "Einladungslink ungültig" in page.content.decode()


def test_invitation_token_is_no_password_reset_token(
    owner_client, tenant_a, django_capture_on_commit_callbacks
):
    invite(owner_client, tenant_a, django_capture_on_commit_callbacks)
    path = urlparse(link_in(mail.outbox[0])).path
    reset_path = path.replace("/staff/invitation/", "/staff/password/reset/")
    page = Client().get(reset_path)
    assert page.status_code == 200
    assert "Link ungültig" in page.content.decode()


def test_resend_invitation_sends_a_new_link(
    owner_client, tenant_a, django_capture_on_commit_callbacks
):
    from theke.accounts.models import Membership

    invite(owner_client, tenant_a, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user__email="nina@alpha.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("accounts:user_resend_invitation", args=[membership.pk])
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert "/staff/invitation/" in mail.outbox[1].body


def test_password_reset_by_email(owner, django_capture_on_commit_callbacks):
    client = Client()
    page = client.get(reverse("accounts:password_reset"))
    assert page.status_code == 200
    # The e-mail is an outbox row; the worker sends it after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "OWNER@alpha.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@alpha.test"]
    assert message.subject == "Neues Passwort für Theke festlegen"
    assert "Guten Tag Olga Owner" in message.body
    assert "das Passwort zurückzusetzen" in message.body
    link = link_in(message)
    assert link.startswith(f"{settings.BASE_URL}/staff/password/reset/")

    client, form_url, page = set_password_via(link)
    assert "new_password1" in page.content.decode()
    mismatch = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 200
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert "Passwort gespeichert" in client.get(done["Location"]).content.decode()

    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert (
        log_in("owner@alpha.test", NEW_PASSWORD).get(reverse("core:dashboard")).status_code == 200
    )
    assert "Link ungültig" in Client().get(urlparse(link).path).content.decode()


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(db):
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def reset_request_work(email: str, monkeypatch) -> tuple[list[str], list[tuple]]:
    """The queries and queued tasks of one reset request (the task itself not run)."""
    queued: list[tuple] = []
    fake = SimpleNamespace(enqueue=lambda *args, **kwargs: queued.append(args))
    monkeypatch.setattr(tasks, "send_password_reset", fake)
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    # The statements without their values: the address itself differs, nothing else may.
    return [re.sub(r"'[^']*'|%s|\d+", "?", q["sql"]) for q in queries.captured_queries], queued


def test_password_reset_request_does_the_same_work_for_known_and_unknown_addresses(
    owner, monkeypatch
):
    known_queries, known_tasks = reset_request_work("owner@alpha.test", monkeypatch)
    unknown_queries, unknown_tasks = reset_request_work("nobody@nowhere.test", monkeypatch)
    monkeypatch.undo()
    assert known_queries == unknown_queries
    assert known_tasks == [("owner@alpha.test",)] and unknown_tasks == [("nobody@nowhere.test",)]
    # The worker's part: one e-mail for the known address, nothing for the unknown one.
    assert tasks.send_password_reset.call("OWNER@alpha.test") == 1
    assert tasks.send_password_reset.call("nobody@nowhere.test") == 0


def test_password_reset_unlocks_a_locked_account(owner, django_capture_on_commit_callbacks):
    for _ in range(5):
        Client().post(
            reverse("accounts:login"),
            {"username": "owner@alpha.test", "password": "wrong"},
            REMOTE_ADDR="10.1.1.1",
        )
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password_reset"), {"email": "owner@alpha.test"})
    client, form_url, _ = set_password_via(link_in(mail.outbox[0]))
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = Client().post(
        reverse("accounts:login"),
        {"username": "owner@alpha.test", "password": NEW_PASSWORD},
        REMOTE_ADDR="10.1.1.2",
    )
    assert response.status_code == 302


def test_password_change(owner_client, owner):
    url = reverse("accounts:password_change")
    page = owner_client.get(url)
    assert page.status_code == 200
    assert "Passwort ändern" in page.content.decode()
    wrong = owner_client.post(
        url,
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    response = owner_client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    # Still logged in after the change (session hash updated).
    assert owner_client.get(response["Location"]).status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
