"""The customer's decision on an estimate and the five-step chain that follows it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.audit.models import AuditEvent, FeedEvent
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateDecision, EstimateLink, EstimateStatus
from theke.messaging.models import InternalMessage, OutboundMessage
from theke.orders.models import Order
from theke.tenants.scoping import tenant_scope

POSITIONS: list[dict[str, Any]] = [
    {"text": "Display tauschen", "quantity": "1", "unit_price": "89.00", "vat_rate": "19"},
    {"text": "Ersatzdisplay", "quantity": "1", "unit_price": "149.90", "vat_rate": "19"},
    {
        "text": "Panzerglas",
        "quantity": "1",
        "unit_price": "19.99",
        "vat_rate": "19",
        "is_optional": True,
    },
]


@pytest.fixture
def fees(tenant_a: Any) -> dict[str, Any]:
    with tenant_scope(tenant_a):
        back = customers.create_article(
            tenant_a,
            SYSTEM,
            number="PA-RUECK",
            text="Rückversand-Pauschale",
            price="9.90",
            is_special=True,
        )
        bin_ = customers.create_article(
            tenant_a,
            SYSTEM,
            number="PA-ENTS",
            text="Entsorgungs-Pauschale",
            price="5.00",
            is_special=True,
        )
    return {"return_shipping": back, "disposal": bin_}


@pytest.fixture
def order(tenant_a: Any, customer: Any) -> Order:
    with tenant_scope(tenant_a):
        return Order.objects.create(
            tenant=tenant_a, external_id="A-1", number="A-1001", customer=customer
        )


def make_estimate(tenant: Any, customer: Any, **values: Any) -> tuple[Estimate, EstimateLink]:
    values.setdefault("number", "KV-4711")
    values.setdefault("object_description", "Smartphone Galaxy S21")
    values.setdefault("order_external_id", "A-1")
    values.setdefault("valid_until", timezone.localdate() + timedelta(days=14))
    with tenant_scope(tenant):
        estimate, _created = services.save_estimate(
            tenant, SYSTEM, "KV-1", {"customer": customer, **values}, POSITIONS
        )
        link, _token = services.create_link(tenant, SYSTEM, "KV-1")
    link.refresh_from_db()
    return estimate, link


def accept(link: EstimateLink, **values: Any) -> EstimateDecision:
    values.setdefault("name", "Eva Berg")
    values.setdefault("terms_accepted", True)
    values.setdefault("ip", "203.0.113.5")
    values.setdefault("user_agent", "Test/1.0")
    return services.accept_estimate(link, **values)


def optional_id(estimate: Estimate) -> int:
    with tenant_scope(estimate.tenant):
        return estimate.positions.get(is_optional=True).pk


def test_accept_stores_the_decision_with_all_positions(tenant_a: Any, customer: Any) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    decision = accept(link)
    estimate.refresh_from_db()
    assert estimate.status == EstimateStatus.ACCEPTED
    assert decision.answer == "accepted"
    assert decision.version == 1
    assert decision.signed_name == "Eva Berg"
    assert decision.ip_address == "203.0.113.5"
    assert decision.user_agent == "Test/1.0"
    assert (decision.net_total, decision.vat_total, decision.gross_total) == (
        Decimal("258.89"),
        Decimal("49.19"),
        Decimal("308.08"),
    )
    assert len(decision.selected_positions) == 3


def test_accept_without_the_optional_position_leaves_out_its_amounts(
    tenant_a: Any, customer: Any
) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    decision = accept(link, optional_position_ids=[])
    # 89.00 + 149.90 = 238.90 net; VAT 16.91 + 28.48 = 45.39
    assert (decision.net_total, decision.vat_total, decision.gross_total) == (
        Decimal("238.90"),
        Decimal("45.39"),
        Decimal("284.29"),
    )
    assert optional_id(estimate) not in decision.selected_positions
    totals = services.selected_totals(estimate, [optional_id(estimate)])
    assert totals.gross == Decimal("308.08")


def test_decline_with_return_shipping_to_a_corrected_address_takes_its_fee(
    tenant_a: Any, customer: Any, fees: Any
) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    address = {
        "name": "Eva Berg",
        "street": "Neue Straße 5",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "de",
    }
    decision = services.decline_estimate(
        link, choice="return_shipping", name="Eva Berg", terms_accepted=True, address=address
    )
    estimate.refresh_from_db()
    assert estimate.status == EstimateStatus.DECLINED
    assert decision.fee_article == fees["return_shipping"]
    assert (decision.fee_net, decision.fee_vat, decision.fee_gross) == (
        Decimal("9.90"),
        Decimal("1.88"),
        Decimal("11.78"),
    )
    assert decision.address_street == "Neue Straße 5"
    assert decision.address_country == "DE"
    assert decision.address_corrected is True


def test_decline_with_disposal_takes_the_configured_fee(
    tenant_a: Any, customer: Any, fees: Any
) -> None:
    with tenant_scope(tenant_a):
        special = customers.create_article(
            tenant_a,
            SYSTEM,
            number="X-ENT",
            text="Entsorgung Spezial",
            price="7.00",
            is_special=True,
        )
    services.set_fee_articles(
        tenant_a, SYSTEM, return_shipping=fees["return_shipping"], disposal=special
    )
    _estimate, link = make_estimate(tenant_a, customer)
    decision = services.decline_estimate(
        link, choice="disposal", name="Eva Berg", terms_accepted=True
    )
    assert decision.fee_text == "Entsorgung Spezial"
    assert decision.fee_gross == Decimal("8.33")
    assert decision.address_street == ""


def test_fee_articles_must_be_special(tenant_a: Any, article: Any, fees: Any) -> None:
    with pytest.raises(ServiceError) as info:
        services.set_fee_articles(tenant_a, SYSTEM, return_shipping=article, disposal=None)
    assert info.value.code == "not_special"


def test_second_accept_keeps_first_decision(tenant_a: Any, customer: Any, fees: Any) -> None:
    _estimate, link = make_estimate(tenant_a, customer)
    first = accept(link)
    with pytest.raises(ServiceError) as info:
        services.decline_estimate(link, choice="disposal", name="X", terms_accepted=True)
    assert info.value.code == "already_decided"
    with pytest.raises(ServiceError):
        accept(link)
    with scopes_disabled():
        assert EstimateDecision.objects.get() == first


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("expired_link", "expired"),
        ("expired_estimate", "expired"),
        ("revoked", "revoked"),
        ("revoked_link", "revoked"),
    ],
)
def test_refusals_of_links_and_estimates(
    tenant_a: Any, customer: Any, change: str, code: str
) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    with scopes_disabled():
        if change == "expired_link":
            EstimateLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
        elif change == "expired_estimate":
            Estimate.objects.filter(pk=estimate.pk).update(
                valid_until=timezone.localdate() - timedelta(days=1)
            )
        elif change == "revoked":
            with tenant_scope(tenant_a):
                services.revoke_estimate(estimate, SYSTEM)
        else:
            EstimateLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    link.refresh_from_db()
    with pytest.raises(ServiceError) as info:
        accept(link)
    assert info.value.code == code
    with scopes_disabled():
        assert not EstimateDecision.objects.exists()
        assert not OutboundMessage.objects.filter(purpose="estimate_answer_company").exists()


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"terms_accepted": False}, "terms_required"),
        ({"name": "   "}, "required"),
        ({"optional_position_ids": [999999]}, "unknown_position"),
        ({"optional_position_ids": ["x"]}, "unknown_position"),
        ({"version": 2}, "superseded"),
    ],
)
def test_refusals_of_the_answer(tenant_a: Any, customer: Any, values: Any, code: str) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    with pytest.raises(ServiceError) as info:
        accept(link, **values)
    assert info.value.code == code
    estimate.refresh_from_db()
    assert estimate.status == EstimateStatus.SENT


def test_a_required_position_cannot_be_left_out(tenant_a: Any, customer: Any) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    with tenant_scope(tenant_a):
        required = estimate.positions.filter(is_optional=False)[0]
    with pytest.raises(ServiceError) as info:
        accept(link, optional_position_ids=[required.pk])
    assert info.value.code == "unknown_position"


def test_return_shipping_needs_an_address(tenant_a: Any, customer: Any, fees: Any) -> None:
    _estimate, link = make_estimate(tenant_a, customer)
    with pytest.raises(ServiceError) as info:
        services.decline_estimate(
            link, choice="return_shipping", name="Eva", terms_accepted=True, address={}
        )
    assert info.value.field == "address.name"
    with pytest.raises(ServiceError) as info:
        services.decline_estimate(link, choice="nothing", name="Eva", terms_accepted=True)
    assert info.value.code == "required"


def test_accept_runs_the_five_step_chain(
    tenant_a: Any, customer: Any, order: Order, fees: Any
) -> None:
    tenant_a.notification_email = "werkstatt@alpha.test"
    tenant_a.save(update_fields=["notification_email"])
    technician = make_staff(tenant_a, "tom@alpha.test", "Tom Technik", "Techniker")
    estimate, link = make_estimate(
        tenant_a, customer, technician_email="tom@alpha.test", technician_name="Tom Technik"
    )
    decision = accept(link, optional_position_ids=[])
    with scopes_disabled():
        # (1) e-mail to the company's address with the decision and the staff link
        mail = OutboundMessage.objects.get(purpose="estimate_answer_company")
        assert mail.recipient == "werkstatt@alpha.test"
        assert "KV-4711" in mail.subject and "angenommen" in mail.subject
        assert "Eva Berg" in mail.body_text
        assert "284,29\N{NO-BREAK SPACE}€ brutto" in mail.body_text  # in the tenant's German
        assert "Panzerglas" in mail.body_text  # left out, named
        assert f"https://theke.example/staff/estimates/{estimate.pk}/" in mail.body_text
        assert mail.dedupe_key.startswith(f"estimate-decision:{decision.pk}:company")
        # (2) status
        assert Estimate.objects.get(pk=estimate.pk).status == EstimateStatus.ACCEPTED
        # (3) a note in the technician's inbox
        note = InternalMessage.objects.get(recipient_user=technician)
        assert note.url == f"/staff/estimates/{estimate.pk}/"
        assert "KV-4711" in note.subject
        # (4) the order's journal and (5) the estimate's history
        on_order = AuditEvent.objects.get(action="order.estimate_answered")
        assert on_order.object_id == str(order.pk)
        on_estimate = AuditEvent.objects.get(action="estimate.accepted")
        assert on_estimate.object_id == str(estimate.pk)
        assert on_estimate.actor_label == "Eva Berg"
        event = FeedEvent.objects.get(type="estimate.accepted")
    assert event.external_id == "KV-1"
    assert event.payload["totals"] == {"net": "238.90", "vat": "45.39", "gross": "284.29"}
    assert event.payload["selected_positions"] == [1, 2], "position numbers, not row ids"
    assert event.payload["choice"] is None


def test_decline_note_goes_to_the_estimate_managers_without_a_technician(
    tenant_a: Any, customer: Any, fees: Any
) -> None:
    _estimate, link = make_estimate(tenant_a, customer)
    decision = services.decline_estimate(
        link,
        choice="return_shipping",
        name="Eva Berg",
        terms_accepted=True,
        address={"name": "Eva Berg", "street": "A 1", "postal_code": "1", "city": "B"},
    )
    with scopes_disabled():
        notes = list(InternalMessage.objects.all())
        assert notes and all(n.recipient_role_id for n in notes)
        roles = [n.recipient_role for n in notes if n.recipient_role is not None]
        assert len(roles) == len(notes)
        assert all(r.is_admin or "estimates.manage" in r.permissions for r in roles)
        # no notification address: the tenant's main e-mail, and the rest of the chain
        mail = OutboundMessage.objects.get(purpose="estimate_answer_company")
        assert mail.recipient == tenant_a.email
        assert not AuditEvent.objects.filter(action="order.estimate_answered").exists()
        event = FeedEvent.objects.get(type="estimate.declined")
    assert event.payload["choice"] == "return_shipping"
    assert event.payload["fee"]["article_number"] == "PA-RUECK"
    assert event.payload["fee"]["gross"] == "11.78"
    assert event.payload["return_address"]["street"] == "A 1"
    assert decision.address_corrected is True


def test_billing_address_prefills_and_unchanged_is_not_corrected(
    tenant_a: Any, customer: Any, fees: Any
) -> None:
    with tenant_scope(tenant_a):
        customers.add_location(
            customer,
            SYSTEM,
            street="Hauptstr. 1",
            postal_code="10115",
            city="Berlin",
            is_billing=True,
        )
    estimate, link = make_estimate(tenant_a, customer)
    address = services.billing_address(estimate)
    assert address["street"] == "Hauptstr. 1"
    decision = services.decline_estimate(
        link, choice="return_shipping", name="Eva Berg", terms_accepted=True, address=address
    )
    assert decision.address_corrected is False
