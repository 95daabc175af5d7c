"""The container shop's rules and the order chain (services)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.http import Http404

from theke.audit.feed import FeedEvent
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.customers.models import Asset, Location
from theke.messaging.models import OutboundMessage
from theke.orders import services as orders
from theke.orders.models import Order, OrderKind, OrderStatus
from theke.portal.models import PortalSettings
from theke.portal.services import shop
from theke.portal.services.shop import NewLocation, ShopError
from theke.portal.tests.world import World
from theke.tenants.scoping import tenant_scope

MONDAY = datetime.date(2026, 6, 1)  # Fronleichnam is Thursday, 4 June 2026
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def scoped(world: World) -> Iterator[World]:
    with tenant_scope(world.tenant):
        PortalSettings.objects.create(tenant=world.tenant, lead_time_days=2)
        yield world


def order(world: World, user: Any = None, **values: Any) -> Order:
    defaults: dict[str, Any] = {
        "waste_type": world.waste["bau"],
        "container_type": world.containers["mulde7"],
        "location": world.locations[1],  # Berlin
        "date": datetime.date(2026, 6, 5),
        "note": "Bitte an der Einfahrt abstellen.",
        "today": MONDAY,
    }
    defaults.update(values)
    return shop.place_container_order(user or world.admin, **defaults)


# --- catalog ---------------------------------------------------------------------------------


def test_waste_type_offers_only_its_placeable_active_sizes(scoped: World) -> None:
    world = scoped
    assert shop.container_types_for(world.waste["bau"]) == [
        world.containers["mulde7"],
        world.containers["abroll20"],
    ]
    assert shop.container_types_for(world.waste["holz"]) == [
        world.containers["mulde7"],
        world.containers["mulde10"],
    ]
    world.containers["abroll20"].is_active = False
    world.containers["abroll20"].save()
    world.containers["mulde10"].order_kinds = ["exchange"]
    world.containers["mulde10"].save()
    assert shop.container_types_for(world.waste["holz"]) == [world.containers["mulde7"]]
    assert shop.container_types_for(world.waste["bau"]) == [world.containers["mulde7"]]


def test_a_size_of_another_waste_type_is_refused(scoped: World) -> None:
    with pytest.raises(ShopError) as refused:
        order(scoped, container_type=scoped.containers["mulde10"])  # wood only
    assert refused.value.field == "container_type"


def test_prices_only_where_the_tenant_shows_them_and_the_user_sees_them(scoped: World) -> None:
    assert shop.prices_visible(scoped.admin)
    assert not shop.prices_visible(scoped.orderer)
    PortalSettings.objects.filter(tenant=scoped.tenant).update(show_prices=False)
    assert not shop.prices_visible(scoped.admin)


# --- dates -----------------------------------------------------------------------------------


def test_lead_time_counts_working_days(scoped: World) -> None:
    assert shop.earliest_date(scoped.tenant, "BE", MONDAY) == datetime.date(2026, 6, 3)
    friday = datetime.date(2026, 6, 5)
    # Saturday counts (Werktag), Sunday does not: Sat 6 (1), Mon 8 (2).
    assert shop.earliest_date(scoped.tenant, "BE", friday) == datetime.date(2026, 6, 8)
    with pytest.raises(ShopError) as refused:
        shop.check_date(scoped.tenant, "BE", datetime.date(2026, 6, 2), MONDAY)
    assert refused.value.code == "too_early"
    assert "03.06.2026" in refused.value.messages[0]


def test_sunday_is_refused(scoped: World) -> None:
    with pytest.raises(ShopError) as refused:
        shop.check_date(scoped.tenant, "BE", datetime.date(2026, 6, 7), MONDAY)
    assert refused.value.code == "sunday"
    assert "Sonntags" in refused.value.messages[0]


def test_holidays_follow_the_locations_federal_state(scoped: World) -> None:
    tuesday = datetime.date(2026, 6, 2)
    corpus_christi = datetime.date(2026, 6, 4)
    # Bavaria: Fronleichnam is a holiday, so the lead time skips it.
    with pytest.raises(ShopError) as refused:
        shop.check_date(scoped.tenant, "BY", corpus_christi, MONDAY)
    assert refused.value.code == "holiday"
    assert "Fronleichnam" in refused.value.messages[0]
    assert shop.earliest_date(scoped.tenant, "BY", tuesday) == datetime.date(2026, 6, 5)
    # Berlin: an ordinary Thursday.
    assert shop.check_date(scoped.tenant, "BE", corpus_christi, MONDAY) == corpus_christi
    assert shop.earliest_date(scoped.tenant, "BE", tuesday) == corpus_christi
    # Reformationstag (Saturday, 31 October 2026) in Brandenburg, not in Berlin.
    reformation = datetime.date(2026, 10, 31)
    with pytest.raises(ShopError):
        shop.check_date(scoped.tenant, "BB", reformation, MONDAY)
    assert shop.check_date(scoped.tenant, "BE", reformation, MONDAY) == reformation


def test_the_location_state_comes_from_the_postcode(scoped: World) -> None:
    munich = scoped.locations[0]
    assert shop.state_of(munich) == "BY"
    with pytest.raises(ShopError) as refused:
        order(scoped, location=munich, date=datetime.date(2026, 6, 4))
    assert refused.value.code == "holiday"
    assert shop.state_of(None, "14467") == "BB"  # Potsdam


# --- placing an order ------------------------------------------------------------------------


def test_order_for_a_confirmed_location_goes_to_dispatch_at_once(
    scoped: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        placed = order(scoped)
    assert placed.number == "P-2026-00001"
    assert placed.external_id is None and placed.released_at is not None
    assert placed.kind == OrderKind.PLACEMENT and placed.status == OrderStatus.OPEN
    assert placed.ordered_by == scoped.admin.account
    asset = Asset.objects.get(orders=placed)
    assert asset.location == scoped.locations[1] and asset.placed_on is None
    assert asset.container_type == scoped.containers["mulde7"]
    event = FeedEvent.objects.get(type="portal.order.created")
    payload = event.payload
    assert payload["portal_order_id"] == placed.pk
    assert payload["customer"]["number"] == "K-1001"
    assert payload["location"]["street"] == "Südring 5"
    assert payload["container_type"]["name"] == "Absetzmulde 7 m³ offen"
    assert payload["wish_date"] == "2026-06-05"
    assert payload["note"] == "Bitte an der Einfahrt abstellen."
    received = [m for m in mail.outbox if "P-2026-00001" in m.subject]
    assert [m.to for m in received] == [["Eva Berg <eva.berg@bau-berg.test>"]]
    assert "05.06.2026" in received[0].body
    assert order(scoped).number == "P-2026-00002"


def test_dispatch_gets_a_copy_when_an_address_is_set(scoped: World) -> None:
    PortalSettings.objects.filter(tenant=scoped.tenant).update(dispatch_email="dispo@test.de")
    placed = order(scoped)
    recipients = set(
        OutboundMessage.objects.filter(purpose="portal_order_received").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {"eva.berg@bau-berg.test", "dispo@test.de"}
    assert placed.pk


def test_two_submissions_of_one_form_make_one_order(scoped: World) -> None:
    first = order(scoped, submission="form-1")
    second = order(scoped, submission="form-1")
    assert first.pk == second.pk
    assert Order.objects.filter(origin="portal").count() == 1
    assert Asset.objects.filter(placed_on__isnull=True).count() == 1
    assert order(scoped, submission="form-2").pk != first.pk


def test_public_ground_needs_the_permit_or_the_request(scoped: World) -> None:
    with pytest.raises(ShopError) as refused:
        order(scoped, public_ground=True)
    assert refused.value.code == "permit_required"
    with pytest.raises(ServiceError) as wrong_type:
        order(scoped, public_ground=True, permit=b"<html>not a permit</html>")
    assert wrong_type.value.field == "permit"
    by_service = order(scoped, public_ground=True, permit_by_service=True)
    assert by_service.permit_by_service and not by_service.permit
    uploaded = order(scoped, public_ground=True, permit=PDF)
    assert str(uploaded.permit.name).endswith(".pdf") and not uploaded.permit_by_service
    event = FeedEvent.objects.filter(type="portal.order.created").order_by("-id").first()
    assert event is not None
    assert event.payload["permit_url"].endswith(f"/api/v1/portal-orders/{uploaded.pk}/permit")


def test_restricted_user_cannot_order_for_another_location(scoped: World) -> None:
    with pytest.raises(Http404):
        order(scoped, user=scoped.orderer, location=scoped.locations[1])
    with pytest.raises(Http404):
        order(scoped, location=scoped.other_location)
    with pytest.raises(Http404):
        order(scoped, user=scoped.reader)
    assert not Order.objects.filter(origin="portal").exists()


def test_new_location_waits_and_is_released_on_confirmation(scoped: World) -> None:
    placed = order(
        scoped,
        user=scoped.orderer,
        location=None,
        new_location=NewLocation(
            "Neubau Ost", "Oststraße 3", "14467", "Potsdam", access_notes="Tor 2, Höhe 4 m"
        ),
    )
    location = Location.objects.get(orders=placed)
    assert location.needs_confirmation and location.state == "BB"
    assert location.access_notes == "Tor 2, Höhe 4 m"
    assert location in scoped.orderer.locations.all()  # granted to the restricted user
    assert placed.released_at is None
    assert not FeedEvent.objects.filter(type="portal.order.created").exists()

    released = shop.confirm_location(location, SYSTEM)
    assert [o.pk for o in released] == [placed.pk]
    placed.refresh_from_db()
    assert placed.released_at is not None
    event = FeedEvent.objects.get(type="portal.order.created")
    assert event.payload["location"]["access_notes"] == "Tor 2, Höhe 4 m"
    assert shop.confirm_location(location, SYSTEM) == []
    assert FeedEvent.objects.filter(type="portal.order.created").count() == 1


def test_new_location_needs_a_complete_address(scoped: World) -> None:
    with pytest.raises(ShopError) as refused:
        order(scoped, location=None, new_location=NewLocation("", "", "14467", "Potsdam"))
    assert refused.value.field == "street"
    with pytest.raises(ShopError) as refused:
        order(scoped, location=None, new_location=NewLocation("", "Weg 1", "999", "Ort"))
    assert refused.value.field == "postal_code"
    assert not Location.objects.filter(needs_confirmation=True).exists()


# --- orders on placed containers ---------------------------------------------------------------


def test_order_on_container_only_for_allowed_kinds(scoped: World) -> None:
    abroll = scoped.assets[1]  # no emptying
    assert shop.allowed_kinds(abroll) == ["exchange", "withdrawal"]
    with pytest.raises(ShopError) as refused:
        shop.order_on_container(scoped.admin, abroll, kind="emptying", today=MONDAY)
    assert refused.value.code == "not_allowed"
    placed = shop.order_on_container(
        scoped.admin, abroll, kind="exchange", note="Voll", today=MONDAY
    )
    assert placed.released_at is not None and placed.kind == "exchange"
    assert placed.container_type == scoped.containers["abroll20"]
    with pytest.raises(ShopError) as refused:
        shop.order_on_container(scoped.admin, abroll, kind="exchange", today=MONDAY)
    assert refused.value.code == "already_open"


def test_order_on_container_checks_the_wish_date_and_reach(scoped: World) -> None:
    mulde = scoped.assets[0]  # Munich
    with pytest.raises(ShopError):
        shop.order_on_container(
            scoped.admin, mulde, kind="emptying", wish_date=datetime.date(2026, 6, 4), today=MONDAY
        )
    with pytest.raises(Http404):
        shop.order_on_container(scoped.orderer, scoped.assets[2], kind="emptying", today=MONDAY)
    with pytest.raises(Http404):
        shop.order_on_container(scoped.reader, mulde, kind="emptying", today=MONDAY)


# --- the back office's answer ------------------------------------------------------------------


def test_planned_date_mails_once_per_date_and_completion_places_the_container(
    scoped: World, django_capture_on_commit_callbacks: Any
) -> None:
    placed = order(scoped)
    orders.assign_external_id(scoped.tenant, SYSTEM, placed.pk, "AUF-1")
    with django_capture_on_commit_callbacks(execute=True):
        orders.upsert_orders(
            scoped.tenant, SYSTEM, [("AUF-1", {"planned_date": "2026-06-05", "status": "planned"})]
        )
        orders.upsert_orders(scoped.tenant, SYSTEM, [("AUF-1", {"planned_date": "2026-06-05"})])
    planned = [m for m in mail.outbox if "Ausführung am" in m.subject]
    assert len(planned) == 1 and "05.06.2026" in planned[0].subject
    orders.upsert_orders(scoped.tenant, SYSTEM, [("AUF-1", {"planned_date": "2026-06-06"})])
    assert OutboundMessage.objects.filter(purpose="portal_order_planned").count() == 2

    orders.upsert_orders(scoped.tenant, SYSTEM, [("AUF-1", {"status": "completed"})])
    placed.refresh_from_db()
    assert placed.completed_at is not None
    assert Asset.objects.get(orders=placed).placed_on == datetime.date(2026, 6, 6)
    follow_up = shop.order_on_container(
        scoped.admin, Asset.objects.get(orders=placed), kind="emptying", today=MONDAY
    )
    assert follow_up.follows_id == placed.pk


def test_a_completed_withdrawal_takes_the_container_out_of_stock(scoped: World) -> None:
    mulde = scoped.assets[0]
    withdrawal = shop.order_on_container(scoped.admin, mulde, kind="withdrawal", today=MONDAY)
    orders.assign_external_id(scoped.tenant, SYSTEM, withdrawal.pk, "AUF-9")
    orders.upsert_orders(scoped.tenant, SYSTEM, [("AUF-9", {"status": "completed"})])
    assert not Asset.objects.filter(pk=mulde.pk).exists()
    withdrawal.refresh_from_db()
    assert withdrawal.container_type == scoped.containers["mulde7"]
    assert withdrawal.location == scoped.locations[0]


def test_an_external_id_is_assigned_once(scoped: World) -> None:
    first, second = order(scoped), order(scoped)
    orders.assign_external_id(scoped.tenant, SYSTEM, first.pk, "AUF-1")
    orders.assign_external_id(scoped.tenant, SYSTEM, first.pk, "AUF-1")
    with pytest.raises(orders.OrderError) as refused:
        orders.assign_external_id(scoped.tenant, SYSTEM, first.pk, "AUF-2")
    assert refused.value.code == "already_assigned"
    with pytest.raises(orders.OrderError) as refused:
        orders.assign_external_id(scoped.tenant, SYSTEM, second.pk, "AUF-1")
    assert refused.value.code == "duplicate"


# --- rent-free days ----------------------------------------------------------------------------


def test_rent_free_reminder_goes_once_to_the_customers_admins(scoped: World) -> None:
    PortalSettings.objects.filter(tenant=scoped.tenant).update(
        rent_free_days=14, rent_reminder_days=3
    )
    today = datetime.date.today()
    # The world's containers were placed 12 days ago: their last free day is in 1 day.
    # Bau Berg's three containers to its one admin, Adler's one to theirs.
    assert shop.send_rent_free_reminders(today) == 4
    shop.send_rent_free_reminders(today)  # again: the dedupe key keeps one per container
    sent = OutboundMessage.objects.filter(purpose="portal_rent_free_ending")
    assert sent.count() == 4
    assert set(sent.values_list("recipient", flat=True)) == {
        "eva.berg@bau-berg.test",
        "anna.adler@adler.test",
    }
    first = sent.first()
    assert first is not None and "(verbleibende Tage: 1)" in first.body_text
    # Long before or after the window: nothing.
    assert shop.send_rent_free_reminders(today - datetime.timedelta(days=10)) == 0
    assert shop.send_rent_free_reminders(today + datetime.timedelta(days=5)) == 0
