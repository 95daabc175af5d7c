"""The federal state of a customer's location: from the postcode, editable in the staff form,
settable through the API, filled for existing rows by the data migration."""

from __future__ import annotations

import importlib
import json
from typing import Any, get_args

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.api.services import create_api_key
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.customers import services
from theke.customers.api import FederalStateCode
from theke.customers.models import Location
from theke.customers.tests.conftest import Shop
from theke.tenants.federal_states import FederalState
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

API = "/api/v1"


def test_a_new_location_gets_the_state_of_its_postcode(shop: Shop) -> None:
    assert shop.location.state == "BE"  # 10115 Berlin
    with tenant_scope(shop.customer.tenant):
        abroad = services.add_location(
            shop.other, SYSTEM, street="Ring 1", postal_code="1010", city="Wien", country="AT"
        )
        chosen = services.add_location(
            shop.other, SYSTEM, street="Weg 2", postal_code="89073", city="Ulm", state="by"
        )
    assert abroad.state == "" and chosen.state == "BY"


def test_a_move_follows_the_postcode_and_a_chosen_state_stays(shop: Shop) -> None:
    with tenant_scope(shop.customer.tenant):
        moved = services.update_location(shop.location, SYSTEM, postal_code="80331", state="BE")
        assert moved.state == "BY"
        chosen = services.update_location(moved, SYSTEM, state="BW")
        assert chosen.state == "BW"
        renamed = services.update_location(chosen, SYSTEM, name="Lager")
        assert renamed.state == "BW"


def test_a_stored_location_without_state_is_filled_on_its_next_save(shop: Shop) -> None:
    with tenant_scope(shop.customer.tenant):
        Location.objects.filter(pk=shop.location.pk).update(state="")
        location = Location.objects.get(pk=shop.location.pk)
        assert services.update_location(location, SYSTEM, name="Hof").state == "BE"


def test_an_unknown_state_is_refused(shop: Shop) -> None:
    with tenant_scope(shop.customer.tenant), pytest.raises(ServiceError) as refused:
        services.update_location(shop.location, SYSTEM, state="XX")
    assert refused.value.field == "state"


def test_location_form_shows_and_saves_the_state(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:location_create", args=[shop.other.pk])
    page = owner_client.get(url).content.decode()
    assert 'name="state"' in page and "Schleswig-Holstein" in page
    data = {"street": "Ring 5", "postal_code": "50667", "city": "Köln", "country": "DE"}
    assert owner_client.post(url, {**data, "state": "RP"}).status_code == 302
    with tenant_scope(shop.other.tenant):
        location = shop.other.locations.get()
    assert location.state == "RP"
    edit = reverse("customers:location_edit", args=[shop.other.pk, location.pk])
    assert '<option value="RP" selected>' in owner_client.get(edit).content.decode()
    assert owner_client.post(edit, {**data, "state": ""}).status_code == 302
    location.refresh_from_db()
    assert location.state == "NW"
    detail = owner_client.get(reverse("customers:detail", args=[shop.other.pk]))
    assert "Nordrhein-Westfalen" in detail.content.decode()


def _client(client: Any, tenant: Any) -> Any:
    _key, plaintext = create_api_key(tenant, SYSTEM, "ERP")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    return client


def _put(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.put(API + path, json.dumps(body), content_type="application/json")


def test_api_accepts_derives_and_returns_the_state(client: Any, shop: Shop) -> None:
    api = _client(client, shop.customer.tenant)
    body = {"customer_external_id": "ERP-77", "street": "Weg 1", "postal_code": "89073"}
    response = _put(api, "/locations/L-1", {**body, "city": "Ulm", "state": "BY"})
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "BY"
    derived = _put(api, "/locations/L-2", {**body, "city": "Ulm"})
    assert derived.json()["state"] == "BW"
    moved = _put(api, "/locations/L-2", {**body, "postal_code": "10115", "city": "Berlin"})
    assert moved.status_code == 200 and moved.json()["state"] == "BE"
    assert api.get(f"{API}/locations/L-1").json()["state"] == "BY"


def test_api_refuses_an_unknown_state(client: Any, shop: Shop) -> None:
    api = _client(client, shop.customer.tenant)
    body = {"customer_external_id": "ERP-77", "street": "W", "postal_code": "10115", "city": "B"}
    response = _put(api, "/locations/L-1", {**body, "state": "XX"})
    assert response.status_code == 422
    assert "state" in response.content.decode()
    with scopes_disabled():
        assert not Location.objects.filter(external_id="L-1").exists()


def test_the_api_schema_names_exactly_the_sixteen_states() -> None:
    assert set(get_args(FederalStateCode)) == {"", *FederalState.values}


def test_the_data_migration_fills_locations_from_their_postcode(shop: Shop) -> None:
    with tenant_scope(shop.customer.tenant):
        abroad = services.add_location(
            shop.other, SYSTEM, street="Ring 1", postal_code="80331", city="Wien", country="AT"
        )
        Location.objects.update(state="")
    migration = importlib.import_module("theke.customers.migrations.0006_fill_location_state")
    with scopes_disabled():  # as in a migration, whose models know no scopes
        migration.fill_states(apps, None)
    with tenant_scope(shop.customer.tenant):
        assert Location.objects.get(pk=shop.location.pk).state == "BE"
        assert Location.objects.get(pk=abroad.pk).state == ""
