"""The staff editor's second round (issue 11, item 4): Theke's own estimate numbers, the
article search, the running total, the customer's only contact and vehicle preselected, one
empty row, and removing a photo from a sent estimate as a new version."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.core.tests.pdf_text import text_of
from theke.customers import services as customers
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateStatus
from theke.estimates.services.numbers import format_number
from theke.estimates.staff_editor import new_external_id
from theke.estimates.tests.test_staff_editor import head, live, new_url, rows
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

from .conftest import image_bytes

pytestmark = pytest.mark.django_db

POSITION = {"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"}


def enter(owner_client: Any, customer: Any, **values: Any) -> Estimate:
    """An estimate entered in the editor (the newest one)."""
    response = owner_client.post(new_url(customer), head(**values) | rows(POSITION))
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        return Estimate.objects.order_by("-id").first()  # type: ignore[return-value]


# --- numbers ----------------------------------------------------------------------------------


def test_estimates_entered_in_theke_are_numbered_per_tenant_and_year(
    owner_client: Any, owner: Any, tenant_a: Any, tenant_b: Any, customer: Any
) -> None:
    with time_machine.travel("2026-03-01 10:00 +01:00", tick=False):
        owner_client.force_login(owner)
        first = enter(owner_client, customer)
        second = enter(owner_client, customer)
    with time_machine.travel("2027-01-02 10:00 +01:00", tick=False):
        owner_client.force_login(owner)  # a session of the test's real day would be too old
        third = enter(owner_client, customer)
    assert [first.number, second.number, third.number] == [
        "KV-2026-0001",
        "KV-2026-0002",
        "KV-2027-0001",
    ]
    # Another tenant counts on its own.
    with tenant_scope(tenant_b):
        other = customers.create_customer(tenant_b, SYSTEM, kind="person", last_name="Ost")
        saved, _ = services.save_estimate(
            tenant_b, SYSTEM, new_external_id(), {"customer": other}, [POSITION]
        )
    assert saved.number == f"KV-{timezone.localdate().year}-0001"


def test_the_prefix_comes_from_the_settings_and_back_office_numbers_stay(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    with tenant_scope(tenant_a):
        services.save_settings(tenant_a, SYSTEM, number_prefix="AN")
        pushed, _ = services.save_estimate(
            tenant_a, SYSTEM, "WAWI-77", {"customer": customer, "number": "4711"}, [POSITION]
        )
        bare, _ = services.save_estimate(tenant_a, SYSTEM, "WAWI-78", {"customer": customer})
    entered = enter(owner_client, customer)
    assert entered.number == f"AN-{timezone.localdate().year}-0001"
    assert (pushed.number, pushed.display_number) == ("4711", "4711")
    assert (bare.number, bare.display_number) == ("", "WAWI-78")
    assert format_number("", 2026, 7) == "2026-0007"


def test_the_prefix_is_refused_with_a_clear_message(owner_client: Any, tenant_a: Any) -> None:
    response = owner_client.post(
        reverse("estimates:settings"), {"link_days": "30", "number_prefix": "K V\r\n"}
    )
    assert response.status_code == 200
    assert "Nur Buchstaben und Ziffern" in response.content.decode()
    assert services.current_settings(tenant_a).number_prefix == "KV"


def test_the_number_shows_instead_of_the_internal_id_everywhere(
    owner_client: Any, tenant_a: Any, customer: Any, client: Any
) -> None:
    estimate = enter(owner_client, customer)
    number, internal = estimate.number, estimate.external_id
    assert number.startswith("KV-") and internal.startswith("THEKE-")
    pages = [
        owner_client.get(reverse("estimates:list")),
        owner_client.get(reverse("estimates:detail", args=[estimate.pk])),
        owner_client.get(reverse("estimates:edit", args=[estimate.pk])),
        owner_client.get(reverse("customers:detail", args=[customer.pk])),
    ]
    for page in pages:
        text = page.content.decode()
        assert number in text and internal not in text, page.wsgi_request.path
    pdf = owner_client.get(reverse("estimates:pdf", args=[estimate.pk]))
    assert f'filename="Kostenvoranschlag-{number}.pdf"' in pdf["Content-Disposition"]
    pdf_text = text_of(pdf.content)
    assert number in pdf_text and internal not in pdf_text
    with tenant_scope(tenant_a):
        link, token = services.create_link(tenant_a, SYSTEM, internal)
        contact = customer.contacts.get()
        services.send_link(link, token, SYSTEM, ["email"], contact)
        message = OutboundMessage.objects.get(purpose="estimate_link")
    assert number in message.subject and internal not in message.body_text
    customer_page = client.get(f"/k/{token}/").content.decode()
    assert number in customer_page and internal not in customer_page


def test_the_editor_has_no_number_field(owner_client: Any, customer: Any) -> None:
    page = owner_client.get(new_url(customer)).content.decode()
    assert 'name="number"' not in page


# --- the form ---------------------------------------------------------------------------------


def test_the_only_contact_and_vehicle_are_preselected_but_not_one_of_several(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    with tenant_scope(tenant_a):
        vehicle = customers.add_vehicle(
            customer, SYSTEM, license_plate="B-TK 1234", make="VW", model="Golf"
        )
        contact = customer.contacts.get()
    page = owner_client.get(new_url(customer)).content.decode()
    assert f'<option value="{contact.pk}" selected>' in page
    assert f'<option value="{vehicle.pk}" selected>' in page
    with tenant_scope(tenant_a):
        customers.add_vehicle(customer, SYSTEM, license_plate="B-TK 999", make="VW", model="Up")
        customers.add_contact(customer, SYSTEM, last_name="Berg", first_name="Max")
    page = owner_client.get(new_url(customer)).content.decode()
    for name in ("contact", "vehicle"):
        select = page.split(f'name="{name}"')[1].split("</select>")[0]
        assert select.count("selected>") == 1 and 'value="" selected>' in select


def test_position_hinzufuegen_without_script_adds_one_prefilled_row(
    owner_client: Any, customer: Any
) -> None:
    data = head() | rows({"text": "Arbeit"}) | {"add_position": "1"}
    page = owner_client.post(new_url(customer), data).content.decode()
    assert 'name="positions-1-text"' in page and 'name="positions-2-text"' not in page
    assert 'name="positions-1-quantity" value="1"' in page
    with scopes_disabled():
        assert not Estimate.objects.exists()


def test_the_article_search_finds_by_number_or_text_in_the_tenant_only(
    owner_client: Any, tenant_a: Any, tenant_b: Any, article: Any
) -> None:
    with tenant_scope(tenant_a):
        customers.create_article(
            tenant_a, SYSTEM, number="D-200", text="Display klein", price="80.50", vat_rate="7"
        )
        customers.create_article(
            tenant_a, SYSTEM, number="D-300", text="Display alt", price="1", is_active=False
        )
    with tenant_scope(tenant_b):
        customers.create_article(tenant_b, SYSTEM, number="D-100B", text="Display fremd")
    url = reverse("estimates:article_search")
    page = owner_client.get(url, {"q": "display"}).content.decode()
    assert "D-100" in page and "D-200" in page
    assert "D-300" not in page and "fremd" not in page
    assert 'data-price="80,5"' in page and 'data-vat-rate="7"' in page
    assert 'data-text="Displayeinheit"' in page and 'data-unit="Stk"' in page
    exact = owner_client.get(url, {"q": "d-200"}).content.decode()
    assert exact.index("D-200") < exact.find("D-100") or "D-100" not in exact
    assert "Kein Artikel" in owner_client.get(url, {"q": "zzz"}).content.decode()


def test_running_total_uses_the_same_math_and_markup_as_the_saved_estimate(
    owner_client: Any, customer: Any, article: Any
) -> None:
    data = head() | rows(
        {"article_number": "D-100", "quantity": "2"},
        {"text": "Arbeitszeit", "quantity": "1,5", "unit_price": "95,00", "vat_rate": "19"},
        {"text": "Buch", "quantity": "1", "unit_price": "10", "vat_rate": "7"},
        {"text": "halb fertig", "quantity": "1"},
        {"text": "weg", "quantity": "1", "unit_price": "999", "vat_rate": "19", "DELETE": True},
    )
    fragment = owner_client.post(reverse("estimates:running_totals"), data).content.decode()
    assert 'id="total-gross"' in fragment
    # 240 + 142.50 + 10 net; VAT 45.60 + 27.08 (27.075) + 0.70
    assert "392,50" in fragment and "465,88" in fragment
    assert "MwSt. 7\xa0%" in fragment and "MwSt. 19\xa0%" in fragment
    response = owner_client.post(new_url(customer), data | rows(*_first_three(data)))
    assert response.status_code == 302
    detail = owner_client.get(response["Location"]).content.decode()
    saved_totals = detail.split('<dl class="estimate-totals')[1].split("</dl>")[0]
    assert saved_totals == fragment.split('<dl class="estimate-totals')[1].split("</dl>")[0]
    form = owner_client.get(new_url(customer)).content.decode()
    assert 'id="running-totals"' in form and 'hx-post="/staff/estimates/editor/totals/"' in form


def _first_three(data: dict[str, str]) -> list[dict[str, Any]]:
    names = ("article_number", "text", "quantity", "unit", "unit_price", "vat_rate")
    return [
        {n: data[f"positions-{i}-{n}"] for n in names if f"positions-{i}-{n}" in data}
        for i in range(3)
    ]


def test_running_total_needs_the_right_to_enter_estimates(client: Any, tenant_a: Any) -> None:
    from conftest import make_staff

    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tim Tech", "Techniker"))
    assert client.post(reverse("estimates:running_totals"), rows()).status_code == 403
    assert client.get(reverse("estimates:article_search"), {"q": "d"}).status_code == 403


# --- photos -----------------------------------------------------------------------------------


def test_removing_a_photo_from_a_sent_estimate_makes_a_new_version(
    owner_client: Any, tenant_a: Any, customer: Any, client: Any
) -> None:
    estimate = enter(owner_client, customer)
    picture = SimpleUploadedFile("riss.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    owner_client.post(
        reverse("estimates:photo_add", args=[estimate.pk]), {"file": picture, "caption": "Riss"}
    )
    with tenant_scope(tenant_a):
        _link, token = services.create_link(tenant_a, SYSTEM, estimate.external_id)
        Estimate.objects.filter(pk=estimate.pk).update(status=EstimateStatus.SENT)
        photo = estimate.photos.get()
    response = owner_client.post(reverse("estimates:photo_remove", args=[estimate.pk, photo.pk]))
    second = live()
    assert (second.version, second.number) == (2, estimate.number)
    assert response["Location"].startswith(reverse("estimates:detail", args=[second.pk]))
    estimate.refresh_from_db()
    assert estimate.status == EstimateStatus.SUPERSEDED
    with tenant_scope(tenant_a):
        assert estimate.photos.count() == 1, "the old version keeps what the customer saw"
        assert second.photos.count() == 0
        assert second.positions.count() == 1
        actions = list(
            AuditEvent.objects.filter(object_id=str(second.pk)).values_list("action", flat=True)
        )
    assert "estimate.new_version" in actions and "estimate.photo_removed" in actions
    assert "Riss" not in client.get(f"/k/{token}/").content.decode()
    with tenant_scope(tenant_a):
        old = estimate.photos.get()
    assert old.file.storage.exists(old.file.name or ""), "the old version's photo file stays"


# --- the migration ----------------------------------------------------------------------------


def _numbers_migration() -> Any:
    """The migration module by its name's end (the lead may renumber it at merge)."""
    import importlib
    from pathlib import Path

    from theke.estimates import migrations

    (path,) = Path(migrations.__file__).parent.glob("*_estimate_numbers.py")
    return importlib.import_module(f"theke.estimates.migrations.{path.stem}")


def test_the_migration_numbers_earlier_staff_estimates_and_continues_the_counter(
    tenant_a: Any, customer: Any
) -> None:
    from django.apps import apps

    with time_machine.travel("2025-06-01 10:00 +02:00", tick=False), tenant_scope(tenant_a):
        old, _ = services.save_estimate(
            tenant_a, SYSTEM, "THEKE-OLD1", {"customer": customer}, [POSITION]
        )
        pushed, _ = services.save_estimate(tenant_a, SYSTEM, "WAWI-1", {"customer": customer})
    with scopes_disabled():
        Estimate.objects.filter(pk=old.pk).update(number="")  # as before the sequence
        from theke.estimates.models import EstimateNumberCounter

        EstimateNumberCounter.objects.all().delete()
        _numbers_migration().number_staff_estimates(apps, None)
        old.refresh_from_db()
        pushed.refresh_from_db()
        counter = EstimateNumberCounter.objects.get()
    assert (old.number, pushed.number) == ("KV-2025-0001", "")
    assert (counter.year, counter.last) == (2025, 1)
