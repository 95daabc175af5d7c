"""Accounts pages in Chromium, on a phone and on a desktop: no sideways scrolling, no CSP errors."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse

from theke.accounts.models import Role
from theke.audit.services import SYSTEM
from theke.core.tests.browser import (
    VIEWPORT_IDS,
    VIEWPORTS,
    logged_in_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Zylinderkopf-Dichtung-42"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_admin_invites_a_colleague_who_sets_a_password_and_logs_in(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    colleague: Any,
    tenant_a: Any,
    viewport: dict[str, int],
) -> None:
    create_branch(tenant_a, SYSTEM, "Alpha Mitte")
    page = logged_in_page(open_page, viewport, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(live_server.url + reverse("accounts:user_list"))
    assert wider_than_viewport(page) == []
    screenshot(page, "accounts-user-list")

    page.get_by_role("link", name="Benutzer hinzufügen").click()
    page.get_by_label("E-Mail").fill("nina@alpha.test")
    page.get_by_label("Name").fill("Nina Neu")
    page.get_by_label("Rolle").select_option(label="Techniker")
    page.get_by_label("Alpha Mitte").check()
    assert wider_than_viewport(page) == []
    screenshot(page, "accounts-user-invite")
    page.get_by_role("button", name="Hinzufügen und benachrichtigen").click()
    page.get_by_text("wurde eingeladen").wait_for()
    assert len(mail.outbox) == 1

    page.get_by_role("link", name="Nina Neu").click()
    page.get_by_role("heading", name="Nina Neu").wait_for()
    page.wait_for_load_state()
    assert wider_than_viewport(page) == []
    screenshot(page, "accounts-user-edit")

    link = re.search(r"https?://\S+", str(mail.outbox[0].body))
    assert link
    invited = open_page(viewport)
    invited_errors = watch_errors(invited)
    invited.goto(live_server.url + urlparse(link.group(0)).path)
    invited.locator("#id_new_password1").fill(NEW_PASSWORD)
    invited.locator("#id_new_password2").fill(NEW_PASSWORD)
    assert wider_than_viewport(invited) == []
    screenshot(invited, "accounts-invitation-set-password")
    invited.get_by_role("button", name="Passwort speichern").click()
    invited.get_by_role("link", name="Zur Anmeldung").click()
    invited.get_by_label("E-Mail").fill("Nina@Alpha.test")
    invited.get_by_label("Passwort").fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Anmelden").click()
    invited.get_by_role("heading", name="Guten Tag, Nina").wait_for()

    assert real(errors) == []
    assert real(invited_errors) == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_role_pages_and_lockout_page_fit_the_screen(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    tenant_a: Any,
    viewport: dict[str, int],
) -> None:
    page = logged_in_page(open_page, viewport, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(live_server.url + reverse("accounts:role_list"))
    assert wider_than_viewport(page) == []
    screenshot(page, "accounts-role-list")
    with tenant_scope(tenant_a):
        techniker = Role.objects.get(name="Techniker")
    page.goto(live_server.url + reverse("accounts:role_edit", args=[techniker.pk]))
    page.get_by_label("Termine verwalten").check()
    assert wider_than_viewport(page) == []
    screenshot(page, "accounts-role-form")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Die Rolle wurde gespeichert.").wait_for()
    techniker.refresh_from_db()
    assert "appointments.manage" in techniker.permissions
    page.goto(live_server.url + reverse("accounts:role_delete", args=[techniker.pk]))
    screenshot(page, "accounts-role-delete")

    anonymous = open_page(viewport)
    for _ in range(5):
        anonymous.goto(live_server.url + reverse("accounts:login"))
        anonymous.get_by_label("E-Mail").fill("owner@alpha.test")
        anonymous.get_by_label("Passwort").fill("wrong")
        anonymous.get_by_role("button", name="Anmelden").click()
    anonymous.get_by_role("heading", name="Anmeldung vorübergehend gesperrt").wait_for()
    assert wider_than_viewport(anonymous) == []
    screenshot(anonymous, "accounts-locked-out")
    assert real(errors) == []
