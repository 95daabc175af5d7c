"""Staff propose slots in Chromium: a service advisor at 1366 wide opens a requested
appointment, "Vorlegen → Vorschlag anbieten", ticks two free slots and types a third, and the
customer's link (from the proposal e-mail in the outbox) shows the three slots on a phone.
A form without a slot answers with a German message at the fields, also at 820 wide.

Picking a slot on the customer's page is test_appointment_page_browser's part."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import formats, translation

from theke.appointments import services
from theke.appointments.models import Appointment, AppointmentStatus
from theke.audit.services import SYSTEM
from theke.core.tests.browser import (
    DESKTOP,
    PHONE,
    logged_in_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .appointment_page_fixtures import path_of
from .booking_fixtures import at
from .conftest import Workshop
from .workshop_fixtures import open_workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def _requested(tenant: Any, workshop: Workshop, day: datetime.date) -> Appointment:
    with tenant_scope(tenant):
        return services.create_appointment(
            tenant,
            SYSTEM,
            customer=workshop.customer,
            vehicle=workshop.vehicle,
            branch=workshop.branch,
            start=at(day, 9),
            end=at(day, 10),
            status=AppointmentStatus.REQUESTED,
            work_items=[services.WorkItem("Inspektion")],
        )


def _as_the_customer_sees_it(label: str) -> tuple[str, str]:
    """A slot as staff pick it ("14.10.2025 09:30") as the customer's page names its day and
    start ("Dienstag, 14. Oktober 2025", "09:30")."""
    start = datetime.datetime.strptime(label, "%d.%m.%Y %H:%M")
    with translation.override("de"):
        return formats.date_format(start, "l, j. F Y"), f"{start:%H:%M}"


def _proposals(tenant: Any) -> list[OutboundMessage]:
    with tenant_scope(tenant):
        return list(OutboundMessage.objects.filter(purpose="appointment_proposal"))


def test_an_advisor_proposes_three_slots_and_the_customer_sees_them_on_a_phone(
    open_page: Any, live_server: Any, client: Any, tenant_a: Any, workshop: Workshop
) -> None:
    day = open_workshop(tenant_a, workshop)
    appointment = _requested(tenant_a, workshop, day)
    detail = live_server.url + reverse("appointments:appointment_detail", args=[appointment.pk])
    page = logged_in_page(open_page, DESKTOP, client, workshop.advisor, live_server.url)
    errors = watch_errors(page)
    page.goto(detail)
    assert "Angefragt" in page.locator("#appointment-status").inner_text()
    page.get_by_role("button", name="Vorlegen").click()
    page.get_by_role("link", name="Vorschlag anbieten").click()
    page.get_by_role("heading", name="Vorschlag anbieten").wait_for()
    assert wider_than_viewport(page) == []
    # Two of the branch's free slots, and a third typed in (on the bookable day, 15:00).
    suggestions = page.locator(".suggestion")
    assert suggestions.count() >= 2
    picked = [suggestions.nth(i).inner_text().strip() for i in range(2)]
    typed = f"{day:%d.%m.%Y} 15:00"
    assert typed not in picked
    for i in range(2):
        suggestions.nth(i).get_by_role("checkbox").check()
    page.locator("#id_slot0-date").fill(day.isoformat())
    page.locator("#id_slot0-time").fill("15:00")
    assert page.get_by_label("per E-Mail").is_checked()
    screenshot(page, "workshop-propose-filled")
    page.get_by_role("button", name="Vorschlag senden").click()
    page.get_by_text("Der Vorschlag wird dem Kunden gesendet.").wait_for()
    assert page.url == detail
    assert "Vorgeschlagen" in page.locator("#appointment-status").inner_text()
    assert real(errors) == []

    proposals = _proposals(tenant_a)
    assert len(proposals) == 1
    message = proposals[0]
    assert message.recipient == "eva@kunde.test"
    link = path_of(message.body_text)

    phone = open_page(PHONE)
    phone.goto(live_server.url + link)
    phone.get_by_role("heading", name="Bitte wählen Sie Ihren Termin").wait_for()
    assert wider_than_viewport(phone) == []
    shown = phone.locator("label.slot-choice").all_inner_texts()
    assert sorted(_as_the_customer_sees_it(label) for label in [*picked, typed]) == sorted(
        (text.split("\n")[0].strip(), text.split("\n")[1].split()[0]) for text in shown
    ), shown
    screenshot(phone, "appointment-proposal-from-staff")


@pytest.mark.parametrize("viewport", [TABLET, DESKTOP], ids=["820", "1366"])
def test_a_proposal_without_a_slot_is_refused_at_the_fields(
    open_page: Any,
    live_server: Any,
    client: Any,
    tenant_a: Any,
    workshop: Workshop,
    viewport: dict[str, int],
) -> None:
    day = open_workshop(tenant_a, workshop)
    appointment = _requested(tenant_a, workshop, day)
    url = live_server.url + reverse("appointments:appointment_propose", args=[appointment.pk])
    page = logged_in_page(open_page, viewport, client, workshop.advisor, live_server.url)
    page.goto(url)
    page.get_by_role("heading", name="Vorschlag anbieten").wait_for()
    assert wider_than_viewport(page) == []
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Vorschlag senden").click()
    assert answer.value.status == 400
    error = page.locator("#propose-form #slots-error")
    assert error.inner_text() == "Bitte wählen Sie einen bis drei Termine."
    # The message stands in the form, right above the slots it is about.
    described = page.locator('fieldset[aria-describedby="slots-error"]')
    assert described.count() == 2
    error_box, fieldset_box = error.bounding_box(), described.first.bounding_box()
    assert 0 <= fieldset_box["y"] - (error_box["y"] + error_box["height"]) < 40
    # A date without a time, and no way to send: each message at its field.
    page.locator("#id_slot0-date").fill(day.isoformat())
    page.get_by_label("per E-Mail").uncheck()
    page.get_by_role("button", name="Vorschlag senden").click()
    page.get_by_text("Bitte geben Sie Datum und Uhrzeit an.").wait_for()
    time_field = page.locator("#id_slot0-time")
    assert time_field.get_attribute("aria-invalid") == "true"
    time_error = page.locator("#propose-form .invalid-feedback", has_text="Datum und Uhrzeit")
    assert time_error.evaluate(
        "(el, field) => el.parentElement.contains(field)", time_field.element_handle()
    )
    ways = page.locator("#propose-form fieldset", has=page.get_by_label("per E-Mail"))
    assert ways.get_by_text("Bitte wählen Sie mindestens einen Weg.").is_visible()
    assert wider_than_viewport(page) == []
    screenshot(page, "workshop-propose-errors")
    with tenant_scope(tenant_a):
        assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.REQUESTED
    assert _proposals(tenant_a) == []
