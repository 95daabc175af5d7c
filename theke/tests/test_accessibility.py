"""Accessibility (BFSG, WCAG 2.1 AA): every customer-facing page, and the staff pages used all
day, pass axe-core's WCAG 2.0/2.1 A and AA rules with zero violations and scroll no page
sideways, on a phone (390×844) and, the same visit widened, on a desktop (1280 wide). Portal
and staff pages whose layout is the same on both (`phone_only`) are checked on the phone only.

`PAGES` is the one table of pages checked. A product that brings a page a customer (or a
staff user all day) sees adds a row: a name and a function that opens the page in the given
`Scene` (a tenant with a long name and a light brand colour, a customer, an estimate with
photos behind a link, an admin user) and waits until it shows. Nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import time
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache, caches
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.accounts.models import Membership, Role
from theke.accounts.tokens import invitation_url, password_reset_url
from theke.appointments.tests import booking_browser
from theke.appointments.tests.booking_fixtures import Bookable, make_bookable
from theke.audit.services import SYSTEM
from theke.core import token_pages
from theke.core.tests.browser import (
    PHONE,
    logged_in_page,
    screenshot,
    wider_than_viewport,
)
from theke.customers import services as customers
from theke.customers.models import CustomerLink
from theke.estimates import services as estimates
from theke.estimates.customer_page import CACHE_ALIAS
from theke.estimates.tests.test_browser import (
    PHOTOS_LOADED,
    photos_through_test_client,
    push_estimate,
    wait_until,
)
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch, create_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Autohaus Müller-Lüdenscheidt GmbH & Co. KG Niederlassung Mönchengladbach"
# A light brand colour: white text on it, or the colour as text on white, would fail.
LIGHT_BRAND = "#f2c200"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Scene:
    base: str  # the live server's URL
    tenant: Any
    customer: Any
    owner: Any  # an admin: every navigation entry shows
    token: str  # a valid link to an estimate with photos, open for an answer
    monkeypatch: pytest.MonkeyPatch


@dataclass(frozen=True)
class PageCase:
    name: str
    # Opens the page in the scene and waits until it shows.
    visit: Callable[[Any, Scene], None]
    staff: bool = False  # log the scene's owner in first
    # Portal and staff pages that look the same on a phone and a desktop (no list turning
    # into a table, no menu of their own) are checked on the phone only: the same rules there,
    # and the phone is where a page may scroll sideways. Customer pages always run on both.
    phone_only: bool = False


def _estimate(page: Any, scene: Scene) -> None:
    photos_through_test_client(page)
    page.goto(f"{scene.base}/k/{scene.token}/")
    page.get_by_role("heading", name="Smartphone Samsung Galaxy S21").wait_for()
    wait_until(page, PHOTOS_LOADED)


def _accept_step(page: Any, scene: Scene) -> None:
    _estimate(page, scene)
    page.get_by_role("button", name="Annehmen").click()
    page.get_by_role("heading", name="Auftrag erteilen").wait_for()


def _decline_step(page: Any, scene: Scene) -> None:
    _estimate(page, scene)
    page.get_by_role("button", name="Ablehnen").click()
    page.get_by_role("heading", name="Kostenvoranschlag ablehnen").wait_for()


def _with_vehicle(scene: Scene) -> None:
    """The scene's estimate is about the customer's car: the vehicle's decline choices."""
    with tenant_scope(scene.tenant):
        car = customers.add_vehicle(
            scene.customer, SYSTEM, make="Volkswagen", model="Golf VI", license_plate="MG-EB 7"
        )
        estimates.save_estimate(scene.tenant, SYSTEM, "KV-1", {"vehicle": car})


def _decline_vehicle_step(page: Any, scene: Scene) -> None:
    _with_vehicle(scene)
    _decline_step(page, scene)
    page.get_by_label("Fahrzeug unrepariert abholen").wait_for()


def _declined_vehicle(page: Any, scene: Scene) -> None:
    _decline_vehicle_step(page, scene)
    page.get_by_label("Fahrzeug unrepariert abholen").check()
    page.get_by_label("Ihr Name").fill("Eva Berg")
    page.get_by_label("Ich habe den Kostenvoranschlag").check()
    page.get_by_role("button", name="Verbindlich ablehnen").click()
    page.get_by_text("Sie holen Ihr Fahrzeug unrepariert bei uns ab.").wait_for()


def _decided(page: Any, scene: Scene) -> None:
    _accept_step(page, scene)
    page.get_by_label("Ihr Name").fill("Eva Berg")
    page.get_by_label("Ich habe den Kostenvoranschlag").check()
    page.get_by_role("button", name="Verbindlich annehmen").click()
    page.get_by_text("Sie haben den Kostenvoranschlag angenommen.").wait_for()


def _accept_refused(page: Any, scene: Scene) -> None:
    """The confirmation sent without name and terms: errors on top and at the fields."""
    _accept_step(page, scene)
    page.get_by_role("button", name="Verbindlich annehmen").click()
    page.locator("#error-summary").wait_for()


def _decline_refused(page: Any, scene: Scene) -> None:
    """Return shipping without an address, name and terms: every problem at once."""
    _decline_step(page, scene)
    page.get_by_label("Rücksendung an mich").check()
    for label in ("Straße", "PLZ", "Ort"):
        page.get_by_label(label, exact=True).fill("")
    page.get_by_role("button", name="Verbindlich ablehnen").click()
    page.locator("#error-summary").wait_for()
    page.locator("#a-street[aria-invalid=true]").wait_for()


def _declined(page: Any, scene: Scene) -> None:
    """Declined: the answer, what happens next and the PDF."""
    _decline_step(page, scene)
    page.get_by_label("Fachgerechte Entsorgung").check()
    page.get_by_label("Ihr Name").fill("Eva Berg")
    page.get_by_label("Ich habe den Kostenvoranschlag").check()
    page.get_by_role("button", name="Verbindlich ablehnen").click()
    page.get_by_role("heading", name="Wie geht es weiter?").wait_for()


