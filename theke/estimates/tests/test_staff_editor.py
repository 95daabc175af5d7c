"""Staff enter and revise estimates in the browser's forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_staff
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateStatus
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


def rows(*positions: dict[str, Any], extra: int = 0) -> dict[str, str]:
    """Formset data for these positions plus `extra` empty rows."""
    data = {
        "positions-TOTAL_FORMS": str(len(positions) + extra),
        "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "200",
    }
    for index, position in enumerate(positions):
        for name, value in position.items():
            if value is True:
                data[f"positions-{index}-{name}"] = "on"
            else:
                data[f"positions-{index}-{name}"] = str(value)
    return data


def head(**values: Any) -> dict[str, str]:
    data = {
        "object_description": "Smartphone Galaxy S21",
        "defect_description": "Display gebrochen",
        "valid_until": "2030-01-31",
    }
    data.update({k: str(v) for k, v in values.items()})
    return data


def live(external_id: str | None = None) -> Estimate:
    with scopes_disabled():
        estimates = Estimate.objects.exclude(status=EstimateStatus.SUPERSEDED)
        if external_id:
            estimates = estimates.filter(external_id=external_id)
        return estimates.get()


def new_url(customer: Any) -> str:
    return f"{reverse('estimates:new')}?customer={customer.pk}"


def test_the_picker_finds_the_customer_and_leads_to_the_form(
    owner_client: Any, customer: Any
) -> None:
    page = owner_client.get(reverse("estimates:new"), {"q": "berg"}).content.decode()
    assert "Eva Berg" in page
    assert f"?customer={customer.pk}" in page
    form = owner_client.get(new_url(customer))
    assert form.status_code == 200
    text = form.content.decode()
    assert "Neuer Kostenvoranschlag" in text and "Eva Berg" in text
    assert 'name="positions-0-text"' in text
    assert 'name="positions-1-text"' not in text, "one empty row to start, not three"
    assert "Position hinzufügen" in text


def test_staff_enter_an_estimate_with_an_article_a_free_text_and_an_optional_position(
    owner_client: Any, tenant_a: Any, customer: Any, article: Any
) -> None:
    data = head() | rows(
        {"article_number": "d-100", "quantity": "2"},
        {
            "text": "Arbeitszeit",
            "quantity": "1,5",
            "unit": "Std",
            "unit_price": "95,00",
            "vat_rate": "19",
        },
        {
            "text": "Panzerglas",
            "quantity": "1",
            "unit_price": "19.99",
            "vat_rate": "19",
            "is_optional": True,
        },
        extra=2,
    )
    response = owner_client.post(new_url(customer), data)
    assert response.status_code == 302
    estimate = live()
    assert response["Location"] == reverse("estimates:detail", args=[estimate.pk])
    assert estimate.external_id.startswith("THEKE-")
    assert (estimate.status, estimate.customer) == ("draft", customer)
    assert estimate.number == f"KV-{timezone.localdate().year}-0001"
    with tenant_scope(tenant_a):
        positions = list(estimate.positions.all())
    assert [p.text for p in positions] == ["Displayeinheit", "Arbeitszeit", "Panzerglas"]
    assert positions[0].article == article and positions[0].unit_price == Decimal("120.0000")
    assert positions[1].quantity == Decimal("1.500")
    assert positions[2].is_optional
    # gross rounded per position: 285.60 + 169.58 (169.575) + 23.79 (23.7881)
    assert (estimate.net_total, estimate.gross_total) == (Decimal("402.49"), Decimal("478.97"))
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="estimate.data_received").get()
    assert event.actor_label == "Olga Owner"


def test_a_bad_number_is_shown_on_its_row_and_nothing_is_stored(
    owner_client: Any, customer: Any
) -> None:
    data = head() | rows(
        {"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"},
        {"text": "Teil", "quantity": "zwei", "unit_price": "10", "vat_rate": "19"},
    )
    response = owner_client.post(new_url(customer), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bitte geben Sie eine Zahl an." in page
    assert 'name="positions-1-quantity" value="zwei"' in page, "the input is kept"
    quantity_input = page.split('name="positions-1-quantity"')[1].split(">")[0]
    assert "is-invalid" in quantity_input
    with scopes_disabled():
        assert not Estimate.objects.exists()


def test_an_unknown_article_and_an_empty_estimate_are_refused(
    owner_client: Any, customer: Any
) -> None:
    response = owner_client.post(new_url(customer), head() | rows({"article_number": "X-1"}))
    assert "Diesen Artikel gibt es nicht." in response.content.decode()
    response = owner_client.post(new_url(customer), head() | rows(extra=3))
    assert "Bitte geben Sie mindestens eine Position an." in response.content.decode()
    response = owner_client.post(new_url(customer), head(object_description="") | rows())
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    with scopes_disabled():
        assert not Estimate.objects.exists()


def test_weitere_position_adds_a_row_without_saving(owner_client: Any, customer: Any) -> None:
    data = head() | rows({"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"})
    data["add_position"] = "1"
    response = owner_client.post(new_url(customer), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="positions-1-text"' in page
    assert 'value="Arbeit"' in page
    with scopes_disabled():
        assert not Estimate.objects.exists()


def test_editing_a_draft_changes_it_in_place(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    owner_client.post(
        new_url(customer),
        head() | rows({"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"}),
    )
    estimate = live()
    form = owner_client.get(reverse("estimates:edit", args=[estimate.pk])).content.decode()
    assert 'value="Arbeit"' in form and 'name="number"' not in form
    assert "new-version-hint" not in form
    response = owner_client.post(
        reverse("estimates:edit", args=[estimate.pk]),
        head(number="KV-901")  # no such field (any more): the number is Theke's own
        | rows({"text": "Arbeit", "quantity": "2", "unit_price": "10", "vat_rate": "19"}),
    )
    assert response.status_code == 302
    again = live()
    assert (again.pk, again.version, again.number) == (estimate.pk, 1, estimate.number)
    assert again.net_total == Decimal("20.00")


def test_editing_a_sent_estimate_makes_a_new_version_the_link_shows(
    owner_client: Any, tenant_a: Any, customer: Any, client: Any
) -> None:
    owner_client.post(
        new_url(customer),
        head() | rows({"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"}),
    )
    first = live()
    with tenant_scope(tenant_a):
        _link, token = services.create_link(tenant_a, SYSTEM, first.external_id)
    form = owner_client.get(reverse("estimates:edit", args=[first.pk])).content.decode()
    assert "new-version-hint" in form and "Version 2" in form
    response = owner_client.post(
        reverse("estimates:edit", args=[first.pk]),
        head() | rows({"text": "Arbeit", "quantity": "3", "unit_price": "10", "vat_rate": "19"}),
    )
    second = live()
    assert second.version == 2 and second.pk != first.pk
    assert response["Location"] == reverse("estimates:detail", args=[second.pk])
    detail = owner_client.get(response["Location"]).content.decode()
    assert "Version <strong>2</strong> von 2" in detail
    assert "Gespeichert als Version 2" in detail
    first.refresh_from_db()
    assert first.status == EstimateStatus.SUPERSEDED
    customer_page = client.get(f"/k/{token}/").content.decode()
    assert "35,70" in customer_page, "the link shows the new total (3 x 10 + 19 %)"


def test_an_answered_estimate_cannot_be_edited(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    owner_client.post(
        new_url(customer),
        head() | rows({"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"}),
    )
    estimate = live()
    with tenant_scope(tenant_a):
        services.revoke_estimate(estimate, SYSTEM)
    url = reverse("estimates:edit", args=[estimate.pk])
    response = owner_client.get(url)
    assert response.status_code == 302
    assert (
        "kann nicht mehr geändert werden" in owner_client.get(response["Location"]).content.decode()
    )
    owner_client.post(
        url,
        head(number="X")
        | rows({"text": "A", "quantity": "1", "unit_price": "1", "vat_rate": "19"}),
    )
    assert live().number == estimate.number


def test_choices_are_limited_to_the_customer_and_tenant(
    owner_client: Any, tenant_a: Any, tenant_b: Any, customer: Any
) -> None:
    with tenant_scope(tenant_a):
        other = customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Otto", last_name="Anders"
        )
        foreign_contact = customers.add_contact(other, SYSTEM, first_name="Otto", last_name="A")
    response = owner_client.post(
        new_url(customer),
        head(contact=foreign_contact.pk)
        | rows({"text": "A", "quantity": "1", "unit_price": "1", "vat_rate": "19"}),
    )
    assert response.status_code == 400
    assert "Dies ist keine gültige Auswahl." in response.content.decode()
    with tenant_scope(tenant_b):
        stranger = customers.create_customer(tenant_b, SYSTEM, kind="person", last_name="Fremd")
    assert owner_client.get(new_url(stranger)).status_code == 404


def test_technicians_may_not_enter_estimates(client: Any, tenant_a: Any, customer: Any) -> None:
    technician = make_staff(tenant_a, "tech@alpha.test", "Tim Tech", "Techniker")
    client.force_login(technician)
    assert client.get(new_url(customer)).status_code == 403
    assert client.post(new_url(customer), head() | rows()).status_code == 403


# --- photos -----------------------------------------------------------------------------------


def test_staff_upload_and_remove_a_defect_photo(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import image_bytes

    owner_client.post(
        new_url(customer),
        head() | rows({"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"}),
    )
    estimate = live()
    url = reverse("estimates:photo_add", args=[estimate.pk])
    picture = SimpleUploadedFile("riss.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    response = owner_client.post(url, {"file": picture, "caption": "Riss im Display"})
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        photo = estimate.photos.get()
    assert photo.caption == "Riss im Display"
    detail = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    assert "Riss im Display" in detail and "Foto entfernen" in detail

    fake = SimpleUploadedFile("bild.jpg", b"<html>no image</html>", content_type="image/jpeg")
    refused = owner_client.post(url, {"file": fake})
    assert refused.status_code == 400
    assert "Dieser Dateityp ist hier nicht erlaubt." in refused.content.decode()

    removed = owner_client.post(reverse("estimates:photo_remove", args=[estimate.pk, photo.pk]))
    assert removed.status_code == 302
    with tenant_scope(tenant_a):
        assert not estimate.photos.exists()
