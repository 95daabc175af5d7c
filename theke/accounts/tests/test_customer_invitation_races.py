"""An invitation to a customer login used twice at the same moment (PostgreSQL row locks):
one password is set, the other submit is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection

from theke.accounts.models import CustomerAccount
from theke.accounts.services.customer_invitations import (
    accept_customer_invitation,
    invite_customer_account,
    issue_invitation_link,
)
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.core.tests.concurrency import run_at_once
from theke.customers import links
from theke.customers import services as customers
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_two_submits_of_one_invitation_at_once_set_one_password(
    tenant_a: Any, monkeypatch: Any
) -> None:
    with tenant_scope(tenant_a):
        customer = customers.create_customer(tenant_a, SYSTEM, kind="person", last_name="Berg")
        contact = customers.add_contact(
            customer, SYSTEM, first_name="Eva", last_name="Berg", email="eva@kunde.test"
        )
    account = invite_customer_account(customer, contact, SYSTEM)
    issued: list[str] = []
    real_issue = links.issue_link

    def remember(*args: Any, **kwargs: Any) -> Any:
        made = real_issue(*args, **kwargs)
        issued.append(made[1])
        return made

    monkeypatch.setattr(links, "issue_link", remember)
    issue_invitation_link(account, contact)
    [token] = issued

    errors = run_at_once(
        lambda: accept_customer_invitation(token, "Erstes-Passwort-Blau-1"),
        lambda: accept_customer_invitation(token, "Zweites-Passwort-Rot-2"),
    )
    assert len(errors) == 1
    assert isinstance(errors[0], ServiceError)
    with scopes_disabled():
        stored = CustomerAccount.objects.get(pk=account.pk).password
    assert check_password("Erstes-Passwort-Blau-1", stored) != check_password(
        "Zweites-Passwort-Rot-2", stored
    )
