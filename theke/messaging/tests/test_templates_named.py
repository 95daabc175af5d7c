"""Several named texts per purpose, channel and language: one default, sent unless staff
swap in another while composing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from theke.audit.models import AuditEvent
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.messaging.models import MessageTemplate, OutboundMessage
from theke.messaging.purposes import PURPOSES
from theke.messaging.services import templates
from theke.messaging.tests.people import People, make_people
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

KEY = ("estimate_link", "sms", "de")
ESTIMATE = {
    "estimate_number": "KV-17",
    "item": "iPhone 13",
    "link": "https://theke.test/k/abc",
    "valid_until": "31.12.2025",
}
HTMX = {"HX-Request": "true"}


def staff(user: Any) -> Actor:
    return Actor.staff(user)


def rows(tenant: Tenant) -> list[tuple[str, bool, str]]:
    with tenant_scope(tenant):
        found = MessageTemplate.objects.filter(tenant=tenant).order_by("-is_default", "name")
        return [(row.name, row.is_default, row.text) for row in found]


def actions(tenant: Tenant, action: str) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def send(tenant: Tenant, contact: Any, key: str = "k1") -> OutboundMessage:
    """An estimate link by SMS (the tenant's switch on, the contact consented)."""
    Tenant.objects.filter(pk=tenant.pk).update(sms_enabled=True)
    tenant.refresh_from_db()
    return templates.send_templated(
        tenant,
        purpose="estimate_link",
        channel="sms",
        contact=contact,
        context=ESTIMATE,
        related=None,
        dedupe_key=key,
    )


@pytest.fixture
def people(tenant_a: Tenant) -> People:
    return make_people(tenant_a)


@pytest.fixture
def two_texts(tenant_a: Tenant, owner: Any) -> tuple[MessageTemplate, MessageTemplate]:
    """Tenant A's own default "Standard" and a second text "Kurz" of estimate_link/SMS/de."""
    standard = templates.save_template(
        tenant_a, staff(owner), *KEY, "", "Standard: KV {estimate_number} {link}", ""
    )
    short = templates.create_template(tenant_a, staff(owner), *KEY, "Kurz")
    short = templates.save_template(
        tenant_a, staff(owner), *KEY, "", "Kurz: {link}", "", template_id=short.pk
    )
    return standard, short


# --- services -------------------------------------------------------------------------------


def test_first_own_text_is_the_default_named_standard(tenant_a: Tenant, owner: Any) -> None:
    templates.save_template(tenant_a, staff(owner), *KEY, "", "Eigener {link}", "")
    assert rows(tenant_a) == [("Standard", True, "Eigener {link}")]


def test_another_text_starts_as_a_copy_and_the_shipped_text_stays_the_default(
    tenant_a: Tenant, owner: Any
) -> None:
    shipped = PURPOSES["estimate_link"].default("sms", "de").text
    created = templates.create_template(tenant_a, staff(owner), *KEY, "  Absage   kurz ")
    assert created.name == "Absage kurz" and not created.is_default
    assert rows(tenant_a) == [("Standard", True, shipped), ("Absage kurz", False, shipped)]
    assert [e.data["name"] for e in actions(tenant_a, "message_template.created")] == [
        "Standard",
        "Absage kurz",
    ]


def test_names_are_unique_per_purpose_channel_and_language_in_any_case(
    tenant_a: Tenant, owner: Any, two_texts: Any
) -> None:
    for name in ("kurz", "STANDARD", " "):
        with pytest.raises(ServiceError) as error:
            templates.create_template(tenant_a, staff(owner), *KEY, name)
        assert error.value.field == "name"
    with pytest.raises(ServiceError) as error:
        templates.rename_template(tenant_a, staff(owner), two_texts[1].pk, "Standard")
    assert "Es gibt bereits einen Text mit dem Namen „Standard“." in error.value.messages[0]
    # The same name for another language or channel is fine.
    templates.create_template(tenant_a, staff(owner), "estimate_link", "sms", "en", "Kurz")
    templates.create_template(tenant_a, staff(owner), "estimate_link", "email", "de", "Kurz")


def test_the_first_text_may_not_take_the_name_of_the_default_it_creates(
    tenant_a: Tenant, owner: Any
) -> None:
    with pytest.raises(ServiceError):
        templates.create_template(tenant_a, staff(owner), *KEY, "standard")
    assert rows(tenant_a) == []


def test_the_database_keeps_one_default_and_unique_names(tenant_a: Tenant, two_texts: Any) -> None:
    _standard, short = two_texts
    with tenant_scope(tenant_a):
        with pytest.raises(IntegrityError), transaction.atomic():
            MessageTemplate.objects.filter(pk=short.pk).update(is_default=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            MessageTemplate.objects.filter(pk=short.pk).update(name="Standard")
        # Non-default texts are not limited.
        MessageTemplate.objects.create(
            tenant=tenant_a, purpose="estimate_link", channel="sms", language="de", name="Lang"
        )


def test_sending_uses_the_default_and_switching_the_default_switches_it(
    tenant_a: Tenant, owner: Any, people: People, two_texts: Any
) -> None:
    standard, short = two_texts
    assert send(tenant_a, people.hans, "k1").body_text.startswith("Standard: KV KV-17")
    made = templates.make_default(tenant_a, staff(owner), short.pk)
    assert made.is_default
    assert rows(tenant_a) == [("Kurz", True, "Kurz: {link}"), ("Standard", False, standard.text)]
    assert send(tenant_a, people.hans, "k2").body_text == "Kurz: https://theke.test/k/abc"
    [event] = actions(tenant_a, "message_template.made_default")
    assert (event.data["name"], event.data["before"]) == ("Kurz", "Standard")
    # Making the default the default again changes and records nothing.
    templates.make_default(tenant_a, staff(owner), short.pk)
    assert len(actions(tenant_a, "message_template.made_default")) == 1


def test_without_own_texts_sending_uses_the_shipped_text(tenant_a: Tenant, people: People) -> None:
    assert send(tenant_a, people.hans).body_text.startswith(
        "Autohaus Alpha: Ihr Kostenvoranschlag KV-17 ist fertig."
    )


def test_the_default_cannot_be_deleted_while_others_exist(
    tenant_a: Tenant, owner: Any, two_texts: Any
) -> None:
    standard, _short = two_texts
    with pytest.raises(ServiceError) as error:
        templates.delete_template(tenant_a, staff(owner), standard.pk)
    assert error.value.field == "template"
    assert "solange es weitere Texte gibt" in error.value.messages[0]
    with translation.override("en"):
        with pytest.raises(ServiceError) as error:
            templates.delete_template(tenant_a, staff(owner), standard.pk)
        assert "cannot be deleted while there are other texts" in str(error.value.messages[0])
    assert len(rows(tenant_a)) == 2
    assert actions(tenant_a, "message_template.deleted") == []


def test_deleting_a_text_is_audited_and_the_last_one_brings_back_the_shipped_text(
    tenant_a: Tenant, owner: Any, two_texts: Any
) -> None:
    standard, short = two_texts
    templates.delete_template(tenant_a, staff(owner), short.pk)
    assert rows(tenant_a) == [("Standard", True, standard.text)]
    [event] = actions(tenant_a, "message_template.deleted")
    assert event.data["name"] == "Kurz" and event.object_id in ("", None)
    templates.delete_template(tenant_a, staff(owner), standard.pk)
    assert rows(tenant_a) == []
    assert not templates.get_template(tenant_a, *KEY).is_custom
    with pytest.raises(ServiceError):
        templates.delete_template(tenant_a, staff(owner), standard.pk)


def test_rename_is_audited(tenant_a: Tenant, owner: Any, two_texts: Any) -> None:
    renamed = templates.rename_template(tenant_a, staff(owner), two_texts[1].pk, "Ganz kurz")
    assert renamed.name == "Ganz kurz"
    [event] = actions(tenant_a, "message_template.renamed")
    assert (event.data["before"], event.data["name"]) == ("Kurz", "Ganz kurz")


def test_saving_a_named_text_leaves_the_default_alone(
    tenant_a: Tenant, owner: Any, two_texts: Any
) -> None:
    standard, short = two_texts
    assert templates.get_template(tenant_a, *KEY).text == standard.text
    assert templates.get_template(tenant_a, *KEY, short.pk).text == "Kurz: {link}"
    [first, second] = actions(tenant_a, "message_template.saved")
    assert (first.data["name"], second.data["name"]) == ("Standard", "Kurz")


def test_reset_with_other_texts_gives_the_default_the_shipped_text(
    tenant_a: Tenant, owner: Any, two_texts: Any
) -> None:
    shipped = PURPOSES["estimate_link"].default("sms", "de").text
    assert templates.reset_template(tenant_a, staff(owner), *KEY) is True
    assert rows(tenant_a) == [("Standard", True, shipped), ("Kurz", False, "Kurz: {link}")]
    assert templates.reset_template(tenant_a, staff(owner), *KEY) is False


def test_another_tenants_text_cannot_be_touched(
    tenant_a: Tenant, tenant_b: Tenant, owner: Any, two_texts: Any
) -> None:
    short = two_texts[1]
    for change in (
        lambda: templates.make_default(tenant_b, staff(owner), short.pk),
        lambda: templates.rename_template(tenant_b, staff(owner), short.pk, "X"),
        lambda: templates.delete_template(tenant_b, staff(owner), short.pk),
        lambda: templates.get_template(tenant_b, *KEY, short.pk),
    ):
        with pytest.raises(ServiceError):
            change()
    assert len(rows(tenant_a)) == 2


# --- the editor -----------------------------------------------------------------------------


def edit_url(pk: int | None = None) -> str:
    if pk is None:
        return reverse("messaging:template_edit", args=list(KEY))
    return reverse("messaging:template_text_edit", args=[*KEY, pk])


def action_url(name: str, pk: int) -> str:
    return reverse(f"messaging:template_{name}", args=[*KEY, pk])


def page(response: Any) -> str:
    return str(response.content.decode())


def test_editor_lists_the_named_texts_and_edits_the_chosen_one(
    owner_client: Any, two_texts: Any
) -> None:
    standard, short = two_texts
    html = page(owner_client.get(edit_url()))
    assert f'href="{edit_url(standard.pk)}"' in html and f'href="{edit_url(short.pk)}"' in html
    assert "Standard, wird gesendet" in html
    assert "Standard: KV {estimate_number} {link}</textarea>" in html
    assert action_url("make_default", short.pk) in html
    html = page(owner_client.get(edit_url(short.pk)))
    assert "Kurz: {link}</textarea>" in html
    assert 'id="preview-plain">Kurz: https://theke.example/t/muster/x7Kq2Lm9<' in html
    response = owner_client.post(edit_url(short.pk), {"text": "Kürzer: {link}"})
    assert response.status_code == 302 and response["Location"] == edit_url(short.pk)
    assert templates.get_template(short.tenant, *KEY, short.pk).text == "Kürzer: {link}"
    assert templates.get_template(short.tenant, *KEY).text == standard.text


def test_creating_renaming_and_making_default_in_the_editor(
    owner_client: Any, tenant_a: Tenant
) -> None:
    response = owner_client.post(
        reverse("messaging:template_create", args=list(KEY)), {"new-name": "Absage kurz"}
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        created = MessageTemplate.objects.get(name="Absage kurz")
    assert response["Location"] == edit_url(created.pk)
    assert "Der Text „Absage kurz“ wurde angelegt." in page(owner_client.get(response["Location"]))
    response = owner_client.post(action_url("rename", created.pk), {"rename-name": "Knapp"})
    assert response.status_code == 302
    owner_client.post(action_url("make_default", created.pk))
    assert rows(tenant_a)[0][:2] == ("Knapp", True)


def test_refusals_are_shown_next_to_their_field(
    owner_client: Any, tenant_a: Tenant, two_texts: Any
) -> None:
    standard, short = two_texts
    html = page(
        owner_client.post(
            reverse("messaging:template_create", args=list(KEY)), {"new-name": "kurz"}
        )
    )
    assert "Es gibt bereits einen Text mit dem Namen „kurz“." in html
    assert 'name="new-name"' in html and "is-invalid" in html
    html = page(owner_client.post(action_url("rename", short.pk), {"rename-name": "Standard"}))
    assert "Es gibt bereits einen Text mit dem Namen „Standard“." in html
    response = owner_client.post(action_url("delete", standard.pk))
    assert response.status_code == 200
    html = page(response)
    assert f'id="delete-error-{standard.pk}"' in html
    assert "Der Standardtext kann nicht gelöscht werden, solange es weitere Texte gibt." in html
    assert len(rows(tenant_a)) == 2


def test_deleting_a_named_text_in_the_editor(
    owner_client: Any, tenant_a: Tenant, two_texts: Any
) -> None:
    response = owner_client.post(action_url("delete", two_texts[1].pk))
    assert response.status_code == 302 and response["Location"] == edit_url()
    assert [name for name, _default, _text in rows(tenant_a)] == ["Standard"]
    assert owner_client.get(action_url("delete", two_texts[0].pk)).status_code == 405


def test_outsider_gets_404_for_another_tenants_text(
    outsider_client: Any, tenant_a: Tenant, two_texts: Any
) -> None:
    short = two_texts[1]
    assert outsider_client.get(edit_url(short.pk)).status_code == 404
    for name in ("make_default", "delete"):
        assert outsider_client.post(action_url(name, short.pk)).status_code == 404
    assert (
        outsider_client.post(action_url("rename", short.pk), {"rename-name": "X"}).status_code
        == 404
    )
    assert len(rows(tenant_a)) == 2


def test_list_counts_the_named_texts(owner_client: Any, two_texts: Any) -> None:
    html = page(owner_client.get(reverse("messaging:template_list")))
    assert "eigener Text · 2 Texte" in html


def test_stored_texts_of_an_unknown_purpose_are_ignored(
    owner_client: Any, tenant_a: Tenant
) -> None:
    # A text kept from a purpose no domain registers any more (e.g. removed or not built yet).
    with tenant_scope(tenant_a):
        MessageTemplate.objects.create(
            tenant=tenant_a,
            purpose="lead_rejected",
            channel="email",
            language="de",
            name="Standard",
            is_default=True,
            subject="Alt",
            text="Alter Text",
        )
    response = owner_client.get(reverse("messaging:template_list"))
    assert response.status_code == 200
    assert "lead_rejected" not in page(response)
    edit = reverse("messaging:template_edit", args=["lead_rejected", "email", "de"])
    assert owner_client.get(edit).status_code == 404


# --- compose --------------------------------------------------------------------------------


def compose_url(people: People) -> str:
    return reverse("messaging:compose_to_customer", args=[people.customer.pk])


@pytest.fixture
def two_free_texts(tenant_a: Tenant, owner: Any) -> tuple[MessageTemplate, MessageTemplate]:
    """The free message by e-mail in German: "Standard" (default) and "Abholung"."""
    key = ("message_to_customer", "email", "de")
    standard = templates.save_template(
        tenant_a, staff(owner), *key, "Nachricht", "{greeting},\n\nStandardtext.", ""
    )
    pickup = templates.create_template(tenant_a, staff(owner), *key, "Abholung")
    pickup = templates.save_template(
        tenant_a,
        staff(owner),
        *key,
        "Abholbereit",
        "{greeting},\n\nIhr Fahrzeug ist abholbereit.",
        "",
        template_id=pickup.pk,
    )
    return standard, pickup


def test_compose_starts_with_the_default_and_offers_the_named_texts(
    owner_client: Any, people: People, two_free_texts: Any
) -> None:
    standard, pickup = two_free_texts
    html = page(owner_client.get(compose_url(people), {"contact": people.hans.pk}))
    assert "Guten Tag Herr Müller,\n\nStandardtext." in html
    assert f'<option value="{standard.pk}" selected>Standard (Standard)</option>' in html
    assert f'<option value="{pickup.pk}">Abholung</option>' in html


def test_compose_swaps_in_another_named_text_over_htmx(
    owner_client: Any, people: People, two_free_texts: Any
) -> None:
    pickup = two_free_texts[1]
    response = owner_client.post(
        compose_url(people),
        {
            "refresh": "1",
            "contact": people.hans.pk,
            "purpose": "message_to_customer",
            "channel": "email",
            "language": "de",
            "named_text": pickup.pk,
            "token": "t1",
            "text": "old text",
        },
        headers={**HTMX, "HX-Trigger-Name": "named_text"},
    )
    html = page(response)
    assert 'id="compose-body"' in html and "<html" not in html
    assert "Guten Tag Herr Müller,\n\nIhr Fahrzeug ist abholbereit." in html
    assert 'value="Abholbereit"' in html
    assert f'<option value="{pickup.pk}" selected>Abholung</option>' in html
    assert "old text" not in html


def test_compose_takes_the_named_text_from_a_plain_get_parameter(
    owner_client: Any, people: People, two_free_texts: Any
) -> None:
    pickup = two_free_texts[1]
    html = page(
        owner_client.get(compose_url(people), {"contact": people.hans.pk, "named_text": pickup.pk})
    )
    assert "Ihr Fahrzeug ist abholbereit." in html


def test_compose_without_several_texts_offers_no_choice(owner_client: Any, people: People) -> None:
    html = page(owner_client.get(compose_url(people), {"contact": people.hans.pk}))
    assert 'name="named_text"' not in html


def test_a_named_text_of_another_purpose_falls_back_to_the_default(
    owner_client: Any, tenant_a: Tenant, owner: Any, people: People, two_texts: Any
) -> None:
    html = page(
        owner_client.get(
            compose_url(people), {"contact": people.hans.pk, "named_text": two_texts[1].pk}
        )
    )
    assert "Kurz: " not in html
    assert "Guten Tag Herr Müller," in html
