"""The customer's answer page beyond the happy path (issue 11, items 3 and 8): what happens
next after a decision and the decision as PDF, form errors next to their fields with a
summary on top, an answer to a revised estimate that says it was not saved, and the hint
that the estimate changed since the customer last saw it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_scopes import scopes_disabled

from theke.audit.services import SYSTEM
from theke.core.tests.pdf_text import text_of
from theke.customers import services as customers
from theke.estimates import services
from theke.estimates.models import EstimateDecision, EstimateLink

from .conftest import ESTIMATE, estimate_body, post_json, put_json

pytestmark = pytest.mark.django_db

SIGNED = {"confirm": "1", "name": "Eva Berg", "terms": "on", "version": "1"}
NOT_SAVED = "Ihre Antwort wurde nicht gespeichert: der Kostenvoranschlag wurde inzwischen geändert"
CHANGED = "geändert, seit Sie ihn zuletzt gesehen haben"


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


def new_page(api_client: Any, **body: Any) -> str:
    assert put_json(api_client, ESTIMATE, estimate_body(**body)).status_code in (200, 201)
    response = post_json(api_client, ESTIMATE + "/link", {})
    assert response.status_code == 201, response.content
    url: str = response.json()["url"]
    return url.removeprefix("https://theke.example")


def revise(api_client: Any) -> None:
    revised = put_json(api_client, ESTIMATE, estimate_body(defect_description="Akku defekt"))
    assert revised.status_code == 200, revised.content
    assert revised.json()["version"] == 2


def text(response: Any) -> str:
    return str(response.content.decode())


# --- item 3: after the decision -------------------------------------------------------------


def test_accepted_page_says_what_happens_next_without_validity_and_question(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    before = text(client.get(page))
    assert "Gültig bis" in before and "Sie möchten den Auftrag erteilen" in before
    assert client.post(page + "annehmen", SIGNED).status_code == 302
    decided = text(client.get(page))
    assert "Wie geht es weiter?" in decided
    assert "Wir haben Ihren Auftrag erhalten und beginnen mit der Reparatur." in decided
    assert "Gültig bis" not in decided
    assert "Sie möchten den Auftrag erteilen" not in decided
    assert f'href="{page}antwort.pdf"' in decided


@pytest.mark.parametrize(
    ("choice", "next_step"),
    [
        ("disposal", "Wir entsorgen Ihr Gerät fachgerecht."),
        ("return_shipping", "Wir senden Ihr Gerät unrepariert an die angegebene Adresse zurück."),
    ],
)
def test_declined_page_says_the_next_step_of_the_choice(
    api_client: Any, client: Client, customer: Any, choice: str, next_step: str
) -> None:
    page = new_page(api_client)
    address = {
        "address_name": "Eva Berg",
        "address_street": "Weg 1",
        "address_postal_code": "10115",
        "address_city": "Berlin",
        "address_country": "DE",
    }
    done = client.post(page + "ablehnen", {**SIGNED, **address, "choice": choice}, follow=True)
    shown = text(done)
    assert "Sie haben den Kostenvoranschlag abgelehnt." in shown
    assert next_step in shown
    assert "Gültig bis" not in shown


def test_declined_page_names_the_flat_fee_that_follows(
    api_client: Any, client: Client, customer: Any, tenant_a: Any
) -> None:
    with scopes_disabled():
        customers.create_article(
            tenant_a, SYSTEM, number="PA-ENTS", text="Entsorgung", price="5.00", is_special=True
        )
    page = new_page(api_client)
    done = client.post(page + "ablehnen", {**SIGNED, "choice": "disposal"}, follow=True)
    assert "Die Pauschale von 5,95\N{NO-BREAK SPACE}€ inkl. MwSt." in text(done)


def test_decision_pdf_only_after_a_decision(api_client: Any, client: Client, customer: Any) -> None:
    page = new_page(api_client)
    assert client.get(page + "antwort.pdf").status_code == 404
    client.post(page + "annehmen", SIGNED)
    response = client.get(page + "antwort.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="Kostenvoranschlag-KV-4711-Antwort.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    letter = text_of(response.content)
    assert "Antwort zum Kostenvoranschlag KV-4711" in letter
    assert "Angenommen" in letter and "Eva Berg" in letter
    assert client.get("/k/" + "x" * 43 + "/antwort.pdf").status_code == 404


# --- item 3: form errors next to their fields -----------------------------------------------


def _invalid_ids(html: str) -> set[str]:
    return set(re.findall(r'id="([\w-]+)"[^>]*aria-invalid="true"', html))


def test_decline_form_shows_every_missing_field_at_once_next_to_it(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    empty = {f"address_{key}": "" for key in ("name", "street", "postal_code", "city")}
    refused = client.post(
        page + "ablehnen",
        {"confirm": "1", "version": "1", "choice": "return_shipping", **empty},
    )
    assert refused.status_code == 400
    html = text(refused)
    fields = {"a-name", "a-street", "a-postal", "a-city", "sign-name", "sign-terms"}
    assert _invalid_ids(html) == fields
    for field in fields:
        assert f'aria-describedby="{field}-error"' in html
        assert f'id="{field}-error"' in html
        assert f'href="#{field}"' in html  # the summary on top links to it
    assert html.index('id="error-summary"') < html.index('id="choice-group"')
    assert "Bitte geben Sie Straße an." in html and "Bitte geben Sie Ort an." in html
    with scopes_disabled():
        assert not EstimateDecision.objects.exists()


def test_decline_without_a_choice_marks_the_choice(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    html = text(client.post(page + "ablehnen", SIGNED))
    assert _invalid_ids(html) == {"choice-group"}
    assert 'href="#choice-group"' in html and 'id="choice-group-error"' in html


def test_accept_form_marks_name_and_terms(api_client: Any, client: Client, customer: Any) -> None:
    page = new_page(api_client)
    refused = client.post(page + "annehmen", {"confirm": "1", "version": "1", "name": " "})
    assert refused.status_code == 400
    html = text(refused)
    assert _invalid_ids(html) == {"sign-name", "sign-terms"}
    assert 'href="#sign-name"' in html and 'href="#sign-terms"' in html


def test_service_names_every_address_problem_and_the_first_for_the_api(
    api_client: Any, customer: Any
) -> None:
    new_page(api_client)
    with scopes_disabled():
        link = EstimateLink.objects.get()
    with pytest.raises(services.AnswerProblems) as refused:
        services.decline_estimate(
            link,
            choice="return_shipping",
            name="Eva Berg",
            terms_accepted=True,
            address={"name": "Eva Berg", "country": "DEU"},
        )
    fields = [problem.field for problem in services.problems_of(refused.value)]
    assert fields == ["address.street", "address.postal_code", "address.city", "address.country"]
    assert refused.value.field == "address.street"


# --- item 8: an answer to a revised estimate, and the hint that it changed ------------------


@pytest.mark.parametrize("step", ["annehmen", "ablehnen"])
def test_confirmation_of_an_old_version_says_the_answer_was_not_saved(
    api_client: Any, client: Client, customer: Any, step: str
) -> None:
    page = new_page(api_client)
    client.get(page)
    revise(api_client)
    refused = client.post(page + step, {**SIGNED, "choice": "disposal"}, follow=True)
    assert refused.status_code == 200
    shown = text(refused)
    assert NOT_SAVED in shown
    assert "Akku defekt" in shown  # the page shows the new version
    with scopes_disabled():
        assert not EstimateDecision.objects.exists()


def test_refusal_inside_the_service_also_says_the_answer_was_not_saved(
    api_client: Any, client: Client, customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shop revises between the page's check and the service's lock."""
    page = new_page(api_client)

    def revised_meanwhile(*args: Any, **kwargs: Any) -> Any:
        raise services.EstimateError("geändert", None, "superseded")

    monkeypatch.setattr(services, "accept_estimate", revised_meanwhile)
    refused = client.post(page + "annehmen", SIGNED, follow=True)
    assert NOT_SAVED in text(refused)


