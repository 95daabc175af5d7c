"""Services of appointments: create, update, cancel, the staff decisions with their API
events, the history snapshots, and the refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.accounts.models import Membership
from theke.appointments import services
from theke.appointments.models import Appointment, AppointmentStatus
from theke.appointments.services import workshop as workshop_services
from theke.audit.models import AuditEvent, FeedEvent
from theke.audit.presentation import describe_event
from theke.audit.services import SYSTEM, Actor
from theke.customers import services as customers
from theke.tenants.scoping import tenant_scope

from .conftest import Workshop, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_a(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        yield tenant_a


def events_of(appointment: Appointment) -> list[AuditEvent]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(
                object_id=str(appointment.pk), action__startswith="appointment."
            ).order_by("pk")
        )


def api_events() -> list[FeedEvent]:
    with scopes_disabled():
        return list(FeedEvent.objects.filter(subject_type="appointment").order_by("pk"))


# --- create and update --------------------------------------------------------------------


def test_create_records_a_snapshot(in_a: Any, workshop: Workshop, owner: Any) -> None:
    appointment = services.create_appointment(
        in_a,
        Actor.staff(owner),
        customer=workshop.customer,
        vehicle=workshop.vehicle,
        advisor=workshop.advisor,
        start=at(14, 9, 30),
        end=at(14, 11),
        work_items=[{"text": "  Inspektion  "}],
        estimated_cost="189,5",
        mileage_km=1200,
    )
    assert appointment.status == AppointmentStatus.PLANNED
    assert appointment.work_description == "Inspektion"
    assert appointment.estimated_cost == Decimal("189.50")
    [event] = events_of(appointment)
    assert event.action == "appointment.created"
    snapshot = event.data["snapshot"]
    assert snapshot["start"] == "2025-10-14T09:30:00+02:00"
    assert snapshot["vehicle"] == {"id": workshop.vehicle.pk, "label": str(workshop.vehicle)}
    assert snapshot["advisor"]["label"] == "Carl Colleague"
    assert snapshot["version"] == 1
    assert not api_events()


def test_history_shows_each_version_as_it_looked_then(in_a: Any, appointment: Appointment) -> None:
    services.update_appointment(appointment, SYSTEM, start=at(15, 8), end=at(15, 10))
    services.update_appointment(appointment, SYSTEM, notes="Ersatzwagen", replacement_car=True)
    services.cancel_appointment(appointment, SYSTEM)
    created, moved, noted, cancelled = events_of(appointment)
    assert [e.action for e in (created, moved, noted, cancelled)] == [
        "appointment.created",
        "appointment.updated",
        "appointment.updated",
        "appointment.cancelled",
    ]
    assert [e.data["snapshot"]["version"] for e in (created, moved, noted, cancelled)] == [
        1,
        2,
        3,
        4,
    ]
    assert created.data["snapshot"]["start"] == "2025-10-14T09:30:00+02:00"
    assert moved.data["snapshot"]["start"] == "2025-10-15T08:00:00+02:00"
    assert moved.data["changes"]["start"] == [
        "2025-10-14T09:30:00+02:00",
        "2025-10-15T08:00:00+02:00",
    ]
    assert moved.data["snapshot"]["replacement_car"] is False
    assert noted.data["snapshot"]["replacement_car"] is True
    assert cancelled.data["snapshot"]["status"] == "cancelled"
    assert cancelled.data["changes"] == {"status": ["planned", "cancelled"]}


def test_timeline_lines_read_in_german(in_a: Any, appointment: Appointment) -> None:
    services.update_appointment(appointment, SYSTEM, mileage_km=50000)
    services.cancel_appointment(appointment, SYSTEM)
    cancelled, updated = (describe_event(e) for e in reversed(events_of(appointment)[1:]))
    assert cancelled.label == "Termin storniert"
    assert cancelled.summary == "Status: Geplant → Storniert"
    assert updated.label == "Termin geändert"
    assert updated.summary == "Kilometerstand: – → 50000"


def test_update_without_change_records_nothing(in_a: Any, appointment: Appointment) -> None:
    services.update_appointment(appointment, SYSTEM, start=at(14, 9, 30), notes="")
    assert len(events_of(appointment)) == 1
    appointment.refresh_from_db()
    assert appointment.version == 1


def test_keeper_change_of_the_vehicle_does_not_block_other_changes(
    in_a: Any, appointment: Appointment, workshop: Workshop
) -> None:
    customers.transfer_vehicle(workshop.vehicle, SYSTEM, workshop.other)
    updated = services.update_appointment(appointment, SYSTEM, notes="Bringt Schlüssel")
    assert updated.notes == "Bringt Schlüssel" and updated.vehicle_id == workshop.vehicle.pk
    # Changing the customer checks the vehicle against the new one.
    moved = services.update_appointment(appointment, SYSTEM, customer=workshop.other)
    assert moved.customer_id == workshop.other.pk
    with pytest.raises(services.AppointmentError) as error:
        services.update_appointment(appointment, SYSTEM, customer=workshop.customer)
    assert error.value.field == "vehicle"


# --- refusals -----------------------------------------------------------------------------


def _create(tenant: Any, workshop: Workshop, **values: Any) -> Appointment:
    fields = {"customer": workshop.customer, "start": at(14, 9), "end": at(14, 10), **values}
    return services.create_appointment(tenant, SYSTEM, **fields)


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"end": at(14, 8)}, "end", "end_before_start"),
        ({"end": at(14, 9)}, "end", "end_before_start"),
        ({"start": datetime.datetime(2025, 10, 14, 9)}, "start", "naive_datetime"),
        ({"end": "2025-10-14"}, "end", "invalid_datetime"),
        ({"mileage_km": -5}, "mileage_km", "invalid_mileage"),
        ({"estimated_cost": "viel"}, "estimated_cost", "invalid_cost"),
        ({"estimated_cost": Decimal("NaN")}, "estimated_cost", "invalid_cost"),
        ({"status": "done"}, "status", "invalid_status"),
        ({"external_id": "x" * 101}, "external_id", "invalid"),
    ],
)
def test_create_refuses_bad_values(
    in_a: Any, workshop: Workshop, values: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(services.AppointmentError) as error:
        _create(in_a, workshop, **values)
    assert (error.value.field, error.value.code) == (field, code)
    assert not Appointment.objects.exists()


def test_end_before_start_says_so_in_german(in_a: Any, workshop: Workshop) -> None:
    with pytest.raises(services.AppointmentError) as error:
        _create(in_a, workshop, end=at(14, 8))
    assert error.value.messages == ["Das Ende des Termins muss nach seinem Beginn liegen."]


def test_vehicle_of_another_customer_is_refused(in_a: Any, workshop: Workshop) -> None:
    with pytest.raises(services.AppointmentError) as error:
        _create(in_a, workshop, vehicle=workshop.other_vehicle)
    assert error.value.messages == ["Das Fahrzeug gehört nicht zu diesem Kunden."]
    assert (error.value.field, error.value.code) == ("vehicle", "foreign_vehicle")


def test_rows_of_another_tenant_are_refused(in_a: Any, workshop: Workshop) -> None:
    with pytest.raises(services.AppointmentError) as error:
        _create(in_a, workshop, customer=workshop.outsider_customer)
    assert error.value.field == "customer"
    with pytest.raises(services.AppointmentError) as error:
        _create(in_a, workshop, vehicle=workshop.outsider_vehicle)
    assert error.value.field == "vehicle"


def test_advisor_must_be_an_active_member_of_the_tenant(
    in_a: Any, workshop: Workshop, outsider: Any, colleague: Any
) -> None:
    with pytest.raises(services.AppointmentError) as error:
        _create(in_a, workshop, advisor=outsider)
    assert (error.value.field, error.value.code) == ("advisor", "not_a_member")
    assert "Otto Outsider ist kein aktiver Mitarbeiter" in error.value.messages[0]
    Membership.objects.filter(user=colleague).update(is_active=False)
    with pytest.raises(services.AppointmentError):
        _create(in_a, workshop, advisor=colleague)
    with pytest.raises(services.AppointmentError) as error:
        services.advisor_by_email(in_a, "colleague@alpha.test")
    assert error.value.messages == [
        "„colleague@alpha.test“ ist kein aktiver Mitarbeiter dieses Mandanten."
    ]


def test_advisor_is_found_by_email_in_any_case(in_a: Any, workshop: Workshop) -> None:
    assert services.advisor_by_email(in_a, " Colleague@Alpha.TEST ") == workshop.advisor


def test_advisor_of_two_tenants_is_found_in_each(
    in_a: Any, tenant_b: Any, workshop: Workshop
) -> None:
    make_staff(tenant_b, "zweit@beta.test", "Zweit", "Admin")
    with pytest.raises(services.AppointmentError):
        services.advisor_by_email(in_a, "zweit@beta.test")


def test_external_id_is_unique_per_tenant(in_a: Any, workshop: Workshop) -> None:
    _create(in_a, workshop, external_id="T-9")
    with pytest.raises(services.AppointmentError) as error:
        _create(in_a, workshop, external_id="T-9")
    assert (error.value.field, error.value.code) == ("external_id", "duplicate")
    # Appointments made in Theke have no external id; any number of them may exist.
    _create(in_a, workshop)
    _create(in_a, workshop)
    assert Appointment.objects.filter(external_id="").count() == 2


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("finalized", "planned"),
        ("finalized", "cancelled"),
        ("cancelled", "planned"),
        ("cancelled", "proposed"),
    ],
)
def test_final_statuses_stay_final(
    in_a: Any, appointment: Appointment, first: str, then: str
) -> None:
    services.update_appointment(appointment, SYSTEM, status=first)
    with pytest.raises(services.AppointmentError) as error:
        services.update_appointment(appointment, SYSTEM, status=then)
    assert error.value.code == "final"
    with pytest.raises(services.AppointmentError):
        services.update_appointment(appointment, SYSTEM, notes="später")


def test_a_request_cannot_be_finalized(in_a: Any, workshop: Workshop) -> None:
    requested = _create(in_a, workshop, status="requested")
    with pytest.raises(services.AppointmentError) as error:
        workshop_services.finalize(requested, SYSTEM)
    assert error.value.code == "invalid_transition"
    assert error.value.messages == [
        "Ein Termin mit dem Status „Angefragt“ kann nicht auf „Abgeschlossen“ gesetzt werden."
    ]
    assert not api_events()


def test_cancel_reports_whether_it_changed_anything(in_a: Any, appointment: Appointment) -> None:
    assert services.cancel_appointment(appointment, SYSTEM) is True
    assert services.cancel_appointment(appointment, SYSTEM) is False
    assert [e.action for e in events_of(appointment)][-1] == "appointment.cancelled"
    assert len(events_of(appointment)) == 2


# --- staff decisions: API events ------------------------------------------------------------


def test_planning_a_request_emits_appointment_planned(
    in_a: Any, workshop: Workshop, owner: Any
) -> None:
    requested = _create(
        in_a, workshop, status="requested", external_id="T-7", branch=workshop.branch
    )
    planned = workshop_services.plan(requested, Actor.staff(owner), allow_overbooking=True)
    assert planned.status == AppointmentStatus.PLANNED
    [event] = api_events()
    assert (event.type, event.external_id, event.tenant_id) == (
        "appointment.planned",
        "T-7",
        in_a.pk,
    )
    assert event.payload == {
        "uid": str(requested.uid),
        "status": "planned",
        "start": "2025-10-14T07:00:00.000Z",
        "end": "2025-10-14T08:00:00.000Z",
        "customer_external_id": "K-1",
        "vehicle_external_id": None,
        "branch_external_id": "B-1",
        "advisor_email": None,
    }
    # A second click changes nothing and emits nothing.
    workshop_services.plan(planned, Actor.staff(owner), allow_overbooking=True)
    assert len(api_events()) == 1
    assert [e.action for e in events_of(requested)] == [
        "appointment.created",
        "appointment.planned",
    ]


def test_finalizing_emits_appointment_finalized_once(
    in_a: Any, appointment: Appointment, owner: Any
) -> None:
    workshop_services.finalize(appointment, Actor.staff(owner))
    workshop_services.finalize(appointment, Actor.staff(owner))
    [event] = api_events()
    assert event.type == "appointment.finalized" and event.external_id == "T-1"
    assert event.payload["status"] == "finalized"
    assert event.payload["start"] == "2025-10-14T07:30:00.000Z"
    assert event.payload["end"] == "2025-10-14T09:00:00.000Z"
    assert event.payload["vehicle_external_id"] == "V-1"


def test_appointment_made_in_theke_is_reported_by_its_uid(in_a: Any, workshop: Workshop) -> None:
    made_here = _create(in_a, workshop, status="proposed")
    workshop_services.plan(made_here, SYSTEM, allow_overbooking=True)
    [event] = api_events()
    assert event.external_id == "" and event.payload["uid"] == str(made_here.uid)


def test_a_cancelled_appointment_cannot_be_planned(in_a: Any, appointment: Appointment) -> None:
    services.cancel_appointment(appointment, SYSTEM)
    with pytest.raises(services.AppointmentError):
        workshop_services.plan(appointment, SYSTEM, allow_overbooking=True)
    with pytest.raises(services.AppointmentError):
        workshop_services.finalize(appointment, SYSTEM)
    assert not api_events()


def test_planned_event_reaches_the_feed(
    api_as: Any, tenant_a: Any, workshop: Workshop, owner: Any
) -> None:
    with tenant_scope(tenant_a):
        requested = _create(tenant_a, workshop, status="requested", external_id="T-8")
        workshop_services.plan(requested, Actor.staff(owner), allow_overbooking=True)
        workshop_services.finalize(requested, Actor.staff(owner))
    feed = api_as(tenant_a).get("/api/v1/events").json()["events"]
    assert [(e["type"], e["subject_type"], e["external_id"]) for e in feed] == [
        ("appointment.planned", "appointment", "T-8"),
        ("appointment.finalized", "appointment", "T-8"),
    ]
    assert feed[1]["payload"]["status"] == "finalized"


# --- the customer master respects appointments ------------------------------------------------


def test_customer_with_appointments_cannot_be_deleted(
    in_a: Any, appointment: Appointment, workshop: Workshop
) -> None:
    customers.transfer_vehicle(workshop.vehicle, SYSTEM, workshop.other)
    with pytest.raises(customers.CustomerError) as error:
        customers.remove_customer(workshop.customer, SYSTEM)
    assert error.value.code == "referenced"


def test_removing_a_booked_vehicle_only_detaches_it(
    in_a: Any, appointment: Appointment, workshop: Workshop
) -> None:
    assert customers.remove_vehicle(workshop.vehicle, SYSTEM) is False
    appointment.refresh_from_db()
    assert appointment.vehicle_id == workshop.vehicle.pk


# --- races (PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_staff_finalizing_at_once_emit_one_event(tenant_a: Any, workshop: Workshop) -> None:
    import threading

    with tenant_scope(tenant_a):
        appointment = _create(tenant_a, workshop, external_id="T-R")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def finalize() -> None:
        try:
            barrier.wait()
            with tenant_scope(tenant_a):
                workshop_services.finalize(appointment, SYSTEM)
            outcomes.append("done")
        except services.AppointmentError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=finalize) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["done", "done"]
    assert [e.type for e in api_events()] == ["appointment.finalized"]
    assert len([e for e in events_of(appointment) if e.action == "appointment.finalized"]) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_cancel_and_finalize_at_once_have_one_outcome(tenant_a: Any, workshop: Workshop) -> None:
    import threading

    with tenant_scope(tenant_a):
        appointment = _create(tenant_a, workshop, external_id="T-R")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(job: Any) -> None:
        try:
            barrier.wait()
            with tenant_scope(tenant_a):
                job(appointment, SYSTEM)
            outcomes.append("done")
        except services.AppointmentError:
            outcomes.append("refused")
        finally:
            connection.close()

    jobs = (workshop_services.finalize, services.cancel_appointment)
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "refused"]
    with scopes_disabled():
        status = Appointment.objects.get(pk=appointment.pk).status
    assert len(api_events()) == (1 if status == AppointmentStatus.FINALIZED else 0)