def _changed_since_seen(page: Any, scene: Scene) -> None:
    """Revised since the customer's last look, with the answer to the old version refused."""
    _accept_step(page, scene)
    with tenant_scope(scene.tenant):
        estimates.save_estimate(scene.tenant, SYSTEM, "KV-1", {"notes": "Neuer Stand"})
    page.get_by_label("Ihr Name").fill("Eva Berg")
    page.get_by_label("Ich habe den Kostenvoranschlag").check()
    page.get_by_role("button", name="Verbindlich annehmen").click()
    page.get_by_text("Ihre Antwort wurde nicht gespeichert").wait_for()
    page.get_by_text("seit Sie ihn zuletzt gesehen haben").wait_for()


def _token_invalid(page: Any, scene: Scene) -> None:
    page.goto(f"{scene.base}/k/unknown-token-0000/")
    page.get_by_role("heading", name="Dieser Link ist nicht gültig").wait_for()


def _token_throttled(page: Any, scene: Scene) -> None:
    scene.monkeypatch.setattr(token_pages, "INVALID_LIMIT", 0)
    page.goto(f"{scene.base}/k/unknown-token-0000/")
    page.get_by_role("heading", name="Zu viele Versuche").wait_for()


def _token_expired(page: Any, scene: Scene) -> None:
    with scopes_disabled():
        link = CustomerLink.objects.get()
        CustomerLink.objects.filter(pk=link.pk).update(expires_at=link.created_at)
    page.goto(f"{scene.base}/k/{scene.token}/")
    page.get_by_role("heading", name="Dieser Link ist abgelaufen").wait_for()


def _token_revoked(page: Any, scene: Scene) -> None:
    with tenant_scope(scene.tenant):
        estimates.revoke_links(estimates.live_estimate("KV-1"), SYSTEM)  # type: ignore[arg-type]
    page.goto(f"{scene.base}/k/{scene.token}/")
    page.get_by_role("heading", name="Dieser Kostenvoranschlag ist nicht mehr verfügbar").wait_for()


def _token_pending(page: Any, scene: Scene) -> None:
    with tenant_scope(scene.tenant):
        _link, token = estimates.create_link(scene.tenant, SYSTEM, "KV-LATER")
    page.goto(f"{scene.base}/k/{token}/")
    page.get_by_role(
        "heading", name="Ihr Kostenvoranschlag steht in Kürze zur Verfügung"
    ).wait_for()


def _tenant_contact(page: Any, scene: Scene) -> None:
    page.goto(f"{scene.base}/t/{scene.tenant.slug}/")
    page.get_by_role("heading", name="Kontakt und Öffnungszeiten").wait_for()


def _login(page: Any, scene: Scene) -> None:
    page.goto(scene.base + reverse("accounts:login"))
    page.get_by_role("heading", name="Anmelden").wait_for()


def _login_failed(page: Any, scene: Scene) -> None:
    _login(page, scene)
    page.get_by_label("E-Mail").fill("owner@long.test")
    page.get_by_label("Passwort").fill("wrong password")
    page.get_by_role("button", name="Anmelden").click()
    page.locator(".alert-danger").wait_for()


def _password_reset(page: Any, scene: Scene) -> None:
    page.goto(scene.base + reverse("accounts:password_reset"))
    page.get_by_role("heading", name="Passwort zurücksetzen").wait_for()


def _password_reset_sent(page: Any, scene: Scene) -> None:
    page.goto(scene.base + reverse("accounts:password_reset_done"))
    page.locator("h1").wait_for()


def _password_reset_confirm(page: Any, scene: Scene) -> None:
    url = password_reset_url(scene.owner).replace("https://theke.example", scene.base)
    page.goto(url)
    page.get_by_role("heading", name="Neues Passwort festlegen").wait_for()


def _password_reset_invalid(page: Any, scene: Scene) -> None:
    page.goto(scene.base + "/staff/password/reset/MQ/set-password/")
    page.get_by_role("heading", name="Link ungültig").wait_for()


def _invitation(page: Any, scene: Scene) -> None:
    url = invitation_url(scene.owner).replace("https://theke.example", scene.base)
    page.goto(url)
    page.locator("h1").wait_for()


def _password_reset_complete(page: Any, scene: Scene) -> None:
    page.goto(scene.base + reverse("accounts:password_reset_complete"))
    page.locator("h1").wait_for()


def _not_found(page: Any, scene: Scene) -> None:
    page.goto(f"{scene.base}/gibt-es-nicht/")
    page.get_by_role("heading", name="Seite nicht gefunden").wait_for()


def _customer_not_found(page: Any, scene: Scene) -> None:
    page.goto(f"{scene.base}/t/gibt-es-nicht/")
    page.get_by_role("heading", name="Seite nicht gefunden").wait_for()


def _staff_start(page: Any, scene: Scene) -> None:
    page.goto(scene.base + reverse("core:dashboard"))
    page.locator("h1").first.wait_for()


def _staff_estimates(page: Any, scene: Scene) -> None:
    page.goto(scene.base + reverse("estimates:list"))
    page.get_by_role("heading", name="Kostenvoranschläge").wait_for()


def _staff_customers(page: Any, scene: Scene) -> None:
    page.goto(scene.base + reverse("customers:list"))
    page.get_by_role("heading", name="Kunden").first.wait_for()


def _staff_menus(page: Any, scene: Scene) -> None:
    """The bar with its menus open: the entries (behind the menu button on a phone) and the
    user menu."""
    _staff_start(page, scene)
    toggler = page.get_by_role("button", name="Menü")
    if toggler.is_visible():
        toggler.click()
        page.locator("#staff-nav.show").wait_for()
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Abmelden").wait_for()


def _staff_estimate_editor(page: Any, scene: Scene) -> None:
    """The editor with the article search open and the running total filled."""
    with tenant_scope(scene.tenant):
        customers.create_article(
            scene.tenant, SYSTEM, number="D-100", text="Displayeinheit", price="120.00"
        )
    page.goto(f"{scene.base}{reverse('estimates:new')}?customer={scene.customer.pk}")
    page.get_by_role("heading", name="Neuer Kostenvoranschlag").wait_for()
    page.locator("#id_positions-0-article_number").press_sequentially("displ")
    page.get_by_role("button", name="D-100 Displayeinheit").wait_for()


