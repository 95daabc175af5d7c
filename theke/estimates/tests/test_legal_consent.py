"""The answer to an estimate records which terms and privacy versions the customer confirmed,
and when; the answer step links those versions; staff page, PDF and API show them."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.estimates import services
from theke.estimates.models import EstimateDecision
from theke.tenants.services import publish_legal_text

from .conftest import ESTIMATE
from .test_decision import accept, make_estimate
from .test_decision_pages import new_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(tenant_a: Any) -> dict[str, Any]:
    """Terms in their second version, the privacy policy in its first."""
    publish_legal_text(tenant_a, SYSTEM, "terms", "Alte AGB")
    return {
        "terms": publish_legal_text(tenant_a, SYSTEM, "terms", "Neue AGB"),
        "privacy": publish_legal_text(tenant_a, SYSTEM, "privacy", "Datenschutz"),
    }


def test_accepting_stores_the_versions_and_the_time(tenant_a, customer, texts) -> None:
    _estimate, link = make_estimate(tenant_a, customer)
    before = timezone.now()
    decision = accept(link, legal_versions=services.LegalVersions(2, 1))
    with scopes_disabled():
        stored = EstimateDecision.objects.get(pk=decision.pk)
    assert stored.terms_text == texts["terms"] and stored.privacy_text == texts["privacy"]
    assert stored.consented_at is not None
    assert before <= stored.consented_at <= timezone.now()
    assert stored.terms_accepted


def test_declining_stores_them_as_well(tenant_a, customer, texts) -> None:
    _estimate, link = make_estimate(tenant_a, customer)
    decision = services.decline_estimate(
        link, choice="disposal", name="Eva Berg", terms_accepted=True
    )
    assert decision.terms_text == texts["terms"] and decision.consented_at is not None


def test_before_any_published_text_the_default_is_recorded(tenant_a, customer) -> None:
    _estimate, link = make_estimate(tenant_a, customer)
    decision = accept(link, legal_versions=services.LegalVersions(0, 0))
    assert decision.terms_text is None and decision.privacy_text is None
    assert decision.consented_at is not None
    assert "Standardtext" in decision.consent_summary


def test_terms_changed_since_the_page_was_shown_are_refused(tenant_a, customer, texts) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    with pytest.raises(ServiceError) as refused:
        accept(link, legal_versions=services.LegalVersions(1, 1))
    assert refused.value.code == "legal_text_changed"
    with scopes_disabled():
        assert not EstimateDecision.objects.exists()
    estimate.refresh_from_db()
    assert estimate.status != "accepted"


def test_the_answer_step_links_the_versions_and_the_post_stores_them(
    api_client: Any, client: Client, customer: Any, tenant_a: Any, texts: Any
) -> None:
    page = new_page(api_client)
    step = client.post(page + "annehmen", {"version": "1"}).content.decode()
    assert f'href="/t/{tenant_a.slug}/agb/2/" target="_blank"' in step
    assert f'href="/t/{tenant_a.slug}/datenschutz/1/" target="_blank"' in step
    assert 'name="legal_terms_version" value="2"' in step
    assert 'name="terms"' in step and 'id="sign-terms"' in step
    # The linked page is the text the customer is asked to accept.
    assert "Neue AGB" in client.get(f"/t/{tenant_a.slug}/agb/2/").content.decode()
    signed = {"confirm": "1", "name": "Eva Berg", "terms": "on", "version": "1"}
    versions = {"legal_terms_version": "2", "legal_privacy_version": "1"}
    assert client.post(page + "annehmen", {**signed, **versions}).status_code == 302
    with scopes_disabled():
        decision = EstimateDecision.objects.get()
    assert decision.terms_text == texts["terms"] and decision.privacy_text == texts["privacy"]
    decided = client.get(page).content.decode()
    assert f'href="/t/{tenant_a.slug}/agb/2/"' in decided  # "Bestätigte Bedingungen"


def test_a_newer_version_published_meanwhile_sends_the_customer_back_to_read_it(
    api_client: Any, client: Client, customer: Any, tenant_a: Any, texts: Any
) -> None:
    page = new_page(api_client)
    publish_legal_text(tenant_a, SYSTEM, "terms", "Neueste AGB")
    signed = {"confirm": "1", "name": "Eva Berg", "terms": "on", "version": "1"}
    response = client.post(
        page + "ablehnen",
        {**signed, "choice": "disposal", "legal_terms_version": "2", "legal_privacy_version": "1"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Die Bedingungen wurden inzwischen geändert." in text
    assert f'href="/t/{tenant_a.slug}/agb/3/"' in text
    with scopes_disabled():
        assert not EstimateDecision.objects.exists()


def test_staff_page_pdf_and_api_show_the_confirmed_versions(
    owner_client: Any, tenant_a: Any, customer: Any, texts: Any
) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    accept(link)
    detail = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    assert "Geschäftsbedingungen, Fassung 2" in detail
    assert f'href="/t/{tenant_a.slug}/agb/2/"' in detail
    assert "Datenschutzerklärung, Fassung 1" in detail
    pdf = owner_client.get(reverse("estimates:decision_pdf", args=[estimate.pk])).content
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())  # justified lines come out with wider spaces
    assert "Geschäftsbedingungen Fassung 2" in text


def test_api_reports_the_confirmed_versions(
    api_client: Any, tenant_a: Any, customer: Any, texts: Any
) -> None:
    _estimate, link = make_estimate(tenant_a, customer)
    accept(link)
    decision = api_client.get(ESTIMATE).json()["decision"]
    assert decision["terms_version"] == 2 and decision["privacy_version"] == 1
    assert decision["consented_at"] is not None


def test_a_decision_without_recorded_versions_still_shows(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    """Answers given before versions were recorded keep null fields."""
    estimate, link = make_estimate(tenant_a, customer)
    decision = accept(link)
    with scopes_disabled():
        EstimateDecision.objects.filter(pk=decision.pk).update(consented_at=None)
    detail = owner_client.get(reverse("estimates:detail", args=[estimate.pk]))
    assert detail.status_code == 200
    assert "Bestätigte Texte" not in detail.content.decode()
    pdf = owner_client.get(reverse("estimates:decision_pdf", args=[estimate.pk]))
    assert pdf.status_code == 200
