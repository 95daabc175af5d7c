"""Fixtures of the accounts tests: a tenant admin's branches, and a person in two tenants."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.core.tests.browser import open_page  # noqa: F401  # fixture of the browser tests


@pytest.fixture
def colleague_client(colleague: Any) -> Client:
    client = Client()
    client.force_login(colleague)
    return client


@pytest.fixture
def second_admin(tenant_a: Any) -> Any:
    return make_staff(tenant_a, "second@alpha.test", "Sabine Second", "Admin")


@pytest.fixture
def commuter(tenant_a: Any, tenant_b: Any) -> Any:
    """Serviceberater in A and Admin in B."""
    from theke.accounts.models import Membership, Role

    user = make_staff(tenant_a, "commuter@both.test", "Conny Commuter", "Serviceberater")
    with scopes_disabled():
        Membership.objects.create(
            tenant=tenant_b, user=user, role=Role.objects.get(tenant=tenant_b, name="Admin")
        )
    return user
