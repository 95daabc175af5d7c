"""Terms and privacy policy: versions (new row, old ones stay), the staff editor, the public
pages, the consent check every customer form shares, and the markup renderer."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, Actor
from theke.core.errors import ServiceError
from theke.core.tests.concurrency import run_at_once
from theke.tenants import services
from theke.tenants.forms import LegalConsentForm
from theke.tenants.models import LegalText, LegalTextKind
from theke.tenants.scoping import tenant_scope
from theke.tenants.templatetags.tenant_legal import render_legal_body

TERMS = LegalTextKind.TERMS
PRIVACY = LegalTextKind.PRIVACY


def publish(tenant: Any, body: str, kind: str = TERMS, **kwargs: Any) -> LegalText:
    return services.publish_legal_text(tenant, SYSTEM, kind, body, **kwargs)


def current(tenant: Any, kind: str) -> LegalText:
    text = services.current_version(tenant, kind)
    assert text is not None
    return text


def html(response: Any) -> str:
    return response.content.decode()


# --- versions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_publication_is_a_new_row_and_earlier_versions_stay(tenant_a: Any) -> None:
    first = publish(tenant_a, "Erste Fassung")
    second = publish(tenant_a, "Zweite Fassung")
    privacy = publish(tenant_a, "Datenschutz", PRIVACY)
    assert (first.version, second.version, privacy.version) == (1, 2, 1)
    with tenant_scope(tenant_a):
        stored = {(t.kind, t.version): t.body for t in LegalText.objects.all()}
    assert stored == {
        ("terms", 1): "Erste Fassung",
        ("terms", 2): "Zweite Fassung",
        ("privacy", 1): "Datenschutz",
    }
    assert services.current_version(tenant_a, TERMS) == second
    assert services.legal_text_version(tenant_a, TERMS, 1) == first
    assert [t.version for t in services.legal_text_history(tenant_a, TERMS)] == [2, 1]


@pytest.mark.django_db
def test_numbers_count_per_tenant_and_kind(tenant_a: Any, tenant_b: Any) -> None:
    publish(tenant_a, "A1")
    publish(tenant_a, "A2")
    assert publish(tenant_b, "B1").version == 1
    assert publish(tenant_a, "P1", PRIVACY).version == 1
    assert services.current_version(tenant_b, PRIVACY) is None


@pytest.mark.django_db
def test_a_published_version_is_never_changed(tenant_a: Any) -> None:
    text = publish(tenant_a, "Fassung 1")
    text.body = "heimlich geändert"
    with pytest.raises(ValueError, match="never changed"):
        text.save()
    assert current(tenant_a, TERMS).body == "Fassung 1"


@pytest.mark.django_db
def test_publishing_records_who_and_an_audit_event(tenant_a: Any, owner: Any) -> None:
    text = services.publish_legal_text(tenant_a, Actor.staff(owner), PRIVACY, "  Text\r\n  ")
    assert text.body == "Text" and text.published_by == owner
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="legal_text.published")
    assert event.data == {"kind": "privacy", "version": 1, "length": 4}
    assert event.object_id == str(text.pk) and event.actor_user_id == owner.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"), [("", "required"), ("   \n ", "required"), ("x" * 100_001, "too_long")]
)
def test_an_empty_or_huge_text_is_refused(tenant_a: Any, body: str, code: str) -> None:
    with pytest.raises(ServiceError) as refused:
        publish(tenant_a, body)
    assert refused.value.code == code
    assert services.current_version(tenant_a, TERMS) is None


@pytest.mark.django_db
def test_an_unchanged_text_makes_no_new_version(tenant_a: Any) -> None:
    publish(tenant_a, "Gleich")
    with pytest.raises(ServiceError) as refused:
        publish(tenant_a, "Gleich\n")
    assert refused.value.code == "unchanged"
    assert current(tenant_a, TERMS).version == 1


@pytest.mark.django_db
def test_an_editor_who_started_from_an_old_version_is_refused(tenant_a: Any) -> None:
    publish(tenant_a, "Von Kollegin A", based_on=0)
    with pytest.raises(ServiceError) as refused:
        publish(tenant_a, "Von Kollege B", based_on=0)
    assert refused.value.code == "stale"
    assert current(tenant_a, TERMS).body == "Von Kollegin A"
    assert publish(tenant_a, "Von Kollege B", based_on=1).version == 2


@pytest.mark.django_db
def test_a_number_taken_meanwhile_is_a_clean_refusal(tenant_a: Any, monkeypatch: Any) -> None:
    """Should the tenant lock not serialise two publishers, the unique constraint does."""
    first = publish(tenant_a, "Eins")
    publish(tenant_a, "Zwei")
    monkeypatch.setattr(services, "_latest", lambda tenant, kind: first)  # a stale read
    with pytest.raises(ServiceError) as refused:
        publish(tenant_a, "Drei")
    assert refused.value.code == "concurrent"
    monkeypatch.undo()
    assert [t.version for t in services.legal_text_history(tenant_a, TERMS)] == [2, 1]
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="legal_text.published").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_publishers_at_once_get_distinct_numbers(tenant_a: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    errors = run_at_once(
        lambda: publish(tenant_a, "Fassung von A"), lambda: publish(tenant_a, "Fassung von B")
    )
    assert all(isinstance(e, ServiceError) and e.code == "concurrent" for e in errors), errors
    with scopes_disabled():
        versions = sorted(
            LegalText.objects.filter(tenant=tenant_a).values_list("version", flat=True)
        )
    assert versions == list(range(1, len(versions) + 1)) and len(versions) == 2 - len(errors)


# --- consent --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_consent_records_the_current_versions_and_the_time(tenant_a: Any) -> None:
    terms = publish(tenant_a, "AGB 1")
    consent = services.check_consent(tenant_a, accepted=True, terms_version=1, privacy_version=0)
    assert consent.terms_text == terms and consent.privacy_text is None
    assert consent.consented_at is not None
    # Not told which versions were shown: the current ones.
    assert services.check_consent(tenant_a, accepted=True).terms_text == terms


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accepted", "terms", "privacy", "code"),
    [
        (False, 1, 0, "terms_required"),
        (True, 0, 0, "legal_text_changed"),  # the page showed the default, v1 came meanwhile
        (True, 1, 1, "legal_text_changed"),
        (True, "x", 0, "legal_text_changed"),
    ],
)
def test_consent_to_a_text_not_current_is_refused(
    tenant_a: Any, accepted: bool, terms: Any, privacy: Any, code: str
) -> None:
    publish(tenant_a, "AGB 1")
    with pytest.raises(ServiceError) as refused:
        services.check_consent(
            tenant_a, accepted=accepted, terms_version=terms, privacy_version=privacy
        )
    assert refused.value.code == code


class BookingForm(LegalConsentForm):
    name = forms.CharField()


@pytest.mark.django_db
def test_the_consent_form_mixin_checks_and_holds_the_consent(tenant_a: Any) -> None:
    publish(tenant_a, "AGB 1")
    data = {"name": "Eva", "legal_consent": "on", "legal_terms_version": "1"}
    form = BookingForm(data, tenant=tenant_a)
    assert form.is_valid(), form.errors
    assert form.consent is not None and form.consent.terms_text == current(tenant_a, TERMS)
    unticked = BookingForm({"name": "Eva", "legal_terms_version": "1"}, tenant=tenant_a)
    assert not unticked.is_valid() and "legal_consent" in unticked.errors
    stale = BookingForm({**data, "legal_terms_version": "0"}, tenant=tenant_a)
    assert not stale.is_valid()
    assert "inzwischen geändert" in str(stale.errors["legal_consent"])


@pytest.mark.django_db
def test_the_consent_include_links_the_versions_shown(tenant_a: Any) -> None:
    publish(tenant_a, "AGB 1")
    publish(tenant_a, "AGB 2")
    with translation.override("de"):
        page = render_to_string(
            "tenants/_consent.html",
            {"consent": services.consent_offer(tenant_a), "consent_subject": "den Auftrag"},
        )
    assert f'href="/t/{tenant_a.slug}/agb/2/"' in page
    assert f'href="/t/{tenant_a.slug}/datenschutz/"' in page  # the default: no version yet
    assert 'name="legal_terms_version" value="2"' in page
    assert 'name="legal_privacy_version" value="0"' in page
    assert "Ich habe den Auftrag und die" in page and 'name="legal_consent"' in page


# --- public pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_page_shows_the_current_version_and_lists_the_others(client, tenant_a) -> None:
    publish(tenant_a, "## Geltung\nAlte Regel")
    publish(tenant_a, "## Geltung\nNeue Regel")
    response = client.get(f"/t/{tenant_a.slug}/agb/")
    page = html(response)
    assert response.status_code == 200
    assert "Neue Regel" in page and "Alte Regel" not in page
    assert "Fassung 2 vom" in page and "Geschäftsbedingungen" in page
    assert f'href="/t/{tenant_a.slug}/agb/1/"' in page
    assert "frühere Fassung" not in page
    assert "--brand:" in page  # the tenant's layout


@pytest.mark.django_db
def test_public_page_shows_an_old_version_by_number(client, tenant_a) -> None:
    publish(tenant_a, "Alte Regel")
    publish(tenant_a, "Neue Regel")
    page = html(client.get(f"/t/{tenant_a.slug}/agb/1/"))
    assert "Alte Regel" in page and "Neue Regel" not in page
    assert "Dies ist eine frühere Fassung." in page
    assert f'href="/t/{tenant_a.slug}/agb/"' in page


@pytest.mark.django_db
def test_unknown_version_kind_or_tenant_is_404(client, tenant_a, tenant_b) -> None:
    publish(tenant_a, "Regel von A")
    assert client.get(f"/t/{tenant_a.slug}/agb/2/").status_code == 404
    assert client.get(f"/t/{tenant_a.slug}/impressum/").status_code == 404
    assert client.get("/t/niemand/agb/").status_code == 404
    # Another tenant's page never shows A's text, and A's version number does not exist there.
    assert client.get(f"/t/{tenant_b.slug}/agb/1/").status_code == 404
    assert "Regel von A" not in html(client.get(f"/t/{tenant_b.slug}/agb/"))


@pytest.mark.django_db
def test_without_a_published_text_the_default_is_shown(client, tenant_a) -> None:
    with translation.override("de"):
        page = html(client.get(f"/t/{tenant_a.slug}/datenschutz/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Allgemeine Fassung" in page
    assert "Verantwortlicher" in page and "Autohaus Alpha" in page
    assert 'href="mailto:info@alpha.test"' in page
    english = html(client.get(f"/t/{tenant_a.slug}/agb/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Terms and conditions" in english and "Contracting party" in english


@pytest.mark.django_db
def test_customer_pages_link_terms_and_privacy_in_the_footer(client, tenant_a) -> None:
    page = html(client.get(reverse("tenant_pages:contact", args=[tenant_a.slug])))
    assert f'href="/t/{tenant_a.slug}/agb/"' in page
    assert f'href="/t/{tenant_a.slug}/datenschutz/"' in page


# --- staff editor ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_starts_from_the_default_then_publishes_version_one(owner_client, tenant_a) -> None:
    url = reverse("tenants:legal_text_edit", args=["privacy"])
    page = html(owner_client.get(url))
    assert "Verantwortlicher" in page  # prefilled with the default text
    assert 'name="based_on" value="0"' in page
    response = owner_client.post(url, {"body": "## Verantwortlich\nAlpha", "based_on": "0"})
    assert response.status_code == 302
    text = current(tenant_a, PRIVACY)
    assert text.version == 1 and text.body == "## Verantwortlich\nAlpha"
    page = html(owner_client.get(url))
    assert 'name="based_on" value="1"' in page
    assert "Fassung 1" in page and f"/t/{tenant_a.slug}/datenschutz/1/" in page


@pytest.mark.django_db
def test_editor_keeps_the_text_when_someone_published_meanwhile(owner_client, tenant_a) -> None:
    url = reverse("tenants:legal_text_edit", args=["terms"])
    publish(tenant_a, "Von der Kollegin")
    response = owner_client.post(url, {"body": "Mein Entwurf", "based_on": "0"})
    page = html(response)
    assert response.status_code == 200
    assert "Inzwischen wurde Fassung 1 veröffentlicht" in page
    assert "Mein Entwurf" in page and 'name="based_on" value="1"' in page
    assert current(tenant_a, TERMS).body == "Von der Kollegin"
    assert owner_client.post(url, {"body": "Mein Entwurf", "based_on": "1"}).status_code == 302
    assert current(tenant_a, TERMS).version == 2


@pytest.mark.django_db
def test_overview_shows_versions_and_is_linked_from_the_settings(owner_client, tenant_a) -> None:
    publish(tenant_a, "AGB")
    assert reverse("tenants:legal_texts") in html(owner_client.get(reverse("tenants:settings")))
    page = html(owner_client.get(reverse("tenants:legal_texts")))
    assert "Aktuell: Fassung 1" in page and "Standardtext" in page


@pytest.mark.django_db
def test_editor_needs_the_settings_right_and_knows_only_two_kinds(client, tenant_a) -> None:
    colleague = make_staff(tenant_a, "berater@alpha.test", "Bea Berater", "Serviceberater")
    client.force_login(colleague)
    url = reverse("tenants:legal_text_edit", args=["terms"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "Gekapert", "based_on": "0"}).status_code == 403
    assert services.current_version(tenant_a, TERMS) is None


@pytest.mark.django_db
def test_unknown_kind_in_the_editor_is_404(owner_client) -> None:
    assert owner_client.get("/staff/settings/legal/impressum/").status_code == 404


@pytest.mark.django_db
def test_outsider_edits_only_their_own_tenants_texts(outsider_client, tenant_a, tenant_b) -> None:
    url = reverse("tenants:legal_text_edit", args=["terms"])
    assert outsider_client.post(url, {"body": "Beta AGB", "based_on": "0"}).status_code == 302
    assert services.current_version(tenant_a, TERMS) is None
    assert current(tenant_b, TERMS).body == "Beta AGB"


# --- markup -----------------------------------------------------------------------------------


def test_body_markup_makes_headings_paragraphs_lists_and_links() -> None:
    body = (
        "# Titel\n\n"
        "Erster Absatz\nzweite Zeile\n\n"
        "- eins\n- zwei\n  weiter\n\n"
        "1. erstens\n2) zweitens\n\n"
        "Mehr unter https://example.com/agb?a=1&b=2. Fragen an info@alpha.test"
    )
    out = str(render_legal_body(body))
    assert out.startswith('<h2 class="h5 fw-semibold">Titel</h2>')
    assert "<p>Erster Absatz<br>zweite Zeile</p>" in out
    assert "<ul><li>eins</li><li>zwei weiter</li></ul>" in out
    assert "<ol><li>erstens</li><li>zweitens</li></ol>" in out
    assert '<a href="https://example.com/agb?a=1&amp;b=2" rel="nofollow noopener">' in out
    assert '<a href="mailto:info@alpha.test"' in out


def test_body_markup_escapes_html() -> None:
    out = str(
        render_legal_body('<script>alert(1)</script>\n\n## <b>x</b>\n- <img src=x onerror="y">')
    )
    assert "<script>" not in out and "<b>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out
    assert str(render_legal_body('javascript:alert(1) "https://x.test/"')).count("<a ") == 1
