"""Decline choices that fit the object (issue 11, item 2): a device is sent back or disposed
of, a vehicle picked up unrepaired or scrapped; each with its flat fee, each switchable per
tenant, the wording following the object on the page, in the e-mail, the decision, the PDF
and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from theke.audit.models import FeedEvent
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.core.tests.pdf_text import text_of
from theke.customers import services as customers
from theke.estimates import decline_choices, services
from theke.estimates.models import Estimate, EstimateLink
from theke.estimates.pdf import decision_pdf
from theke.estimates.tests.test_decision import make_estimate
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

NAME: dict[str, Any] = {"name": "Eva Berg", "terms_accepted": True}


@pytest.fixture
def fee_articles(tenant_a: Any) -> dict[str, Any]:
    """The demo's special articles, found by their numbers without any setting."""
    specials = {
        "return_shipping": ("PA-RUECK", "Rückversand-Pauschale", "9.90"),
        "disposal": ("PA-ENTS", "Entsorgungs-Pauschale", "5.00"),
        "pickup_unrepaired": ("PA-ABHOL", "Pauschale Fehlersuche (unrepariert abgeholt)", "39.00"),
        "scrapping": ("PA-VERSCHR", "Verschrottungs-Pauschale", "149.00"),
    }
    with tenant_scope(tenant_a):
        return {
            code: customers.create_article(
                tenant_a, SYSTEM, number=number, text=text, price=price, is_special=True
            )
            for code, (number, text, price) in specials.items()
        }


@pytest.fixture
def vehicle(tenant_a: Any, customer: Any) -> Any:
    with tenant_scope(tenant_a):
        return customers.add_vehicle(
            customer,
            SYSTEM,
            make="Volkswagen",
            model="Golf VI",
            license_plate="B-SK 2401",
            external_id="FZ-501",
        )


def vehicle_estimate(tenant: Any, customer: Any, vehicle: Any) -> tuple[Any, EstimateLink]:
    return make_estimate(tenant, customer, vehicle=vehicle, object_description="VW Golf VI")


def codes(estimate: Any) -> list[str]:
    with tenant_scope(estimate.tenant):
        return [option.code for option in services.decline_options(estimate)]


def test_every_choice_has_its_wording_in_one_place() -> None:
    assert set(decline_choices.WORDINGS) == {
        "return_shipping",
        "disposal",
        "pickup_unrepaired",
        "scrapping",
    }
    for wording in decline_choices.WORDINGS.values():
        for text in (wording.question, wording.option, wording.answer, wording.decision):
            assert str(text)
        assert str(wording.next_step).endswith(".")
    assert [w.needs_address for w in decline_choices.WORDINGS.values()] == [
        True,
        False,
        False,
        False,
    ]


def test_a_device_is_sent_back_or_disposed_of(
    tenant_a: Any, customer: Any, fee_articles: Any
) -> None:
    estimate, _link = make_estimate(tenant_a, customer)
    assert codes(estimate) == ["return_shipping", "disposal"]


def test_a_vehicle_is_picked_up_unrepaired_or_scrapped_with_its_fees(
    tenant_a: Any, customer: Any, vehicle: Any, fee_articles: Any
) -> None:
    estimate, _link = vehicle_estimate(tenant_a, customer, vehicle)
    with tenant_scope(tenant_a):
        options = services.decline_options(estimate)
    assert [o.code for o in options] == ["pickup_unrepaired", "scrapping"]
    fees = {o.code: o.fee for o in options}
    assert fees["pickup_unrepaired"] is not None
    assert fees["pickup_unrepaired"].article == fee_articles["pickup_unrepaired"]
    assert fees["scrapping"] is not None and fees["scrapping"].gross == Decimal("177.31")
    assert not any(o.needs_address for o in options)


def test_a_vehicle_cannot_be_sent_back(
    tenant_a: Any, customer: Any, vehicle: Any, fee_articles: Any
) -> None:
    _estimate, link = vehicle_estimate(tenant_a, customer, vehicle)
    with pytest.raises(ServiceError) as refused:
        services.decline_estimate(link, choice="return_shipping", address={}, **NAME)
    assert refused.value.code == "not_offered"
    assert refused.value.field == "choice"
    assert "Fahrzeug unrepariert abholen" in refused.value.messages[0]


def test_a_switched_off_choice_is_not_offered_and_refused(
    tenant_a: Any, customer: Any, vehicle: Any, fee_articles: Any
) -> None:
    services.save_settings(tenant_a, SYSTEM, pickup_unrepaired_enabled=False)
    estimate, link = vehicle_estimate(tenant_a, customer, vehicle)
    assert codes(estimate) == ["scrapping"]
    with pytest.raises(ServiceError) as refused:
        services.decline_estimate(link, choice="pickup_unrepaired", **NAME)
    assert refused.value.code == "not_offered"
    # A device's choices are untouched.
    assert codes(Estimate(tenant=tenant_a)) == ["return_shipping", "disposal"]


def test_every_object_keeps_at_least_one_choice(tenant_a: Any) -> None:
    services.save_settings(tenant_a, SYSTEM, scrapping_enabled=False)
    with pytest.raises(ServiceError) as refused:
        services.save_settings(tenant_a, SYSTEM, pickup_unrepaired_enabled=False)
    assert refused.value.code == "no_choice"
    assert "Fahrzeuge" in refused.value.messages[0]


