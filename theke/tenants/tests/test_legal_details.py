"""Legal and bank details of the tenant (register, VAT id, managing director, bank) for the
PDF letterhead: checked, stored compact, editable on the master data page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.tenants import services
from theke.tenants.forms import TenantForm
from theke.tenants.models import Tenant
from theke.tenants.validators import validate_bic, validate_iban, validate_vat_id

from .test_staff_views import tenant_data

pytestmark = pytest.mark.django_db

VALID: dict[str, Any] = {
    "register_court": "Amtsgericht Berlin-Charlottenburg",
    "register_number": "HRB 123456 B",
    "vat_id": "de 136 695 976",
    "managing_director": "Katrin Sommer",
    "bank_name": "Berliner Sparkasse",
    "iban": "de02 1005 0000 0054 5404 02",
    "bic": "beladebexxx",
}


# --- validators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "DE136695976",
        "DE 136 695 976",
        "ATU13585627",
        "FR40303265045",
        "CHE-116.281.710 MWST",  # outside the EU, checked by its own country's rules
    ],
)
def test_valid_vat_ids_pass(value):
    validate_vat_id(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("DE12345678", "vat_id_format"),  # eight digits
        ("DE1234567890", "vat_id_format"),  # ten digits
        ("DE13669597X", "vat_id_format"),
        ("DE036695976", "vat_id_format"),  # never starts with 0
        ("DE136695977", "vat_id_checksum"),  # one digit off
        ("136695976", "vat_id_format"),  # no country
        ("XX136695976", "vat_id_format"),  # no such country
        ("ATU1234", "vat_id_format"),  # too short for Austria
        ("ATU13585628", "vat_id_checksum"),  # foreign check digits are checked too
    ],
)
def test_invalid_vat_ids_are_refused_with_their_reason(value, code):
    with pytest.raises(ValidationError) as refused:
        validate_vat_id(value)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "value",
    [
        "DE02100500000054540402",
        "DE89 3704 0044 0532 0130 00",
        "AT611904300234573201",
        "GB82WEST12345698765432",
        "CH9300762011623852957",
        "NO9386011117947",  # the shortest
    ],
)
def test_valid_ibans_pass(value):
    validate_iban(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("DE02100500000054540403", "iban_checksum"),  # last digit off
        ("DE89370400440532031000", "iban_checksum"),  # two digits swapped
        ("DE0210050000005454040", "iban_length"),  # 21 characters
        ("DE02 1005", "iban_format"),
        ("1234567890123456", "iban_format"),
        ("XX02100500000054540402", "iban_format"),  # no such country
        ("DE02100500000054A40402", "iban_format"),  # a letter where Germany has digits
    ],
)
def test_invalid_ibans_are_refused_with_their_reason(value, code):
    with pytest.raises(ValidationError) as refused:
        validate_iban(value)
    assert refused.value.code == code


def test_bic_has_8_or_11_characters():
    validate_bic("BELADEBE")
    validate_bic("BELADEBEXXX")
    for wrong in ("BELADE", "BELADEBEXX", "1ELADEBEXXX", "BELAXXBE"):
        with pytest.raises(ValidationError):
            validate_bic(wrong)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("BELADEBEXX", "8 oder 11 Zeichen"),
        ("1ELADEBEXXX", "vier Buchstaben der Bank"),
        ("BELAXXBE", "vier Buchstaben der Bank"),  # XX is no country
    ],
)
def test_wrong_bic_says_what_is_wrong(value, message):
    with pytest.raises(ValidationError) as refused:
        validate_bic(value)
    assert message in refused.value.messages[0]


def test_foreign_vat_id_of_the_wrong_shape_names_its_country():
    with pytest.raises(ValidationError) as refused:
        validate_vat_id("ATU1234")
    assert "Nummern aus AT" in refused.value.messages[0]


# --- service ------------------------------------------------------------------------------


def test_update_tenant_stores_legal_details_compact(tenant_a, owner):
    services.update_tenant(tenant_a, Actor.staff(owner), **VALID)
    tenant_a.refresh_from_db()
    assert tenant_a.vat_id == "DE136695976"
    assert tenant_a.iban == "DE02100500000054540402"
    assert tenant_a.bic == "BELADEBEXXX"
    assert tenant_a.register_number == "HRB 123456 B"


@pytest.mark.parametrize(
    ("field", "value"), [("vat_id", "DE136695977"), ("iban", "DE02100500000054540403")]
)
def test_update_tenant_refuses_a_wrong_number_naming_the_field(tenant_a, owner, field, value):
    with pytest.raises(ServiceError) as refused:
        services.update_tenant(tenant_a, Actor.staff(owner), **{field: value})
    assert refused.value.field == field
    tenant_a.refresh_from_db()
    assert getattr(tenant_a, field) == ""


def test_register_number_needs_its_court(tenant_a, owner):
    with pytest.raises(ServiceError) as refused:
        services.update_tenant(
            tenant_a, Actor.staff(owner), register_court="", register_number="HRB 1"
        )
    assert refused.value.field == "register_court"


# --- form and page ------------------------------------------------------------------------


def form(tenant: Tenant, **changes) -> TenantForm:
    instance = Tenant.objects.get(pk=tenant.pk)
    return TenantForm(tenant_data(tenant, **changes), instance=instance)


def test_form_accepts_valid_details_and_cleans_them(tenant_a):
    bound = form(tenant_a, **VALID)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["vat_id"] == "DE136695976"
    assert bound.cleaned_data["iban"] == "DE02100500000054540402"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vat_id", "DE12345678", "besteht aus DE und 9 Ziffern"),
        ("vat_id", "DE136695977", "Prüfziffer stimmt nicht"),
        ("iban", "DE02 1005 0000 0054 5404 03", "Prüfziffer stimmt nicht"),
        ("iban", "DE02 1005", "Bitte geben Sie eine IBAN an"),
        ("bic", "BELA", "8 oder 11 Zeichen"),
        ("register_court", "", "auch das Registergericht"),
    ],
)
def test_form_refuses_wrong_details_on_the_field(tenant_a, field, value, message):
    bound = form(tenant_a, **{**VALID, field: value})
    assert not bound.is_valid()
    assert message in " ".join(str(error) for error in bound.errors[field])
    assert list(bound.errors) == [field]


def test_admin_saves_legal_details_on_the_master_data_page(owner_client, tenant_a):
    page = owner_client.get(reverse("tenants:tenant_edit")).content.decode()
    for name in VALID:
        assert f'name="{name}"' in page
    response = owner_client.post(reverse("tenants:tenant_edit"), tenant_data(tenant_a, **VALID))
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.vat_id == "DE136695976"
    assert tenant_a.managing_director == "Katrin Sommer"
    assert tenant_a.iban == "DE02100500000054540402"


def test_wrong_vat_id_and_iban_are_shown_next_to_their_fields(owner_client, tenant_a):
    response = owner_client.post(
        reverse("tenants:tenant_edit"),
        tenant_data(tenant_a, **{**VALID, "vat_id": "DE12345", "iban": "DE02100500000054540403"}),
    )
    assert response.status_code == 200
    body = response.content.decode()
    for field, message in (
        ("vat_id", "Eine deutsche USt-IdNr. besteht aus DE und 9 Ziffern"),
        ("iban", "Diese IBAN ist ungültig: die Prüfziffer stimmt nicht."),
    ):
        # The message follows the field's input inside the field's own block.
        block = re.search(rf'<input[^>]*name="{field}"[^>]*>(.*?)</div>\s*</div>', body, re.S)
        assert block is not None
        assert "is-invalid" in block.group(0)
        assert message in block.group(1)
    tenant_a.refresh_from_db()
    assert tenant_a.vat_id == ""
    assert tenant_a.iban == ""
