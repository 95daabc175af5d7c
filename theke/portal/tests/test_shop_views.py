"""The shop's pages: the wizard, "Auftrag erstellen", and the dispatch staff pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from theke.audit.feed import FeedEvent
from theke.customers.models import Location
from theke.orders.models import Order
from theke.portal.services import shop
from theke.portal.tests.world import World, portal_client, url
from theke.tenants.scoping import tenant_scope

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def step(name: str, world: World) -> str:
    return url("shop", world) + f"?schritt={name}"


def earliest(world: World, state: str | None) -> datetime.date:
    with tenant_scope(world.tenant):
        return shop.earliest_date(world.tenant, state, timezone.localdate())


def walk_to_date(client: Any, world: World, location: str) -> None:
    assert (
        client.post(step("abfall", world), {"waste_type": world.waste["bau"].pk}).status_code == 302
    )
    response = client.get(step("groesse", world))
    assert "Absetzmulde 7 m³ offen" in response.content.decode()
    assert "Absetzmulde 10 m³" not in response.content.decode()  # wood only
    assert (
        client.post(
            step("groesse", world), {"container_type": world.containers["mulde7"].pk}
        ).status_code
        == 302
    )
    assert client.post(step("ort", world), {"location": location}).status_code == 302


def test_full_order_through_the_wizard(world: World) -> None:
    client = portal_client(world.admin)
    walk_to_date(client, world, str(world.locations[1].pk))
    day = earliest(world, "BE")
    page = client.get(step("termin", world)).content.decode()
    assert f'min="{day.isoformat()}"' in page and f'value="{day.isoformat()}"' in page
    response = client.post(step("termin", world), {"date": day.isoformat(), "note": "Hof 2"})
    assert response.status_code == 302, response.content.decode()
    review = client.get(step("pruefen", world)).content.decode()
    assert "Verbindlich bestellen" in review and "Hof 2" in review
    assert "189,00" in review  # the admin sees prices
    token = review.split('name="submission" value="')[1].split('"')[0]
    done = client.post(step("pruefen", world), {"submission": token})
    assert done.status_code == 302
    again = client.post(step("pruefen", world), {"submission": token})  # a second click
    assert again.status_code in (302, 400)
    with tenant_scope(world.tenant):
        assert Order.objects.filter(origin="portal").count() == 1
        placed = Order.objects.get(origin="portal")
    assert placed.wish_date == day and placed.customer_note == "Hof 2"
    page = client.get(done["Location"]).content.decode()
    assert placed.number in page and reverse("portal:locations", args=[world.tenant.slug]) in page


def test_going_back_keeps_the_entries(world: World) -> None:
    client = portal_client(world.admin)
    walk_to_date(client, world, str(world.locations[1].pk))
    page = client.get(step("abfall", world)).content.decode()
    assert f'value="{world.waste["bau"].pk}" checked' in page
    page = client.get(step("ort", world)).content.decode()
    assert f'value="{world.locations[1].pk}" checked' in page


def test_skipping_steps_leads_back_to_the_first_missing_one(world: World) -> None:
    client = portal_client(world.admin)
    response = client.get(step("pruefen", world))
    assert response.status_code == 302 and response["Location"].endswith("schritt=abfall")


def test_sunday_and_too_early_are_refused_next_to_the_date(world: World) -> None:
    client = portal_client(world.admin)
    walk_to_date(client, world, str(world.locations[1].pk))
    today = timezone.localdate()
    sunday = today + datetime.timedelta(days=(6 - today.weekday()) % 7 + 7)
    response = client.post(step("termin", world), {"date": sunday.isoformat()})
    assert response.status_code == 400
    assert "Sonntags liefern wir nicht" in response.content.decode()
    response = client.post(step("termin", world), {"date": today.isoformat()})
    assert "So kurzfristig können wir nicht liefern" in response.content.decode()
    response = client.post(step("termin", world), {"date": "kein Datum"})
    assert "gültiges Datum" in response.content.decode()


def test_public_ground_needs_a_permit_upload_or_the_request(world: World) -> None:
    client = portal_client(world.admin)
    walk_to_date(client, world, str(world.locations[1].pk))
    day = earliest(world, "BE").isoformat()
    response = client.post(step("termin", world), {"date": day, "public_ground": "on"})
    assert response.status_code == 400
    assert "Bitte laden Sie die Genehmigung hoch oder lassen Sie sie von uns beantragen." in (
        response.content.decode()
    )
    bad = SimpleUploadedFile("x.pdf", b"<html></html>", content_type="application/pdf")
    response = client.post(
        step("termin", world),
        {"date": day, "public_ground": "on", "permit_way": "upload", "permit": bad},
    )
    assert "Dateityp" in response.content.decode()
    good = SimpleUploadedFile("genehmigung.pdf", PDF, content_type="application/pdf")
    response = client.post(
        step("termin", world),
        {"date": day, "public_ground": "on", "permit_way": "upload", "permit": good},
    )
    assert response.status_code == 302
    review = client.get(step("pruefen", world)).content.decode()
    assert "genehmigung.pdf" in review
    token = review.split('name="submission" value="')[1].split('"')[0]
    assert client.post(step("pruefen", world), {"submission": token}).status_code == 302
    with tenant_scope(world.tenant):
        placed = Order.objects.get(origin="portal")
        assert placed.public_ground and placed.permit and placed.permit.read() == PDF


def test_new_location_from_the_shop_waits_for_staff(world: World) -> None:
    client = portal_client(world.orderer)
    assert (
        client.post(step("abfall", world), {"waste_type": world.waste["bau"].pk}).status_code == 302
    )
    client.post(step("groesse", world), {"container_type": world.containers["mulde7"].pk})
    response = client.post(step("ort", world), {"location": "neu", "street": "", "city": "X"})
    assert response.status_code == 400
    assert "Bitte geben Sie Straße und Hausnummer an." in response.content.decode()
    response = client.post(
        step("ort", world),
        {
            "location": "neu",
            "street": "Oststraße 3",
            "postal_code": "14467",
            "city": "Potsdam",
            "access_notes": "Tor 2",
        },
    )
    assert response.status_code == 302
    client.post(step("termin", world), {"date": earliest(world, "BB").isoformat()})
    review = client.get(step("pruefen", world)).content.decode()
    token = review.split('name="submission" value="')[1].split('"')[0]
    client.post(step("pruefen", world), {"submission": token})
    with tenant_scope(world.tenant):
        placed = Order.objects.get(origin="portal")
        assert placed.released_at is None
        assert Location.objects.get(orders=placed).needs_confirmation
        assert not FeedEvent.objects.filter(type="portal.order.created").exists()


def test_restricted_user_cannot_choose_another_location(world: World) -> None:
    client = portal_client(world.orderer)
    client.post(step("abfall", world), {"waste_type": world.waste["bau"].pk})
    client.post(step("groesse", world), {"container_type": world.containers["mulde7"].pk})
    page = client.get(step("ort", world)).content.decode()
    assert "Lager Süd" not in page and "Baustelle Nord" in page
    response = client.post(step("ort", world), {"location": str(world.locations[1].pk)})
    assert response.status_code == 400
    response = client.post(step("ort", world), {"location": str(world.other_location.pk)})
    assert response.status_code == 400


def test_read_only_users_get_404(world: World) -> None:
    client = portal_client(world.reader)
    assert client.get(url("shop", world)).status_code == 404
    assert client.get(url("container_order", world, world.assets[0].pk)).status_code == 404


def test_container_order_offers_only_allowed_kinds(world: World) -> None:
    client = portal_client(world.admin)
    page = client.get(url("container_order", world, world.assets[1].pk)).content.decode()
    assert 'value="exchange"' in page and 'value="emptying"' not in page
    token = page.split('name="submission" value="')[1].split('"')[0]
    response = client.post(
        url("container_order", world, world.assets[1].pk),
        {"kind": "emptying", "submission": token},
    )
    assert response.status_code == 400
    response = client.post(
        url("container_order", world, world.assets[1].pk),
        {"kind": "exchange", "note": "Bitte früh", "submission": token},
    )
    assert response.status_code == 302
    client.post(
        url("container_order", world, world.assets[1].pk),
        {"kind": "exchange", "note": "Bitte früh", "submission": token},
    )
    with tenant_scope(world.tenant):
        assert Order.objects.filter(origin="portal", kind="exchange").count() == 1
    response = client.post(
        url("container_order", world, world.assets[1].pk),
        {"kind": "exchange", "submission": "another"},
    )
    assert response.status_code == 400
    assert "bereits ein offener Auftrag" in response.content.decode()


def test_container_of_another_location_or_customer_is_404(world: World) -> None:
    client = portal_client(world.orderer)
    assert client.get(url("container_order", world, world.assets[2].pk)).status_code == 404
    assert client.get(url("container_order", world, world.other_asset.pk)).status_code == 404


# --- staff ---------------------------------------------------------------------------------


def test_dispatch_pages_list_and_confirm_new_locations(world: World, owner_client: Any) -> None:
    with tenant_scope(world.tenant):
        placed = shop.place_container_order(
            world.admin,
            waste_type=world.waste["bau"],
            container_type=world.containers["mulde7"],
            new_location=shop.NewLocation("Neubau", "Oststraße 3", "14467", "Potsdam"),
            date=earliest(world, "BB"),
        )
    page = owner_client.get(reverse("portal_staff:new_locations")).content.decode()
    assert "Oststraße 3" in page and placed.number in page
    page = owner_client.get(reverse("portal_staff:orders") + "?state=location").content.decode()
    assert placed.number in page
    start = owner_client.get(reverse("core:dashboard"))
    assert start.status_code == 200
    assert "Neue Lieferorte" in start.content.decode()
    with tenant_scope(world.tenant):
        location = Location.objects.get(orders=placed)
    response = owner_client.post(reverse("portal_staff:confirm_location", args=[location.pk]))
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        placed.refresh_from_db()
        assert placed.released_at is not None
    page = owner_client.get(reverse("portal_staff:orders")).content.decode()
    assert placed.number in page


def test_dispatch_pages_need_the_right(world: World, client: Any, colleague: Any) -> None:
    client.force_login(colleague)
    assert client.get(reverse("portal_staff:orders")).status_code in (403, 404)
    assert client.get(reverse("portal_staff:new_locations")).status_code in (403, 404)
