"""A customer logs in on a phone, looks at the devices and signs out everywhere else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from theke.accounts.services import customer_accounts
from theke.audit.services import SYSTEM
from theke.core.tests.browser import PHONE, real, screenshot, watch_errors, wider_than_viewport
from theke.customers import services as customers
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Kipper-Mulde-Container-7"


def test_customer_logs_in_and_signs_out_everywhere_else(
    open_page: Any, live_server: Any, tenant_a: Any
) -> None:
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="company", company_name="Bau Berg GmbH"
        )
    account = customer_accounts.create_customer_account(
        customer, SYSTEM, email="eva@kunde.test", first_name="Eva", last_name="Berg"
    )
    customer_accounts.set_customer_password(account, PASSWORD, reason="set")
    # Logged in on another device already.
    laptop = Client()
    assert (
        laptop.post(
            "/konto/alpha/anmelden/", {"email": "eva@kunde.test", "password": PASSWORD}
        ).status_code
        == 302
    )

    page = open_page(PHONE)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/konto/alpha/geraete/")
    page.get_by_role("heading", name="Anmelden").wait_for()  # sent to the login first
    assert wider_than_viewport(page) == []
    screenshot(page, "customer-login")
    page.get_by_label("E-Mail").fill("Eva@Kunde.test")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()

    # Back where they wanted to go: the devices, this one and the laptop.
    page.get_by_role("heading", name="Angemeldete Geräte").wait_for()
    page.get_by_text("dieses Gerät").wait_for()
    assert page.locator(".list-group-item").count() == 2
    assert wider_than_viewport(page) == []
    screenshot(page, "customer-devices")
    page.get_by_role("button", name="Überall sonst abmelden").click()
    page.get_by_text("Sie wurden auf allen anderen Geräten abgemeldet.").wait_for()
    assert page.locator(".list-group-item").count() == 1
    assert laptop.get("/konto/alpha/").status_code == 302

    page.get_by_role("link", name="Zurück zu Ihrem Zugang").click()
    page.get_by_text("Angemeldet als").wait_for()
    assert "eva@kunde.test" in page.content()
    page.get_by_role("button", name="Abmelden").click()
    page.get_by_text("Sie wurden abgemeldet.").wait_for()
    assert real(errors) == []
