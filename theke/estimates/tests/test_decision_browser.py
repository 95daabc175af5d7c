"""The customer's answer in Chromium, on a phone and on a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.audit.services import SYSTEM
from theke.core.tests.browser import (
    PHONE,
    VIEWPORT_IDS,
    VIEWPORTS,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.estimates import services
from theke.estimates.models import EstimateDecision
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import publish_legal_text

from .test_browser import photos_through_test_client, push_estimate, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def gross(page: Any) -> str:
    text: str = page.locator("dd.totals-gross").inner_text()
    return text.replace("\N{NO-BREAK SPACE}", " ")


def open_estimate(
    open_page: Any, live_server: Any, tenant: Any, customer: Any, viewport: Any
) -> Any:
    with tenant_scope(tenant):
        _link, token = services.create_link(tenant, SYSTEM, "KV-1")
    push_estimate(tenant, customer)
    page = open_page(viewport)
    photos_through_test_client(page)
    page.goto(f"{live_server.url}/k/{token}/")
    page.get_by_role("heading", name="Smartphone Samsung Galaxy S21").wait_for()
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_accept_with_an_optional_position_removed(
    open_page: Any, live_server: Any, tenant_a: Any, customer: Any, viewport: dict[str, int]
) -> None:
    page = open_estimate(open_page, live_server, tenant_a, customer, viewport)
    errors = watch_errors(page)
    assert gross(page) == "379,61 €"
    page.get_by_label("gewünscht").uncheck()
    wait_until(page, "document.querySelector('dd.totals-gross').textContent.includes('355,93')")
    assert page.locator("#top-total").inner_text().replace("\N{NO-BREAK SPACE}", " ") == (
        "355,93 €"
    )
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-optional-removed")
    page.get_by_role("button", name="Annehmen").click()
    page.get_by_role("heading", name="Auftrag erteilen").wait_for()
    assert gross(page) == "355,93 €"
    page.get_by_label("Ihr Name").fill("Eva Berg")
    page.get_by_label("Ich habe den Kostenvoranschlag").check()
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-accept-confirm")
    page.get_by_role("button", name="Verbindlich annehmen").click()
    page.get_by_text("Sie haben den Kostenvoranschlag angenommen.").wait_for()
    assert page.get_by_role("button", name="Annehmen").count() == 0
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-accepted")
    assert real(errors) == []
    with scopes_disabled():
        decision = EstimateDecision.objects.get()
    assert str(decision.gross_total) == "355.93"
    assert decision.signed_name == "Eva Berg"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_decline_with_disposal(
    open_page: Any, live_server: Any, tenant_a: Any, customer: Any, viewport: dict[str, int]
) -> None:
    from theke.customers import services as customers

    with tenant_scope(tenant_a):
        customers.create_article(
            tenant_a,
            SYSTEM,
            number="PA-ENTS",
            text="Entsorgungs-Pauschale",
            price="5.00",
            is_special=True,
        )
        customers.create_article(
            tenant_a,
            SYSTEM,
            number="PA-RUECK",
            text="Rückversand-Pauschale",
            price="9.90",
            is_special=True,
        )
    page = open_estimate(open_page, live_server, tenant_a, customer, viewport)
    errors = watch_errors(page)
    page.get_by_role("button", name="Ablehnen").click()
    page.get_by_role("heading", name="Kostenvoranschlag ablehnen").wait_for()
    assert page.get_by_text("Entsorgungs-Pauschale: 5,95").is_visible()
    page.get_by_label("Fachgerechte Entsorgung").check()
    page.get_by_label("Ihr Name").fill("Eva Berg")
    page.get_by_label("Ich habe den Kostenvoranschlag").check()
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-decline")
    page.get_by_role("button", name="Verbindlich ablehnen").click()
    page.get_by_text("Sie haben den Kostenvoranschlag abgelehnt.").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-declined")
    assert real(errors) == []
    with scopes_disabled():
        decision = EstimateDecision.objects.get()
    assert decision.choice == "disposal"
    assert str(decision.fee_gross) == "5.95"


def test_terms_link_opens_the_version_in_a_new_tab_and_the_answer_stores_it(
    open_page: Any, live_server: Any, tenant_a: Any, customer: Any
) -> None:
    publish_legal_text(tenant_a, SYSTEM, "terms", "## Reparatur\nAlte Bedingungen")
    terms = publish_legal_text(tenant_a, SYSTEM, "terms", "## Reparatur\nVerbindliche Regeln")
    page = open_estimate(open_page, live_server, tenant_a, customer, PHONE)
    errors = watch_errors(page)
    page.get_by_role("button", name="Annehmen").click()
    page.get_by_role("heading", name="Auftrag erteilen").wait_for()
    page.get_by_label("Ihr Name").fill("Eva Berg")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Bedingungen", exact=True).click()
    tab = opened.value
    tab.get_by_role("heading", name="Geschäftsbedingungen").wait_for()
    assert tab.url.endswith(f"/t/{tenant_a.slug}/agb/2/")
    assert tab.get_by_text("Verbindliche Regeln").is_visible()
    assert tab.get_by_role("article").get_by_text("Fassung 2 vom").is_visible()
    assert wider_than_viewport(tab) == []
    screenshot(tab, "legal-terms")
    tab.close()
    # The form kept its input; the link did not tick the box.
    assert page.get_by_label("Ihr Name").input_value() == "Eva Berg"
    checkbox = page.locator("#sign-terms")
    assert not checkbox.is_checked()
    checkbox.check()
    page.get_by_role("button", name="Verbindlich annehmen").click()
    page.get_by_text("Sie haben den Kostenvoranschlag angenommen.").wait_for()
    assert page.get_by_role("link", name="Bestätigte Bedingungen (Fassung 2)").is_visible()
    assert real(errors) == []
    with scopes_disabled():
        decision = EstimateDecision.objects.get()
    assert decision.terms_text_id == terms.pk and decision.consented_at is not None


def test_decline_of_a_vehicle_estimate_with_pickup_unrepaired_on_a_phone(
    open_page: Any, live_server: Any, tenant_a: Any, customer: Any
) -> None:
    from theke.customers import services as customers

    with tenant_scope(tenant_a):
        golf = customers.add_vehicle(
            customer, SYSTEM, make="Volkswagen", model="Golf VI", license_plate="B-SK 2401"
        )
        for number, text, price in (
            ("PA-ABHOL", "Pauschale Fehlersuche (unrepariert abgeholt)", "39.00"),
            ("PA-VERSCHR", "Verschrottungs-Pauschale", "149.00"),
            ("PA-RUECK", "Rückversand-Pauschale", "9.90"),
        ):
            customers.create_article(
                tenant_a, SYSTEM, number=number, text=text, price=price, is_special=True
            )
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-GOLF")
        services.save_estimate(
            tenant_a,
            SYSTEM,
            "KV-GOLF",
            {"customer": customer, "vehicle": golf, "number": "KV-24-0815"},
            [{"text": "Bremsscheiben VA", "quantity": "1", "unit_price": "149", "vat_rate": "19"}],
        )
    page = open_page(PHONE)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/k/{token}/")
    page.get_by_role("button", name="Ablehnen").click()
    page.get_by_role("heading", name="Kostenvoranschlag ablehnen").wait_for()
    assert page.get_by_text("Was soll mit Ihrem Fahrzeug geschehen?").is_visible()
    assert page.get_by_text("Rücksendung").count() == 0
    assert page.locator(".return-address").count() == 0
    pickup = page.get_by_label("Fahrzeug unrepariert abholen")
    assert page.get_by_text("Pauschale Fehlersuche (unrepariert abgeholt): 46,41").is_visible()
    pickup.check()
    page.get_by_label("Ihr Name").fill("Eva Berg")
    page.get_by_label("Ich habe den Kostenvoranschlag").check()
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-decline-vehicle")
    page.get_by_role("button", name="Verbindlich ablehnen").click()
    page.get_by_text("Sie haben den Kostenvoranschlag abgelehnt.").wait_for()
    assert page.get_by_text("Sie holen Ihr Fahrzeug unrepariert bei uns ab.").is_visible()
    assert wider_than_viewport(page) == []
    screenshot(page, "estimate-declined-vehicle")
    assert real(errors) == []
    with scopes_disabled():
        decision = EstimateDecision.objects.get()
    assert decision.choice == "pickup_unrepaired"
    assert str(decision.fee_gross) == "46.41"
    assert decision.address_street == ""
