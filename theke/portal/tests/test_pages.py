"""The customer's pages: dashboard, lists with filters and CSV, invoices, locations and their
containers, the home-screen app."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from theke.customers.models import Location
from theke.orders.models import Invoice, InvoiceStatus, Order, OrderKind, OrderStatus
from theke.portal.containers import standing
from theke.portal.models import PortalSettings
from theke.portal.tests.world import World, portal_client, url
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def make_order(world: World, n: int, location: Location, **fields: Any) -> Order:
    defaults: dict[str, Any] = {
        "kind": OrderKind.EMPTYING,
        "status": OrderStatus.OPEN,
        "container_type": world.containers["mulde7"],
        "waste_type": world.waste["bau"],
        "wish_date": TODAY + datetime.timedelta(days=n),
    }
    defaults.update(fields)
    with tenant_scope(world.tenant):
        return Order.objects.create(
            tenant=world.tenant,
            customer=location.customer,
            location=location,
            number=f"A-{n:04d}",
            external_id=f"ext-{location.pk}-{n}",
            **defaults,
        )


def make_invoice(world: World, n: int, **fields: Any) -> Invoice:
    defaults: dict[str, Any] = {
        "issue_date": TODAY - datetime.timedelta(days=n),
        "net_total": Decimal("1000.00") + n,
        "gross_total": Decimal("1190.00") + n,
        "number": f"R-{n:04d}",
    }
    defaults.update(fields)
    with tenant_scope(world.tenant):
        return Invoice.objects.create(
            tenant=world.tenant,
            customer=defaults.pop("customer", world.customer),
            external_id=f"inv-{n}",
            **defaults,
        )


def csv_lines(response: Any) -> list[list[str]]:
    content = response.getvalue()
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return [line.split(";") for line in text[1:].strip("\r\n").split("\r\n")]


@pytest.fixture
def admin(world: World) -> Client:
    return portal_client(world.admin)


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_latest_orders_invoices_locations_and_the_app_box(
    world: World, admin: Client
) -> None:
    for n in range(7):
        make_order(world, n, world.locations[0])
    make_invoice(world, 1)
    page = admin.get(url("dashboard", world)).content.decode()
    assert page.count('href="/portal/') > 0
    assert "A-0006" in page and "A-0000" not in page  # the five latest only
    assert "R-0001" in page
    assert "Baustelle Nord" in page and "2 Container" in page
    assert "Container bestellen" in page
    assert "Theke als App" in page and "Zum Startbildschirm hinzufügen" in page
    assert url("analytics", world) in page


def test_dashboard_of_a_reader_offers_no_order_and_of_the_orderer_no_invoices(
    world: World,
) -> None:
    make_invoice(world, 1)
    reader = portal_client(world.reader).get(url("dashboard", world)).content.decode()
    assert url("shop", world) not in reader
    orderer = portal_client(world.orderer).get(url("dashboard", world)).content.decode()
    assert "R-0001" not in orderer and "Neueste Rechnungen" not in orderer
    assert "Lager Süd" not in orderer


# --- orders ----------------------------------------------------------------------------------


def test_orders_filter_search_sort_and_csv_equal_the_list(world: World, admin: Client) -> None:
    make_order(world, 1, world.locations[0], status=OrderStatus.PLANNED, title="Rückbau")
    make_order(world, 2, world.locations[1], status=OrderStatus.PLANNED)
    make_order(world, 3, world.locations[0], status=OrderStatus.COMPLETED)
    make_order(world, 4, world.locations[0], status=OrderStatus.PLANNED, kind=OrderKind.EXCHANGE)

    def numbers(query: str) -> list[str]:
        response = admin.get(url("orders", world) + query)
        return [o.number for o in response.context["page"].object_list]

    assert numbers("") == ["A-0004", "A-0003", "A-0002", "A-0001"]
    assert numbers("?sort=date") == ["A-0001", "A-0002", "A-0003", "A-0004"]
    assert numbers("?sort=number") == ["A-0001", "A-0002", "A-0003", "A-0004"]
    assert numbers("?status=planned") == ["A-0004", "A-0002", "A-0001"]
    assert numbers("?status=planned&kind=emptying") == ["A-0002", "A-0001"]
    assert numbers(f"?location={world.locations[0].pk}&status=planned") == ["A-0004", "A-0001"]
    assert numbers("?q=rückbau") == ["A-0001"]
    assert numbers("?q=Lager") == ["A-0002"]
    day2 = (TODAY + datetime.timedelta(days=2)).isoformat()
    day3 = (TODAY + datetime.timedelta(days=3)).isoformat()
    assert numbers(f"?date_from={day2}&date_to={day3}") == ["A-0003", "A-0002"]

    query = f"?status=planned&location={world.locations[0].pk}"
    lines = csv_lines(admin.get(url("orders", world) + query + "&format=csv"))
    assert lines[0][:3] == ["Auftragsart", "Auftragsnummer", "Bezeichnung"]
    assert lines[0][-1] == "Preis netto"
    assert [line[1] for line in lines[1:]] == numbers(query)
    assert lines[1][-1] == "189,00\xa0€"
    assert lines[1][0] == "Tausch" and lines[1][-2] == "Geplant"


def test_bad_filter_input_is_named_next_to_its_field_not_a_500(world: World, admin: Client) -> None:
    make_order(world, 1, world.locations[0])
    response = admin.get(
        url("orders", world) + f"?date_from=gestern&location={world.other_location.pk}"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and "id_date_from-error" in page
    assert "id_location-error" in page
    assert [o.number for o in response.context["page"].object_list] == ["A-0001"]


def test_orderer_sees_only_orders_of_the_granted_location_and_no_prices(world: World) -> None:
    make_order(world, 1, world.locations[0])
    make_order(world, 2, world.locations[1])
    client = portal_client(world.orderer)
    response = client.get(url("orders", world))
    assert [o.number for o in response.context["page"].object_list] == ["A-0001"]
    page = response.content.decode()
    assert "Preis netto" not in page and "189,00" not in page
    lines = csv_lines(client.get(url("orders", world) + "?format=csv"))
    assert "Preis netto" not in lines[0] and len(lines) == 2
    # A location not granted cannot be asked for by id either.
    response = client.get(url("orders", world) + f"?location={world.locations[1].pk}")
    assert [o.number for o in response.context["page"].object_list] == ["A-0001"]


def test_orders_paginate_by_fifty(world: World, admin: Client) -> None:
    for n in range(55):
        make_order(world, n, world.locations[0])
    first = admin.get(url("orders", world))
    assert len(first.context["page"].object_list) == 50
    second = admin.get(url("orders", world) + "?page=2")
    assert len(second.context["page"].object_list) == 5
    assert "Seite 2 von 2" in second.content.decode()
    assert len(csv_lines(admin.get(url("orders", world) + "?format=csv"))) == 56


def test_order_page_shows_history_and_a_follow_up_when_completed(
    world: World, admin: Client
) -> None:
    done = make_order(
        world,
        1,
        world.locations[0],
        asset=world.assets[0],
        status=OrderStatus.COMPLETED,
        planned_date=TODAY,
        completed_at=timezone.now(),
        customer_note="Bitte Tor 2",
    )
    page = admin.get(url("order", world, done.pk)).content.decode()
    assert "Termin geplant" in page and "Erledigt" in page and "Bitte Tor 2" in page
    assert url("container_order", world, world.assets[0].pk) in page
    open_one = make_order(world, 2, world.locations[0], asset=world.assets[0])
    page = admin.get(url("order", world, open_one.pk)).content.decode()
    assert url("container_order", world, world.assets[0].pk) not in page
    reader = portal_client(world.reader).get(url("order", world, done.pk)).content.decode()
    assert url("container_order", world, world.assets[0].pk) not in reader


# --- invoices --------------------------------------------------------------------------------


def test_invoices_filter_and_csv_in_german_excel_format(world: World, admin: Client) -> None:
    make_invoice(world, 1, status=InvoiceStatus.PAID)
    make_invoice(world, 2, gross_total=Decimal("1234.5"))
    make_invoice(world, 3, customer=world.other_customer)
    response = admin.get(url("invoices", world) + "?status=open")
    assert [i.number for i in response.context["page"].object_list] == ["R-0002"]
    response = admin.get(url("invoices", world) + "?q=0001")
    assert [i.number for i in response.context["page"].object_list] == ["R-0001"]
    csv = admin.get(url("invoices", world) + "?format=csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == 'attachment; filename="Rechnungen.csv"'
    lines = csv_lines(csv)
    assert lines[0] == [
        "Rechnungsnummer",
        "Rechnungsdatum",
        "Fällig am",
        "Netto",
        "Brutto",
        "Status",
    ]
    assert [line[0] for line in lines[1:]] == ["R-0001", "R-0002"]
    assert lines[2][4] == "1.234,50\xa0€"
    assert lines[2][1] == (TODAY - datetime.timedelta(days=2)).strftime("%d.%m.%Y")


def test_invoices_are_hidden_from_users_without_the_right(world: World) -> None:
    invoice = make_invoice(world, 1, pdf=ContentFile(b"%PDF-1.4", name="r.pdf"))
    client = portal_client(world.orderer)
    assert client.get(url("invoices", world)).status_code == 404
    assert client.get(url("invoice_pdf", world, invoice.pk)).status_code == 404
    menu = client.get(url("orders", world)).content.decode()
    assert url("invoices", world) not in menu


def test_invoice_pdf_downloads_as_attachment(
    world: World, admin: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    invoice = make_invoice(world, 1, number="R/2026 01", pdf=ContentFile(b"%PDF-1.4", name="r.pdf"))
    response = admin.get(url("invoice_pdf", world, invoice.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Rechnung-R_2026_01.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.getvalue() == b"%PDF-1.4"
    without = make_invoice(world, 2)
    assert admin.get(url("invoice_pdf", world, without.pk)).status_code == 404


# --- locations and containers ---------------------------------------------------------------


def test_locations_show_containers_with_their_open_order_and_standing_days(
    world: World, admin: Client
) -> None:
    with tenant_scope(world.tenant):
        PortalSettings.objects.create(tenant=world.tenant, rent_free_days=14)
        Location.objects.filter(pk=world.locations[2].pk).update(needs_confirmation=True)
    make_order(world, 1, world.locations[0], asset=world.assets[0], status=OrderStatus.COMPLETED)
    make_order(
        world,
        2,
        world.locations[0],
        asset=world.assets[0],
        status=OrderStatus.PLANNED,
        planned_date=datetime.date(2030, 1, 7),
    )
    response = admin.get(url("locations", world))
    page = response.content.decode()
    assert "Baustelle Nord" in page and "Lager Süd" in page
    assert "wartet auf Bestätigung" in page
    assert "steht seit 12 Tagen" in page and "noch 2 Tage mietfrei" in page
    assert "geplant am 07.01.2030" in page
    assert page.index("Container bestellen") < page.index("Baustelle Nord")
    assert url("container_order", world, world.assets[0].pk) in page
    assert "M7-900" not in page  # another customer's container


def test_orderer_sees_only_the_granted_location_and_reader_may_not_order(world: World) -> None:
    page = portal_client(world.orderer).get(url("locations", world)).content.decode()
    assert "Baustelle Nord" in page and "Lager Süd" not in page and "M10-003" not in page
    reader = portal_client(world.reader).get(url("locations", world)).content.decode()
    assert "Auftrag erstellen" not in reader and url("shop", world) not in reader


def test_location_page_lists_its_containers_and_orders(world: World, admin: Client) -> None:
    make_order(world, 1, world.locations[1], asset=world.assets[2])
    make_order(world, 2, world.locations[0])
    page = admin.get(url("location", world, world.locations[1].pk)).content.decode()
    assert "M10-003" in page and "A-0001" in page and "A-0002" not in page


def test_a_big_bag_gets_no_follow_up_orders_other_than_withdrawal(world: World) -> None:
    assert world.containers["tonne1"].allows("withdrawal")


def test_standing_days_and_rent_free_days_left() -> None:
    placed = datetime.date(2026, 3, 1)
    assert standing(None, placed) is None
    plain = standing(placed, datetime.date(2026, 3, 11))
    assert plain is not None and plain.days == 10 and plain.free_left is None
    assert not plain.remind
    early = standing(placed, datetime.date(2026, 3, 5), 14, 3)
    assert early is not None and (early.free_left, early.remind, early.over) == (10, False, False)
    soon = standing(placed, datetime.date(2026, 3, 13), 14, 3)
    assert soon is not None and (soon.free_left, soon.remind) == (2, True)
    over = standing(placed, datetime.date(2026, 4, 1), 14, 3)
    assert over is not None and over.days == 31 and over.over


# --- query counts ---------------------------------------------------------------------------


def _queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["dashboard", "orders", "locations", "invoices"])
def test_query_count_does_not_grow_with_the_rows(world: World, admin: Client, name: str) -> None:
    def fill(start: int, count: int) -> None:
        for n in range(start, start + count):
            location = world.locations[n % 2]
            asset = world.assets[0] if n % 2 == 0 else world.assets[2]
            make_order(world, n, location, asset=asset)
            make_invoice(world, n)

    fill(0, 5)
    few = _queries(admin, url(name, world))
    fill(5, 45)
    with tenant_scope(world.tenant):
        for n in range(10):
            from theke.audit.services import SYSTEM
            from theke.customers import services as customers

            customers.add_asset(
                world.customer,
                SYSTEM,
                location=world.locations[n % 3],
                container_type=world.containers["mulde7"],
                waste_type=world.waste["bau"],
                placed_on=TODAY,
            )
    many = _queries(admin, url(name, world))
    assert many == few


# --- the home-screen app ---------------------------------------------------------------------


def test_manifest_names_the_tenant_and_its_icons(world: World, client: Client) -> None:
    response = client.get(url("manifest", world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == world.tenant.name
    assert data["start_url"] == url("dashboard", world)
    assert data["display"] == "standalone"
    assert data["theme_color"] == world.tenant.brand_color.lower()
    assert [i["src"] for i in data["icons"]] == [
        url("app_icon", world, 192),
        url("app_icon", world, 512),
    ]


@pytest.mark.parametrize("size", [180, 192, 512])
def test_app_icon_is_a_png_of_the_size(world: World, client: Client, size: int) -> None:
    response = client.get(url("app_icon", world, size))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (size, size)


def test_app_icon_of_other_sizes_and_of_tenants_without_portal_is_404(
    world: World, client: Client
) -> None:
    assert client.get(url("app_icon", world, 64)).status_code == 404
    world.tenant.portal_enabled = False
    world.tenant.save(update_fields=["portal_enabled"])
    assert client.get(url("manifest", world)).status_code == 404
    assert client.get(url("app_icon", world, 192)).status_code == 404


def test_app_icon_shows_the_logo_when_there_is_one(
    world: World, client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    logo = io.BytesIO()
    Image.new("RGB", (300, 100), "#ff0000").save(logo, format="PNG")
    world.tenant.logo.save("logo.png", ContentFile(logo.getvalue()))
    response = client.get(url("app_icon", world, 192))
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert image.getpixel((96, 96)) == (255, 0, 0)  # the logo in the middle
    assert image.getpixel((2, 2)) == (255, 255, 255)  # on white


def test_initials_leave_out_the_legal_form() -> None:
    from theke.portal.app_icon import initials

    assert initials("Containerdienst Demo GmbH") == "CD"
    assert initials("Müller-Lüdenscheidt GmbH & Co. KG") == "ML"
    assert initials("GmbH") == "T"


def test_short_name_is_the_name_or_its_first_word() -> None:
    from theke.portal.app_icon import short_name

    assert short_name("Berg Bau") == "Berg Bau"
    assert short_name("Autohaus Alpha GmbH") == "Autohaus"
    assert short_name("Containerdienst Demo") == "Containerdienst"


def test_locations_csv_lists_only_the_granted_locations_containers(world: World) -> None:
    response = portal_client(world.orderer).get(url("locations", world), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "M7-001" in text and "A20-002" in text
    assert "M10-003" not in text and "M7-900" not in text
    assert text.splitlines()[0].startswith("Standort;Adresse;Behälter")


def test_csv_cells_never_start_a_formula_but_negative_amounts_stay() -> None:
    from theke.portal.downloads import cell

    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("-12,50 €") == "-12,50 €"
    assert cell("-cmd") == "'-cmd"
    assert cell(None) == ""
