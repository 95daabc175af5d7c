"""Steps of the booking pages in Chromium, shared by the browser and accessibility tests."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .booking_fixtures import Bookable


def start_url(base: str, setup: Bookable, embed: bool = False) -> str:
    path = reverse("booking:start", args=[setup.tenant.slug, setup.branch.pk])
    return base + path + ("?embed=1" if embed else "")


def choose_services(page: Any) -> None:
    page.get_by_role("heading", name="Leistungen").wait_for()
    page.get_by_label("Inspektion").check()
    page.get_by_role("button", name="Weiter", exact=True).click()


def enter_vehicle(page: Any) -> None:
    page.get_by_role("heading", name="Fahrzeug").wait_for()
    page.get_by_label("Kennzeichen").fill("B-EB 123")
    page.get_by_label("Marke").fill("Volkswagen")
    page.get_by_label("Modell").fill("Golf")
    page.get_by_label("Kilometerstand").fill("48210")
    page.get_by_role("button", name="Weiter", exact=True).click()


def choose_first_slot(page: Any) -> None:
    page.get_by_role("heading", name="Termin").wait_for()
    page.locator("label.slot-button").first.click()
    page.get_by_role("button", name="Weiter", exact=True).click()


def enter_contact(page: Any) -> None:
    page.get_by_role("heading", name="Kontaktdaten").wait_for()
    page.get_by_label("Anrede").select_option("Frau")
    page.get_by_label("Vorname").fill("Eva")
    page.get_by_label("Nachname").fill("Berg")
    page.get_by_label("E-Mail", exact=True).fill("eva@kunde.test")
    page.get_by_label("Mobilnummer").fill("0151 23456789")
    page.get_by_label("PLZ").fill("10115")
    page.locator("#id_legal_consent").check()
    page.get_by_role("button", name="Weiter", exact=True).click()


def confirm(page: Any) -> None:
    page.get_by_role("heading", name="Prüfen und absenden").wait_for()
    page.get_by_role("button", name="Termin verbindlich anfragen").click()
    page.get_by_role("heading", name="Vielen Dank für Ihre Anfrage").wait_for()


def book_through_the_pages(page: Any) -> None:
    choose_services(page)
    enter_vehicle(page)
    choose_first_slot(page)
    enter_contact(page)
    confirm(page)
