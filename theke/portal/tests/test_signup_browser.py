"""Registration in Chromium on a phone (390×844): from the invitation e-mail's link through
the registration and the introduction to the dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from theke.audit.services import SYSTEM
from theke.core.tests.browser import PHONE, screenshot, wider_than_viewport
from theke.portal.services import users as services
from theke.portal.tests.helpers_users import NEW_PASSWORD, fresh, last_token
from theke.portal.tests.world import World
from theke.tenants.services import publish_legal_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "neu@bau-berg.test"


def test_registration_from_the_invitation_to_the_dashboard(
    open_page: Any, live_server: Any, world: World
) -> None:
    publish_legal_text(world.tenant, SYSTEM, "terms", "Allgemeine Geschäftsbedingungen")
    user = services.invite_user(world.customer, SYSTEM, EMAIL, "Nora", "Neu")
    page = open_page(PHONE)
    page.goto(f"{live_server.url}/portal/einladung/{last_token(EMAIL)}/")
    page.get_by_role("heading", name="Registrierung im Kundenportal").wait_for()
    assert wider_than_viewport(page) == []
    assert page.get_by_label("Vorname").input_value() == "Nora"
    page.get_by_label("Telefon (optional)").fill("0151 23456789")
    page.get_by_label("Passwort", exact=True).fill("kurz")
    page.get_by_label("Passwort bestätigen").fill("kurz")
    page.locator(".legal-consent input[type=checkbox]").check()
    page.get_by_role("button", name="Registrierung abschließen").click()
    page.locator("#id_password1-error").wait_for()
    page.get_by_label("Passwort", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Passwort bestätigen").fill(NEW_PASSWORD)
    page.locator(".legal-consent input[type=checkbox]").check()
    page.get_by_role("button", name="Registrierung abschließen").click()
    page.get_by_role("heading", name="Ihr Dashboard").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "portal-introduction")
    page.get_by_role("link", name="Weiter").click()
    page.get_by_role("heading", name="Container bestellen").wait_for()
    page.get_by_role("button", name="Einführung überspringen").click()
    dashboard = live_server.url + reverse("portal:dashboard", args=[world.tenant.slug])
    page.wait_for_url(dashboard)
    page.get_by_role("heading", name="Willkommen, Nora").wait_for()
    assert wider_than_viewport(page) == []
    registered = fresh(user)
    assert registered.registered_at is not None and registered.introduction_seen_at is not None
    assert registered.terms_text is not None and registered.account.phone == "0151 23456789"