def _staff_new_customer(page: Any, scene: Scene) -> None:
    """The new-customer form refused: no e-mail and no mobile number, a company without name."""
    page.goto(scene.base + reverse("customers:create"))
    page.get_by_role("heading", name="Neuer Kunde").wait_for()
    page.get_by_label("Firma", exact=True).check()
    page.get_by_label("Nachname").fill("Neumann")
    page.get_by_role("button", name="Speichern").click()
    page.locator("#reach-error").wait_for()


def _staff_not_found(page: Any, scene: Scene) -> None:
    page.goto(f"{scene.base}/staff/estimates/999999/")
    page.get_by_role("heading", name="Seite nicht gefunden").wait_for()


# --- lead manager ---


def _staff_leads(page: Any, scene: Scene) -> None:
    """The lead manager with a new lead and the warning about a branch without advisor."""
    from datetime import timedelta

    from django.utils import timezone

    from theke.appointments.models import Lead

    branch = create_branch(scene.tenant, SYSTEM, "Mitte")
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    with tenant_scope(scene.tenant):
        Lead.objects.create(
            tenant=scene.tenant,
            branch=branch,
            start=start,
            end=start + timedelta(hours=1),
            first_name="Mia",
            last_name="Lang",
            email="mia@kunde.test",
            services_booked=[{"name": "Inspektion", "minutes": 60}],
        )
    page.goto(scene.base + reverse("appointments:lead_list"))
    page.get_by_role("heading", name="Terminanfragen").wait_for()


# --- online booking (customer side) ---


def _bookable(scene: Scene) -> Bookable:
    return make_bookable(scene.tenant, scene.owner)


def _booking_branches(page: Any, scene: Scene) -> None:
    _bookable(scene)
    page.goto(f"{scene.base}/buchen/{scene.tenant.slug}/")
    page.get_by_role("heading", name="Termin buchen").wait_for()


def _booking_services(page: Any, scene: Scene) -> None:
    page.goto(booking_browser.start_url(scene.base, _bookable(scene)))
    page.get_by_role("heading", name="Leistungen").wait_for()


def _booking_services_refused(page: Any, scene: Scene) -> None:
    _booking_services(page, scene)
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.locator("#error-summary").wait_for()


def _booking_vehicle_refused(page: Any, scene: Scene) -> None:
    _booking_services(page, scene)
    booking_browser.choose_services(page)
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.locator("#id_license_plate-error").wait_for()


def _booking_slot(page: Any, scene: Scene) -> None:
    _booking_services(page, scene)
    booking_browser.choose_services(page)
    booking_browser.enter_vehicle(page)
    page.locator("label.slot-button").first.wait_for()


def _booking_contact_refused(page: Any, scene: Scene) -> None:
    _booking_slot(page, scene)
    booking_browser.choose_first_slot(page)
    page.get_by_label("E-Mail", exact=True).fill("kein-at")
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.locator("#id_email-error").wait_for()


def _booking_review(page: Any, scene: Scene) -> None:
    _booking_slot(page, scene)
    booking_browser.choose_first_slot(page)
    booking_browser.enter_contact(page)
    page.get_by_role("heading", name="Prüfen und absenden").wait_for()


def _booking_thanks(page: Any, scene: Scene) -> None:
    _booking_review(page, scene)
    booking_browser.confirm(page)


def _booking_embedded(page: Any, scene: Scene) -> None:
    page.goto(booking_browser.start_url(scene.base, _bookable(scene), embed=True))
    page.get_by_role("heading", name="Leistungen").wait_for()


def _booking_disabled(page: Any, scene: Scene) -> None:
    page.goto(f"{scene.base}/buchen/{scene.tenant.slug}/")
    page.get_by_role("heading", name="Online-Terminbuchung derzeit nicht möglich").wait_for()


def _lead_path(scene: Scene) -> str:
    import re

    from theke.messaging.models import OutboundMessage

    with scopes_disabled():
        message = OutboundMessage.objects.get(purpose="booking_received")
    found = re.search(r"/anfrage/[A-Za-z0-9_-]+/", message.body_text)
    assert found is not None
    return found.group(0)


def _lead_page(page: Any, scene: Scene) -> None:
    _booking_thanks(page, scene)
    page.goto(scene.base + _lead_path(scene))
    page.get_by_role("heading", name="Ihre Terminanfrage").wait_for()


def _lead_cancel_step(page: Any, scene: Scene) -> None:
    _lead_page(page, scene)
    page.get_by_role("button", name="Anfrage stornieren").click()
    page.get_by_role("heading", name="Anfrage wirklich stornieren?").wait_for()


# --- cust: the customer's appointment page (/termin/…) ---


def _appointment_scene(scene: Scene, *, sms: bool = False) -> Any:
    from theke.appointments.tests.appointment_page_fixtures import make_customer_page

    if sms:
        scene.tenant.sms_enabled = True
        scene.tenant.save()
    return make_customer_page(scene.tenant, scene.owner)


def _appointment_planned(page: Any, scene: Scene) -> None:
    """Planned, with SMS on: the reminder form with the consent tick."""
    found = _appointment_scene(scene, sms=True)
    page.goto(scene.base + found.path)
    page.get_by_role("heading", name="Ihr Termin").wait_for()


def _appointment_proposal(page: Any, scene: Scene) -> None:
    from theke.appointments.tests.appointment_page_fixtures import propose_three

    found = _appointment_scene(scene)
    propose_three(found)
    page.goto(scene.base + found.path)
    page.get_by_role("heading", name="Bitte wählen Sie Ihren Termin").wait_for()


def _appointment_counter_refused(page: Any, scene: Scene) -> None:
    _appointment_proposal(page, scene)
    page.get_by_role("button", name="Anderen Termin anfragen").click()
    page.locator("#counter-note-error").wait_for()


def _appointment_reminders_refused(page: Any, scene: Scene) -> None:
    _appointment_planned(page, scene)
    page.get_by_label("per SMS", exact=True).check()
    page.get_by_role("button", name="Einstellungen speichern").click()
    page.locator("#reminder-sms-consent-error").wait_for()


