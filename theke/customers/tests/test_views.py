"""Staff views of the customer master: pages, forms, htmx search, permissions, tenancy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, reverse

from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.customers import services, urls
from theke.customers.models import Article, Contact, Customer, Vehicle
from theke.customers.tests.conftest import OTHER_VIN, VIN, Shop
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


def html(response: Any) -> str:
    return response.content.decode()


# --- list and search ----------------------------------------------------------------------


def test_list_shows_customers_with_contact_city_and_vehicle_count(
    owner_client: Any, shop: Shop
) -> None:
    response = owner_client.get(reverse("customers:list"))
    assert response.status_code == 200
    page = html(response)
    assert "Müller Logistik GmbH" in page
    assert "Erika Schulz" in page
    assert "K-1001" in page
    assert "Berlin" in page
    assert "Hans.Mueller@example.com" in page
    assert "0171 1234567" in page
    assert 'hx-get="/staff/customers/"' in page
    assert "Neuer Kunde" in page


def test_list_is_paginated_by_25(owner_client: Any, tenant_a: Any) -> None:
    with tenant_scope(tenant_a):
        for i in range(30):
            services.create_customer(tenant_a, SYSTEM, last_name=f"Kunde{i:02d}")
    first = html(owner_client.get(reverse("customers:list")))
    second = html(owner_client.get(reverse("customers:list"), {"page": 2}))
    assert first.count('href="/staff/customers/') - second.count('href="/staff/customers/') >= 20
    assert "Seite 2 von 2" in second
    assert len(re.findall(r"Kunde\d\d", first)) == 25
    assert len(re.findall(r"Kunde\d\d", second)) == 5


def test_search_without_javascript_renders_the_whole_page(owner_client: Any, shop: Shop) -> None:
    response = owner_client.get(reverse("customers:list"), {"q": "0171 1234567"})
    page = html(response)
    assert "<html" in page
    assert "Müller Logistik GmbH" in page
    assert "Erika Schulz" not in page


def test_htmx_search_returns_only_the_results(owner_client: Any, shop: Shop) -> None:
    response = owner_client.get(
        reverse("customers:list"), {"q": "schulz"}, headers={"HX-Request": "true"}
    )
    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert "Erika Schulz" in page
    assert "Müller Logistik GmbH" not in page
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(owner_client: Any, shop: Shop) -> None:
    response = owner_client.get(
        reverse("customers:list"),
        {"q": "schulz"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in html(response)


def test_techniker_sees_list_without_create_button(techniker_client: Any, shop: Shop) -> None:
    page = html(techniker_client.get(reverse("customers:list")))
    assert "Müller Logistik GmbH" in page
    assert "Neuer Kunde" not in page


# --- detail -------------------------------------------------------------------------------


def test_detail_shows_sections_and_timeline_newest_first(owner_client: Any, shop: Shop) -> None:
    with tenant_scope(shop.customer.tenant):
        services.update_contact(shop.contact, SYSTEM, consent_email=True)
    response = owner_client.get(reverse("customers:detail", args=[shop.customer.pk]))
    page = html(response)
    assert response.status_code == 200
    for text in [
        "Ansprechpartner",
        "Standorte",
        "Fahrzeuge",
        "Objekte",
        "Verlauf",
        "Hans Müller",
        "E-Mail erlaubt",
        "keine SMS-Einwilligung",
        "Hauptstr. 1",
        "B-AB 123",
        VIN,
        "Absetzcontainer",
        "ERP-77",
    ]:
        assert text in page, text
    assert page.index("Ansprechpartner geändert") < page.index("Kunde angelegt")
    assert "Einwilligung E-Mail: nein → ja" in page


def test_detail_hides_timeline_without_audit_permission(techniker_client: Any, shop: Shop) -> None:
    page = html(techniker_client.get(reverse("customers:detail", args=[shop.customer.pk])))
    assert "Hans Müller" in page
    assert "Verlauf" not in page
    assert "Bearbeiten" not in page


# --- forms --------------------------------------------------------------------------------


def test_create_customer_by_post(owner_client: Any, owner: Any, tenant_a: Any) -> None:
    response = owner_client.post(
        reverse("customers:create"),
        {
            **{"kind": "company", "company_name": "Neu AG", "number": "N-1", "notes": ""},
            **{"last_name": "Neumann", "email": "info@neu.test"},
        },
    )
    with tenant_scope(tenant_a):
        customer = Customer.objects.get(company_name="Neu AG")
        assert response.url == reverse("customers:detail", args=[customer.pk])
        created, contact_added = AuditEvent.objects.for_object(customer).order_by("id")
        assert customer.contacts.get().email == "info@neu.test"
    assert (created.action, contact_added.action) == ("customer.created", "contact.added")
    assert created.actor_user_id == owner.pk


def test_create_customer_form_shows_service_refusal(owner_client: Any, shop: Shop) -> None:
    response = owner_client.post(
        reverse("customers:create"),
        {"kind": "person", "last_name": "X", "number": "K-1001", "mobile_phone": "0171 1234567"},
    )
    assert response.status_code == 200
    assert "Die Kundennummer K-1001 hat bereits „Müller Logistik GmbH“." in html(response)


def test_edit_customer_by_post(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:edit", args=[shop.customer.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url,
        {"kind": "company", "company_name": "Müller & Söhne GmbH", "number": "K-1001"},
    )
    assert response.status_code == 302
    with tenant_scope(shop.customer.tenant):
        shop.customer.refresh_from_db()
        assert shop.customer.company_name == "Müller & Söhne GmbH"
        assert services.search_customers("söhne").get() == shop.customer


def test_add_contact_by_post_stores_e164_and_consent(owner_client: Any, shop: Shop) -> None:
    response = owner_client.post(
        reverse("customers:contact_create", args=[shop.customer.pk]),
        {
            "last_name": "Neumann",
            "mobile_phone": "0160 98765432",
            "language": "de",
            "consent_sms": "on",
        },
    )
    assert response.status_code == 302
    with tenant_scope(shop.customer.tenant):
        contact = Contact.objects.get(last_name="Neumann")
    assert contact.mobile_phone.as_e164 == "+4916098765432"
    assert contact.consent_sms_at is not None


def test_edit_contact_by_post(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:contact_edit", args=[shop.customer.pk, shop.contact.pk])
    assert "Hans.Mueller@example.com" in html(owner_client.get(url))
    response = owner_client.post(
        url, {"first_name": "Hans", "last_name": "Müller", "email": "hm@x.de", "language": "en"}
    )
    assert response.status_code == 302
    with tenant_scope(shop.customer.tenant):
        shop.contact.refresh_from_db()
    assert shop.contact.email == "hm@x.de"
    assert shop.contact.language == "en"


def test_remove_contact_asks_then_removes_on_post(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:contact_remove", args=[shop.customer.pk, shop.contact.pk])
    assert "wirklich entfernen" in html(owner_client.get(url))
    assert owner_client.post(url).status_code == 302
    with tenant_scope(shop.customer.tenant):
        assert not Contact.objects.filter(pk=shop.contact.pk).exists()


def test_add_location_and_asset_by_post(owner_client: Any, shop: Shop) -> None:
    response = owner_client.post(
        reverse("customers:location_create", args=[shop.other.pk]),
        {"street": "Ring 5", "postal_code": "50667", "city": "Köln", "country": "DE"},
    )
    assert response.status_code == 302
    with tenant_scope(shop.other.tenant):
        location = shop.other.locations.get()
    response = owner_client.post(
        reverse("customers:asset_create", args=[shop.other.pk]),
        {"kind": "Mulde", "location": location.pk},
    )
    assert response.status_code == 302
    with tenant_scope(shop.other.tenant):
        assert shop.other.assets.get().location == location


def test_asset_form_offers_only_the_customers_locations(owner_client: Any, shop: Shop) -> None:
    response = owner_client.post(
        reverse("customers:asset_create", args=[shop.other.pk]),
        {"kind": "Mulde", "location": shop.location.pk},
    )
    assert response.status_code == 200
    assert "is-invalid" in html(response)


def test_add_vehicle_with_invalid_vin_shows_the_reason(owner_client: Any, shop: Shop) -> None:
    response = owner_client.post(
        reverse("customers:vehicle_create", args=[shop.other.pk]),
        {"license_plate": "K AB 1", "vin": "WVWZZZ1JZXW00000I"},
    )
    assert response.status_code == 200
    assert "außer I, O und Q" in html(response)
    with tenant_scope(shop.other.tenant):
        assert not shop.other.vehicles.exists()


def test_add_vehicle_with_taken_vin_names_the_customer(owner_client: Any, shop: Shop) -> None:
    response = owner_client.post(
        reverse("customers:vehicle_create", args=[shop.other.pk]),
        {"license_plate": "K AB 1", "vin": VIN},
    )
    assert response.status_code == 200
    assert "beim Kunden „Müller Logistik GmbH (K-1001)“" in html(response)


def test_add_and_edit_vehicle_by_post(owner_client: Any, shop: Shop) -> None:
    response = owner_client.post(
        reverse("customers:vehicle_create", args=[shop.other.pk]),
        {"license_plate": "k ab 1", "vin": "wauzzz8v5ka 123456", "first_registration": ""},
    )
    assert response.status_code == 302
    with tenant_scope(shop.other.tenant):
        vehicle = shop.other.vehicles.get()
    assert vehicle.vin == OTHER_VIN
    response = owner_client.post(
        reverse("customers:vehicle_edit", args=[shop.other.pk, vehicle.pk]),
        {"license_plate": "K AB 2", "vin": OTHER_VIN, "mileage_km": "1000"},
    )
    assert response.status_code == 302
    with tenant_scope(shop.other.tenant):
        vehicle.refresh_from_db()
    assert (vehicle.license_plate, vehicle.mileage_km) == ("K AB 2", 1000)


def test_transfer_vehicle_by_search_and_post(owner_client: Any, shop: Shop) -> None:
    url = reverse("customers:vehicle_transfer", args=[shop.customer.pk, shop.vehicle.pk])
    assert "Erika Schulz" in html(owner_client.get(url, {"q": "schulz"}))
    response = owner_client.post(url, {"customer": shop.other.pk})
    assert response.status_code == 302
    with tenant_scope(shop.customer.tenant):
        assert Vehicle.objects.get(pk=shop.vehicle.pk).customer == shop.other


def test_article_list_search_and_special_badge(owner_client: Any, shop: Shop) -> None:
    with tenant_scope(shop.customer.tenant):
        services.create_article(
            shop.customer.tenant, SYSTEM, number="P-1", text="Entsorgung", is_special=True
        )
    page = html(owner_client.get(reverse("customers:article_list")))
    assert "Ölwechsel" in page and "Sonderartikel" in page
    response = owner_client.get(
        reverse("customers:article_list"), {"q": "entsorg"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in html(response)
    assert "Entsorgung" in html(response) and "Ölwechsel" not in html(response)


def test_create_and_edit_article_by_post(owner_client: Any, tenant_a: Any) -> None:
    data = {"number": "Z-1", "text": "Rückversand", "unit": "psch", "price": "9.90"}
    data |= {"vat_rate": "19", "is_special": "on", "is_active": "on"}
    assert owner_client.post(reverse("customers:article_create"), data).status_code == 302
    with tenant_scope(tenant_a):
        article = Article.objects.get(number="Z-1")
    assert article.is_special
    data["price"] = "11.00"
    url = reverse("customers:article_edit", args=[article.pk])
    assert owner_client.post(url, data).status_code == 302
    with tenant_scope(tenant_a):
        article.refresh_from_db()
    assert str(article.price) == "11.00"


def test_duplicate_article_number_is_shown_in_the_form(owner_client: Any, shop: Shop) -> None:
    data = {"number": "A-100", "text": "X", "unit": "Stk", "price": "1", "vat_rate": "19"}
    response = owner_client.post(reverse("customers:article_create"), data)
    assert response.status_code == 200
    assert "Die Artikelnummer A-100 ist bereits vergeben" in html(response)


def test_article_list_without_edit_right_has_no_edit_links(
    colleague_client: Any, shop: Shop
) -> None:
    page = html(colleague_client.get(reverse("customers:article_list")))
    assert "Ölwechsel" in page
    assert "Neuer Artikel" not in page
    edit = reverse("customers:article_edit", args=[shop.article.pk])
    assert colleague_client.get(edit).status_code == 403


# --- permissions and tenancy --------------------------------------------------------------


def object_urls(shop: Shop) -> list[tuple[str, str]]:
    """(name, url) of every customer-master URL that carries an object id."""
    ids = {
        "pk": shop.customer.pk,
        "contact_pk": shop.contact.pk,
        "location_pk": shop.location.pk,
        "vehicle_pk": shop.vehicle.pk,
        "asset_pk": shop.asset.pk,
        "article_pk": shop.article.pk,
        "waste_type_pk": shop.waste_type.pk,
        "container_type_pk": shop.container_type.pk,
    }
    found = []
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        converters = pattern.pattern.converters
        if converters:
            kwargs = {name: ids[name] for name in converters}
            found.append((str(pattern.name), reverse(f"customers:{pattern.name}", kwargs=kwargs)))
    return found


MANAGE_VIEWS = {name for name in [p.name for p in urls.urlpatterns] if name} - {
    "list",
    "detail",
    "article_list",
    "waste_type_list",
    "container_type_list",
}


def test_every_object_url_is_covered(shop: Shop) -> None:
    names = {name for name, _ in object_urls(shop)}
    assert len(names) == 22
    assert {"detail", "contact_edit", "asset_remove", "article_edit", "vehicle_transfer"} <= names


def test_outsider_gets_404_for_every_object_url_of_another_tenant(
    outsider_client: Any, shop: Shop
) -> None:
    for name, url in object_urls(shop):
        assert outsider_client.get(url).status_code == 404, name
        assert outsider_client.post(url, {"customer": shop.other.pk}).status_code == 404, name
    with scopes_disabled():
        assert Contact.objects.filter(pk=shop.contact.pk).exists()
        assert Vehicle.objects.get(pk=shop.vehicle.pk).customer_id == shop.customer.pk
        assert Article.objects.filter(pk=shop.article.pk).exists()


def test_outsider_does_not_see_tenant_a_in_list_or_search(outsider_client: Any, shop: Shop) -> None:
    page = html(outsider_client.get(reverse("customers:list"), {"q": "müller"}))
    assert "Müller" not in page
    assert "Ölwechsel" not in html(outsider_client.get(reverse("customers:article_list")))


def test_child_under_another_customer_gets_404(owner_client: Any, shop: Shop) -> None:
    wrong = [
        reverse("customers:contact_edit", args=[shop.other.pk, shop.contact.pk]),
        reverse("customers:location_remove", args=[shop.other.pk, shop.location.pk]),
        reverse("customers:vehicle_transfer", args=[shop.other.pk, shop.vehicle.pk]),
        reverse("customers:asset_edit", args=[shop.other.pk, shop.asset.pk]),
    ]
    for url in wrong:
        assert owner_client.get(url).status_code == 404, url


def test_techniker_gets_403_on_every_edit_page(techniker_client: Any, shop: Shop) -> None:
    by_name = dict(object_urls(shop))
    by_name |= {
        "create": reverse("customers:create"),
        "article_create": reverse("customers:article_create"),
        "waste_type_create": reverse("customers:waste_type_create"),
        "container_type_create": reverse("customers:container_type_create"),
    }
    assert set(by_name) >= MANAGE_VIEWS
    for name in MANAGE_VIEWS:
        assert techniker_client.get(by_name[name]).status_code == 403, name
        assert techniker_client.post(by_name[name], {}).status_code == 403, name
    for name in ("list", "article_list", "waste_type_list", "container_type_list"):
        assert techniker_client.get(reverse(f"customers:{name}")).status_code == 200


def test_anonymous_is_sent_to_login(client: Any, shop: Shop) -> None:
    response = client.get(reverse("customers:detail", args=[shop.customer.pk]))
    assert response.status_code == 302
    assert "next=" in response.url


def test_contact_form_shows_german_numbers_in_national_format(
    owner_client: Any, shop: Shop
) -> None:
    url = reverse("customers:contact_edit", args=[shop.customer.pk, shop.contact.pk])
    assert 'value="0171 1234567"' in html(owner_client.get(url))
