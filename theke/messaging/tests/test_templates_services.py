"""Tenant texts (save, reset, fallback), rendering in a language, and sending from templates."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from theke.audit.models import AuditEvent
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.messaging import textformat
from theke.messaging.models import MessageTemplate, OutboundMessage
from theke.messaging.purposes import PURPOSES
from theke.messaging.services import templates
from theke.messaging.tests.people import People, make_people
from theke.tenants.models import Tenant
from theke.tenants.scoping import scopes_disabled, tenant_scope
from theke.tenants.services import update_messaging_settings

pytestmark = pytest.mark.django_db

ESTIMATE = {
    "estimate_number": "KV-17",
    "item": "iPhone 13",
    "link": "https://theke.test/t/alpha/kv/abc",
    "valid_until": "31.12.2025",
}


@pytest.fixture
def people(tenant_a: Tenant) -> People:
    return make_people(tenant_a)


@pytest.fixture
def sms_on(tenant_a: Tenant) -> Tenant:
    Tenant.objects.filter(pk=tenant_a.pk).update(sms_enabled=True)
    tenant_a.refresh_from_db()
    return tenant_a


def staff(user: Any) -> Actor:
    return Actor.staff(user)


def events(tenant: Tenant, action: str) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action=action))


def outbound(tenant: Tenant) -> list[OutboundMessage]:
    with tenant_scope(tenant):
        return list(OutboundMessage.objects.order_by("id"))


# --- tenant texts ---------------------------------------------------------------------------


def test_without_own_text_the_default_is_used(tenant_a: Tenant) -> None:
    found = templates.get_template(tenant_a, "estimate_link", "email", "de")
    default = PURPOSES["estimate_link"].default("email", "de")
    assert not found.is_custom
    assert (found.subject, found.text, found.html) == (default.subject, default.text, default.html)


def test_saved_text_wins_over_the_default(tenant_a: Tenant, owner: Any) -> None:
    templates.save_template(
        tenant_a, staff(owner), "estimate_link", "sms", "de", "", "KV {estimate_number}: {link}", ""
    )
    found = templates.get_template(tenant_a, "estimate_link", "sms", "de")
    assert found.is_custom and found.text == "KV {estimate_number}: {link}"
    rendered = templates.render_message(tenant_a, "estimate_link", "sms", "de", ESTIMATE)
    assert rendered.text == "KV KV-17: https://theke.test/t/alpha/kv/abc"
    # The other language keeps its default.
    assert not templates.get_template(tenant_a, "estimate_link", "sms", "en").is_custom


def test_saving_is_audited_with_the_changed_fields(tenant_a: Tenant, owner: Any) -> None:
    row = templates.save_template(
        tenant_a, staff(owner), "estimate_link", "email", "de", "Ihr KV", "Text {link}", ""
    )
    assert row.updated_by_id == owner.pk
    [event] = events(tenant_a, "message_template.saved")
    assert event.actor_user_id == owner.pk
    assert event.data["purpose"] == "estimate_link"
    # The HTML part is built from the text, before and after: only subject and text changed.
    assert set(event.data["fields"]) == {"subject", "text"}
    # Saving the same text again changes nothing and records nothing.
    templates.save_template(
        tenant_a, staff(owner), "estimate_link", "email", "de", "Ihr KV", "Text {link}", ""
    )
    assert len(events(tenant_a, "message_template.saved")) == 1


def test_tenant_texts_are_separate(tenant_a: Tenant, tenant_b: Tenant, owner: Any) -> None:
    templates.save_template(
        tenant_a, staff(owner), "estimate_link", "sms", "de", "", "A {link}", ""
    )
    assert not templates.get_template(tenant_b, "estimate_link", "sms", "de").is_custom


def test_unknown_placeholder_is_refused_on_save_and_nothing_stored(
    tenant_a: Tenant, owner: Any
) -> None:
    with pytest.raises(ServiceError) as error:
        templates.save_template(
            tenant_a, staff(owner), "estimate_link", "sms", "de", "", "Hallo {vorname}", ""
        )
    assert error.value.field == "text"
    assert "{vorname}" in error.value.messages[0]
    assert "{estimate_number}" in error.value.messages[0]
    with tenant_scope(tenant_a):
        assert not MessageTemplate.objects.exists()


def test_unbalanced_brace_is_refused_on_save(tenant_a: Tenant, owner: Any) -> None:
    with pytest.raises(ServiceError) as error:
        templates.save_template(
            tenant_a, staff(owner), "estimate_link", "email", "de", "KV {estimate_number", "x", ""
        )
    assert error.value.field == "subject"


def test_save_refuses_a_channel_the_purpose_does_not_have(
    tenant_a: Tenant, owner: Any, sample_purposes: None
) -> None:
    with pytest.raises(ServiceError):
        templates.save_template(tenant_a, staff(owner), "test_invitation", "sms", "de", "", "x", "")


def test_reset_goes_back_to_the_default_and_is_audited(tenant_a: Tenant, owner: Any) -> None:
    templates.save_template(
        tenant_a, staff(owner), "estimate_link", "sms", "de", "", "A {link}", ""
    )
    assert templates.reset_template(tenant_a, staff(owner), "estimate_link", "sms", "de") is True
    assert not templates.get_template(tenant_a, "estimate_link", "sms", "de").is_custom
    [event] = events(tenant_a, "message_template.reset")
    assert event.data["channel"] == "sms"
    assert templates.reset_template(tenant_a, staff(owner), "estimate_link", "sms", "de") is False
    assert len(events(tenant_a, "message_template.reset")) == 1


# --- rendering in a language ----------------------------------------------------------------


def test_message_renders_in_the_asked_language(tenant_a: Tenant) -> None:
    german = templates.render_message(tenant_a, "estimate_link", "email", "de", ESTIMATE)
    english = templates.render_message(tenant_a, "estimate_link", "email", "en", ESTIMATE)
    assert german.subject == "Ihr Kostenvoranschlag KV-17"
    assert english.subject == "Your cost estimate KV-17"


def test_unknown_language_falls_back_to_the_tenant_default_then_german(tenant_a: Tenant) -> None:
    context = {**ESTIMATE, "company_name": "Alpha"}
    tenant_a.default_language = "en"
    for language in ("fr", None, ""):
        rendered = templates.render_message(tenant_a, "estimate_link", "sms", language, context)
        assert rendered.text.startswith("Alpha: Your cost estimate KV-17"), language
    tenant_a.default_language = "xx"
    rendered = templates.render_message(tenant_a, "estimate_link", "sms", "fr", context)
    assert rendered.text.startswith("Alpha: Ihr Kostenvoranschlag KV-17")


def test_email_has_text_and_html_with_escaped_values(tenant_a: Tenant) -> None:
    rendered = templates.render_message(
        tenant_a,
        "estimate_link",
        "email",
        "de",
        {**ESTIMATE, "item": "<b>Handy</b>", "greeting": "Guten Tag"},
    )
    assert "für <b>Handy</b> ist fertig" in rendered.text
    assert "für &lt;b&gt;Handy&lt;/b&gt; ist fertig" in rendered.html
    assert rendered.html.startswith("<!doctype html>")
    assert '<a href="https://theke.test/t/alpha/kv/abc" ' in rendered.html


def test_tenant_email_without_html_gets_one_built_from_the_text(
    tenant_a: Tenant, owner: Any
) -> None:
    templates.save_template(
        tenant_a, staff(owner), "estimate_link", "email", "de", "KV", "Hier: {link}\nDanke", ""
    )
    rendered = templates.render_message(tenant_a, "estimate_link", "email", "de", ESTIMATE)
    assert rendered.text == "Hier: https://theke.test/t/alpha/kv/abc\nDanke"
    assert "<br>" in rendered.html and "Autohaus Alpha" in rendered.html


def test_greeting_follows_salutation_and_language(people: People) -> None:
    assert templates.greeting(people.hans, "de") == "Guten Tag Herr Müller"
    assert templates.greeting(people.hans, "en") == "Dear Mr Müller"
    assert templates.greeting(people.erika, "en") == "Dear Ms Smith"
    assert templates.greeting(people.mobile_only, "de") == "Guten Tag Mobil"
    assert templates.greeting(None, "de") == "Guten Tag"
    assert templates.greeting(None, "en") == "Hello"


# --- send_templated -------------------------------------------------------------------------


def test_send_templated_queues_the_rendered_email_in_the_contacts_language(
    tenant_a: Tenant, people: People
) -> None:
    with tenant_scope(tenant_a):
        message = templates.send_templated(
            tenant_a,
            purpose="estimate_link",
            channel="email",
            contact=people.erika,
            context=ESTIMATE,
            related=people.customer,
            dedupe_key="estimate:17:link",
        )
    assert message.recipient == "erika@example.com"
    assert message.recipient_name == "Erika Smith"
    assert message.subject == "Your cost estimate KV-17"
    assert message.body_text.startswith("Dear Ms Smith,\n\nYour cost estimate KV-17 for iPhone 13")
    assert "Autohaus Alpha" in message.body_text
    assert "<p>Dear Ms Smith,</p>" in message.body_html
    assert message.purpose == "estimate_link"
    assert message.object_id == str(people.customer.pk)
    assert message.sender_name == "Autohaus Alpha"


def test_send_templated_twice_for_one_event_queues_one_message(
    tenant_a: Tenant, people: People
) -> None:
    for _ in range(2):
        templates.send_templated(
            tenant_a,
            purpose="estimate_link",
            channel="email",
            contact=people.hans,
            context=ESTIMATE,
            related=None,
            dedupe_key="estimate:17:link",
        )
    assert len(outbound(tenant_a)) == 1


def test_send_templated_sms_needs_the_tenant_switch(tenant_a: Tenant, people: People) -> None:
    with pytest.raises(ServiceError) as error:
        templates.send_templated(
            tenant_a,
            purpose="estimate_link",
            channel="sms",
            contact=people.hans,
            context=ESTIMATE,
            related=None,
            dedupe_key="k",
        )
    assert error.value.field == "channel"
    assert "nicht freigeschaltet" in error.value.messages[0]
    assert outbound(tenant_a) == []


def test_send_templated_sms_needs_the_contacts_consent(sms_on: Tenant, people: People) -> None:
    with pytest.raises(ServiceError) as error:
        templates.send_templated(
            sms_on,
            purpose="estimate_link",
            channel="sms",
            contact=people.erika,
            context=ESTIMATE,
            related=None,
            dedupe_key="k",
        )
    assert "nicht zugestimmt" in error.value.messages[0]
    assert outbound(sms_on) == []


def test_send_templated_sms_with_consent_queues_the_rendered_text(
    sms_on: Tenant, people: People
) -> None:
    message = templates.send_templated(
        sms_on,
        purpose="estimate_link",
        channel="sms",
        contact=people.hans,
        context=ESTIMATE,
        related=None,
        dedupe_key="k",
    )
    assert message.recipient == "+491711234567"
    assert message.body_text == (
        "Autohaus Alpha: Ihr Kostenvoranschlag KV-17 ist fertig. "
        "Ansehen und online beantworten: https://theke.test/t/alpha/kv/abc"
    )
    assert message.subject == message.body_html == ""


def test_send_templated_email_needs_an_address(tenant_a: Tenant, people: People) -> None:
    with pytest.raises(ServiceError) as error:
        templates.send_templated(
            tenant_a,
            purpose="estimate_link",
            channel="email",
            contact=people.mobile_only,
            context=ESTIMATE,
            related=None,
            dedupe_key="k",
        )
    assert "keine E-Mail-Adresse" in error.value.messages[0]


def test_send_templated_to_the_company_address(tenant_a: Tenant) -> None:
    message = templates.send_templated(
        tenant_a,
        purpose="estimate_answer_company",
        channel="email",
        contact=None,
        recipient="werkstatt@alpha.test",
        context={
            "customer_name": "Hans Müller",
            "estimate_number": "KV-17",
            "item": "iPhone",
            "answer": "angenommen",
            "comment": "",
            "answered_at": "1.1.2026",
            "link": "https://x",
        },
        related=None,
        dedupe_key="estimate:17:answer",
    )
    assert message.recipient == "werkstatt@alpha.test"
    assert message.subject == "Antwort auf Kostenvoranschlag KV-17: angenommen"


def test_send_templated_with_overrides_sends_the_edited_text(
    tenant_a: Tenant, people: People, sample_purposes: None
) -> None:
    message = templates.send_templated(
        tenant_a,
        purpose="test_rejection",
        channel="email",
        contact=people.hans,
        context={},
        related=None,
        dedupe_key="lead:1:rejected",
        overrides={"subject": "Ihr Termin", "text": "Leider nein.\nGruß <Team>"},
    )
    assert message.subject == "Ihr Termin"
    assert message.body_text == "Leider nein.\nGruß <Team>"
    assert "Leider nein.<br>\nGruß &lt;Team&gt;" in message.body_html
    assert "Autohaus Alpha" in message.body_html


def test_overrides_with_placeholders_left_are_refused(
    tenant_a: Tenant, people: People, sample_purposes: None
) -> None:
    with pytest.raises(ServiceError) as error:
        templates.send_templated(
            tenant_a,
            purpose="test_rejection",
            channel="email",
            contact=people.hans,
            context={},
            related=None,
            dedupe_key="k",
            overrides={"subject": "Termin", "text": "Ihr Termin am {appointment_date}"},
        )
    assert error.value.field == "text"
    assert "{appointment_date}" in error.value.messages[0]


# --- composing ------------------------------------------------------------------------------


def compose(tenant: Tenant, user: Any, people: People, **overrides: Any) -> OutboundMessage:
    values: dict[str, Any] = {
        "customer": people.customer,
        "contact": people.hans,
        "purpose": "message_to_customer",
        "channel": "email",
        "language": "de",
        "subject": "Ihr Auftrag",
        "text": "Guten Tag Herr Müller,\n\nIhr Auftrag ist fertig.",
        "token": "abc123",
    }
    values.update(overrides)
    return templates.send_composed(tenant, staff(user), **values)


def test_compose_queues_the_edited_text_and_audits_on_the_customer(
    tenant_a: Tenant, owner: Any, people: People
) -> None:
    message = compose(tenant_a, owner, people)
    assert message.body_text == "Guten Tag Herr Müller,\n\nIhr Auftrag ist fertig."
    assert message.subject == "Ihr Auftrag"
    assert message.object_id == str(people.customer.pk)
    [event] = events(tenant_a, "customer.message_sent")
    assert event.object_id == str(people.customer.pk)
    assert event.data["message_id"] == message.pk
    assert "hans@example.com" in event.data["label"]


def test_compose_submitted_twice_queues_one_message(
    tenant_a: Tenant, owner: Any, people: People
) -> None:
    first = compose(tenant_a, owner, people)
    second = compose(tenant_a, owner, people)
    assert first.pk == second.pk
    assert len(outbound(tenant_a)) == 1
    assert len(events(tenant_a, "customer.message_sent")) == 1
    compose(tenant_a, owner, people, token="other")
    assert len(outbound(tenant_a)) == 2


def test_compose_refuses_a_contact_of_another_customer(
    tenant_a: Tenant, owner: Any, people: People
) -> None:
    with pytest.raises(ServiceError) as error:
        compose(tenant_a, owner, people, customer=people.other)
    assert error.value.field == "contact"
    assert outbound(tenant_a) == []


def test_compose_refuses_sms_without_consent(sms_on: Tenant, owner: Any, people: People) -> None:
    with pytest.raises(ServiceError):
        compose(sms_on, owner, people, contact=people.erika, channel="sms")
    assert outbound(sms_on) == []
    assert events(sms_on, "customer.message_sent") == []


# --- messaging settings ---------------------------------------------------------------------


def test_messaging_settings_are_saved_and_audited(tenant_a: Tenant, owner: Any) -> None:
    update_messaging_settings(
        tenant_a,
        staff(owner),
        email_sender_name="Autohaus Alpha Service",
        email_reply_to="Service@Alpha.test",
        notification_email="kv@alpha.test",
        sms_sender="AlphaAuto",
    )
    tenant_a.refresh_from_db()
    assert tenant_a.email_sender_name == "Autohaus Alpha Service"
    assert tenant_a.email_reply_to == "service@alpha.test"
    assert tenant_a.sms_sender == "AlphaAuto"
    [event] = events(tenant_a, "tenant.messaging_updated")
    assert event.data["changes"]["sms_sender"] == ["", "AlphaAuto"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sms_sender", "Autohaus Alpha GmbH"),
        ("sms_sender", "Müller"),
        ("email_reply_to", "not-an-address"),
        ("email_sender_name", "Alpha\nBcc: x@y"),
    ],
)
def test_messaging_settings_refuse_bad_values(
    tenant_a: Tenant, owner: Any, field: str, value: str
) -> None:
    with pytest.raises(ServiceError) as error:
        update_messaging_settings(tenant_a, staff(owner), **{field: value})
    assert error.value.field == field
    with scopes_disabled():
        assert events(tenant_a, "tenant.messaging_updated") == []


def test_messaging_settings_cannot_switch_sms_on(tenant_a: Tenant, owner: Any) -> None:
    with pytest.raises(TypeError):
        update_messaging_settings(tenant_a, staff(owner), sms_enabled=True)


def test_service_error_is_a_validation_error() -> None:
    assert issubclass(textformat.TemplateError, ValidationError)


def test_own_html_part_is_used_as_written(tenant_a: Tenant, owner: Any) -> None:
    templates.save_template(
        tenant_a,
        staff(owner),
        "estimate_link",
        "email",
        "de",
        "KV",
        "Text {link}",
        "<h1>{estimate_number}</h1><p>{item}</p>",
    )
    rendered = templates.render_message(
        tenant_a, "estimate_link", "email", "de", {**ESTIMATE, "item": "A&B"}
    )
    assert "<h1>KV-17</h1><p>A&amp;B</p>" in rendered.html
    assert "<hr>" not in rendered.html  # no footer added to an HTML part written by hand
