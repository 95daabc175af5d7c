"""The staff page of the estimate settings: link days, reminder, flat-fee articles."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import make_staff
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.estimates import services
from theke.estimates.models import DeclineChoice, EstimateSettings
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db

URL = "/staff/estimates/settings/"


@pytest.fixture
def specials(tenant_a: Any) -> dict[str, Any]:
    with tenant_scope(tenant_a):
        return {
            "back": customers.create_article(
                tenant_a,
                SYSTEM,
                number="RV-1",
                text="Rückversand DHL",
                price="12.50",
                is_special=True,
            ),
            "bin": customers.create_article(
                tenant_a,
                SYSTEM,
                number="EN-1",
                text="Entsorgung Elektro",
                price="7.00",
                is_special=True,
            ),
            "plain": customers.create_article(
                tenant_a, SYSTEM, number="D-1", text="Display", price="99.00"
            ),
        }


def form(**values: Any) -> dict[str, Any]:
    data = {
        "link_days": "30",
        "reminder_days": "",
        "return_shipping_article": "",
        "disposal_article": "",
        "pickup_unrepaired_article": "",
        "scrapping_article": "",
        # Checkboxes: sent when ticked; every decline choice offered.
        "return_shipping_enabled": "on",
        "disposal_enabled": "on",
        "pickup_unrepaired_enabled": "on",
        "scrapping_enabled": "on",
    }
    data.update({k: str(v) for k, v in values.items()})
    return data


def test_the_settings_hub_links_the_page(owner_client: Any) -> None:
    page = owner_client.get(reverse("tenants:settings")).content.decode()
    assert URL in page


def test_defaults_show_thirty_days_and_no_reminder(owner_client: Any) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="link_days" value="30"' in page
    assert 'placeholder="keine Erinnerung"' in page
    assert "ohne Pauschale" in page


def test_saving_switches_the_reminder_on_and_picks_the_fee_articles(
    owner_client: Any, tenant_a: Any, specials: dict[str, Any]
) -> None:
    response = owner_client.post(
        URL,
        form(
            link_days=14,
            reminder_days=5,
            return_shipping_article=specials["back"].pk,
            disposal_article=specials["bin"].pk,
        ),
    )
    assert response.status_code == 302
    with scopes_disabled():
        row = EstimateSettings.objects.get(tenant=tenant_a)
        event = AuditEvent.objects.get(action="estimate_settings.changed")
    assert (row.link_days, row.reminder_days) == (14, 5)
    assert row.return_shipping_article == specials["back"]
    assert event.data["changes"]["reminder_days"] == [None, 5]
    assert services.link_days(tenant_a) == 14
    fee = services.fee_for(tenant_a, DeclineChoice.RETURN_SHIPPING)
    assert fee is not None and str(fee.gross) == "14.88"
    page = owner_client.get(URL).content.decode()
    assert "14,88" in page and "Rückversand DHL" in page
    assert "Einstellungen der Kostenvoranschläge geändert" in page


def test_saving_unchanged_values_writes_no_event(owner_client: Any, tenant_a: Any) -> None:
    owner_client.post(URL, form(reminder_days=3))
    owner_client.post(URL, form(reminder_days=3))
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="estimate_settings.changed").count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"link_days": 0}, "größer oder gleich 1"),
        ({"link_days": 400}, "kleiner oder gleich 365"),
        ({"reminder_days": 0}, "größer oder gleich 1"),
        ({"reminder_days": "bald"}, "ganze Zahl"),
    ],
)
def test_bad_numbers_are_refused_with_a_message(
    owner_client: Any, tenant_a: Any, values: dict[str, Any], message: str
) -> None:
    response = owner_client.post(URL, form(**values))
    assert response.status_code == 200
    assert message in response.content.decode()
    with scopes_disabled():
        assert not EstimateSettings.objects.filter(tenant=tenant_a).exists()


def test_only_special_articles_of_the_own_tenant_can_be_fees(
    owner_client: Any, tenant_b: Any, specials: dict[str, Any]
) -> None:
    with tenant_scope(tenant_b):
        foreign = customers.create_article(
            tenant_b, SYSTEM, number="RV-9", text="Fremd", price="1.00", is_special=True
        )
    for article in (specials["plain"], foreign):
        response = owner_client.post(URL, form(return_shipping_article=article.pk))
        assert response.status_code == 200
        assert "Dies ist keine gültige Auswahl." in response.content.decode()


def test_the_service_refuses_a_plain_article(tenant_a: Any, specials: dict[str, Any]) -> None:
    with pytest.raises(services.EstimateError) as refused:
        services.save_settings(tenant_a, SYSTEM, disposal_article=specials["plain"])
    assert refused.value.field == "disposal_article"


def test_staff_without_the_settings_right_get_403(client: Any, tenant_a: Any) -> None:
    advisor = make_staff(tenant_a, "berater@alpha.test", "Bea Berater", "Serviceberater")
    client.force_login(advisor)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(reminder_days=1)).status_code == 403