def _appointment_cancel_step(page: Any, scene: Scene) -> None:
    _appointment_planned(page, scene)
    page.get_by_role("button", name="Termin stornieren").click()
    page.get_by_role("heading", name="Termin wirklich stornieren?").wait_for()


def _appointment_other_time_step(page: Any, scene: Scene) -> None:
    _appointment_planned(page, scene)
    page.get_by_role("button", name="Anderen Termin anfragen").click()
    page.get_by_role("heading", name="Anderen Termin anfragen").wait_for()


# --- staff: the workshop appointments ---


def _staff_calendar(page: Any, scene: Scene, view: str) -> None:
    """The calendar around a planned appointment (the advisor's working hours shaded)."""
    found = _appointment_scene(scene)
    appointment = found.appointment
    day = appointment.start.astimezone(appointment.start.tzinfo).date().isoformat()
    query = f"?branch={appointment.branch_id}&date={day}&view={view}"
    page.goto(scene.base + reverse("appointments:calendar") + query)
    page.locator(f"#cal-a{appointment.pk}").first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")  # phones fetch the list of the days


def _staff_calendar_day(page: Any, scene: Scene) -> None:
    _staff_calendar(page, scene, "day")


def _staff_calendar_week(page: Any, scene: Scene) -> None:
    _staff_calendar(page, scene, "week")


def _staff_appointments(page: Any, scene: Scene) -> None:
    _appointment_scene(scene)
    page.goto(scene.base + reverse("appointments:appointment_list"))
    page.get_by_role("heading", name="Termine", exact=True).wait_for()


def _staff_appointment(page: Any, scene: Scene) -> None:
    found = _appointment_scene(scene)
    url = reverse("appointments:appointment_detail", args=[found.appointment.pk])
    page.goto(scene.base + url)
    page.get_by_role("heading", name="Termin", exact=False).first.wait_for()


# --- customer logins (/konto/<tenant>/) ---

CUSTOMER_PASSWORD = "Kipper-Mulde-Container-7"


def _customer_account(scene: Scene) -> Any:
    from theke.accounts.services import customer_accounts

    account = customer_accounts.create_customer_account(
        scene.customer, SYSTEM, email="konto@kunde.test", first_name="Eva", last_name="Berg"
    )
    return customer_accounts.set_customer_password(account, CUSTOMER_PASSWORD, reason="set")


def _customer_login(page: Any, scene: Scene) -> None:
    page.goto(f"{scene.base}/konto/{scene.tenant.slug}/anmelden/")
    page.get_by_role("heading", name="Anmelden").wait_for()


def _customer_login_refused(page: Any, scene: Scene) -> None:
    _customer_login(page, scene)
    page.get_by_label("E-Mail").fill("konto@kunde.test")
    page.get_by_label("Passwort").fill("falsches Passwort")
    page.get_by_role("button", name="Anmelden").click()
    page.locator("#form-error").wait_for()


def _customer_password_reset(page: Any, scene: Scene) -> None:
    page.goto(f"{scene.base}/konto/{scene.tenant.slug}/passwort-vergessen/")
    page.get_by_role("heading", name="Passwort vergessen").wait_for()


