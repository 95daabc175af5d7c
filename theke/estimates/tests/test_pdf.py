"""The estimate and decision PDFs are letters on the tenant's letterhead (theke.core.pdf):
customer in the window, numbers in the information block, positions, totals, footer; the
photos on a page of their own."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from theke.audit.services import SYSTEM
from theke.core.tests.pdf_text import find, pages, runs, text_of
from theke.customers import services as customers
from theke.estimates import services
from theke.estimates.models import Estimate
from theke.estimates.pdf import decision_pdf, estimate_pdf
from theke.estimates.services.decision import accept_estimate, decline_estimate
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import update_tenant

pytestmark = pytest.mark.django_db

LEGAL: dict[str, Any] = {
    "legal_name": "Autohaus Alpha GmbH",
    "street": "Friedrichstraße 120",
    "postal_code": "10117",
    "register_court": "Amtsgericht Berlin-Charlottenburg",
    "register_number": "HRB 123456 B",
    "vat_id": "DE136695976",
    "iban": "DE02100500000054540402",
    "bic": "BELADEBEXXX",
}
BOTTOM_30_MM = 297 - 30


def position(text: str, **values: Any) -> dict[str, Any]:
    return {"text": text, "quantity": "1", "unit_price": "100", "vat_rate": "19", **values}


@pytest.fixture
def letter_tenant(tenant_a: Any) -> Any:
    return update_tenant(tenant_a, SYSTEM, **LEGAL)


@pytest.fixture
def addressed_customer(letter_tenant: Any, customer: Any) -> Any:
    with tenant_scope(letter_tenant):
        customers.update_customer(customer, SYSTEM, salutation="Frau", number="10042")
        customers.add_location(
            customer,
            SYSTEM,
            street="Lindenallee 17",
            postal_code="14467",
            city="Potsdam",
            is_billing=True,
        )
    customer.refresh_from_db()
    return customer


def save(tenant: Any, customer: Any, positions: list[dict[str, Any]], **values: Any) -> Estimate:
    with tenant_scope(tenant):
        estimate, _created = services.save_estimate(
            tenant,
            SYSTEM,
            "KV-1",
            {
                "customer": customer,
                "number": "KV-4711",
                "technician_name": "Tom Technik",
                **values,
            },
            positions,
        )
    return estimate


@pytest.fixture
def estimate(letter_tenant: Any, addressed_customer: Any) -> Estimate:
    return save(
        letter_tenant,
        addressed_customer,
        [position("Bremsscheiben erneuern"), position("Wischerblätter", is_optional=True)],
    )


def photo_bytes(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def add_photos(tenant: Any, estimate: Estimate, count: int = 2) -> None:
    # Distinct pixels per photo: a PDF embeds identical images only once.
    colors = ["#aa0000", "#00aa00", "#0000aa"]
    with tenant_scope(tenant):
        for n in range(count):
            services.add_photo(
                estimate, SYSTEM, data=photo_bytes(colors[n]), caption=f"Schaden {n + 1}"
            )


def render(tenant: Any, estimate: Estimate) -> bytes:
    with tenant_scope(tenant):
        return estimate_pdf(estimate)


def assert_letter_to_the_customer(pdf: bytes) -> None:
    """Window, information block and footer of a letter to Eva Berg about KV-4711."""
    document = pages(pdf)
    first = document[0]
    sender = find(first, "Autohaus Alpha GmbH · Friedrichstraße 120 · 10117 Berlin")
    name = find(first, "Frau Eva Berg")
    for line in (name, find(first, "Lindenallee 17"), find(first, "14467 Potsdam")):
        assert 20 <= line.x <= 30 and 45 < line.y < 90, line
    assert 45 < sender.y < name.y
    for label, value in (("Kostenvoranschlag Nr.", "KV-4711"), ("Kundennummer", "10042")):
        label_run, value_run = find(first, label), find(first, value)
        assert label_run.x >= 124.9 and 45 < label_run.y < 90
        assert abs(value_run.y - label_run.y) < 1 and value_run.x > label_run.x
    assert find(first, "Ihr Ansprechpartner").x >= 124.9
    for page in document:
        for text in ("Amtsgericht Berlin-Charlottenburg", "USt-IdNr. DE136695976"):
            assert find(page, text).y > BOTTOM_30_MM
        assert find(page, f"von {len(document)}").y > 297 - 35


def test_estimate_pdf_is_a_letter_to_the_customer(letter_tenant: Any, estimate: Estimate):
    pdf = render(letter_tenant, estimate)
    assert_letter_to_the_customer(pdf)
    first = pages(pdf)[0]
    assert find(first, "Bremsscheiben erneuern").y > 90  # content below the window
    assert find(first, "Gesamtbetrag brutto").y > find(first, "Wischerblätter").y
    assert "238,00 €" in text_of(pdf)  # both positions, 19 % VAT


def test_estimate_photos_follow_on_a_page_of_their_own(letter_tenant: Any, estimate: Estimate):
    add_photos(letter_tenant, estimate)
    document = pages(render(letter_tenant, estimate))
    assert len(document) == 2
    first, second = document
    assert not first.images  # no photo between the positions (and this tenant has no logo)
    assert not [r for r in runs(first) if "Schaden" in r.text]
    assert len(second.images) == 2
    assert find(second, "Fotos").y < find(second, "Schaden 1").y
    assert find(second, "Schaden 2").x > find(second, "Schaden 1").x


def test_estimate_without_photos_is_one_page(letter_tenant: Any, estimate: Estimate):
    document = pages(render(letter_tenant, estimate))
    assert len(document) == 1
    assert "Fotos" not in document[0].extract_text()


def test_a_photo_file_gone_from_storage_is_left_out(letter_tenant: Any, estimate: Estimate):
    add_photos(letter_tenant, estimate, count=2)
    with tenant_scope(letter_tenant):
        lost = estimate.photos.first()
        assert lost is not None
        lost.preview.delete(save=False)
        lost.file.delete(save=False)
    document = pages(render(letter_tenant, estimate))
    assert len(document[1].images) == 1


def test_long_position_lists_repeat_the_footer_and_keep_photos_last(
    letter_tenant: Any, addressed_customer: Any
):
    many = [position(f"Arbeitsschritt Nummer {n}") for n in range(1, 60)]
    estimate = save(letter_tenant, addressed_customer, many)
    add_photos(letter_tenant, estimate, count=1)
    document = pages(render(letter_tenant, estimate))
    assert len(document) >= 3
    for page in document[:-1]:
        assert not page.images
        assert find(page, "USt-IdNr. DE136695976").y > BOTTOM_30_MM
    assert find(document[-2], "Gesamtbetrag brutto")
    assert len(document[-1].images) == 1
    # The table's headings repeat on the second page.
    assert find(document[1], "Bezeichnung").y < find(document[1], "Arbeitsschritt").y


def test_company_customer_is_addressed_with_its_contact(letter_tenant: Any):
    with tenant_scope(letter_tenant):
        company = customers.create_customer(
            letter_tenant, SYSTEM, kind="company", company_name="Bäckerei Sonnenschein GmbH"
        )
        contact = customers.add_contact(
            company, SYSTEM, salutation="Herr", first_name="Max", last_name="Muster"
        )
        customers.add_location(
            company, SYSTEM, street="Am Markt 1", postal_code="14482", city="Potsdam"
        )
    estimate = save(letter_tenant, company, [position("Wartung")], contact=contact)
    first = pages(render(letter_tenant, estimate))[0]
    company_line, contact_line = find(first, "Bäckerei Sonnenschein"), find(first, "Herrn Max")
    assert 45 < company_line.y < contact_line.y < find(first, "Am Markt 1").y < 90


def test_staff_download_is_the_letter(owner_client: Any, letter_tenant: Any, estimate: Estimate):
    response = owner_client.get(reverse("estimates:pdf", args=[estimate.pk]))
    assert response.status_code == 200
    assert_letter_to_the_customer(response.content)


def test_decision_pdf_is_a_letter_with_the_chosen_positions_and_photos(
    letter_tenant: Any, estimate: Estimate
):
    add_photos(letter_tenant, estimate)
    with tenant_scope(letter_tenant):
        link, _token = services.create_link(letter_tenant, SYSTEM, estimate.external_id)
        decision = accept_estimate(
            link, name="Eva Berg", terms_accepted=True, optional_position_ids=[]
        )
        pdf = decision_pdf(estimate, decision)
    assert_letter_to_the_customer(pdf)
    first, second = pages(pdf)
    assert "Antwort zum Kostenvoranschlag KV-4711" in first.extract_text()
    assert find(first, "Angenommen")
    assert find(first, "Beauftragte Positionen").y < find(first, "Bremsscheiben erneuern").y
    # The optional position left out is named below the totals, not as a position.
    assert find(first, "Nicht gewählte optionale Positionen").y > find(first, "brutto").y
    assert "119,00 €" in first.extract_text()  # the answered total without the option
    assert not first.images
    assert len(second.images) == 2
    assert find(second, "Schaden 1")


def test_decision_pdf_of_a_decline_names_choice_and_fee(letter_tenant: Any, estimate: Estimate):
    with tenant_scope(letter_tenant):
        link, _token = services.create_link(letter_tenant, SYSTEM, estimate.external_id)
        decision = decline_estimate(link, choice="disposal", name="Eva Berg", terms_accepted=True)
        pdf = decision_pdf(estimate, decision)
    assert_letter_to_the_customer(pdf)
    text = text_of(pdf)
    assert "Abgelehnt" in text
    assert "Entsorgung" in text
    assert "Abgelehnte Positionen" in text
