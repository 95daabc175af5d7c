"""The new-customer page (issue 11, item 5): e-mail and mobile asked for, one of them
required; company fields for a company only, decided on the server; required fields marked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from theke.audit.services import SYSTEM
from theke.customers import services
from theke.customers.models import Customer
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db

URL = "/staff/customers/new/"
UNREACHABLE = "Bitte geben Sie eine E-Mail-Adresse oder eine Mobilnummer an"


def test_the_form_asks_for_email_and_mobile_and_marks_required_fields(owner_client: Any) -> None:
    assert reverse("customers:create") == URL
    page = owner_client.get(URL).content.decode()
    assert 'name="email"' in page and 'name="mobile_phone"' in page
    assert re.search(r'<input type="text" name="last_name"[^>]*required', page)
    assert re.search(r'name="company_name"[^>]*aria-required="true"', page)
    assert re.search(r'name="email"[^>]*aria-describedby="reach-hint"', page)
    assert page.count('<span class="text-danger" aria-hidden="true">*</span>') >= 4
    assert "Pflichtfelder sind mit" in page
    # The switch: company fields sit in a block the stylesheet hides for a person.
    assert page.index('class="company-only"') < page.index('name="company_name"')
    assert 'value="person" class="form-check-input" id="id_kind_0" required checked' in page


def test_a_customer_without_email_and_mobile_is_refused_beside_the_fields(
    owner_client: Any,
) -> None:
    response = owner_client.post(URL, {"kind": "person", "first_name": "Eva", "last_name": "Berg"})
    page = response.content.decode()
    assert response.status_code == 200
    reach = page.split('id="reach"')[1].split("</fieldset>")[0]
    assert UNREACHABLE in reach and 'id="reach-error"' in reach
    assert re.search(r'name="email"[^>]*aria-invalid="true"', page)
    assert 'aria-describedby="reach-hint reach-error"' in page
    with scopes_disabled():
        assert not Customer.objects.exists()


def test_a_person_with_a_mobile_number_becomes_a_customer_with_its_contact(
    owner_client: Any, tenant_a: Any
) -> None:
    response = owner_client.post(
        URL,
        {
            "kind": "person",
            "company_name": "left in the hidden field",
            "salutation": "Frau",
            "first_name": "Eva",
            "last_name": "Berg",
            "mobile_phone": "0171 1234567",
            "consent_sms": "on",
        },
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        customer = Customer.objects.get()
        contact = customer.contacts.get()
    assert (customer.display_name, customer.company_name) == ("Eva Berg", "")
    assert (contact.last_name, contact.mobile_phone.as_e164, contact.email) == (
        "Berg",
        "+491711234567",
        "",
    )
    assert contact.is_primary and contact.consent_sms and contact.consent_sms_at
    assert "0171" in customer.search_text or "491711234567" in customer.search_text


def test_a_company_needs_its_name_and_gets_its_contact_person(
    owner_client: Any, tenant_a: Any
) -> None:
    data = {"kind": "company", "last_name": "Neumann", "email": "info@neu.test"}
    refused = owner_client.post(URL, data).content.decode()
    assert "Bitte geben Sie den Namen der Firma an." in refused
    assert re.search(r'name="company_name"[^>]*is-invalid', refused)
    assert owner_client.post(URL, data | {"company_name": "Neu AG"}).status_code == 302
    with tenant_scope(tenant_a):
        customer = Customer.objects.get()
        assert customer.contacts.get().last_name == "Neumann"
    assert customer.display_name == "Neu AG"


def test_bad_email_or_mobile_are_shown_on_their_field_and_nothing_is_stored(
    owner_client: Any,
) -> None:
    page = owner_client.post(
        URL, {"kind": "person", "last_name": "Berg", "mobile_phone": "12"}
    ).content.decode()
    assert "„12“ ist keine gültige Telefonnummer." in page
    page = owner_client.post(
        URL, {"kind": "person", "last_name": "Berg", "email": "kein@"}
    ).content.decode()
    assert "keine gültige E-Mail-Adresse" in page
    with scopes_disabled():
        assert not Customer.objects.exists()


def test_register_customer_refuses_a_customer_nobody_can_reach(tenant_a: Any) -> None:
    with tenant_scope(tenant_a), pytest.raises(services.CustomerError) as refused:
        services.register_customer(
            tenant_a, SYSTEM, {"kind": "person", "last_name": "Berg"}, {"last_name": "Berg"}
        )
    assert refused.value.code == services.UNREACHABLE
    with scopes_disabled():
        assert not Customer.objects.exists()