def _customer_devices(page: Any, scene: Scene) -> None:
    _customer_account(scene)
    _customer_login(page, scene)
    page.get_by_label("E-Mail").fill("konto@kunde.test")
    page.get_by_label("Passwort").fill(CUSTOMER_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Ihr Zugang").wait_for()
    page.get_by_role("link", name="Angemeldete Geräte").click()
    page.get_by_role("heading", name="Angemeldete Geräte").wait_for()


# --- portal: registration and introduction (users) ---


def _portal_invitation(page: Any, scene: Scene) -> None:
    from theke.portal.services import users as portal_users
    from theke.portal.tests.helpers_users import last_token

    scene.tenant.portal_enabled = True
    scene.tenant.save(update_fields=["portal_enabled"])
    portal_users.activate_customer(scene.customer, SYSTEM, first_user_email="portal@kunde.test")
    page.goto(f"{scene.base}/portal/einladung/{last_token('portal@kunde.test')}/")
    page.get_by_role("heading", name="Registrierung im Kundenportal").wait_for()


def _portal_registration_refused(page: Any, scene: Scene) -> None:
    _portal_invitation(page, scene)
    page.get_by_label("Vorname").fill("Eva")
    page.get_by_label("Nachname").fill("Berg")
    page.get_by_label("Passwort", exact=True).fill("1234567890")
    page.get_by_label("Passwort bestätigen").fill("1234567890")
    page.get_by_role("button", name="Registrierung abschließen").click()
    page.locator("#id_password1-error").wait_for()


def _portal_introduction(page: Any, scene: Scene) -> None:
    _portal_invitation(page, scene)
    page.get_by_label("Vorname").fill("Eva")
    page.get_by_label("Nachname").fill("Berg")
    page.get_by_label("Passwort", exact=True).fill(CUSTOMER_PASSWORD)
    page.get_by_label("Passwort bestätigen").fill(CUSTOMER_PASSWORD)
    page.locator(".legal-consent input[type=checkbox]").check()
    page.get_by_role("button", name="Registrierung abschließen").click()
    page.get_by_role("heading", name="Ihr Dashboard").wait_for()


def _portal_admin(scene: Scene) -> Any:
    from theke.portal.services import users as portal_users
    from theke.portal.tests.world import activate, make_portal_user

    scene.tenant.portal_enabled = True
    scene.tenant.save(update_fields=["portal_enabled"])
    activate(scene.customer)
    admin = make_portal_user(scene.customer, "chefin@kunde.test")
    portal_users.invite_user(scene.customer, SYSTEM, "kollege@kunde.test", "Karl", "Kollege")
    return admin


def _portal_users(page: Any, scene: Scene) -> None:
    from conftest import PASSWORD

    _portal_admin(scene)
    target = reverse("portal:users", args=[scene.tenant.slug])
    page.goto(f"{scene.base}/konto/{scene.tenant.slug}/anmelden/?next={target}")
    page.get_by_label("E-Mail").fill("chefin@kunde.test")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Benutzer", exact=True).wait_for()


def _staff_portal_customer(page: Any, scene: Scene) -> None:
    _portal_admin(scene)
    page.goto(scene.base + reverse("portal_staff:customer", args=[scene.customer.pk]))
    page.get_by_role("heading", name="Freischaltung").wait_for()


# --- portal: container shop (shop) ---


def _portal_shop(page: Any, scene: Scene) -> None:
    from conftest import PASSWORD
    from theke.portal.tests.world import make_world

    world = make_world(scene.tenant)
    target = reverse("portal:shop", args=[scene.tenant.slug])
    page.goto(f"{scene.base}/konto/{scene.tenant.slug}/anmelden/?next={target}")
    page.get_by_label("E-Mail").fill(world.admin.account.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Container bestellen").wait_for()


def _portal_shop_date(page: Any, scene: Scene) -> None:
    _portal_shop(page, scene)
    page.get_by_label("Bauschutt").check()
    page.get_by_role("button", name="Weiter").click()
    page.get_by_label("Absetzmulde 7 m³ offen").check()
    page.get_by_role("button", name="Weiter").click()
    page.get_by_label("Lager Süd").check()
    page.get_by_role("button", name="Weiter").click()
    page.get_by_label("Wunschtermin").fill("2026-01-04")
    page.get_by_role("button", name="Weiter").click()
    page.locator("#date-error").wait_for()


# --- portal: quotes and quote requests (quotes) ---


def _portal_quote_scene(page: Any, scene: Scene) -> Any:
    """A portal world on the scene's tenant, a request answered by sales, its user logged in."""
    from conftest import PASSWORD
    from theke.messaging.services.inbound import receive_message
    from theke.portal.tests.quotetools import new_request, sales_answer, set_sales
    from theke.portal.tests.world import make_world

    world = make_world(scene.tenant)
    set_sales(scene.tenant)
    request = new_request(world.admin, location=world.locations[0])
    receive_message(sales_answer(request, "reply_address"))
    _customer_login(page, scene)
    page.get_by_label("E-Mail").fill(world.admin.account.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state("load")
    return request


def _portal_quotes(page: Any, scene: Scene) -> None:
    _portal_quote_scene(page, scene)
    page.goto(f"{scene.base}/portal/{scene.tenant.slug}/angebote/?tab=ungelesen")
    page.locator("#quote-request-list").wait_for()


def _portal_quote_request(page: Any, scene: Scene) -> None:
    request = _portal_quote_scene(page, scene)
    page.goto(f"{scene.base}/portal/{scene.tenant.slug}/angebote/anfragen/{request.pk}/")
    page.locator("#quote-thread").wait_for()


def _portal_quote_request_refused(page: Any, scene: Scene) -> None:
    _portal_quote_scene(page, scene)
    page.goto(f"{scene.base}/portal/{scene.tenant.slug}/angebote/anfordern/")
    page.get_by_role("button", name="Anfrage senden").click()
    page.locator(".invalid-feedback").first.wait_for()


# --- portal: analytics ---


def _portal_analytics(page: Any, scene: Scene) -> None:
    """A customer admin's charts over 12 months of orders and invoices, one table opened."""
    from django.utils import timezone

    from conftest import PASSWORD
    from theke.portal.analytics import BERLIN
    from theke.portal.tests.test_analytics import spread
    from theke.portal.tests.world import make_world, url

    world = make_world(scene.tenant)
    spread(world, timezone.localdate(timezone=BERLIN))
    page.goto(scene.base + url("analytics", world))
    page.get_by_label("E-Mail").fill(world.admin.account.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Auswertungen", exact=True).wait_for()
    page.get_by_text("Zahlen als Tabelle").first.click()
    page.get_by_role("table").first.wait_for()


# --- portal (pages): the customer portal's dashboard and lists ---


def _portal_login(page: Any, scene: Scene, name: str, heading: str) -> None:
    """Build a container service in the scene's tenant, log its portal admin in through the
    login page and open the portal page `name`."""
    import datetime as dt
    from decimal import Decimal

    from conftest import PASSWORD
    from theke.orders import services as orders
    from theke.orders.models import Order, OrderKind, OrderStatus
    from theke.portal.models import PortalSettings
    from theke.portal.tests.world import make_world

    world = make_world(scene.tenant)
    today = dt.date.today()
    with tenant_scope(scene.tenant):
        PortalSettings.objects.create(tenant=scene.tenant, rent_free_days=14)
        for n, (asset, status) in enumerate(
            [(world.assets[0], OrderStatus.PLANNED), (world.assets[2], OrderStatus.OPEN)]
        ):
            order = orders.create_order(
                scene.tenant,
                SYSTEM,
                external_id=f"P-{n}",
                number=f"A-2026-{n:04d}",
                customer=world.customer,
                location=asset.location,
                asset=asset,
                kind=OrderKind.EMPTYING,
                status=status,
                planned_date=today + dt.timedelta(days=4) if status == "planned" else None,
            )
            # The container fields come from the shop (or the API), not the plain upsert.
            Order.objects.filter(pk=order.pk).update(
                container_type=asset.container_type,
                waste_type=asset.waste_type,
                wish_date=today + dt.timedelta(days=3),
            )
        invoice = orders.create_invoice(
            scene.tenant,
            SYSTEM,
            external_id="PI-1",
            number="RE-2026-0001",
            customer=world.customer,
            issue_date=today,
            net_total=Decimal("1000"),
            gross_total=Decimal("1190"),
        )
        orders.attach_pdf(invoice, SYSTEM, b"%PDF-1.4 portal")
    page.goto(scene.base + reverse(f"portal:{name}", args=[scene.tenant.slug]))
    page.get_by_label("E-Mail").fill(world.admin.account.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name=heading, exact=True).wait_for()


def _portal_dashboard(page: Any, scene: Scene) -> None:
    _portal_login(page, scene, "dashboard", "Theke als App")


def _portal_orders(page: Any, scene: Scene) -> None:
    _portal_login(page, scene, "orders", "Aufträge")


def _portal_orders_refused(page: Any, scene: Scene) -> None:
    """The order list with a filter refused next to its field."""
    _portal_orders(page, scene)
    page.goto(page.url + "?date_from=2026-12-01&date_to=2026-11-01")
    page.locator("#id_date_to-error").wait_for()


def _portal_order(page: Any, scene: Scene) -> None:
    _portal_orders(page, scene)
    page.get_by_role("link", name="A-2026-0000").click()
    page.get_by_role("heading", name="Verlauf").wait_for()


def _portal_location(page: Any, scene: Scene) -> None:
    _portal_locations(page, scene)
    page.get_by_role("link", name="Baustelle Nord").click()
    page.get_by_role("heading", name="Container", exact=True).wait_for()


def _portal_invoices(page: Any, scene: Scene) -> None:
    _portal_login(page, scene, "invoices", "Rechnungen")


def _portal_locations(page: Any, scene: Scene) -> None:
    _portal_login(page, scene, "locations", "Standortübersicht")


# --- parking: the job's page, the logged-in Parkplatz, the callback request ---


def _job_scene(scene: Scene, *phases: str) -> tuple[Any, str]:
    """The job manager on, a job of the scene's customer moved through `phases`; its link."""
    from theke.jobs import definition
    from theke.jobs.services import setup
    from theke.jobs.services.jobs import SYSTEM_WHO, NewJob, start_job
    from theke.jobs.tests.world import link_token, move_to

    definition._CACHE.clear()  # compiled versions are cached by id; ids come again
    workflow = setup.enable_job_manager(scene.tenant, SYSTEM)
    with tenant_scope(scene.tenant):
        car = customers.add_vehicle(
            scene.customer,
            SYSTEM,
            make="Volkswagen",
            model="Tiguan Allspace",
            license_plate="MG-EB 8",
        )
        contact = scene.customer.contacts.first()
        job = start_job(
            workflow,
            NewJob(
                scene.customer, "staff", contact=contact, vehicle=car, title="VW Tiguan Allspace"
            ),
            SYSTEM_WHO,
        )
    for phase in phases:
        job = move_to(job, phase)
    return job, link_token(job)


def _parking_inputs(page: Any, scene: Scene) -> None:
    _job, token = _job_scene(scene, "angebot", "angenommen")
    page.goto(f"{scene.base}/p/{token}/")
    page.get_by_label("Auslieferung gewünscht").check()
    page.get_by_label("Lieferadresse").wait_for()


def _parking_documents(page: Any, scene: Scene) -> None:
    from theke.jobs.tests.world import link_token, move_to, store_document

    job, _token = _job_scene(scene, "angebot")
    store_document(job, "angebot", "offer")
    job = move_to(move_to(job, "angenommen"), "bestellung")
    store_document(job, "auftragsbestaetigung", "order_confirmation")
    store_document(job, "rechnung", "invoice")
    from decimal import Decimal

    from theke.jobs.models import Payment

    with tenant_scope(scene.tenant):
        Payment.objects.create(
            tenant=scene.tenant,
            job=job,
            field_key="bezahlung",
            provider="test",
            amount=Decimal("38490.00"),
            purpose=job.number,
            reference=f"a11y-{job.pk}",
        )
    page.goto(f"{scene.base}/p/{link_token(job)}/")
    page.get_by_role("heading", name="Ihre Anfrage im Überblick").wait_for()


def _parking_refused(page: Any, scene: Scene) -> None:
    _parking_inputs(page, scene)
    page.get_by_role("button", name="Angaben senden").click()
    page.locator("#form-errors").wait_for()


def _parking_saved(page: Any, scene: Scene) -> None:
    _parking_inputs(page, scene)
    page.get_by_label("Lieferadresse").fill("Gartenweg 3, 41061 Mönchengladbach")
    page.get_by_role("button", name="Angaben senden").click()
    page.get_by_text("Ihre Angaben sind gespeichert.").wait_for()


def _parking_register(page: Any, scene: Scene) -> None:
    _job, token = _job_scene(scene)
    page.goto(f"{scene.base}/p/{token}/zugang/")
    page.get_by_role("heading", name="Zugang anlegen").wait_for()


def _parking_logged_in(page: Any, scene: Scene) -> None:
    from theke.jobs.models import Job

    _job_scene(scene, "angebot")
    done, _token = _job_scene(scene)
    with scopes_disabled():
        Job.objects.filter(pk=done.pk).update(status="closed", title="Inspektion 2025")
    _customer_account(scene)
    page.goto(f"{scene.base}/parkplatz/{scene.tenant.slug}/")
    page.get_by_label("E-Mail").fill("konto@kunde.test")
    page.get_by_label("Passwort").fill(CUSTOMER_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Ihr Parkplatz").wait_for()


def _parking_park(page: Any, scene: Scene) -> None:
    _parking_logged_in(page, scene)
    page.get_by_role("link", name="Anfrage parken").click()
    page.get_by_role("button", name="Anfrage parken").click()
    page.locator("#form-errors").wait_for()


def _callback_refused(page: Any, scene: Scene) -> None:
    _job_scene(scene)
    page.goto(f"{scene.base}/rueckruf/{scene.tenant.slug}/")
    page.get_by_label("Telefonnummer").fill("12")
    page.get_by_role("button", name="Rückruf anfordern").click()
    page.locator("#form-errors").wait_for()


def _callback_thanks(page: Any, scene: Scene) -> None:
    _job_scene(scene)
    page.goto(f"{scene.base}/rueckruf/{scene.tenant.slug}/")
    page.get_by_label("Ihr Name").fill("Jonas Weber")
    page.get_by_label("Telefonnummer").fill("0171 9876543")
    page.get_by_label("Worum geht es?").fill("Ist der Tiguan noch da?")
    page.locator(".legal-consent input[type=checkbox]").check()
    page.get_by_role("button", name="Rückruf anfordern").click()
    page.get_by_role("heading", name="Vielen Dank!").wait_for()


def _tenant_contact_callback(page: Any, scene: Scene) -> None:
    _job_scene(scene)
    _tenant_contact(page, scene)
    page.get_by_role("heading", name="Rückruf anfordern").wait_for()


# --- customer logins: the invitation from the customer page (accounts) ---


def _customer_invitation_url(scene: Scene) -> str:
    from theke.accounts.services.customer_invitations import (
        invite_customer_account,
        issue_invitation_link,
    )

    with tenant_scope(scene.tenant):
        contact = scene.customer.contacts.get()
    account = invite_customer_account(scene.customer, contact, SYSTEM)
    url = issue_invitation_link(account, contact)
    return url.replace("https://theke.example", scene.base)


def _customer_invitation(page: Any, scene: Scene) -> None:
    page.goto(_customer_invitation_url(scene))
    page.get_by_role("heading", name="Zugang anlegen").wait_for()


def _customer_invitation_refused(page: Any, scene: Scene) -> None:
    _customer_invitation(page, scene)
    page.get_by_label("Passwort", exact=True).fill("kurz")
    page.get_by_label("Passwort bestätigen").fill("kurz")
    page.get_by_role("button", name="Zugang anlegen").click()
    page.locator("#id_new_password1-error").wait_for()


def _customer_invitation_expired(page: Any, scene: Scene) -> None:
    url = _customer_invitation_url(scene)
    with scopes_disabled():
        CustomerLink.objects.filter(kind="account_invitation").update(expires_at=timezone.now())
    page.goto(url)
    page.get_by_role("heading", name="Diese Einladung ist abgelaufen").wait_for()


def _staff_customer_logins(page: Any, scene: Scene) -> None:
    """The customer page with the "Kundenkonto" panel: a contact invited."""
    _customer_invitation_url(scene)
    page.goto(scene.base + reverse("customers:detail", args=[scene.customer.pk]))
    page.locator("#customer-logins").get_by_text("Eingeladen", exact=True).wait_for()


# --- job manager: payments (the test provider's checkout page) ---


def _job_checkout(page: Any, scene: Scene) -> None:
    from theke.jobs.services import payments
    from theke.jobs.services.jobs import Who, activate_phase
    from theke.jobs.tests.world import make_job_world

    world = make_job_world(scene.tenant)
    job = world.start(assignee=scene.owner)
    job = activate_phase(job, "bestellung", Who.staff(scene.owner), expected_phase="rueckruf")
    payment = payments.create_payment(
        job, "bezahlung", "18.990,00", "Rechnung R-2026-17", Who.staff(scene.owner)
    )
    page.goto(f"{scene.base}/bezahlen/test/{payment.reference}/")
    page.get_by_role("button", name="Bezahlen (Test)").wait_for()


PAGES = [
    # The customer's estimate: open, both steps of an answer, answered.
    PageCase("estimate", _estimate),
    PageCase("estimate-accept", _accept_step),
    PageCase("estimate-decline", _decline_step),
    PageCase("estimate-decided", _decided),
    PageCase("estimate-accept-refused", _accept_refused),
    PageCase("estimate-decline-refused", _decline_refused),
    PageCase("estimate-declined", _declined),
    PageCase("estimate-changed", _changed_since_seen),
    # A vehicle's estimate: its own decline choices, and the answer.
    PageCase("estimate-decline-vehicle", _decline_vehicle_step),
    PageCase("estimate-declined-vehicle", _declined_vehicle),
    # The token pages every kind of customer link shares.
    PageCase("token-invalid", _token_invalid),
    PageCase("token-throttled", _token_throttled),
    PageCase("token-expired", _token_expired),
    PageCase("token-revoked", _token_revoked),
    PageCase("token-pending", _token_pending),
    # Online booking: each step, refusals next to the fields, the embed, the lead's page.
    PageCase("booking-branches", _booking_branches),
    PageCase("booking-services", _booking_services),
    PageCase("booking-services-refused", _booking_services_refused),
    PageCase("booking-vehicle-refused", _booking_vehicle_refused),
    PageCase("booking-slot", _booking_slot),
    PageCase("booking-contact-refused", _booking_contact_refused),
    PageCase("booking-review", _booking_review),
    PageCase("booking-thanks", _booking_thanks),
    PageCase("booking-embedded", _booking_embedded),
    PageCase("booking-disabled", _booking_disabled),
    PageCase("lead-page", _lead_page),
    PageCase("lead-cancel", _lead_cancel_step),
    # The tenant's public page.
    PageCase("tenant-contact", _tenant_contact),
    # Error pages outside the staff area.
    PageCase("not-found", _not_found),
    PageCase("customer-not-found", _customer_not_found),
    # Logging in and resetting a password.
    PageCase("login", _login),
    PageCase("login-failed", _login_failed),
    PageCase("password-reset", _password_reset),
    PageCase("password-reset-sent", _password_reset_sent),
    PageCase("password-reset-confirm", _password_reset_confirm),
    PageCase("password-reset-invalid", _password_reset_invalid),
    PageCase("password-reset-complete", _password_reset_complete),
    PageCase("invitation", _invitation),
    # Customer logins: login, refused, password reset, the devices.
    PageCase("customer-login", _customer_login),
    PageCase("customer-login-refused", _customer_login_refused),
    PageCase("customer-password-reset", _customer_password_reset),
    PageCase("customer-devices", _customer_devices),
    # --- portal: registration and introduction (users) ---
    PageCase("portal-registration", _portal_invitation, phone_only=True),
    PageCase("portal-registration-refused", _portal_registration_refused, phone_only=True),
    PageCase("portal-introduction", _portal_introduction, phone_only=True),
    PageCase("portal-users", _portal_users, phone_only=True),
    PageCase("staff-portal-customer", _staff_portal_customer, staff=True, phone_only=True),
    # --- portal: container shop (shop) ---
    PageCase("portal-shop", _portal_shop, phone_only=True),
    PageCase("portal-shop-date-refused", _portal_shop_date, phone_only=True),
    # The staff pages used all day.
    PageCase("staff-start", _staff_start, staff=True),
    PageCase("staff-menus", _staff_menus, staff=True),
    PageCase("staff-estimates", _staff_estimates, staff=True),
    PageCase("staff-customers", _staff_customers, staff=True),
    PageCase("staff-not-found", _staff_not_found, staff=True, phone_only=True),
    PageCase("staff-estimate-editor", _staff_estimate_editor, staff=True, phone_only=True),
    PageCase("staff-new-customer", _staff_new_customer, staff=True, phone_only=True),
    PageCase("staff-leads", _staff_leads, staff=True),
    PageCase("staff-calendar-day", _staff_calendar_day, staff=True),
    PageCase("staff-calendar-week", _staff_calendar_week, staff=True),
    PageCase("staff-appointments", _staff_appointments, staff=True),
    PageCase("staff-appointment", _staff_appointment, staff=True, phone_only=True),
    # --- cust: the customer's appointment page ---
    PageCase("appointment-planned", _appointment_planned),
    PageCase("appointment-proposal", _appointment_proposal),
    PageCase("appointment-counter-refused", _appointment_counter_refused),
    PageCase("appointment-reminders-refused", _appointment_reminders_refused),
    PageCase("appointment-cancel", _appointment_cancel_step),
    PageCase("appointment-other-time", _appointment_other_time_step),
    # --- portal: quotes and quote requests (quotes) ---
    PageCase("portal-quotes", _portal_quotes, phone_only=True),
    PageCase("portal-quote-request", _portal_quote_request, phone_only=True),
    PageCase("portal-quote-request-refused", _portal_quote_request_refused, phone_only=True),
    # --- portal: analytics ---
    PageCase("portal-analytics", _portal_analytics, phone_only=True),
    # --- portal (pages): dashboard, lists, locations ---
    PageCase("portal-dashboard", _portal_dashboard),
    PageCase("portal-orders", _portal_orders),
    PageCase("portal-orders-refused", _portal_orders_refused),
    PageCase("portal-invoices", _portal_invoices),
    PageCase("portal-locations", _portal_locations, phone_only=True),
    PageCase("portal-order", _portal_order, phone_only=True),
    PageCase("portal-location", _portal_location),
    # --- parking: the job's page, the logged-in Parkplatz, the callback request ---
    PageCase("parking-inputs", _parking_inputs),
    PageCase("parking-documents", _parking_documents),
    PageCase("parking-refused", _parking_refused),
    PageCase("parking-saved", _parking_saved),
    PageCase("parking-register", _parking_register),
    PageCase("parking-logged-in", _parking_logged_in),
    PageCase("parking-park-refused", _parking_park),
    PageCase("callback-refused", _callback_refused),
    PageCase("callback-thanks", _callback_thanks),
    PageCase("tenant-contact-callback", _tenant_contact_callback),
    # --- customer logins: the invitation (accounts) ---
    PageCase("customer-invitation", _customer_invitation),
    PageCase("customer-invitation-refused", _customer_invitation_refused),
    PageCase("customer-invitation-expired", _customer_invitation_expired),
    PageCase("staff-customer-logins", _staff_customer_logins, staff=True),
    # --- job manager: payments ---
    PageCase("job-test-checkout", _job_checkout),
]


@pytest.fixture(autouse=True)
def fresh_caches(settings: Any, tmp_path: Any) -> Iterator[None]:
    cache.clear()
    caches[CACHE_ALIAS].clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "https://theke.example"
    yield
    cache.clear()


@pytest.fixture
def scene(live_server: Any, db: None, monkeypatch: pytest.MonkeyPatch) -> Scene:
    tenant = create_tenant(
        LONG_NAME,
        "mueller",
        city="Mönchengladbach",
        street="Hauptstraße 1",
        postal_code="41061",
        phone="02161 123456",
        email="info@mueller.test",
        brand_color=LIGHT_BRAND,
    )
    create_branch(
        tenant,
        SYSTEM,
        "Niederlassung Mönchengladbach",
        opening_hours=[(0, time(8), time(17)), (4, time(8), time(14))],
        street="Hauptstraße 1",
        postal_code="41061",
        city="Mönchengladbach",
        phone="02161 123456",
    )
    owner = make_staff(tenant, "owner@long.test", "Olga Owner", "Admin")
    # A second tenant: the user menu offers the switch between two long names.
    other = create_tenant("Karosserie- und Lackierzentrum Rheinland-Westfalen GmbH", "karo")
    with scopes_disabled():
        Membership.objects.create(
            tenant=other, user=owner, role=Role.objects.get(tenant=other, name="Admin")
        )
    with tenant_scope(tenant):
        customer = customers.create_customer(
            tenant, SYSTEM, kind="person", first_name="Eva", last_name="Berg", external_id="K-1"
        )
        customers.add_contact(
            customer, SYSTEM, first_name="Eva", last_name="Berg", email="eva@kunde.test"
        )
        _link, token = estimates.create_link(tenant, SYSTEM, "KV-1")
    push_estimate(tenant, customer)
    return Scene(live_server.url, tenant, customer, owner, token, monkeypatch)


def _problems_at(page: Any, case: PageCase, size: str) -> list[str]:
    """What fails at the page's current width: sideways scrolling and axe's violations."""
    screenshot(page, f"a11y-{case.name}")
    problems = []
    if offenders := wider_than_viewport(page):
        problems.append(f"{case.name} ({size}) scrolls sideways: {offenders}")
    result = Axe().run(page, options=WCAG_AA)
    if result.violations_count:
        problems.append(f"{case.name} ({size}):\n{result.generate_report()}")
    return problems


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in PAGES])
def test_page_has_no_wcag_violations(
    open_page: Any, client: Any, scene: Scene, case: PageCase
) -> None:
    """The page opens on a phone and is checked; then the window widens to a desktop and the
    same page is checked again. CSS lays it out anew (no Theke script reads the width when
    the page loads), so one visit serves both widths: the walk to a page deep in a flow (a
    booking's last step, an answered estimate) is the expensive part and runs once."""
    if case.staff:
        page = logged_in_page(open_page, PHONE, client, scene.owner, scene.base)
    else:
        page = open_page(PHONE)
    case.visit(page, scene)
    page.wait_for_load_state("load")
    problems = _problems_at(page, case, "phone")
    if not case.phone_only:
        page.set_viewport_size(DESKTOP)
        problems += _problems_at(page, case, "desktop")
    assert problems == [], "\n\n".join(problems)
