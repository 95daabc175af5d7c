"""The staff pages of the workshop appointments (issue 13): the list with its tabs, filters
and no-show rate, "Neuen Termin erstellen", proposing, planning (with the overbooking step),
the checklist, finalize, no-show, the work items on the edit page, "Werkstattkunden", the
tiles and the navigation entry."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_staff
from theke.appointments import services
from theke.appointments.models import (
    Appointment,
    AppointmentStatus,
)
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.customers.models import Customer, Vehicle
from theke.tenants.scoping import tenant_scope

from .conftest import Workshop, at
from .workshop_fixtures import open_workshop

pytestmark = pytest.mark.django_db
S = AppointmentStatus
LIST = reverse("appointments:appointment_list")
CREATE = reverse("appointments:appointment_create")


@pytest.fixture
def staff(client: Any, colleague: Any) -> Any:
    client.force_login(colleague)
    return client


def _url(name: str, pk: int) -> str:
    return reverse(f"appointments:{name}", args=[pk])


def _make(tenant: Any, workshop: Workshop, status: str = S.REQUESTED, **values: Any) -> Appointment:
    values.setdefault("start", at(14, 9))
    values.setdefault("end", values["start"] + datetime.timedelta(hours=1))
    with tenant_scope(tenant):
        return services.create_appointment(
            tenant,
            SYSTEM,
            customer=values.pop("customer", workshop.customer),
            vehicle=values.pop("vehicle", workshop.vehicle),
            branch=workshop.branch,
            status=status,
            **values,
        )


def at_day(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _fresh(appointment: Appointment) -> Appointment:
    with tenant_scope(appointment.tenant):
        return Appointment.objects.get(pk=appointment.pk)


def _create_data(workshop: Workshop, **override: Any) -> dict[str, Any]:
    data = {
        "customer": workshop.customer.pk,
        "vehicle": workshop.vehicle.pk,
        "date": "2031-03-04",
        "time": "09:30",
        "duration": "90",
        "branch": workshop.branch.pk,
        "advisor": "",
        "estimated_cost": "",
        "notes": "Kunde ruft an",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items-0-text": "Inspektion",
        "items-0-cost": "189,50",
        "items-1-text": "",
        "items-1-cost": "",
    }
    data.update(override)
    return data


# --- rights and isolation ---------------------------------------------------------------------


def test_pages_need_the_right(client: Any, tenant_a: Any, workshop: Workshop) -> None:
    appointment = _make(tenant_a, workshop)
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tim Technik", "Techniker"))
    for url in (
        LIST,
        CREATE,
        reverse("appointments:workshop_customers"),
        _url("appointment_propose", appointment.pk),
        _url("appointment_plan", appointment.pk),
    ):
        assert client.get(url).status_code == 403, url
    for name in ("appointment_checklist", "appointment_finalize", "appointment_no_show"):
        assert client.post(_url(name, appointment.pk)).status_code == 403
    assert client.post(_url("preferred_customer", workshop.customer.pk)).status_code == 403


def test_another_tenant_sees_nothing(
    outsider_client: Any, tenant_a: Any, workshop: Workshop
) -> None:
    appointment = _make(tenant_a, workshop)
    assert appointment.customer.display_name not in outsider_client.get(LIST).content.decode()
    for name in ("appointment_propose", "appointment_plan"):
        assert outsider_client.get(_url(name, appointment.pk)).status_code == 404
    for name in ("appointment_checklist", "appointment_finalize", "appointment_no_show"):
        assert outsider_client.post(_url(name, appointment.pk)).status_code == 404
    assert outsider_client.post(_url("preferred_vehicle", workshop.vehicle.pk)).status_code == 404
    # A customer id of tenant A on the create page is no customer at all.
    html = outsider_client.get(CREATE + f"?customer={workshop.customer.pk}").content.decode()
    assert 'id="chosen-customer"' not in html


# --- the list ---------------------------------------------------------------------------------


def test_list_tabs_order_and_highlights(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    plain = _make(tenant_a, workshop, start=at(10, 9))
    countered = _make(
        tenant_a,
        workshop,
        start=at(20, 9),
        counter_proposal_note="Lieber nachmittags",
        counter_proposal_at=timezone.now(),
    )
    _make(tenant_a, workshop, status=S.CANCELLED, start=at(11, 9))
    html = staff.get(LIST).content.decode()
    assert html.index(f'data-appointment="{countered.pk}"') < html.index(
        f'data-appointment="{plain.pk}"'
    )
    assert "Gegenvorschlag" in html and 'id="tab-cancelled"' in html
    provisional = _make(tenant_a, workshop, status=S.PLANNED, start=at(22, 9))
    firm = _make(
        tenant_a, workshop, status=S.PLANNED, start=at(15, 9), workshop_time_confirmed=True
    )
    html = staff.get(LIST + "?tab=planned").content.decode()
    assert html.index(f'data-appointment="{provisional.pk}"') < html.index(
        f'data-appointment="{firm.pk}"'
    )
    assert "Vorläufig" in html


def test_list_filters_and_live_search(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    eva = _make(tenant_a, workshop, start=at(10, 9), work_items=[services.WorkItem("Bremsen")])
    schulz = _make(
        tenant_a,
        workshop,
        customer=workshop.other,
        vehicle=workshop.other_vehicle,
        start=at(12, 9),
    )
    html = staff.get(LIST, {"q": "bremsen"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-appointment="{eva.pk}"' in html and f'data-appointment="{schulz.pk}"' not in html
    assert "<html" not in html  # htmx gets the results only
    html = staff.get(LIST, {"q": "B-ES"}).content.decode()
    assert f'data-appointment="{schulz.pk}"' in html and f'data-appointment="{eva.pk}"' not in html
    html = staff.get(LIST, {"first_day": "2025-10-11", "last_day": "2025-10-31"}).content.decode()
    assert f'data-appointment="{schulz.pk}"' in html and f'data-appointment="{eva.pk}"' not in html
    # Nonsense filters are ignored, never an error page.
    assert staff.get(LIST, {"tab": "x", "branch": "y", "first_day": "z"}).status_code == 200


def test_no_show_rate_per_branch_and_month(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    now = timezone.now()
    start = now - datetime.timedelta(hours=3)
    _make(tenant_a, workshop, status=S.PLANNED, start=start, no_show_at=now)
    _make(tenant_a, workshop, status=S.FINALIZED, start=start)
    html = staff.get(LIST).content.decode()
    assert 'id="no-show-rates"' in html and "50 %" in html and workshop.branch.name in html


# --- creating ---------------------------------------------------------------------------------


def test_create_prefilled_from_the_calendar(staff: Any, workshop: Workshop) -> None:
    query = (
        f"?customer={workshop.customer.pk}&vehicle={workshop.vehicle.pk}"
        f"&branch={workshop.branch.pk}&start=2031-03-04T10:15&duration=45"
    )
    html = staff.get(CREATE + query).content.decode()
    assert 'id="chosen-customer"' in html and "Eva Berg" in html
    assert 'value="2031-03-04"' in html and 'value="10:15"' in html and 'value="45"' in html


def test_create_finds_the_customer_first(staff: Any, workshop: Workshop) -> None:
    html = staff.get(CREATE, {"q": "Schulz"}).content.decode()
    assert 'id="customer-results"' in html and f"customer={workshop.other.pk}" in html
    assert 'id="appointment-create-form"' not in html


def test_create_makes_a_request_with_work_items(
    staff: Any, tenant_a: Any, workshop: Workshop
) -> None:
    response = staff.post(CREATE + f"?customer={workshop.customer.pk}", _create_data(workshop))
    with tenant_scope(tenant_a):
        appointment = Appointment.objects.get()
        assert response.url == _url("appointment_detail", appointment.pk)
        assert appointment.status == S.REQUESTED
        assert [i.text for i in services.work_items_of(appointment)] == ["Inspektion"]
        assert str(services.total_cost(appointment)) == "189.50"
        assert (appointment.end - appointment.start) == datetime.timedelta(minutes=90)
    html = staff.get(_url("appointment_detail", appointment.pk)).content.decode()
    assert "189,50 €" in html and 'id="appointment-propose"' in html
    assert 'id="appointment-finalize"' not in html


def test_create_errors_next_to_the_field(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    data = _create_data(
        workshop,
        date="",
        duration="0",
        vehicle=str(workshop.other_vehicle.pk),
        **{"items-1-cost": "12", "items-1-text": ""},
    )
    response = staff.post(CREATE + f"?customer={workshop.customer.pk}", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("invalid-feedback") >= 4
    assert "Bitte beschreiben Sie die Arbeit zu diesem Betrag." in html
    with tenant_scope(tenant_a):
        assert not Appointment.objects.exists()


def test_create_adds_a_work_item_row(staff: Any, workshop: Workshop) -> None:
    data = _create_data(workshop, add_row="1")
    response = staff.post(CREATE + f"?customer={workshop.customer.pk}", data)
    html = response.content.decode()
    assert 'name="items-2-text"' in html and 'value="Inspektion"' in html
    assert "invalid-feedback" not in html


def test_new_customer_on_the_way(owner_client: Any, tenant_a: Any, workshop: Workshop) -> None:
    url = reverse("appointments:appointment_create_customer") + "?start=2031-03-04T10:15"
    response = owner_client.post(
        url, {"kind": "person", "last_name": "Neu", "email": "neu@example.test"}
    )
    with tenant_scope(tenant_a):
        customer = Customer.objects.get(last_name="Neu")
    assert response.status_code == 302
    assert f"customer={customer.pk}" in response.url and "start=2031-03-04T10%3A15" in response.url
    # Unreachable: the message stays on the form.
    response = owner_client.post(url, {"kind": "person", "last_name": "Niemand"})
    assert response.status_code == 200 and "E-Mail-Adresse oder eine Mobilnummer" in (
        response.content.decode()
    )


# --- the appointment page and its actions -----------------------------------------------------


def test_buttons_follow_the_status(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    requested = _make(tenant_a, workshop)
    html = staff.get(_url("appointment_detail", requested.pk)).content.decode()
    assert 'id="appointment-plan"' in html and 'id="appointment-no-show"' not in html
    assert 'id="checklist-hint"' in html  # incomplete checklist: the seed's warning
    planned = _make(tenant_a, workshop, status=S.PLANNED)
    html = staff.get(_url("appointment_detail", planned.pk)).content.decode()
    assert 'id="appointment-finalize"' in html and 'id="appointment-no-show"' in html
    assert 'id="appointment-plan"' not in html and 'id="confirm-email"' in html
    cancelled = _make(tenant_a, workshop, status=S.CANCELLED)
    html = staff.get(_url("appointment_detail", cancelled.pk)).content.decode()
    assert 'id="appointment-actions"' not in html and 'id="checklist-form"' not in html


def test_counter_proposal_is_shown(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    appointment = _make(
        tenant_a,
        workshop,
        counter_proposal_note="Geht erst ab 16 Uhr",
        counter_proposal_at=timezone.now(),
    )
    html = staff.get(_url("appointment_detail", appointment.pk)).content.decode()
    assert 'id="counter-proposal"' in html and "Geht erst ab 16 Uhr" in html


def test_checklist(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    appointment = _make(tenant_a, workshop)
    staff.post(
        _url("appointment_checklist", appointment.pk),
        {"workshop_time_confirmed": "on", "work_order_ready": "on", "parts_ready": "on"},
    )
    assert _fresh(appointment).checklist_complete
    html = staff.get(_url("appointment_propose", appointment.pk)).content.decode()
    assert 'id="checklist-warning"' not in html
    staff.post(_url("appointment_checklist", appointment.pk), {"parts_ready": "on"})
    fresh = _fresh(appointment)
    assert fresh.parts_ready and not fresh.workshop_time_confirmed


def test_propose_page_warns_and_refuses_bad_choices(
    staff: Any, tenant_a: Any, workshop: Workshop
) -> None:
    appointment = _make(tenant_a, workshop)
    url = _url("appointment_propose", appointment.pk)
    html = staff.get(url).content.decode()
    assert 'id="checklist-warning"' in html and "Werkstattzeit" in html
    assert 'name="by_sms"' not in html  # the tenant has no SMS
    response = staff.post(url, {"by_email": "on"})
    assert response.status_code == 400 and 'id="slots-error"' in response.content.decode()
    response = staff.post(url, {"slot0-date": "2031-03-04", "slot0-time": "10:00"})
    assert "Bitte wählen Sie mindestens einen Weg." in response.content.decode()
    response = staff.post(url, {"by_email": "on", "slot0-date": "2031-03-04"})
    assert "Bitte geben Sie Datum und Uhrzeit an." in response.content.decode()
    # Every field's message at once: the half slot and the missing way together.
    html = staff.post(url, {"slot0-date": "2031-03-04"}).content.decode()
    assert "Bitte geben Sie Datum und Uhrzeit an." in html
    assert "Bitte wählen Sie mindestens einen Weg." in html
    assert _fresh(appointment).status == S.REQUESTED


def test_propose_a_suggested_and_a_typed_slot(
    staff: Any, tenant_a: Any, workshop: Workshop
) -> None:
    day = open_workshop(tenant_a, workshop)
    appointment = _make(tenant_a, workshop, start=at_day(day, 9))
    url = _url("appointment_propose", appointment.pk)
    html = staff.get(url).content.decode()
    assert 'name="suggested"' in html
    suggested = html.split('name="suggested" value="', 1)[1].split('"', 1)[0]
    response = staff.post(
        url,
        {
            "by_email": "on",
            "suggested": suggested.replace("&#x2B;", "+"),
            "slot0-date": day.isoformat(),
            "slot0-time": "15:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _fresh(appointment).status == S.PROPOSED
    html = staff.get(_url("appointment_detail", appointment.pk)).content.decode()
    assert 'id="open-proposal"' in html and "15:00" in html


def test_propose_refuses_a_taken_slot(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    day = open_workshop(tenant_a, workshop)
    _make(tenant_a, workshop, status=S.PLANNED, start=at_day(day, 10))
    appointment = _make(tenant_a, workshop, start=at_day(day, 9))
    response = staff.post(
        _url("appointment_propose", appointment.pk),
        {"by_email": "on", "slot0-date": day.isoformat(), "slot0-time": "10:00"},
    )
    assert response.status_code == 400 and 'id="slots-error"' in response.content.decode()
    assert _fresh(appointment).status == S.REQUESTED


def test_plan_and_the_overbooking_step(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    day = open_workshop(tenant_a, workshop)
    _make(tenant_a, workshop, status=S.PLANNED, start=at_day(day, 10))
    appointment = _make(tenant_a, workshop, start=at_day(day, 8))
    url = _url("appointment_plan", appointment.pk)
    html = staff.get(url).content.decode()
    assert f'value="{day.isoformat()}"' in html and 'value="08:00"' in html
    taken = {"date": day.isoformat(), "time": "10:00", "duration": "60"}
    response = staff.post(url, taken)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="overbooking-warning"' in html and 'id="confirm-overbooking"' in html
    assert _fresh(appointment).status == S.REQUESTED
    response = staff.post(url, {**taken, "allow_overbooking": "on"})
    assert response.status_code == 302
    fresh = _fresh(appointment)
    assert fresh.status == S.PLANNED and fresh.overbooked
    assert timezone.localtime(fresh.start).hour == 10
    html = staff.get(LIST + "?tab=planned").content.decode()
    assert "Überbucht" in html
    # Planned already: the page refuses and goes back.
    assert staff.get(url).status_code == 302


def test_plan_at_a_free_time(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    day = open_workshop(tenant_a, workshop)
    appointment = _make(tenant_a, workshop, start=at_day(day, 8))
    response = staff.post(
        _url("appointment_plan", appointment.pk),
        {"date": day.isoformat(), "time": "11:00", "duration": "60"},
    )
    assert response.status_code == 302
    fresh = _fresh(appointment)
    assert fresh.status == S.PLANNED and not fresh.overbooked


def test_plan_bad_input_stays_on_the_form(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    appointment = _make(tenant_a, workshop)
    response = staff.post(
        _url("appointment_plan", appointment.pk), {"date": "x", "time": "", "duration": "-1"}
    )
    assert response.status_code == 400
    assert response.content.decode().count("invalid-feedback") >= 3


def test_finalize_and_no_show(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    planned = _make(tenant_a, workshop, status=S.PLANNED)  # started in the past
    staff.post(_url("appointment_no_show", planned.pk))
    assert _fresh(planned).no_show_at is not None
    staff.post(_url("appointment_finalize", planned.pk))
    assert _fresh(planned).status == S.FINALIZED
    # Finalized: nothing more; the refusal is a message, not an error page.
    response = staff.post(_url("appointment_finalize", planned.pk), follow=True)
    assert response.status_code == 200
    requested = _make(tenant_a, workshop)
    response = staff.post(_url("appointment_no_show", requested.pk))
    assert response.status_code == 302 and _fresh(requested).no_show_at is None


def test_edit_saves_work_items_and_total(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    appointment = _make(tenant_a, workshop, work_items=[services.WorkItem("Alt")])
    url = _url("appointment_edit", appointment.pk)
    html = staff.get(url).content.decode()
    assert 'value="Alt"' in html
    response = staff.post(
        url,
        {
            "date": "2025-10-14",
            "start_time": "09:00",
            "end_time": "10:00",
            "customer": workshop.customer.pk,
            "vehicle": workshop.vehicle.pk,
            "estimated_cost": "250",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "1",
            "items-0-text": "Ölwechsel",
            "items-0-cost": "80",
            "items-1-text": "Bremsen",
            "items-1-cost": "",
        },
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        fresh = Appointment.objects.get(pk=appointment.pk)
        assert [i.text for i in services.work_items_of(fresh)] == ["Ölwechsel", "Bremsen"]
        assert services.total_cost(fresh) == 250


# --- "Werkstattkunden", tiles, navigation -----------------------------------------------------


def test_workshop_customer_toggles_and_list(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    detail = reverse("customers:detail", args=[workshop.customer.pk])
    html = staff.get(detail).content.decode()
    assert 'id="preferred-customer"' in html and 'id="customer-new-appointment"' in html
    assert f"vehicle={workshop.vehicle.pk}" in html
    response = staff.post(
        _url("preferred_customer", workshop.customer.pk), {"preferred_workshop": "on"}
    )
    assert response.url == detail
    staff.post(
        _url("preferred_vehicle", workshop.other_vehicle.pk),
        {"preferred_workshop": "on", "next": "https://evil.test/"},
    )
    with tenant_scope(tenant_a):
        assert Customer.objects.get(pk=workshop.customer.pk).preferred_workshop
        assert Vehicle.objects.get(pk=workshop.other_vehicle.pk).preferred_workshop
        assert AuditEvent.objects.filter(action="vehicle.updated").exists()
    url = reverse("appointments:workshop_customers")
    html = staff.get(url).content.decode()
    assert "Eva Berg" in html and "Schulz" in html and "B-ES 2" in html
    html = staff.get(url, {"q": "schulz"}).content.decode()
    assert "Eva Berg" not in html and "Schulz" in html
    staff.post(_url("preferred_customer", workshop.customer.pk), {"preferred_workshop": "off"})
    assert "Eva Berg" not in staff.get(url).content.decode()


def test_tiles_and_navigation(staff: Any, tenant_a: Any, workshop: Workshop) -> None:
    _make(tenant_a, workshop, status=S.PROPOSED)
    _make(tenant_a, workshop, counter_proposal_note="x", counter_proposal_at=timezone.now())
    now = timezone.now()
    _make(tenant_a, workshop, status=S.PLANNED, start=now, end=now + datetime.timedelta(hours=1))
    html = staff.get(reverse("core:dashboard")).content.decode()
    assert "Termine heute" in html and "Vorschläge beim Kunden" in html
    assert "Gegenvorschläge" in html
    assert f'href="{LIST}"' in staff.get(LIST).content.decode()
