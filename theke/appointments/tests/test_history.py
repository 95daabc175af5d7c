"""The history "as it looked then": versions with their changes, an old version's page
rendered from its snapshot, the shared facts block, the links, and who may see them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_staff
from theke.appointments import services
from theke.appointments.history import AppointmentData, versions_of
from theke.appointments.models import Appointment
from theke.audit.services import SYSTEM, Actor
from theke.tenants.scoping import tenant_scope

from .conftest import Workshop, at


@pytest.fixture
def staff(client: Any, colleague: Any) -> Any:
    client.force_login(colleague)
    return client


@pytest.fixture
def changed(tenant_a: Any, appointment: Appointment, workshop: Workshop) -> Appointment:
    """The fixture's appointment (version 1: 14 Oct 9:30, "Inspektion"), then moved to
    16 Oct 8:00 with other work items and a total (version 2)."""
    with tenant_scope(tenant_a):
        return services.update_appointment(
            appointment,
            Actor.staff(workshop.advisor),
            start=at(16, 8),
            end=at(16, 10),
            work_items=[
                services.WorkItem("Bremsen vorne", Decimal("240.00")),
                services.WorkItem("Wischerblätter", Decimal("39.90")),
            ],
        )


def _url(name: str, *args: Any) -> str:
    return reverse(f"appointments:{name}", args=args)


def test_an_old_version_shows_the_old_values(staff: Any, changed: Appointment) -> None:
    old = staff.get(_url("appointment_version", changed.pk, 1))
    assert old.status_code == 200
    html = old.content.decode()
    assert "Dienstag, 14.10.2025" in html and "09:30–11:00" in html
    assert "Inspektion" in html
    assert "Bremsen vorne" not in html and "Donnerstag, 16.10.2025" not in html
    assert 'id="version-notice"' in html and "Version 1 von 2" in html

    new = staff.get(_url("appointment_version", changed.pk, 2)).content.decode()
    assert "Donnerstag, 16.10.2025" in new and "08:00–10:00" in new
    assert "Bremsen vorne" in new and "279,90" in new  # the items' sum as the total
    assert "Inspektion" not in new.split('id="appointment-facts"')[1].split("</dl>")[0]


def test_the_list_shows_who_when_and_each_field_old_and_new(
    staff: Any, changed: Appointment
) -> None:
    html = staff.get(_url("appointment_history", changed.pk)).content.decode()
    assert 'id="version-2"' in html and 'id="version-1"' in html
    assert "Termin angelegt" in html and "Termin geändert" in html
    assert "Carl Colleague" in html  # who changed it
    assert "Beginn" in html and "14.10.2025 09:30" in html and "16.10.2025 08:00" in html
    assert "Arbeitspositionen" in html and "Bremsen vorne (240,00" in html
    # Newest first.
    assert html.index('id="version-2"') < html.index('id="version-1"')


def test_the_live_page_uses_the_same_facts_and_links_to_the_history(
    staff: Any, changed: Appointment
) -> None:
    live = staff.get(_url("appointment_detail", changed.pk)).content.decode()
    latest = staff.get(_url("appointment_version", changed.pk, 2)).content.decode()

    def facts(html: str) -> str:
        return html.split('id="appointment-facts"')[1].split("</dl>")[0]

    assert facts(live) == facts(latest)
    assert _url("appointment_history", changed.pk) in live


def test_unknown_versions_answer_404(staff: Any, changed: Appointment) -> None:
    assert staff.get(_url("appointment_version", changed.pk, 3)).status_code == 404
    assert staff.get(_url("appointment_version", changed.pk, 0)).status_code == 404


def test_other_tenants_get_404(outsider_client: Any, changed: Appointment) -> None:
    for url in (
        _url("appointment_history", changed.pk),
        _url("appointment_version", changed.pk, 1),
        _url("vehicle_appointments", changed.vehicle_id),
    ):
        assert outsider_client.get(url).status_code == 404


def test_without_the_right_403(client: Any, tenant_a: Any, changed: Appointment) -> None:
    client.force_login(make_staff(tenant_a, "t@alpha.test", "Tom Technik", "Techniker"))
    assert client.get(_url("appointment_history", changed.pk)).status_code == 403
    assert client.get(_url("appointment_version", changed.pk, 1)).status_code == 403
    assert client.get(_url("vehicle_appointments", changed.vehicle_id)).status_code == 403


def test_customer_and_vehicle_pages_link_to_the_history(
    staff: Any, changed: Appointment, workshop: Workshop
) -> None:
    customer_page = staff.get(reverse("customers:detail", args=[workshop.customer.pk]))
    html = customer_page.content.decode()
    assert _url("appointment_history", changed.pk) in html
    assert _url("vehicle_appointments", workshop.vehicle.pk) in html
    vehicle_page = staff.get(_url("vehicle_appointments", workshop.vehicle.pk)).content.decode()
    assert _url("appointment_detail", changed.pk) in vehicle_page
    assert _url("appointment_history", changed.pk) in vehicle_page


def test_older_snapshots_with_a_single_work_description_still_read() -> None:
    data = AppointmentData.from_snapshot(
        {
            "status": "confirmed",
            "source": "back_office",
            "start": "2025-10-14T09:30:00+02:00",
            "end": "2025-10-14T11:00:00+02:00",
            "branch": {"id": 1, "label": "Alpha Mitte"},
            "work_description": "Inspektion\nÖlwechsel",
            "estimated_cost": "189.00",
            "customer_waits": True,
        }
    )
    assert data.status_label == "Bestätigt"
    assert [item.text for item in data.work_items] == ["Inspektion\nÖlwechsel"]
    assert data.total_cost == Decimal("189.00") and data.duration_minutes == 90
    assert data.checklist == ()  # not recorded then: not shown as "open"


def test_new_fields_of_the_snapshot_are_shown(tenant_a: Any, appointment: Appointment) -> None:
    with tenant_scope(tenant_a):
        services.update_appointment(
            appointment,
            SYSTEM,
            workshop_time_confirmed=True,
            counter_proposal_note="Lieber am Freitag",
            overbooked=True,
        )
        versions = versions_of(appointment)
    data = versions[-1].data
    assert [check.done for check in data.checklist] == [True, False, False]
    assert data.counter_proposal_note == "Lieber am Freitag" and data.overbooked
    assert {change.name for change in versions[-1].changes} == {
        "workshop_time_confirmed",
        "counter_proposal_note",
        "overbooked",
    }
