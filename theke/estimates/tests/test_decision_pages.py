"""The customer's answer on the estimate page: POSTs with CSRF, GET changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django_scopes import scopes_disabled

from theke.estimates.models import Estimate, EstimateDecision, EstimateStatus
from theke.messaging.models import ConversationMessage

from .conftest import ESTIMATE, estimate_body, post_json, put_json

pytestmark = pytest.mark.django_db

OPTIONAL = {
    "text": "Panzerglas",
    "quantity": "1",
    "unit_price": "19.99",
    "vat_rate": "19",
    "optional": True,
}


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


def new_page(api_client: Any) -> str:
    body = estimate_body()
    body["positions"].append(OPTIONAL)
    assert put_json(api_client, ESTIMATE, body).status_code in (200, 201)
    response = post_json(api_client, ESTIMATE + "/link", {})
    assert response.status_code == 201, response.content
    url: str = response.json()["url"]
    return url.removeprefix("https://theke.example")


def optional_pk() -> int:
    with scopes_disabled():
        return int(Estimate.objects.get().positions.get(is_optional=True).pk)


def test_get_shows_choices_and_changes_nothing_but_the_view(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    for _ in range(2):
        response = client.get(page)
        assert response.status_code == 200
    text = response.content.decode()
    assert 'name="optional"' in text
    assert "Annehmen" in text and "Ablehnen" in text
    assert response["Referrer-Policy"] == "same-origin"
    with scopes_disabled():
        assert Estimate.objects.get().status == EstimateStatus.VIEWED
        assert not EstimateDecision.objects.exists()
    assert client.get(page + "annehmen").status_code == 405


def test_totals_fragment_follows_the_ticked_positions(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    without = client.post(page + "summe", {})
    assert "284,29" in without.content.decode()
    with_it = client.post(page + "summe", {"optional": [optional_pk()]})
    assert "308,08" in with_it.content.decode()


def test_accept_with_confirmation_then_decided_page(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    step = client.post(page + "annehmen", {"version": "1"})
    assert step.status_code == 200
    assert "Verbindlich annehmen" in step.content.decode()
    assert "284,29" in step.content.decode()
    missing = client.post(page + "annehmen", {"confirm": "1", "name": "Eva Berg"})
    assert missing.status_code == 400
    with scopes_disabled():
        assert not EstimateDecision.objects.exists()
    done = client.post(
        page + "annehmen",
        {"confirm": "1", "name": "Eva Berg", "terms": "on", "version": "1"},
        HTTP_USER_AGENT="Phone/1",
    )
    assert done.status_code == 302
    decided = client.get(page).content.decode()
    assert "Sie haben den Kostenvoranschlag angenommen." in decided
    assert "Annehmen</button>" not in decided
    with scopes_disabled():
        decision = EstimateDecision.objects.get()
    assert decision.user_agent == "Phone/1"
    assert str(decision.gross_total) == "284.29"


def test_second_post_from_another_tab_shows_the_first_decision(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    signed = {"confirm": "1", "name": "Eva Berg", "terms": "on"}
    client.post(page + "annehmen", signed)
    second = client.post(page + "ablehnen", {**signed, "choice": "disposal"}, follow=True)
    assert second.status_code == 200
    assert "Sie haben den Kostenvoranschlag angenommen." in second.content.decode()
    with scopes_disabled():
        assert EstimateDecision.objects.count() == 1


def test_decline_with_disposal(api_client: Any, client: Client, customer: Any) -> None:
    page = new_page(api_client)
    step = client.post(page + "ablehnen", {})
    assert "Fachgerechte Entsorgung" in step.content.decode()
    assert "Was soll mit Ihrem Gerät geschehen?" in step.content.decode()
    done = client.post(
        page + "ablehnen",
        {"confirm": "1", "choice": "disposal", "name": "Eva Berg", "terms": "on"},
        follow=True,
    )
    assert "Sie haben den Kostenvoranschlag abgelehnt." in done.content.decode()
    with scopes_disabled():
        assert EstimateDecision.objects.get().choice == "disposal"
    assert "Ihr Gerät wird fachgerecht entsorgt." in done.content.decode()


def test_a_car_is_called_a_vehicle_not_a_device(
    api_client: Any, client: Client, customer: Any
) -> None:
    vehicle = {"customer_external_id": "K-1", "license_plate": "B-EB 123", "make": "VW"}
    assert put_json(api_client, "/api/v1/vehicles/F-1", vehicle).status_code == 201
    body = estimate_body(vehicle_external_id="F-1", object_description="")
    assert put_json(api_client, ESTIMATE, body).status_code == 201
    page = (
        post_json(api_client, ESTIMATE + "/link", {})
        .json()["url"]
        .removeprefix("https://theke.example")
    )
    step = client.post(page + "ablehnen", {}).content.decode()
    assert "Was soll mit Ihrem Fahrzeug geschehen?" in step
    assert "Gerät" not in step


def test_post_needs_csrf(api_client: Any, customer: Any) -> None:
    page = new_page(api_client)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(page + "annehmen", {"confirm": "1", "name": "E", "terms": "on"})
    assert response.status_code == 403


def test_invalid_tokens_are_rate_limited_per_ip(client: Client, db: None) -> None:
    statuses = [client.get(f"/k/{'x' * 32}{i}/").status_code for i in range(22)]
    assert statuses[:20] == [404] * 20
    assert statuses[-1] == 429
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.get(f"/k/{'y' * 32}/").status_code == 404


@override_settings(PROXY_COUNT=1)
def test_unknown_tokens_behind_a_proxy_never_lock_out_a_valid_link(
    api_client: Any, customer: Any
) -> None:
    page = new_page(api_client)
    proxy = "10.0.0.2"  # every request arrives from the proxy
    guesser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    statuses = [guesser.get(f"/k/{'x' * 32}{i}/").status_code for i in range(22)]
    assert statuses[-1] == 429

    customer_client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert customer_client.get(page).status_code == 200
    assert customer_client.get(f"/k/{'y' * 32}/").status_code == 404  # counted on its own
    # Only unknown tokens are throttled: even the guesser's own valid link opens.
    assert guesser.get(page).status_code == 200


def test_customer_writes_a_message_to_the_shop(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    response = client.post(page + "nachricht", {"body": "Wie lange dauert die Reparatur?"})
    assert response.status_code == 302
    shown = client.get(page).content.decode()
    assert "Wie lange dauert die Reparatur?" in shown
    with scopes_disabled():
        assert ConversationMessage.objects.get().author_type == "customer"


def test_answer_steps_of_an_answered_estimate_lead_to_its_decision(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    client.post(page + "annehmen", {"confirm": "1", "name": "Eva Berg", "terms": "on"})
    for step in ("annehmen", "ablehnen"):
        response = client.post(page + step, {})
        assert response.status_code == 302
        assert response["Location"].endswith("#decision")


def test_english_contact_gets_the_english_page(
    api_client: Any, client: Client, customer: Any
) -> None:
    with scopes_disabled():
        customer.contacts.update(language="en")
    page = new_page(api_client)
    text = client.get(page).content.decode()
    assert "Accept" in text and "Annehmen" not in text


def test_answer_to_an_old_version_is_refused_and_the_page_shows_the_new_one(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    assert client.get(page).status_code == 200
    revised = put_json(api_client, ESTIMATE, estimate_body(defect_description="Akku defekt"))
    assert revised.status_code == 200, revised.content
    assert revised.json()["version"] == 2
    signed = {"confirm": "1", "name": "Eva Berg", "terms": "on", "version": "1"}
    refused = client.post(page + "annehmen", signed, follow=True)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Akku defekt" in text and "Annehmen" in text
    with scopes_disabled():
        assert not EstimateDecision.objects.exists()
        statuses = list(Estimate.objects.order_by("version").values_list("version", "status"))
    assert statuses == [(1, EstimateStatus.SUPERSEDED), (2, EstimateStatus.VIEWED)]