def test_the_configured_article_is_the_fee(
    tenant_a: Any, customer: Any, vehicle: Any, fee_articles: Any
) -> None:
    with tenant_scope(tenant_a):
        towing = customers.create_article(
            tenant_a, SYSTEM, number="X-1", text="Abholung Sonderfall", price="10", is_special=True
        )
    services.set_fee_articles(tenant_a, SYSTEM, pickup_unrepaired=towing)
    _estimate, link = vehicle_estimate(tenant_a, customer, vehicle)
    decision = services.decline_estimate(link, choice="pickup_unrepaired", **NAME)
    assert decision.fee_article == towing
    assert decision.fee_gross == Decimal("11.90")


def test_pickup_unrepaired_speaks_of_the_vehicle_everywhere(
    tenant_a: Any, customer: Any, vehicle: Any, fee_articles: Any
) -> None:
    estimate, link = vehicle_estimate(tenant_a, customer, vehicle)
    decision = services.decline_estimate(link, choice="pickup_unrepaired", **NAME)
    assert decision.choice == "pickup_unrepaired"
    assert decision.address_street == ""  # nothing is shipped
    assert decision.fee_gross == Decimal("46.41")
    with scopes_disabled():
        mail = OutboundMessage.objects.get(purpose="estimate_answer_company")
        event = FeedEvent.objects.get(type="estimate.declined")
    assert "abgelehnt, Fahrzeug wird unrepariert abgeholt" in mail.subject
    assert "Rücksend" not in mail.body_text
    assert event.payload["choice"] == "pickup_unrepaired"
    assert event.payload["return_address"] is None
    with tenant_scope(tenant_a):
        text = text_of(decision_pdf(estimate, decision))
    assert "Fahrzeug unrepariert abholen" in text
    assert "Rücksendeadresse" not in text
    assert decision.decline_wording is not None
    assert "Abholung" in str(decision.decline_wording.next_step)


def test_the_customer_page_offers_the_vehicle_choices(
    tenant_a: Any, customer: Any, vehicle: Any, fee_articles: Any, client: Client
) -> None:
    with tenant_scope(tenant_a):
        make_estimate(tenant_a, customer, vehicle=vehicle)
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    page = client.post(f"/k/{token}/ablehnen", {"step": "decline"}).content.decode()
    assert "Was soll mit Ihrem Fahrzeug geschehen?" in page
    assert "Fahrzeug unrepariert abholen" in page
    assert "Fahrzeug entsorgen und verschrotten lassen" in page
    assert "177,31" in page
    assert "Rücksendung" not in page and "Rücksendeadresse" not in page

    response = client.post(
        f"/k/{token}/ablehnen",
        {"confirm": "1", "choice": "pickup_unrepaired", "name": "Eva Berg", "terms": "on"},
    )
    assert response.status_code == 302
    decided = client.get(f"/k/{token}/").content.decode()
    assert "Sie holen Ihr Fahrzeug unrepariert bei uns ab." in decided


def test_the_device_page_keeps_return_shipping_with_its_address(
    tenant_a: Any, customer: Any, fee_articles: Any, client: Client
) -> None:
    with tenant_scope(tenant_a):
        make_estimate(tenant_a, customer)
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    page = client.post(f"/k/{token}/ablehnen", {"step": "decline"}).content.decode()
    assert "Was soll mit Ihrem Gerät geschehen?" in page
    assert "Rücksendung an mich" in page and "Rücksendeadresse" in page
    assert "unrepariert" not in page


def test_the_api_reports_the_vehicle_choice(
    api_client: Any, tenant_a: Any, customer: Any, vehicle: Any, fee_articles: Any
) -> None:
    _estimate, link = vehicle_estimate(tenant_a, customer, vehicle)
    services.decline_estimate(link, choice="scrapping", **NAME)
    body = api_client.get("/api/v1/estimates/KV-1").json()
    assert body["vehicle_external_id"] == "FZ-501"
    assert body["decision"]["choice"] == "scrapping"
    assert body["decision"]["fee"]["article_number"] == "PA-VERSCHR"
    schema = api_client.get("/api/v1/openapi.json").json()
    choice = schema["components"]["schemas"]["DecisionOut"]["properties"]["choice"]
    assert "pickup_unrepaired" in str(choice) and "scrapping" in str(choice)


def test_settings_page_switches_a_choice_off(
    owner_client: Any, tenant_a: Any, fee_articles: Any
) -> None:
    page = owner_client.get("/staff/estimates/settings/").content.decode()
    assert "Wahl bei Ablehnung: Fahrzeug" in page and "PA-VERSCHR" in page
    data = {
        "link_days": "30",
        "reminder_days": "",
        "return_shipping_enabled": "on",
        "disposal_enabled": "on",
        "scrapping_enabled": "on",
    }
    assert owner_client.post("/staff/estimates/settings/", data).status_code == 302
    assert services.current_settings(tenant_a).pickup_unrepaired_enabled is False
    del data["scrapping_enabled"]
    response = owner_client.post("/staff/estimates/settings/", data)
    assert response.status_code == 200
    assert "mindestens eine Wahl" in response.content.decode()
