"""The `{placeholder}` renderer, its refusals, the shipped texts and the SMS length."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from theke.messaging.purposes import (
    CHANNELS,
    COMPANY,
    EMAIL,
    LANGUAGES,
    PURPOSES,
    RECIPIENT,
    SMS,
    Texts,
    html_from_text,
    make_purpose,
)
from theke.messaging.services.templates import render_text, text_to_html, validate_template
from theke.messaging.textformat import (
    TemplateError,
    parse,
    placeholders_in,
    render_string,
    sms_length,
)
from theke.tenants.models import Tenant

ALLOWED = ["customer_name", "link"]


def message(error: pytest.ExceptionInfo[TemplateError]) -> str:
    return error.value.messages[0]


# --- rendering ------------------------------------------------------------------------------


def test_placeholders_are_replaced_by_their_values() -> None:
    out = render_string(
        "Hallo {customer_name}, hier: {link}", {"customer_name": "Eva", "link": "L"}
    )
    assert out == "Hallo Eva, hier: L"


def test_double_braces_are_literal_braces() -> None:
    out = render_string("{{customer_name}} ist {customer_name} {{ }}", {"customer_name": "Eva"})
    assert out == "{customer_name} ist Eva { }"


def test_html_part_escapes_values_but_not_the_template() -> None:
    out = render_string(
        '<p><a href="{link}">{customer_name}</a></p>',
        {"customer_name": "<script>alert(1)</script> & Co", "link": 'x" onclick="y'},
        as_html=True,
    )
    assert out == (
        '<p><a href="x&quot; onclick=&quot;y">'
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</a></p>"
    )


def test_html_part_keeps_line_breaks_of_values() -> None:
    out = render_string("<p>{customer_name}</p>", {"customer_name": "a\nb"}, as_html=True)
    assert out == "<p>a<br>\nb</p>"


def test_text_part_does_not_escape() -> None:
    assert render_string("{customer_name}", {"customer_name": "A & <B>"}) == "A & <B>"


def test_values_are_not_rendered_again() -> None:
    out = render_string("{customer_name}", {"customer_name": "{link} {{x}}", "link": "L"})
    assert out == "{link} {{x}}"


def test_missing_value_renders_empty_or_stays_for_a_draft() -> None:
    assert render_string("a{link}b", {}, ALLOWED) == "ab"
    assert render_string("a{link}b", {}, ALLOWED, keep_missing=True) == "a{link}b"


def test_placeholders_left_in_a_final_text_are_found() -> None:
    assert placeholders_in("Termin {link} {{link}} {other} {link}", ALLOWED) == ["link"]


# --- refusals -------------------------------------------------------------------------------


def test_unknown_placeholder_is_named_with_the_allowed_ones() -> None:
    with pytest.raises(TemplateError) as error:
        parse("Hallo {kunde}", ALLOWED, "text")
    assert error.value.field == "text"
    assert message(error) == (
        "Unbekannter Platzhalter „{kunde}“. Erlaubt sind: {customer_name}, {link}."
    )


@pytest.mark.parametrize("source", ["Hallo {customer_name", "Hallo { und mehr", "{"])
def test_unclosed_brace_is_refused(source: str) -> None:
    with pytest.raises(TemplateError) as error:
        parse(source, ALLOWED)
    assert "wird nicht geschlossen" in message(error)
    assert "{{" in message(error)


def test_closing_brace_without_opening_is_refused_with_its_line() -> None:
    with pytest.raises(TemplateError) as error:
        parse("Zeile eins\nZeile } zwei", ALLOWED)
    assert message(error).startswith("Zeile 2: ")
    assert "fehlt die öffnende Klammer" in message(error)


@pytest.mark.parametrize(
    "source",
    ["{customer_name.upper}", "{customer_name:>20}", "{customer_name!r}", "{ link }", "{}"],
)
def test_attribute_access_format_specs_and_odd_names_are_refused(source: str) -> None:
    with pytest.raises(TemplateError) as error:
        parse(source, ALLOWED)
    assert "kein gültiger Platzhalter" in message(error)


def test_validation_names_the_field_at_fault() -> None:
    with pytest.raises(TemplateError) as error:
        validate_template("estimate_link", "email", "Ihr KV {nummer}", "Text", "")
    assert error.value.field == "subject"
    assert "{nummer}" in message(error)
    assert "{estimate_number}" in message(error)
    with pytest.raises(TemplateError) as error:
        validate_template("estimate_link", "email", "Betreff", "Text", "<p>{foo}</p>")
    assert error.value.field == "html"


def test_email_needs_a_subject_and_every_template_a_text() -> None:
    with pytest.raises(Exception) as error:
        validate_template("estimate_link", "email", " ", "Text", "")
    assert getattr(error.value, "field", None) == "subject"
    with pytest.raises(Exception) as error:
        validate_template("estimate_link", "sms", "", "  \n", "")
    assert getattr(error.value, "field", None) == "text"


# --- the shipped texts ----------------------------------------------------------------------


def all_defaults() -> list[tuple[str, str, str]]:
    return [
        (code, channel, language)
        for code, purpose in PURPOSES.items()
        for channel in purpose.channels
        for language in LANGUAGES
    ]


def test_the_built_products_purposes_are_all_there() -> None:
    expected = {
        "estimate_link",
        "estimate_reminder",
        "estimate_answer_company",
        "message_to_customer",
        "conversation_reply",
        "booking_received",
        "booking_cancelled",
        "booking_cancelled_company",
        # --- life ---
        "appointment_confirmation",
        "appointment_proposal",
        "appointment_cancellation",
        # --- remind ---
        "appointment_reminder",
        "appointment_same_day_reminder",
    }
    assert expected <= set(PURPOSES)


def test_purposes_of_products_not_built_yet_are_not_offered() -> None:
    # Their product issues bring them back in their own messages.py.
    unbuilt = {
        "lead_rejected",
        "quote_answer",
        "phase_activated",
    }
    assert not unbuilt & set(PURPOSES)


def test_every_purpose_has_a_default_per_channel_and_language() -> None:
    for purpose in PURPOSES.values():
        assert set(purpose.channels) <= set(CHANNELS)
        assert set(purpose.defaults) == {
            (channel, language) for channel in purpose.channels for language in LANGUAGES
        }, purpose.code


@pytest.mark.parametrize(("code", "channel", "language"), all_defaults())
def test_defaults_use_only_documented_placeholders(code: str, channel: str, language: str) -> None:
    purpose = PURPOSES[code]
    default = purpose.default(channel, language)
    validate_template(code, channel, default.subject, default.text, default.html)
    if channel == SMS:
        assert default.subject == default.html == ""
    else:
        assert default.subject and default.html


@pytest.mark.parametrize(("code", "channel", "language"), all_defaults())
def test_defaults_render_completely_on_sample_data(code: str, channel: str, language: str) -> None:
    purpose = PURPOSES[code]
    default = purpose.default(channel, language)
    rendered = render_text(
        Tenant(name="Autohaus Alpha", phone="030 123"),
        code,
        channel,
        language,
        subject=default.subject,
        text=default.text,
        html=default.html,
        context=purpose.sample_context(language),
    )
    for part in rendered:
        assert not re.search(r"\{[a-z_]+\}", part), (code, channel, language, part)
    if channel == SMS:
        # Plain GSM-7: no typographic quotes or dashes that would halve the SMS size.
        assert sms_length(rendered.text).encoding == "GSM-7", rendered.text


def test_customer_texts_are_formal_german_and_signed() -> None:
    for code, purpose in PURPOSES.items():
        if "email" not in purpose.channels:
            continue  # an SMS-only purpose (e.g. rejecting a lead by SMS) has no letter
        german = purpose.default("email", "de").text
        assert not re.search(r"\b(du|dein|deine|dich|dir)\b", german, re.IGNORECASE), code
        if not purpose.to_company:
            assert german.startswith("{greeting},"), code
            assert german.rstrip().endswith("{company_name}\nTel. {company_phone}"), code
            assert (
                purpose.default("email", "en")
                .text.rstrip()
                .endswith("{company_name}\nPhone {company_phone}")
            ), code


def test_english_and_german_defaults_differ() -> None:
    for code, purpose in PURPOSES.items():
        for channel in purpose.channels:
            assert purpose.default(channel, "de").text != purpose.default(channel, "en").text, code


def test_make_purpose_frames_a_letter_to_the_customer() -> None:
    purpose = make_purpose(
        "x",
        "X",
        "",
        placeholders={"link": "Link"},
        de=Texts("Betreff", "\nText\n\n{link}\n", button="Ansehen", sms="SMS {link}"),
        en=Texts("Subject", "Text\n\n{link}", button="View", sms="SMS {link}"),
    )
    assert purpose.channels == (EMAIL, SMS)
    assert list(purpose.placeholders) == [*RECIPIENT, *COMPANY, "link"]
    email = purpose.default(EMAIL, "de")
    assert email.subject == "Betreff"
    assert email.text.startswith("{greeting},\n\nText\n\n{link}\n\nFreundliche Grüße")
    assert "<strong>Ansehen</strong>" in email.html
    assert purpose.default(SMS, "en").text == "SMS {link}"
    assert not purpose.to_company


def test_make_purpose_frames_a_notice_to_the_company() -> None:
    purpose = make_purpose(
        "x",
        "X",
        "",
        to_company=True,
        placeholders={"answer": "Antwort"},
        de=Texts("Antwort", "{answer}"),
        en=Texts("Reply", "{answer}"),
    )
    assert purpose.to_company and purpose.channels == (EMAIL,)
    assert list(purpose.placeholders) == ["answer", "company_name"]
    assert purpose.default(EMAIL, "en").text == (
        "Hello,\n\n{answer}\n\nThis message was generated automatically for {company_name}."
    )


@pytest.mark.parametrize(
    ("to_company", "sms_en"), [(False, None), (True, "SMS")], ids=["one-language", "company"]
)
def test_make_purpose_refuses_an_sms_it_cannot_send(to_company: bool, sms_en: str | None) -> None:
    with pytest.raises(ImproperlyConfigured):
        make_purpose(
            "x",
            "X",
            "",
            to_company=to_company,
            placeholders={},
            de=Texts("S", "T", sms="SMS"),
            en=Texts("S", "T", sms=sms_en),
        )


def test_html_from_text_makes_paragraphs_and_a_link_button() -> None:
    out = html_from_text("{greeting},\n\nZeile 1\nZeile <2>\n\n{link}", "Ansehen")
    assert out == (
        "<p>{greeting},</p>\n<p>Zeile 1<br>\nZeile &lt;2&gt;</p>\n"
        '<p><a href="{link}"><strong>Ansehen</strong></a></p>'
    )


def test_plain_text_gets_an_escaped_html_part_with_the_tenant_name() -> None:
    out = text_to_html("Guten Tag <b>,\n\nsiehe https://example.com/x\nZeile", Tenant(name="A & B"))
    assert "&lt;b&gt;" in out
    assert '<a href="https://example.com/x" rel="nofollow">https://example.com/x</a><br>' in out
    assert "A &amp; B" in out


# --- SMS length -----------------------------------------------------------------------------


def test_sms_of_160_gsm_characters_is_one_segment() -> None:
    assert sms_length("a" * 160) == ("GSM-7", 160, 1)


def test_sms_of_161_gsm_characters_is_two_segments() -> None:
    assert sms_length("a" * 161) == ("GSM-7", 161, 2)
    assert sms_length("a" * 306) == ("GSM-7", 306, 2)
    assert sms_length("a" * 307) == ("GSM-7", 307, 3)


def test_german_umlauts_are_gsm() -> None:
    assert sms_length("Grüße aus Köln, Straße") == ("GSM-7", 22, 1)


def test_extension_characters_count_twice() -> None:
    assert sms_length("€") == ("GSM-7", 2, 1)
    assert sms_length("a" * 158 + "€") == ("GSM-7", 160, 1)
    assert sms_length("a" * 159 + "€") == ("GSM-7", 161, 2)
    assert sms_length("[]{}|~^\\") == ("GSM-7", 16, 1)


def test_extension_character_is_not_split_across_segments() -> None:
    # 152 septets, then "€" (2) would straddle the boundary of the 153-septet part.
    # 306 septets would fit two parts, but the split pair pushes one into a third.
    assert sms_length("a" * 152 + "€" + "a" * 152) == ("GSM-7", 306, 3)


def test_emoji_switches_to_ucs2_and_counts_two_units() -> None:
    assert sms_length("Danke 🙂") == ("UCS-2", 8, 1)
    assert sms_length("a" * 69 + "🙂") == ("UCS-2", 71, 2)


def test_polish_l_switches_to_ucs2() -> None:
    assert sms_length("ł" * 70) == ("UCS-2", 70, 1)
    assert sms_length("ł" * 71) == ("UCS-2", 71, 2)
    assert sms_length("ł" * 134) == ("UCS-2", 134, 2)
    assert sms_length("ł" * 135) == ("UCS-2", 135, 3)


def test_typographic_quotes_are_not_gsm() -> None:
    assert sms_length("„Hallo“").encoding == "UCS-2"


def test_empty_sms_has_no_segments() -> None:
    assert sms_length("") == ("GSM-7", 0, 0)
