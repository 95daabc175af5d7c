"""Staff pages of templates, messaging settings and composing a message to a customer."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_staff
from theke.audit.models import AuditEvent
from theke.audit.services import Actor
from theke.messaging.models import MessageTemplate, OutboundMessage
from theke.messaging.services import templates
from theke.messaging.tests.people import People, make_people
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def html(response: Any) -> str:
    return str(response.content.decode())


def edit_url(purpose: str = "estimate_link", channel: str = "email", language: str = "de") -> str:
    return reverse("messaging:template_edit", args=[purpose, channel, language])


def preview_url(
    purpose: str = "estimate_link", channel: str = "email", language: str = "de"
) -> str:
    return reverse("messaging:template_preview", args=[purpose, channel, language])


def compose_url(people: People) -> str:
    return reverse("messaging:compose_to_customer", args=[people.customer.pk])


@pytest.fixture
def people(tenant_a: Tenant) -> People:
    return make_people(tenant_a)


@pytest.fixture
def techniker_client(client: Any, tenant_a: Tenant) -> Any:
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker"))
    return client


def outbound(tenant: Tenant) -> list[OutboundMessage]:
    with tenant_scope(tenant):
        return list(OutboundMessage.objects.order_by("id"))


def enable_sms(tenant: Tenant) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(sms_enabled=True)


# --- list and edit --------------------------------------------------------------------------


def test_list_shows_every_purpose_with_default_or_own_text(
    owner_client: Any, tenant_a: Tenant, owner: Any, sample_purposes: None
) -> None:
    templates.save_template(
        tenant_a, Actor.staff(owner), "test_rejection", "sms", "en", "", "Sorry {link}", ""
    )
    page = html(owner_client.get(reverse("messaging:template_list")))
    assert "Link zum Kostenvoranschlag" in page
    assert "Einladung zum Kundenportal" in page
    assert page.count("eigener Text") == 1
    assert edit_url("test_rejection", "sms", "en") in page
    # Purposes without SMS offer no SMS text.
    assert edit_url("test_invitation", "sms", "de") not in page


def test_settings_landing_page_links_templates_and_messaging_settings(owner_client: Any) -> None:
    page = html(owner_client.get(reverse("tenants:settings")))
    assert reverse("messaging:template_list") in page
    assert reverse("messaging:settings") in page


def test_edit_page_shows_default_placeholders_and_preview(owner_client: Any) -> None:
    response = owner_client.get(edit_url())
    page = html(response)
    assert response.status_code == 200
    assert "Standardtext" in page
    assert "Ihr Kostenvoranschlag {estimate_number}" in page  # the subject field
    assert 'data-insert-placeholder="valid_until"' in page
    assert "Gültig bis (Datum)" in page
    # The preview renders the sample data, with the tenant's own name.
    assert 'id="preview-subject">Ihr Kostenvoranschlag KV-4711<' in page
    frame = re.search(r'<iframe[^>]*sandbox=""[^>]*srcdoc="([^"]*)"', page)
    assert frame is not None
    assert "Guten Tag Herr Mustermann" in unescape(frame.group(1))
    assert "Autohaus Alpha" in unescape(frame.group(1))
    assert 'hx-post="' + preview_url() + '"' in page
    assert "<script>" not in page  # scripts only as files with a nonce


def test_preview_over_htmx_renders_typed_text_on_sample_data(owner_client: Any) -> None:
    response = owner_client.post(
        preview_url(),
        {"subject": "Hallo {customer_name}", "text": "Ihr {item} <b>", "html": ""},
        headers=HTMX,
    )
    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page.split("srcdoc")[0]
    assert 'id="preview-subject">Hallo Max Mustermann<' in page
    assert "Ihr Smartphone Galaxy S21 &lt;b&gt;" in page


def test_preview_names_an_unknown_placeholder(owner_client: Any) -> None:
    page = html(
        owner_client.post(
            preview_url(), {"subject": "x", "text": "{vorname}", "html": ""}, headers=HTMX
        )
    )
    assert "Keine Vorschau möglich" in page
    assert "Unbekannter Platzhalter „{vorname}“" in page


def test_sms_preview_shows_length_segments_and_encoding(owner_client: Any) -> None:
    page = html(
        owner_client.post(preview_url("estimate_link", "sms"), {"text": "a" * 161}, headers=HTMX)
    )
    assert "161 Zeichen · 2 SMS · GSM-7" in page
    page = html(
        owner_client.post(preview_url("estimate_link", "sms"), {"text": "Danke 🙂"}, headers=HTMX)
    )
    assert "8 Zeichen · 1 SMS · UCS-2" in page


def test_saving_stores_the_tenants_text(owner_client: Any, tenant_a: Tenant) -> None:
    response = owner_client.post(
        edit_url("estimate_link", "sms", "de"), {"text": "KV {estimate_number}: {link}"}
    )
    assert response.status_code == 302
    found = templates.get_template(tenant_a, "estimate_link", "sms", "de")
    assert found.is_custom and found.text == "KV {estimate_number}: {link}"
    page = html(owner_client.get(response["Location"]))
    assert "Der Textbaustein wurde gespeichert." in page
    assert "Eigener Text" in page
    assert "Auf Standard zurücksetzen" in page


def test_save_refusal_is_shown_on_the_field(owner_client: Any, tenant_a: Tenant) -> None:
    response = owner_client.post(
        edit_url(), {"subject": "Ihr KV", "text": "Hallo {kunde_name}", "html": ""}
    )
    page = html(response)
    assert response.status_code == 200
    assert re.search(r'<textarea[^>]*name="text"[^>]*is-invalid', page) or re.search(
        r'<textarea[^>]*is-invalid[^>]*name="text"', page
    )
    assert "Unbekannter Platzhalter „{kunde_name}“. Erlaubt sind: {greeting}" in page
    assert "Hallo {kunde_name}" in page  # the input is kept
    with tenant_scope(tenant_a):
        assert not MessageTemplate.objects.exists()


def test_reset_goes_back_to_the_default(owner_client: Any, tenant_a: Tenant, owner: Any) -> None:
    templates.save_template(
        tenant_a, Actor.staff(owner), "estimate_link", "sms", "de", "", "X {link}", ""
    )
    url = reverse("messaging:template_reset", args=["estimate_link", "sms", "de"])
    response = owner_client.post(url)
    assert response.status_code == 302
    assert not templates.get_template(tenant_a, "estimate_link", "sms", "de").is_custom
    assert owner_client.get(url).status_code == 405


def test_unknown_purpose_channel_or_language_is_404(
    owner_client: Any, sample_purposes: None
) -> None:
    assert owner_client.get(edit_url("nonsense")).status_code == 404
    assert owner_client.get(edit_url("test_invitation", "sms")).status_code == 404
    assert owner_client.get(edit_url("estimate_link", "email", "fr")).status_code == 404


def test_techniker_may_not_edit_templates(techniker_client: Any) -> None:
    assert techniker_client.get(reverse("messaging:template_list")).status_code == 403
    assert techniker_client.get(edit_url()).status_code == 403
    assert techniker_client.post(edit_url(), {"subject": "x", "text": "y"}).status_code == 403
    assert techniker_client.post(preview_url(), {"text": "y"}, headers=HTMX).status_code == 403
    reset = reverse("messaging:template_reset", args=["estimate_link", "email", "de"])
    assert techniker_client.post(reset).status_code == 403
    assert techniker_client.get(reverse("messaging:settings")).status_code == 403


def test_outsider_sees_only_their_own_tenants_texts(
    outsider_client: Any, tenant_a: Tenant, owner: Any
) -> None:
    templates.save_template(
        tenant_a, Actor.staff(owner), "estimate_link", "sms", "de", "", "Geheim {link}", ""
    )
    page = html(outsider_client.get(edit_url("estimate_link", "sms", "de")))
    assert "Geheim" not in page
    assert "Standardtext" in page
    assert "eigener Text" not in html(outsider_client.get(reverse("messaging:template_list")))


def test_anonymous_goes_to_login(client: Any) -> None:
    response = client.get(edit_url())
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- messaging settings ---------------------------------------------------------------------


def test_messaging_settings_page_saves_and_shows_sms_read_only(
    owner_client: Any, tenant_a: Tenant
) -> None:
    page = html(owner_client.get(reverse("messaging:settings")))
    assert "nicht freigeschaltet" in page
    assert 'name="sms_enabled"' not in page
    response = owner_client.post(
        reverse("messaging:settings"),
        {
            "email_sender_name": "Alpha Service",
            "email_reply_to": "service@alpha.test",
            "notification_email": "kv@alpha.test",
            "sms_sender": "Alpha",
            "sms_enabled": "on",
        },
    )
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.email_sender_name == "Alpha Service"
    assert tenant_a.notification_email == "kv@alpha.test"
    assert tenant_a.sms_enabled is False
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="tenant.messaging_updated").count() == 1


def test_messaging_settings_refusal_is_shown_on_the_field(
    owner_client: Any, tenant_a: Tenant
) -> None:
    response = owner_client.post(reverse("messaging:settings"), {"sms_sender": "Müller & Co"})
    page = html(response)
    assert response.status_code == 200
    assert "Der SMS-Absender darf höchstens 11 Zeichen haben" in page
    tenant_a.refresh_from_db()
    assert tenant_a.sms_sender == ""


# --- compose --------------------------------------------------------------------------------


def test_customer_page_offers_sending_a_message(owner_client: Any, people: People) -> None:
    page = html(owner_client.get(reverse("customers:detail", args=[people.customer.pk])))
    assert compose_url(people) in page
    assert f"{compose_url(people)}?contact={people.hans.pk}" in page
    # Without the SMS switch, a contact with only a mobile number cannot be written to.
    assert f"?contact={people.mobile_only.pk}" not in page


def test_compose_prefills_the_free_message_for_the_contact(
    owner_client: Any, people: People
) -> None:
    response = owner_client.get(compose_url(people), {"contact": people.hans.pk})
    page = html(response)
    assert response.status_code == 200
    assert "Guten Tag Herr Müller," in page
    assert 'value="Nachricht von Autohaus Alpha"' in page
    assert f'<option value="{people.hans.pk}" selected' in page
    # Only e-mail: the tenant has no SMS switch.
    assert 'value="email"' in page
    assert 'value="sms"' not in page
    # The mobile-only contact is not offered without SMS.
    assert f'<option value="{people.mobile_only.pk}"' not in page


def test_compose_offers_sms_only_with_switch_and_consent(
    owner_client: Any, tenant_a: Tenant, people: People
) -> None:
    enable_sms(tenant_a)
    page = html(owner_client.get(compose_url(people), {"contact": people.erika.pk}))
    assert 'value="sms"' not in page  # Erika did not consent
    assert "nicht zugestimmt" in page
    page = html(owner_client.get(compose_url(people), {"contact": people.hans.pk}))
    assert 'value="sms"' in page
    page = html(owner_client.get(compose_url(people), {"contact": people.mobile_only.pk}))
    assert 'value="sms"' in page and 'value="email"' not in page


def test_compose_uses_the_contacts_language(owner_client: Any, people: People) -> None:
    page = html(owner_client.get(compose_url(people), {"contact": people.erika.pk}))
    assert "Dear Ms Smith," in page
    assert 'value="Message from Autohaus Alpha"' in page


def test_switching_the_template_swaps_the_text_over_htmx(
    owner_client: Any, people: People, sample_purposes: None
) -> None:
    response = owner_client.post(
        compose_url(people),
        {
            "refresh": "1",
            "contact": people.hans.pk,
            "purpose": "test_reminder",
            "channel": "email",
            "language": "de",
            "token": "t1",
            "text": "old text",
        },
        headers={**HTMX, "HX-Trigger-Name": "purpose"},
    )
    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="compose-body"' in page
    assert "gern erinnern wir Sie an Ihren Termin" in page
    assert "old text" not in page
    assert 'value="t1"' in page  # the same form keeps its token
    # Values the page cannot know stay as placeholders, and the page says so.
    assert "{appointment_date}" in page
    assert "Bitte ersetzen Sie vor dem Senden diese Platzhalter" in page


def test_sending_queues_exactly_the_edited_text(
    owner_client: Any, tenant_a: Tenant, people: People
) -> None:
    data = {
        "token": "form-1",
        "contact": people.hans.pk,
        "purpose": "message_to_customer",
        "channel": "email",
        "language": "de",
        "subject": "Ihr Fahrzeug",
        "text": "Guten Tag Herr Müller,\n\nIhr Fahrzeug ist fertig.\n\nGrüße",
        "send": "1",
    }
    response = owner_client.post(compose_url(people), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[people.customer.pk])
    [message] = outbound(tenant_a)
    assert message.body_text == "Guten Tag Herr Müller,\n\nIhr Fahrzeug ist fertig.\n\nGrüße"
    assert message.subject == "Ihr Fahrzeug"
    assert message.recipient == "hans@example.com"
    page = html(owner_client.get(response["Location"]))
    assert "Die Nachricht an hans@example.com wurde in den Versand gegeben." in page
    # A second click on the same form sends nothing more.
    owner_client.post(compose_url(people), data)
    assert len(outbound(tenant_a)) == 1


def test_sending_an_sms(owner_client: Any, tenant_a: Tenant, people: People) -> None:
    enable_sms(tenant_a)
    response = owner_client.post(
        compose_url(people),
        {
            "token": "form-2",
            "contact": people.hans.pk,
            "purpose": "message_to_customer",
            "channel": "sms",
            "language": "de",
            "text": "Ihr Auto ist fertig. 🙂",
        },
    )
    assert response.status_code == 302
    [message] = outbound(tenant_a)
    assert (message.channel, message.recipient) == ("sms", "+491711234567")
    assert message.body_text == "Ihr Auto ist fertig. 🙂"


def test_sms_posted_without_consent_is_refused(
    owner_client: Any, tenant_a: Tenant, people: People
) -> None:
    enable_sms(tenant_a)
    response = owner_client.post(
        compose_url(people),
        {
            "token": "form-3",
            "contact": people.erika.pk,
            "purpose": "message_to_customer",
            "channel": "sms",
            "language": "en",
            "text": "Hi",
        },
    )
    assert response.status_code == 200
    assert outbound(tenant_a) == []


def test_sending_with_a_placeholder_left_is_refused(
    owner_client: Any, tenant_a: Tenant, people: People, sample_purposes: None
) -> None:
    response = owner_client.post(
        compose_url(people),
        {
            "token": "form-4",
            "contact": people.hans.pk,
            "purpose": "test_reminder",
            "channel": "email",
            "language": "de",
            "subject": "Erinnerung",
            "text": "Ihr Termin am {appointment_date}",
        },
    )
    page = html(response)
    assert response.status_code == 200
    assert (
        "Bitte ersetzen Sie diese Platzhalter durch den gewünschten Text: {appointment_date}"
        in page
    )
    assert outbound(tenant_a) == []


def test_compose_without_reachable_contact_says_why(
    owner_client: Any, tenant_a: Tenant, people: People
) -> None:
    url = reverse("messaging:compose_to_customer", args=[people.other.pk])
    page = html(owner_client.get(url))
    assert "Keiner der Ansprechpartner kann eine Nachricht empfangen" in page
    assert 'name="text"' not in page


def test_techniker_may_not_compose(techniker_client: Any, people: People) -> None:
    assert techniker_client.get(compose_url(people)).status_code == 403


def test_outsider_gets_404_for_compose(
    outsider_client: Any, tenant_a: Tenant, people: People
) -> None:
    assert outsider_client.get(compose_url(people)).status_code == 404
    response = outsider_client.post(
        compose_url(people),
        {"contact": people.hans.pk, "purpose": "message_to_customer", "channel": "email"},
    )
    assert response.status_code == 404
    assert outbound(tenant_a) == []


def test_sms_length_endpoint(owner_client: Any) -> None:
    page = html(
        owner_client.post(reverse("messaging:sms_length"), {"text": "€" * 80}, headers=HTMX)
    )
    assert "160 Zeichen · 1 SMS · GSM-7" in page


def test_compose_fills_what_the_customer_page_knows(
    owner_client: Any, tenant_a: Tenant, people: People, sample_purposes: None
) -> None:
    from theke.audit.services import SYSTEM
    from theke.customers import services as customers
    from theke.tenants.services import create_branch

    branch = create_branch(tenant_a, SYSTEM, "Alpha Mitte", street="Hauptstr. 1", city="Berlin")
    with tenant_scope(tenant_a):
        customers.update_customer(people.customer, SYSTEM, branch=branch)
        customers.add_vehicle(people.customer, SYSTEM, license_plate="B-AB 123", make="VW")
    response = owner_client.post(
        compose_url(people),
        {"refresh": "1", "contact": people.hans.pk, "purpose": "test_reminder"},
        headers=HTMX,
    )
    page = html(response)
    assert "Fahrzeug: B-AB 123, VW" in page
    assert "Ort: Alpha Mitte, Hauptstr. 1, Berlin" in page
    assert "{appointment_date}" in page


def test_refused_save_previews_the_refused_input(owner_client: Any) -> None:
    page = html(owner_client.post(edit_url(), {"subject": "Hallo {customer_name}", "text": "{x}"}))
    assert "Keine Vorschau möglich" in page
