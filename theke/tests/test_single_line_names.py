"""Names go into e-mail headers and SMS: a line break (or another control character) in a
customer's, contact's, branch's, tenant's or user's name is refused where it is entered,
in the API (422 with the field path) and in the staff forms (a message at the field)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.api.tests.conftest import make_key
from theke.customers.models import Customer
from theke.tenants.models import Branch

pytestmark = pytest.mark.django_db

MESSAGE = "Bitte ohne Zeilenumbrüche, Tabulatoren oder Steuerzeichen eingeben."
BAD_NAMES = ["Berg\r\nBcc: evil@example.com", "Berg\nBerg", "Tab\tBerg", "Esc\x1bBerg", "a\u2028b"]


@pytest.fixture
def api(client: Any, tenant_a: Any) -> Any:
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_key(tenant_a)[1]}"
    return client


def put(client: Any, url: str, body: Any) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("name", BAD_NAMES)
def test_api_refuses_a_customer_name_with_a_line_break(api: Any, name: str) -> None:
    response = put(api, "/api/v1/customers/K-1", {"last_name": name})
    assert response.status_code == 422, response.content
    assert [e["path"] for e in response.json()["errors"]] == ["last_name"]
    with scopes_disabled():
        assert not Customer.objects.exists()


def test_api_refuses_line_breaks_in_contacts_and_bulk_items(api: Any) -> None:
    body = {"last_name": "Berg", "contacts": [{"last_name": "Eva", "first_name": "E\nva"}]}
    response = put(api, "/api/v1/customers/K-1", body)
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["contacts.0.first_name"]
    items = [{"external_id": "K-2", "company_name": "A\r\nB", "kind": "company"}]
    bulk = api.post(
        "/api/v1/customers/bulk", json.dumps({"items": items}), content_type="application/json"
    )
    [result] = bulk.json()["results"]
    assert result["status"] == "error"
    assert [e["path"] for e in result["errors"]] == ["items.0.company_name"]


def test_openapi_states_the_single_line_rule(client: Any) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "pattern" in schemas["ContactIn"]["properties"]["last_name"]


def test_staff_customer_form_shows_the_message_at_the_field(
    owner_client: Any, tenant_a: Any
) -> None:
    response = owner_client.post(
        reverse("customers:create"), {"kind": "person", "last_name": "Berg\r\nBcc: x"}
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    with scopes_disabled():
        assert not Customer.objects.exists()


def test_branch_and_invite_forms_refuse_line_breaks(owner_client: Any, tenant_a: Any) -> None:
    branch = owner_client.post(
        reverse("tenants:branch_create"),
        {"name": "Alpha\r\nMitte", "city": "Berlin", "is_active": "on"},
    )
    assert branch.status_code == 200 and MESSAGE in branch.content.decode()
    with scopes_disabled():
        assert not Branch.objects.filter(name__contains="Mitte").exists()
    invite = owner_client.post(
        reverse("accounts:user_invite"), {"email": "neu@alpha.test", "full_name": "Neu\nName"}
    )
    assert invite.status_code == 200 and MESSAGE in invite.content.decode()


@pytest.mark.parametrize("model_field", ["tenants.Tenant.name", "accounts.User.full_name"])
def test_models_carry_the_validator(model_field: str) -> None:
    from django.apps import apps

    app_label, model_name, field_name = model_field.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    with pytest.raises(ValidationError):
        field.clean("Eins\nZwei", None)
