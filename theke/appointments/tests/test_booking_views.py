"""The public booking pages (each step, back and forward, errors next to the fields, a taken
slot, embedding) and the lead's page behind its link (cancel before and after the cut-off)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.appointments.models import BookingSettings, Lead, LeadStatus
from theke.appointments.services import booking
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .booking_fixtures import Bookable, booking_request

pytestmark = pytest.mark.django_db

VEHICLE = {
    "license_plate": "B-EB 123",
    "vin": "",
    "make": "Volkswagen",
    "model": "Golf",
    "mileage_km": "48210",
}
CONTACT = {
    "salutation": "Frau",
    "first_name": "Eva",
    "last_name": "Berg",
    "email": "eva@kunde.test",
    "mobile_phone": "0151 23456789",
    "postal_code": "10115",
    "city": "Berlin",
    "note": "Bitte Wischerblätter prüfen",
    "legal_consent": "on",
    "legal_terms_version": "0",
    "legal_privacy_version": "0",
}


def url(setup: Bookable, step: str = "") -> str:
    args = [setup.tenant.slug, setup.branch.pk]
    if not step:
        return reverse("booking:start", args=args)
    return reverse("booking:step", args=[*args, step])


def html(response: Any) -> str:
    return str(response.content.decode())


def fill(client: Client, setup: Bookable, upto: str) -> None:
    """Enter every step before `upto` (services, vehicle, slot, contact)."""
    steps: list[tuple[str, dict[str, Any]]] = [
        ("", {"services": [str(setup.inspection.pk)]}),
        ("fahrzeug", VEHICLE),
        ("termin", {"start": setup.slot.isoformat()}),
        ("kontakt", CONTACT),
    ]
    for step, data in steps:
        if step == upto:
            return
        response = client.post(url(setup, step), data)
        assert response.status_code == 302, (step, html(response)[:2000])


# --- branches, switches --------------------------------------------------------------------------


def test_branch_overview_lists_bookable_branches(client: Client, bookable: Bookable) -> None:
    response = client.get(reverse("booking:branches", args=[bookable.tenant.slug]))
    assert response.status_code == 200
    page = html(response)
    assert "Alpha Mitte" in page and url(bookable) in page
    assert "Alpha Nord" not in page  # booking is not switched on there


def test_booking_switched_off_shows_the_phone(client: Client, bookable: Bookable) -> None:
    bookable.tenant.online_booking_enabled = False
    bookable.tenant.save()
    for path in (url(bookable), reverse("booking:branches", args=[bookable.tenant.slug])):
        response = client.get(path)
        assert response.status_code == 404
        assert "Online-Terminbuchung derzeit nicht möglich" in html(response)
    assert 'href="tel:0307654321"' in html(client.get(url(bookable)))


def test_a_branch_without_booking_shows_its_phone(client: Client, bookable: Bookable) -> None:
    other = reverse("booking:start", args=[bookable.tenant.slug, bookable.other_branch.pk])
    response = client.get(other)
    assert response.status_code == 404 and "Alpha Nord" in html(response)


def test_unknown_tenant_or_branch_is_404(client: Client, bookable: Bookable) -> None:
    assert client.get("/buchen/gibt-es-nicht/").status_code == 404
    assert client.get(f"/buchen/{bookable.tenant.slug}/999999/").status_code == 404


# --- the steps ---------------------------------------------------------------------------------


def test_services_step_shows_duration_and_price(client: Client, bookable: Bookable) -> None:
    response = client.get(url(bookable))
    page = html(response)
    assert response.status_code == 200
    assert "Inspektion" in page and "60 Minuten" in page and "189,00" in page
    assert "Räderwechsel" in page and "Klimaservice" not in page  # another branch's
    assert "Schritt 1 von 5" in page
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_service_chosen_says_so_next_to_the_list(client: Client, bookable: Bookable) -> None:
    response = client.post(url(bookable), {})
    assert response.status_code == 400
    page = html(response)
    assert 'id="id_services-error"' in page
    assert "Bitte wählen Sie mindestens eine Leistung." in page


def test_a_whole_booking_step_by_step(client: Client, bookable: Bookable) -> None:
    response = client.post(url(bookable), {"services": [str(bookable.inspection.pk)]})
    assert response.status_code == 302 and response["Location"] == url(bookable, "fahrzeug")
    vehicle = client.get(url(bookable, "fahrzeug"))
    assert "Dauer insgesamt: 60 Minuten" in html(vehicle)
    refused = client.post(url(bookable, "fahrzeug"), {**VEHICLE, "license_plate": ""})
    assert refused.status_code == 400
    assert 'id="id_license_plate-error"' in html(refused)
    assert client.post(url(bookable, "fahrzeug"), VEHICLE).status_code == 302
    slots = html(client.get(url(bookable, "termin")))
    assert 'type="radio" name="start"' in slots and "Schritt 3 von 5" in slots
    assert (
        client.post(url(bookable, "termin"), {"start": bookable.slot.isoformat()}).status_code
        == 302
    )
    wrong = client.post(url(bookable, "kontakt"), {**CONTACT, "email": "kein-at"})
    assert wrong.status_code == 400
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein." in html(wrong)
    assert 'value="Berg"' in html(wrong)  # the rest stays
    assert client.post(url(bookable, "kontakt"), CONTACT).status_code == 302
    review = html(client.get(url(bookable, "pruefen")))
    for shown in ("Inspektion", "B-EB 123", "Volkswagen Golf", "eva@kunde.test", "09:00–10:00"):
        assert shown in review
    done = client.post(url(bookable, "pruefen"), {"go": "next"})
    assert done.status_code == 302
    assert done["Location"] == reverse(
        "booking:thanks", args=[bookable.tenant.slug, bookable.branch.pk]
    )
    thanks = html(client.get(done["Location"]))
    assert "Vielen Dank für Ihre Anfrage" in thanks and "eva@kunde.test" in thanks
    with scopes_disabled():
        lead = Lead.objects.get()
    assert lead.note == "Bitte Wischerblätter prüfen" and lead.mileage_km == 48210
    assert lead.postal_code == "10115" and lead.start == bookable.slot
    # The wizard starts afresh.
    assert "checked" not in html(client.get(url(bookable)))


def test_back_and_forward_keep_what_was_entered(client: Client, bookable: Bookable) -> None:
    fill(client, bookable, "termin")
    back = client.post(url(bookable, "termin"), {"go": "back"})
    assert back["Location"] == url(bookable, "fahrzeug")
    page = html(client.get(url(bookable, "fahrzeug")))
    assert 'value="B-EB 123"' in page and 'value="48210"' in page
    first = html(client.get(url(bookable)))
    assert re.search(rf'value="{bookable.inspection.pk}"[^>]*checked', first)


def test_a_reload_shows_what_was_entered(client: Client, bookable: Bookable) -> None:
    fill(client, bookable, "pruefen")
    page = html(client.get(url(bookable, "kontakt")))
    assert 'value="eva@kunde.test"' in page and "Wischerblätter" in page


def test_back_from_an_invalid_step_keeps_the_typing(client: Client, bookable: Bookable) -> None:
    fill(client, bookable, "kontakt")
    client.post(url(bookable, "kontakt"), {**CONTACT, "email": "", "go": "back"})
    page = html(client.get(url(bookable, "kontakt")))
    assert 'value="Berg"' in page


def test_a_later_step_first_leads_to_the_first_open_one(client: Client, bookable: Bookable) -> None:
    response = client.get(url(bookable, "pruefen"))
    assert response.status_code == 302 and response["Location"] == url(bookable)


def test_another_choice_of_services_asks_for_the_time_again(
    client: Client, bookable: Bookable
) -> None:
    fill(client, bookable, "kontakt")
    ids = [str(bookable.inspection.pk), str(bookable.wheels.pk)]
    client.post(url(bookable), {"services": ids})
    response = client.get(url(bookable, "kontakt"))
    assert response["Location"] == url(bookable, "termin")


def test_more_days_page_through_the_free_times(client: Client, bookable: Bookable) -> None:
    fill(client, bookable, "termin")
    page = html(client.get(url(bookable, "termin")))
    assert "Weitere Tage" in page
    more = re.search(r'name="ab" value="([0-9-]+)"', page)
    assert more is not None
    moved = client.post(url(bookable, "termin"), {"ab": more.group(1)})
    assert moved.status_code == 302 and f"?ab={more.group(1)}" in moved["Location"]
    later = html(client.get(moved["Location"]))
    assert "Zurück zu den ersten Tagen" in later


def test_a_slot_that_is_not_free_is_refused(client: Client, bookable: Bookable) -> None:
    fill(client, bookable, "termin")
    sunday = bookable.slot + datetime.timedelta(days=(6 - bookable.slot.weekday()))
    response = client.post(url(bookable, "termin"), {"start": sunday.isoformat()})
    assert response.status_code == 400
    assert "nicht mehr frei" in html(response)


def test_a_slot_taken_meanwhile_offers_the_next_and_keeps_the_rest(
    client: Client, bookable: Bookable
) -> None:
    fill(client, bookable, "pruefen")
    booking.book(bookable.branch, booking_request(bookable, email="schneller@kunde.test"))
    response = client.post(url(bookable, "pruefen"), {"go": "next"})
    assert response.status_code == 409
    page = html(response)
    assert "Dieser Termin wurde gerade vergeben." in page
    assert "Die nächsten freien Termine" in page
    # Choose one of them: the contact data are still there, the booking goes through.
    offered = re.search(r'id="next-1" value="([^"]+)"', page)
    assert offered is not None
    assert client.post(url(bookable, "termin"), {"start": offered.group(1)}).status_code == 302
    assert client.get(url(bookable, "pruefen")).status_code == 200
    assert client.post(url(bookable, "pruefen"), {"go": "next"}).status_code == 302
    with scopes_disabled():
        assert Lead.objects.filter(email="eva@kunde.test").count() == 1


def test_own_site_posts_need_the_csrf_token(bookable: Bookable) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url(bookable), {"services": [str(bookable.inspection.pk)]})
    assert response.status_code == 403


# --- embedding ---------------------------------------------------------------------------------


def allow_embedding(setup: Bookable, *origins: str) -> None:
    with tenant_scope(setup.tenant):
        BookingSettings.objects.create(tenant=setup.tenant, embed_origins="\n".join(origins))


def test_embedded_pages_allow_the_tenants_origins_only(client: Client, bookable: Bookable) -> None:
    allow_embedding(bookable, "https://www.alpha.test", "bad; script-src *")
    response = client.get(url(bookable) + "?embed=1")
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.alpha.test;" in policy + ";"
    assert "script-src *" not in policy
    assert "X-Frame-Options" not in response
    page = html(response)
    assert "brand-bar" not in page  # no chrome
    assert 'name="state"' in page and "csrfmiddlewaretoken" not in page


def test_an_embedded_booking_needs_no_cookie(bookable: Bookable) -> None:
    """Each step answers the POST directly; the state travels signed in the form."""
    allow_embedding(bookable, "https://www.alpha.test")
    strict = Client(enforce_csrf_checks=True)
    embed = "?embed=1"
    state = ""

    def post(step: str, data: dict[str, Any], expect: int = 200) -> str:
        nonlocal state
        strict.cookies.clear()  # a third-party iframe sends none
        response = strict.post(url(bookable, step) + embed, {**data, "state": state})
        assert response.status_code == expect, html(response)[:3000]
        assert "X-Frame-Options" not in response
        page = html(response)
        found = re.search(r'name="state" value="([^"]*)"', page)
        state = found.group(1) if found else ""
        return page

    assert "Kennzeichen" in post("", {"services": [str(bookable.inspection.pk)]})
    page = post("fahrzeug", VEHICLE)
    assert 'type="radio" name="start"' in page
    post("termin", {"start": bookable.slot.isoformat()})
    review = post("kontakt", CONTACT)
    assert "Termin verbindlich anfragen" in review
    assert "Vielen Dank für Ihre Anfrage" in post("pruefen", {"go": "next"})
    assert "sessionid" not in strict.cookies
    with scopes_disabled():
        assert Lead.objects.filter(email="eva@kunde.test").exists()


def test_a_forged_state_is_ignored(client: Client, bookable: Bookable) -> None:
    response = client.post(url(bookable, "pruefen") + "?embed=1", {"state": "forged:abc"})
    assert "Schritt 1 von 5" in html(response)


# --- the lead's page ---------------------------------------------------------------------------


@pytest.fixture
def token(bookable: Bookable) -> str:
    booking.book(bookable.branch, booking_request(bookable))
    with scopes_disabled():
        message = OutboundMessage.objects.get(purpose="booking_received")
    found = re.search(r"/anfrage/([A-Za-z0-9_-]+)/", message.body_text)
    assert found is not None
    return found.group(1)


def test_the_lead_page_shows_the_request(client: Client, bookable: Bookable, token: str) -> None:
    response = client.get(f"/anfrage/{token}/")
    assert response.status_code == 200
    page = html(response)
    for shown in ("Neu", "Alpha Mitte", "Hauptstraße 1", "Inspektion", "B-EB 123", "09:00–10:00"):
        assert shown in page
    assert "Anfrage stornieren" in page
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_cancel_asks_first_then_cancels(client: Client, bookable: Bookable, token: str) -> None:
    ask = client.post(f"/anfrage/{token}/stornieren")
    assert ask.status_code == 200 and "Anfrage wirklich stornieren?" in html(ask)
    with scopes_disabled():
        assert Lead.objects.get().status == LeadStatus.NEW
    done = client.post(f"/anfrage/{token}/stornieren", {"confirm": "1"})
    assert done.status_code == 302
    page = html(client.get(done["Location"]))
    assert "Von Kunden storniert" in page and "Ihre Terminanfrage ist storniert." in page
    assert "Anfrage stornieren" not in page
    with scopes_disabled():
        assert Lead.objects.get().status == LeadStatus.CANCELLED_BY_CUSTOMER


def test_after_the_cut_off_the_page_gives_the_phone(
    client: Client, bookable: Bookable, token: str
) -> None:
    with tenant_scope(bookable.tenant):
        BookingSettings.objects.create(tenant=bookable.tenant, cancel_cutoff_hours=24 * 14)
    page = html(client.get(f"/anfrage/{token}/"))
    assert "Anfrage stornieren" not in page
    assert "nicht mehr möglich" in page and 'href="tel:0307654321"' in page
    refused = client.post(f"/anfrage/{token}/stornieren", {"confirm": "1"})
    assert refused.status_code == 409 and "Bitte rufen Sie uns an" in html(refused)
    with scopes_disabled():
        assert Lead.objects.get().status == LeadStatus.NEW


def test_the_lead_page_needs_a_valid_token(client: Client, bookable: Bookable) -> None:
    assert client.get("/anfrage/" + "x" * 32 + "/").status_code == 404
    assert client.post("/anfrage/" + "x" * 32 + "/stornieren", {"confirm": "1"}).status_code == 404


def test_get_never_cancels(client: Client, bookable: Bookable, token: str) -> None:
    assert client.get(f"/anfrage/{token}/stornieren").status_code == 405
