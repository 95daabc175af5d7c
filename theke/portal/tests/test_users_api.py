"""Activation and deactivation of a customer's portal through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from theke.api.services import create_api_key
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.portal.models import PortalCustomer, PortalRole, PortalUser
from theke.portal.tests.helpers_users import invitations_to
from theke.portal.tests.world import World
from theke.tenants.scoping import scopes_disabled, tenant_scope

BASE = "/api/v1"


@pytest.fixture
def api(client: Any, world: World) -> Any:
    _key, plaintext = create_api_key(world.tenant, SYSTEM, "ERP")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    with tenant_scope(world.tenant):
        customers.create_customer(
            world.tenant, SYSTEM, kind="company", company_name="Neu GmbH", external_id="K-900"
        )
    return client


def put(client: Any, path: str, body: Any) -> Any:
    return client.put(BASE + path, json.dumps(body), content_type="application/json")


def test_put_activates_and_invites_once(api: Any) -> None:
    body = {"first_user_email": "chef@neu.test", "first_name": "Clara", "last_name": "Chef"}
    created = put(api, "/customers/K-900/portal", body)
    assert created.status_code == 201, created.content
    answer = json.loads(created.content)
    assert answer["is_active"] and answer["first_user_email"] == "chef@neu.test"
    assert answer["registered_at"] is None
    again = put(api, "/customers/K-900/portal", body)
    assert again.status_code == 200
    assert len(invitations_to("chef@neu.test")) == 1
    with scopes_disabled():
        user = PortalUser.objects.get(account__email="chef@neu.test")
        assert user.role == PortalRole.ADMIN and user.account.first_name == "Clara"


def test_delete_deactivates(api: Any) -> None:
    put(api, "/customers/K-900/portal", {"first_user_email": "chef@neu.test"})
    response = api.delete(BASE + "/customers/K-900/portal")
    assert response.status_code == 200
    assert json.loads(response.content)["result"] == "deactivated"
    with scopes_disabled():
        assert not PortalCustomer.objects.get(customer__external_id="K-900").is_active


def test_bad_input_answers_problems(api: Any) -> None:
    unknown = put(api, "/customers/NOPE/portal", {"first_user_email": "a@b.test"})
    assert unknown.status_code == 404
    assert unknown["Content-Type"].startswith("application/problem+json")
    invalid = put(api, "/customers/K-900/portal", {"first_user_email": "kein-at"})
    assert invalid.status_code == 422
    problem = json.loads(invalid.content)
    assert problem["errors"][0]["path"] == "first_user_email"
    extra = put(api, "/customers/K-900/portal", {"first_user_email": "a@b.test", "x": 1})
    assert extra.status_code == 422


def test_tenant_without_portal_answers_409(api: Any, world: World) -> None:
    world.tenant.portal_enabled = False
    world.tenant.save(update_fields=["portal_enabled"])
    response = put(api, "/customers/K-900/portal", {"first_user_email": "a@b.test"})
    assert response.status_code == 409
