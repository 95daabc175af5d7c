"""An invited customer opens the e-mail's link on a phone, sets a password and is logged in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from theke.accounts.services.customer_invitations import invite_customer_account
from theke.audit.services import SYSTEM
from theke.core.tests.browser import PHONE, real, screenshot, watch_errors, wider_than_viewport
from theke.customers import services as customers
from theke.messaging.services import delivery
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invited_customer_sets_a_password_on_a_phone_and_is_logged_in(
    open_page: Any, live_server: Any, tenant_a: Any, settings: Any
) -> None:
    settings.BASE_URL = live_server.url
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Petra", last_name="Neumann"
        )
        contact = customers.add_contact(
            customer, SYSTEM, first_name="Petra", last_name="Neumann", email="petra@kunde.test"
        )
    invite_customer_account(customer, contact, SYSTEM)
    delivery.deliver_due()  # the worker may have sent it already, when the invitation committed
    assert len(mail.outbox) == 1
    found = re.search(r"https?://\S+/konto/zugang/\S+/", str(mail.outbox[0].body))
    assert found is not None

    page = open_page(PHONE)
    errors = watch_errors(page)
    page.goto(found.group(0))
    page.get_by_role("heading", name="Zugang anlegen").wait_for()
    page.get_by_text("petra@kunde.test").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "customer-invitation")

    page.get_by_label("Passwort", exact=True).fill("kurz")
    page.get_by_label("Passwort bestätigen").fill("kurz")
    page.get_by_role("button", name="Zugang anlegen").click()
    page.locator("#id_new_password1-error").wait_for()
    screenshot(page, "customer-invitation-refused")

    page.get_by_label("Passwort", exact=True).fill("Kiesel-Wald-Laterne-42")
    page.get_by_label("Passwort bestätigen").fill("Kiesel-Wald-Laterne-42")
    page.get_by_role("button", name="Zugang anlegen").click()
    page.get_by_text("Ihr Zugang ist eingerichtet. Willkommen!").wait_for()
    assert "/konto/zugang/" not in page.url
    screenshot(page, "customer-invitation-done")

    # The link is used up.
    page.goto(found.group(0))
    page.get_by_role("heading", name="Diese Einladung ist nicht mehr gültig").wait_for()
    # The refused form (400) and the used link (410) answer with their status, nothing else.
    assert [e for e in real(errors) if "(Bad Request)" not in e and "(Gone)" not in e] == []