def test_revised_estimate_says_it_changed_since_the_customer_last_saw_it(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    assert CHANGED not in text(client.get(page))
    revise(api_client)
    shown = text(client.get(page))
    assert CHANGED in shown
    assert "Version 1 über 284,29\N{NO-BREAK SPACE}€, jetzt Version 2 über 284,29" in shown
    # Seen now: the next look says nothing more.
    assert CHANGED not in text(client.get(page))


def test_first_look_at_a_revised_estimate_says_nothing_about_changes(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    revise(api_client)
    assert CHANGED not in text(client.get(page))


def test_confirmation_from_a_second_tab_says_it_was_answered_already(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    client.post(page + "annehmen", SIGNED)
    second = client.post(page + "ablehnen", {**SIGNED, "choice": "disposal"}, follow=True)
    shown = text(second)
    assert "Ihre Antwort wurde nicht gespeichert: der Kostenvoranschlag wurde bereits" in shown
    assert "Sie haben den Kostenvoranschlag angenommen." in shown


def test_answer_step_from_an_old_page_leads_to_the_new_version(
    api_client: Any, client: Client, customer: Any
) -> None:
    page = new_page(api_client)
    client.get(page)
    revise(api_client)
    step = client.post(page + "annehmen", {"version": "1"}, follow=True)
    shown = text(step)
    assert "Der Kostenvoranschlag wurde inzwischen geändert." in shown
    assert "Verbindlich annehmen" not in shown and "Akku defekt" in shown


def test_declined_vehicle_says_the_next_step_for_a_vehicle(
    api_client: Any, client: Client, customer: Any
) -> None:
    vehicle = {"customer_external_id": "K-1", "license_plate": "B-EB 123", "make": "VW"}
    assert put_json(api_client, "/api/v1/vehicles/F-1", vehicle).status_code == 201
    page = new_page(api_client, vehicle_external_id="F-1", object_description="")
    # A vehicle is scrapped, not disposed of like a device (decline_choices).
    done = client.post(page + "ablehnen", {**SIGNED, "choice": "scrapping"}, follow=True)
    shown = text(done)
    assert "Wir lassen Ihr Fahrzeug fachgerecht entsorgen" in shown
    assert "Gerät" not in shown
