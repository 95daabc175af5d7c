"""The template editor's live preview and the compose page in Chromium, phone and desktop."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    new_page,
    screenshot,
    wider_than_viewport,
)
from theke.messaging.models import OutboundMessage
from theke.messaging.tests.people import make_people
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in_page(browser: Any, viewport: dict[str, int], client: Any, user: Any, url: str) -> Any:
    client.force_login(user)
    page = new_page(browser, viewport)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": url}])
    return page


def collect_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def real_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if "favicon" not in e and "404" not in e]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_template_editor_previews_as_you_type(
    browser: Any, live_server: Any, client: Any, owner: Any, viewport: dict[str, int]
) -> None:
    page = logged_in_page(browser, viewport, client, owner, live_server.url)
    try:
        errors = collect_errors(page)
        url = reverse("messaging:template_edit", args=["estimate_link", "email", "de"])
        page.goto(live_server.url + url)
        preview_subject = page.locator("#preview-subject")
        expect(preview_subject).to_have_text("Ihr Kostenvoranschlag KV-4711")

        subject = page.get_by_label("Betreff")
        subject.fill("")
        subject.press_sequentially("Hallo {customer_name}", delay=15)
        expect(preview_subject).to_have_text("Hallo Max Mustermann")

        # A click on a placeholder inserts it at the caret of the text field.
        text = page.locator("#id_text")
        text.click()
        text.press("Control+Home")
        page.locator('[data-insert-placeholder="company_email"]').click()
        assert text.input_value().startswith("{company_email}{greeting},")
        expect(page.locator("#preview-plain")).to_contain_text("info@alpha.testGuten Tag")
        frame = page.frame_locator("iframe.preview-frame")
        expect(frame.locator("body")).to_contain_text("info@alpha.testGuten Tag Herr Mustermann")
        assert wider_than_viewport(page) == []
        screenshot(page, "messaging-template-edit")

        # An unknown placeholder is named in the preview, and refused when saving.
        text.press("End")
        text.press_sequentially(" {vorname}", delay=15)
        expect(page.locator("#preview-error")).to_contain_text(
            "Unbekannter Platzhalter „{vorname}“"
        )
        page.get_by_role("button", name="Speichern").click()
        expect(page.locator(".invalid-feedback")).to_contain_text("{vorname}")
        screenshot(page, "messaging-template-edit-refused")

        # The SMS text shows its length, and an emoji switches to UCS-2.
        sms_url = reverse("messaging:template_edit", args=["estimate_link", "sms", "de"])
        page.goto(live_server.url + sms_url)
        expect(page.locator("#template-sms-length")).to_contain_text("GSM-7")
        sms_text = page.get_by_label("SMS-Text")
        sms_text.press("End")
        sms_text.press_sequentially(" 🙂", delay=15)
        expect(page.locator("#template-sms-length")).to_contain_text("UCS-2")
        assert wider_than_viewport(page) == []
        screenshot(page, "messaging-template-edit-sms")

        page.goto(live_server.url + reverse("messaging:template_list"))
        assert wider_than_viewport(page) == []
        screenshot(page, "messaging-template-list")

        page.goto(live_server.url + reverse("messaging:settings"))
        expect(page.locator("#sms-status")).to_contain_text("nicht freigeschaltet")
        assert wider_than_viewport(page) == []
        screenshot(page, "messaging-settings")
        assert real_errors(errors) == []
    finally:
        # Close before the live server goes: late requests would hit a torn-down database.
        page.context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_compose_from_the_customer_page(
    browser: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    viewport: dict[str, int],
    sample_purposes: None,
) -> None:
    Tenant.objects.filter(pk=tenant_a.pk).update(phone="030 1234567")
    people = make_people(tenant_a)
    page = logged_in_page(browser, viewport, client, owner, live_server.url)
    try:
        errors = collect_errors(page)
        page.goto(live_server.url + reverse("customers:detail", args=[people.customer.pk]))
        page.locator("#compose-message").click()
        page.wait_for_url("**/compose/")
        page.wait_for_load_state()  # htmx binds its triggers once the page has loaded
        text = page.locator("#id_text")
        expect(text).to_have_value(
            "Guten Tag Herr Müller,\n\n\n\nFreundliche Grüße\nAutohaus Alpha\nTel. 030 1234567"
        )

        # Another template: the text is swapped in place.
        page.get_by_label("Vorlage").select_option(label="Terminerinnerung")
        expect(page.locator("#compose-open-placeholders")).to_contain_text("{appointment_date}")
        assert "gern erinnern wir Sie an Ihren Termin" in text.input_value()
        assert wider_than_viewport(page) == []
        screenshot(page, "messaging-compose")

        # Back to the free message, write it and send.
        page.get_by_label("Vorlage").select_option(label="Freie Nachricht an den Kunden")
        expect(page.locator("#compose-open-placeholders")).to_have_count(0)
        text.fill("Guten Tag Herr Müller,\n\nIhr Fahrzeug ist fertig.")
        page.get_by_role("button", name="Senden").click()
        expect(page.locator(".alert-success")).to_contain_text("hans@example.com")
        with tenant_scope(tenant_a):
            [message] = OutboundMessage.objects.all()
        assert message.body_text == "Guten Tag Herr Müller,\n\nIhr Fahrzeug ist fertig."
        assert real_errors(errors) == []
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_named_texts_in_the_editor_and_in_compose(
    browser: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    viewport: dict[str, int],
) -> None:
    people = make_people(tenant_a)
    page = logged_in_page(browser, viewport, client, owner, live_server.url)
    try:
        errors = collect_errors(page)
        url = reverse("messaging:template_edit", args=["message_to_customer", "email", "de"])
        page.goto(live_server.url + url)
        expect(page.locator(".named-texts")).to_contain_text("mitgelieferten Standardtext")

        # Another text: the shipped one stays the default, named "Standard".
        page.locator("#id_new-name").fill("Abholung")
        page.get_by_role("button", name="Weiteren Text anlegen").click()
        expect(page.locator(".alert-success")).to_contain_text("„Abholung“ wurde angelegt")
        expect(page.locator(".named-text")).to_have_count(2)
        expect(page.locator(".named-texts")).to_contain_text("Standard, wird gesendet")
        text = page.locator("#id_text")
        text.fill("{greeting},\n\nIhr Fahrzeug ist abholbereit.")
        expect(page.locator("#preview-plain")).to_contain_text("Ihr Fahrzeug ist abholbereit.")
        page.get_by_role("button", name="Speichern").click()
        expect(page.locator(".alert-success")).to_contain_text("gespeichert")
        assert wider_than_viewport(page) == []
        screenshot(page, "messaging-template-named")

        # The default cannot go while another text exists; the page says why, by the button.
        page.on("dialog", lambda dialog: dialog.accept())
        standard = page.locator(".named-text").first  # the default comes first
        standard.get_by_role("button", name="Löschen").click()
        expect(page.locator(".named-texts .invalid-feedback")).to_contain_text(
            "solange es weitere Texte gibt"
        )
        screenshot(page, "messaging-template-named-refused")

        # Composing: the default first, the other one swapped in place.
        compose = reverse("messaging:compose_to_customer", args=[people.customer.pk])
        page.goto(live_server.url + compose + f"?contact={people.hans.pk}")
        page.wait_for_load_state()
        compose_text = page.locator("#id_text")
        expect(compose_text).to_have_value(re.compile(r"^Guten Tag Herr Müller,\n\n\n\n"))
        page.get_by_label("Textbaustein").select_option(label="Abholung")
        expect(compose_text).to_have_value(
            "Guten Tag Herr Müller,\n\nIhr Fahrzeug ist abholbereit."
        )
        assert wider_than_viewport(page) == []
        screenshot(page, "messaging-compose-named")
        assert real_errors(errors) == []
    finally:
        page.context.close()
