"""Who learns of a customer's answer (issue 11, items 1 and 7): the sender, the technician
and the estimate managers, each once, with a link; the company e-mail, also without a
notification address; the settings page saying where answers go."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_staff
from theke.accounts.models import Role
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, Actor
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateLink
from theke.estimates.tests.test_decision import accept, make_estimate
from theke.messaging.models import OutboundMessage
from theke.messaging.services import inbox
from theke.tenants.models import Tenant
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/staff/estimates/settings/"

# One position of 431,90 € net: 513,96 € gross.
POSITION = {
    "text": "Getriebe instand setzen",
    "quantity": "1",
    "unit_price": "431.90",
    "vat_rate": "19",
}


def send_as(user: Any, tenant: Tenant, link: EstimateLink) -> None:
    """The staff user sends the link (a new token: the service needs one to put in the text)."""
    with tenant_scope(tenant):
        new_link, token = services.create_link(tenant, Actor.staff(user), link.object_id)
        services.send_link(new_link, token, Actor.staff(user), ["email"])


def notes_of(user: Any, tenant: Tenant) -> list[Any]:
    with scopes_disabled():
        return list(inbox.visible_messages(user, tenant))


def test_sender_technician_and_managers_each_get_one_note_with_a_path(
    tenant_a: Any, customer: Any, owner: Any
) -> None:
    # A custom role that may send but does not manage estimates: its user is told as sender.
    with scopes_disabled():
        Role.objects.create(tenant=tenant_a, name="Empfang", permissions=["estimates.view"])
    sender = make_staff(tenant_a, "empfang@alpha.test", "Erik Empfang", "Empfang")
    technician = make_staff(tenant_a, "tom@alpha.test", "Tom Technik", "Techniker")
    advisor = make_staff(tenant_a, "bea@alpha.test", "Bea Berater", "Serviceberater")
    bystander = make_staff(tenant_a, "tina@alpha.test", "Tina Technik", "Techniker")
    estimate, link = make_estimate(tenant_a, customer, technician_email="tom@alpha.test")
    send_as(sender, tenant_a, link)
    accept(link)

    with scopes_disabled():
        assert Estimate.objects.get(pk=estimate.pk).sent_by == sender
    path = reverse("estimates:detail", args=[estimate.pk])
    for user in (sender, technician, advisor, owner):
        notes = notes_of(user, tenant_a)
        assert len(notes) == 1, user
        assert notes[0].url == path  # a path: the inbox opens it on any host
        assert "KV-4711" in notes[0].subject
    assert notes_of(bystander, tenant_a) == []


def test_a_sender_who_manages_estimates_and_is_the_technician_gets_one_note(
    tenant_a: Any, customer: Any, colleague: Any
) -> None:
    _estimate, link = make_estimate(tenant_a, customer, technician_email="colleague@alpha.test")
    send_as(colleague, tenant_a, link)
    accept(link)
    assert len(notes_of(colleague, tenant_a)) == 1


def test_amounts_are_german_lines_kept_and_the_choice_said_once(
    owner_client: Any, tenant_a: Any, customer: Any, owner: Any
) -> None:
    tenant_a.notification_email = "werkstatt@alpha.test"
    tenant_a.save(update_fields=["notification_email"])
    with tenant_scope(tenant_a):
        estimate, _created = services.save_estimate(
            tenant_a,
            SYSTEM,
            "KV-9",
            {"customer": customer, "number": "KV-9", "object_description": "Getriebe"},
            [POSITION],
        )
        link, _token = services.create_link(tenant_a, SYSTEM, "KV-9")
    assert estimate.gross_total == Decimal("513.96")
    services.decline_estimate(link, choice="disposal", name="Eva Berg", terms_accepted=True)

    with scopes_disabled():
        mail = OutboundMessage.objects.get(purpose="estimate_answer_company")
    assert "513,96\N{NO-BREAK SPACE}€" in mail.body_text
    assert "513.96" not in mail.body_text and "EUR" not in mail.body_text
    # "Antwort: abgelehnt, Entsorgung" once; the details below it do not repeat the choice.
    assert mail.body_text.count("Antwort: abgelehnt, Entsorgung") == 1
    assert "Anmerkung" not in mail.body_text
    lines = mail.body_text.splitlines()
    assert "Entsorgung" not in lines and "Anmerkung: Entsorgung" not in lines

    (note,) = notes_of(owner, tenant_a)
    assert "513,96\N{NO-BREAK SPACE}€" in note.body and "\n" in note.body
    page = owner_client.get(reverse("messaging:inbox")).content.decode()
    # The inbox list keeps the note's lines apart.
    assert "Eva Berg<br>" in page


def test_the_start_page_tile_splits_answers_and_counts_the_users_own(
    client: Any, tenant_a: Any, customer: Any
) -> None:
    sender = make_staff(tenant_a, "bea@alpha.test", "Bea Berater", "Serviceberater")
    _estimate, link = make_estimate(tenant_a, customer)
    send_as(sender, tenant_a, link)
    accept(link)
    client.force_login(sender)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Neue Antworten auf Kostenvoranschläge" in page
    assert "1 angenommen · 0 abgelehnt · 1 davon Ihre" in page


# --- item 7: the company e-mail ---------------------------------------------------------------


def test_notification_address_falls_back_to_the_main_email(tenant_a: Any) -> None:
    assert tenant_a.notification_address == "info@alpha.test"
    tenant_a.notification_email = "werkstatt@alpha.test"
    assert tenant_a.notification_address == "werkstatt@alpha.test"
    tenant_a.notification_email = tenant_a.email = ""
    assert tenant_a.notification_address == ""


def test_without_notification_address_the_answer_goes_to_the_main_email(
    tenant_a: Any, customer: Any
) -> None:
    assert not tenant_a.notification_email
    _estimate, link = make_estimate(tenant_a, customer)
    accept(link)
    with scopes_disabled():
        mail = OutboundMessage.objects.get(purpose="estimate_answer_company")
        assert not AuditEvent.objects.filter(action="estimate.answer_mail_skipped").exists()
    assert mail.recipient == "info@alpha.test"


def test_without_any_address_the_skipped_mail_is_on_the_history(
    tenant_a: Any, customer: Any
) -> None:
    tenant_a.email = ""
    tenant_a.save(update_fields=["email"])
    estimate, link = make_estimate(tenant_a, customer)
    decision = accept(link)
    with scopes_disabled():
        assert not OutboundMessage.objects.filter(purpose="estimate_answer_company").exists()
        skipped = AuditEvent.objects.get(action="estimate.answer_mail_skipped")
        # The rest of the chain ran.
        assert Estimate.objects.get(pk=estimate.pk).status == "accepted"
    assert skipped.object_id == str(estimate.pk)
    assert skipped.data == {"decision": decision.pk, "reason": "no_company_address"}


def test_settings_page_says_where_answers_go(owner_client: Any, tenant_a: Any) -> None:
    page = owner_client.get(SETTINGS_URL).content.decode()
    assert "Wohin Antworten der Kunden gehen" in page
    assert "<strong>info@alpha.test</strong>" in page
    assert "Haupt-E-Mail-Adresse" in page
    assert "Serviceberater" in page  # the roles that get a note

    tenant_a.notification_email = "werkstatt@alpha.test"
    tenant_a.save(update_fields=["notification_email"])
    page = owner_client.get(SETTINGS_URL).content.decode()
    assert "<strong>werkstatt@alpha.test</strong>" in page
    assert "Haupt-E-Mail-Adresse" not in page


def test_settings_page_warns_without_any_address(owner_client: Any, tenant_a: Any) -> None:
    tenant_a.email = ""
    tenant_a.save(update_fields=["email"])
    page = owner_client.get(SETTINGS_URL).content.decode()
    assert 'id="answer-address-missing"' in page
    assert "nicht per E-Mail gemeldet" in page


def test_the_staff_page_names_who_sent_the_estimate(
    owner_client: Any, tenant_a: Any, customer: Any, colleague: Any
) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    send_as(colleague, tenant_a, link)
    page = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    assert 'id="sent-by">· Carl Colleague' in page


def test_messaging_settings_say_the_main_email_stands_in(owner_client: Any) -> None:
    page = owner_client.get(reverse("messaging:settings")).content.decode()
    assert "Leer: an die E-Mail-Adresse Ihres Unternehmens." in page
