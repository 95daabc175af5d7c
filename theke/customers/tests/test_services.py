"""Services of the customer master: happy paths, refusals, consents, audit data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError
from django_scopes import scopes_disabled

from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, Actor
from theke.customers import services
from theke.customers.models import Article, Contact, Customer, Vehicle
from theke.customers.services import CustomerError
from theke.customers.tests.conftest import OTHER_VIN, VIN, Shop
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

pytestmark = pytest.mark.django_db


def events(customer: Any, action: str | None = None) -> list[AuditEvent]:
    found = AuditEvent.objects.for_object(customer)
    return list(found.filter(action=action) if action else found)


# --- customers ----------------------------------------------------------------------------


def test_create_customer_records_audit_event_with_staff_actor(in_a: Any, owner: Any) -> None:
    customer = services.create_customer(
        in_a, Actor.staff(owner), kind="person", first_name=" Erika ", last_name="Schulz"
    )
    assert customer.first_name == "Erika"
    (event,) = events(customer, "customer.created")
    assert event.actor_user_id == owner.pk
    assert event.data["values"]["last_name"] == "Schulz"


def test_company_without_company_name_is_refused(in_a: Any) -> None:
    with pytest.raises(CustomerError) as caught:
        services.create_customer(in_a, SYSTEM, kind="company", last_name="Muster")
    assert caught.value.field == "company_name"
    assert Customer.objects.count() == 0


def test_person_without_name_is_refused(in_a: Any) -> None:
    with pytest.raises(CustomerError) as caught:
        services.create_customer(in_a, SYSTEM, kind="person")
    assert caught.value.field == "last_name"


def test_duplicate_customer_number_names_the_holder(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.create_customer(in_a, SYSTEM, last_name="Neu", number="K-1001")
    assert caught.value.field == "number"
    assert "Müller Logistik GmbH" in caught.value.messages[0]


def test_same_customer_number_in_another_tenant_is_fine(shop: Shop, tenant_b: Any) -> None:
    with tenant_scope(tenant_b):
        customer = services.create_customer(tenant_b, SYSTEM, last_name="B", number="K-1001")
    assert customer.pk


def test_update_customer_records_only_changed_fields(in_a: Any, shop: Shop) -> None:
    services.update_customer(shop.customer, SYSTEM, notes="Zahlt bar", number="K-1001")
    (event,) = events(shop.customer, "customer.updated")
    assert event.data["changes"] == {"notes": ["", "Zahlt bar"]}


def test_update_without_changes_writes_no_event(in_a: Any, shop: Shop) -> None:
    services.update_customer(shop.customer, SYSTEM, number="K-1001", notes="")
    assert events(shop.customer, "customer.updated") == []


def test_branch_of_another_tenant_is_refused(in_a: Any, tenant_b: Any) -> None:
    with tenant_scope(tenant_b):
        foreign = create_branch(tenant_b, SYSTEM, "Filiale Hamburg")
    with pytest.raises(CustomerError) as caught:
        services.create_customer(in_a, SYSTEM, last_name="X", branch=foreign)
    assert caught.value.field == "branch"


def test_customer_of_another_tenant_cannot_be_changed_from_this_scope(
    shop: Shop, tenant_b: Any
) -> None:
    with tenant_scope(tenant_b), pytest.raises(Customer.DoesNotExist):
        services.update_customer(shop.customer, SYSTEM, notes="fremd")


def test_unknown_field_is_a_programming_error(in_a: Any) -> None:
    with pytest.raises(TypeError):
        services.create_customer(in_a, SYSTEM, last_name="X", search_text="hack")


# --- contacts -----------------------------------------------------------------------------


def test_contact_phones_are_stored_in_e164(in_a: Any, shop: Shop) -> None:
    contact = services.add_contact(
        shop.customer, SYSTEM, last_name="Meier", mobile_phone="0151/23456789", phone="+4930123456"
    )
    contact.refresh_from_db()
    assert contact.mobile_phone.as_e164 == "+4915123456789"
    assert contact.phone.as_e164 == "+4930123456"


@pytest.mark.parametrize("value", ["12", "hallo", "0171 12"])
def test_invalid_phone_number_is_refused(in_a: Any, shop: Shop, value: str) -> None:
    with pytest.raises(CustomerError) as caught:
        services.add_contact(shop.customer, SYSTEM, last_name="Meier", mobile_phone=value)
    assert caught.value.field == "mobile_phone"
    assert caught.value.code == "invalid_phone"
    assert Contact.objects.filter(last_name="Meier").count() == 0


def test_invalid_email_is_refused(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.update_contact(shop.contact, SYSTEM, email="kein-at-zeichen")
    assert caught.value.field == "email"


def test_email_domain_is_lower_cased(in_a: Any, shop: Shop) -> None:
    shop.contact.refresh_from_db()
    assert shop.contact.email == "Hans.Mueller@example.com"


def test_contact_needs_a_last_name(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.add_contact(shop.customer, SYSTEM, first_name="Nur")
    assert caught.value.field == "last_name"


def test_first_contact_is_primary_and_a_new_primary_replaces_it(in_a: Any, shop: Shop) -> None:
    assert shop.contact.is_primary
    second = services.add_contact(shop.customer, SYSTEM, last_name="Zwei", is_primary=True)
    shop.contact.refresh_from_db()
    assert second.is_primary and not shop.contact.is_primary


def test_switching_consent_on_stamps_the_moment(in_a: Any, shop: Shop) -> None:
    moment = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        contact = services.update_contact(shop.contact, SYSTEM, consent_email=True)
    assert contact.consent_email is True
    assert contact.consent_email_at == moment
    assert contact.consent_sms_at is None
    (event,) = events(shop.customer, "contact.updated")
    assert event.data["changes"]["consent_email"] == [False, True]


def test_consent_left_on_keeps_its_timestamp(in_a: Any, shop: Shop) -> None:
    first = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    with time_machine.travel(first, tick=False):
        services.update_contact(shop.contact, SYSTEM, consent_sms=True)
    with time_machine.travel(first + datetime.timedelta(days=5), tick=False):
        contact = services.update_contact(shop.contact, SYSTEM, consent_sms=True, role="Chef")
    assert contact.consent_sms_at == first


def test_switching_consent_off_clears_the_timestamp_and_on_again_restamps(
    in_a: Any, shop: Shop
) -> None:
    first = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    later = first + datetime.timedelta(days=30)
    with time_machine.travel(first, tick=False):
        services.update_contact(shop.contact, SYSTEM, consent_email=True)
    contact = services.update_contact(shop.contact, SYSTEM, consent_email=False)
    assert contact.consent_email is False and contact.consent_email_at is None
    with time_machine.travel(later, tick=False):
        contact = services.update_contact(shop.contact, SYSTEM, consent_email=True)
    assert contact.consent_email_at == later


def test_new_contact_with_consent_is_stamped(in_a: Any, shop: Shop) -> None:
    contact = services.add_contact(shop.customer, SYSTEM, last_name="Neu", consent_sms=True)
    assert contact.consent_sms_at is not None
    assert contact.consent_email_at is None


def test_remove_contact_records_its_name(in_a: Any, shop: Shop) -> None:
    services.remove_contact(shop.contact, SYSTEM)
    assert not Contact.objects.filter(pk=shop.contact.pk).exists()
    (event,) = events(shop.customer, "contact.removed")
    assert event.data["label"] == "Hans Müller"


# --- locations ----------------------------------------------------------------------------


def test_location_needs_street_postal_code_and_city(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.add_location(shop.customer, SYSTEM, street="Weg 1", city="Bonn")
    assert caught.value.field == "postal_code"


def test_only_one_billing_address(in_a: Any, shop: Shop) -> None:
    first = services.add_location(
        shop.customer, SYSTEM, street="A 1", postal_code="1", city="X", is_billing=True
    )
    second = services.add_location(
        shop.customer, SYSTEM, street="B 2", postal_code="2", city="Y", is_billing=True
    )
    first.refresh_from_db()
    assert second.is_billing and not first.is_billing


# --- vehicles -----------------------------------------------------------------------------


def test_vehicle_vin_and_plate_are_normalised(in_a: Any, shop: Shop) -> None:
    vehicle = services.add_vehicle(
        shop.customer, SYSTEM, vin="wauzzz 8v5-ka123456", license_plate="  m  xy   99 "
    )
    assert vehicle.vin == OTHER_VIN
    assert vehicle.license_plate == "M XY 99"


@pytest.mark.parametrize(
    ("vin", "code"),
    [
        ("WVWZZZ1JZXW00000", "vin_length"),
        ("WVWZZZ1JZXW0000012", "vin_length"),
        ("WVWZZZ1JZXW00000I", "vin_characters"),
        ("WVWZZZ1JZXW00000O", "vin_characters"),
        ("QVWZZZ1JZXW000001", "vin_characters"),
    ],
)
def test_invalid_vin_is_refused(in_a: Any, shop: Shop, vin: str, code: str) -> None:
    with pytest.raises(CustomerError) as caught:
        services.add_vehicle(shop.customer, SYSTEM, vin=vin)
    assert caught.value.field == "vin"
    assert caught.value.code == code
    assert Vehicle.objects.count() == 1


def test_duplicate_vin_names_the_customer_who_has_it(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.add_vehicle(shop.other, SYSTEM, vin=VIN.lower())
    assert caught.value.field == "vin"
    assert caught.value.code == "duplicate_vin"
    assert "Müller Logistik GmbH (K-1001)" in caught.value.messages[0]


def test_changing_a_vin_to_a_taken_one_is_refused(in_a: Any, shop: Shop) -> None:
    mine = services.add_vehicle(shop.other, SYSTEM, vin=OTHER_VIN)
    with pytest.raises(CustomerError):
        services.update_vehicle(mine, SYSTEM, vin=VIN)
    mine.refresh_from_db()
    assert mine.vin == OTHER_VIN


def test_same_vin_in_another_tenant_is_fine(shop: Shop, tenant_b: Any) -> None:
    with tenant_scope(tenant_b):
        customer = services.create_customer(tenant_b, SYSTEM, last_name="B")
        assert services.add_vehicle(customer, SYSTEM, vin=VIN).pk


def test_concurrent_duplicate_vin_ends_as_refusal(
    in_a: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another request inserted the VIN after our check: the constraint decides.
    monkeypatch.setattr(services, "_clean_vehicle", lambda vehicle: None)
    with pytest.raises(CustomerError) as caught:
        services.add_vehicle(shop.other, SYSTEM, vin=VIN)
    assert caught.value.code == "duplicate"
    assert isinstance(caught.value.__cause__, IntegrityError)


def test_vehicle_needs_plate_or_vin(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.add_vehicle(shop.customer, SYSTEM, make="VW")
    assert caught.value.field == "license_plate"


def test_update_vehicle_records_changes(in_a: Any, shop: Shop) -> None:
    services.update_vehicle(shop.vehicle, SYSTEM, mileage_km="120000", make="VW")
    (event,) = events(shop.customer, "vehicle.updated")
    assert event.data["changes"] == {"make": ["", "VW"], "mileage_km": [None, 120000]}


def test_owner_change_is_recorded_on_both_customers(in_a: Any, shop: Shop) -> None:
    services.transfer_vehicle(shop.vehicle, SYSTEM, shop.other)
    shop.vehicle.refresh_from_db()
    assert shop.vehicle.customer_id == shop.other.pk
    (given,) = events(shop.customer, "vehicle.owner_changed")
    (taken,) = events(shop.other, "vehicle.owner_changed")
    assert given.data == taken.data
    assert given.data["from"] == {"id": shop.customer.pk, "label": "Müller Logistik GmbH"}
    assert given.data["to"] == {"id": shop.other.pk, "label": "Erika Schulz"}
    assert list(services.search_customers(VIN)) == [shop.other]


def test_remove_unreferenced_vehicle_deletes_it(in_a: Any, shop: Shop) -> None:
    assert services.remove_vehicle(shop.vehicle, SYSTEM) is True
    assert not Vehicle.objects.filter(pk=shop.vehicle.pk).exists()


def test_referenced_vehicle_is_detached_and_taken_over_by_vin(
    in_a: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_is_referenced", lambda obj: True)
    assert services.remove_vehicle(shop.vehicle, SYSTEM) is False
    shop.vehicle.refresh_from_db()
    assert shop.vehicle.customer_id is None
    again = services.add_vehicle(shop.other, SYSTEM, vin=VIN, license_plate="K AB 1")
    assert again.pk == shop.vehicle.pk and again.customer_id == shop.other.pk


# --- assets -------------------------------------------------------------------------------


def test_asset_at_own_location(in_a: Any, shop: Shop) -> None:
    assert shop.asset.location_id == shop.location.pk
    (event,) = events(shop.customer, "asset.added")
    assert event.data["values"]["location"] == str(shop.location)


def test_asset_at_another_customers_location_is_refused(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.add_asset(shop.other, SYSTEM, kind="Mulde", location=shop.location)
    assert caught.value.field == "location"
    foreign = services.add_location(shop.other, SYSTEM, street="W 1", postal_code="1", city="Z")
    with pytest.raises(CustomerError):
        services.update_asset(shop.asset, SYSTEM, location=foreign)
    shop.asset.refresh_from_db()
    assert shop.asset.location_id == shop.location.pk


def test_asset_needs_a_kind(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.add_asset(shop.customer, SYSTEM, kind=" ")
    assert caught.value.field == "kind"


def test_removing_a_location_keeps_its_assets(in_a: Any, shop: Shop) -> None:
    services.remove_location(shop.location, SYSTEM)
    shop.asset.refresh_from_db()
    assert shop.asset.location_id is None


# --- articles -----------------------------------------------------------------------------


def test_article_prices_are_decimals(in_a: Any) -> None:
    article = services.create_article(
        in_a, SYSTEM, number="S-1", text="Rückversand", price="12,5", vat_rate=7, is_special=True
    )
    article.refresh_from_db()
    assert article.price == Decimal("12.50")
    assert article.vat_rate == Decimal("7.00")
    assert article.is_special


def test_duplicate_article_number_is_refused(in_a: Any, shop: Shop) -> None:
    with pytest.raises(CustomerError) as caught:
        services.create_article(in_a, SYSTEM, number="A-100", text="Doppelt")
    assert caught.value.field == "number"
    assert "Ölwechsel" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", "-1"), ("price", "abc"), ("price", "1e30"), ("vat_rate", "101")],
)
def test_bad_article_numbers_are_refused(in_a: Any, field: str, value: str) -> None:
    with pytest.raises(CustomerError) as caught:
        services.create_article(in_a, SYSTEM, number="X", text="X", **{field: value})
    assert caught.value.field == field


def test_update_article_records_price_change(in_a: Any, shop: Shop) -> None:
    services.update_article(shop.article, SYSTEM, price=Decimal("59.90"))
    (event,) = AuditEvent.objects.for_object(shop.article).filter(action="article.updated")
    assert event.data["changes"] == {"price": ["49.90", "59.90"]}


def test_unreferenced_article_is_deleted(in_a: Any, shop: Shop) -> None:
    assert services.remove_article(shop.article, SYSTEM) is True
    assert not Article.objects.filter(pk=shop.article.pk).exists()


def test_referenced_article_is_deactivated_instead_of_deleted(
    in_a: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_is_referenced", lambda obj: True)
    assert services.remove_article(shop.article, SYSTEM) is False
    shop.article.refresh_from_db()
    assert shop.article.is_active is False


def test_unscoped_customer_query_raises_scope_error(shop: Shop) -> None:
    from theke.tenants.scoping import ScopeError

    with pytest.raises(ScopeError):
        list(Customer.objects.all())
    with pytest.raises(ScopeError):
        services.search_customers("müller")
    with scopes_disabled():
        assert Customer.objects.count() == 2
