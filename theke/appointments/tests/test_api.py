"""HTTP-level tests of PUT/GET/DELETE /api/v1/appointments and the bulk endpoint, with real
bearer API keys."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.appointments.models import Appointment, AppointmentStatus
from theke.audit.models import ActorType, AuditEvent, FeedEvent

from .conftest import APPOINTMENT, BASE, Workshop, post, put

pytestmark = pytest.mark.django_db


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def paths(body: dict[str, Any]) -> list[str]:
    return [error["path"] for error in body.get("errors", [])]


# --- create, update, read ---------------------------------------------------------------------


def test_put_creates_an_appointment_then_updates_it(
    api_as: Any, tenant_a: Any, workshop: Workshop
) -> None:
    client = api_as(tenant_a)
    response = put(client, "/appointments/T-100", APPOINTMENT)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "planned"
    assert created["start"] == "2025-10-14T07:30:00.000Z"  # the API's one timestamp format
    assert created["advisor_email"] == "colleague@alpha.test"
    assert created["estimated_cost"] == "289.50"
    assert created["uid"]

    changed = {**APPOINTMENT, "end": "2025-10-14T12:00:00+02:00", "status": "confirmed"}
    response = put(client, "/appointments/T-100", changed)
    assert response.status_code == 200, response.content

    body = client.get(f"{BASE}/appointments/T-100").json()
    assert body == {
        **APPOINTMENT,
        "external_id": "T-100",
        "uid": created["uid"],
        # The back office's "confirmed": planned and confirmed to the customer.
        "status": "planned",
        "confirmed": True,
        "work_items": [{"text": APPOINTMENT["work_description"], "cost": "289.50"}],
        "start": "2025-10-14T07:30:00.000Z",
        "end": "2025-10-14T10:00:00.000Z",
    }
    with scopes_disabled():
        appointment = Appointment.objects.get(tenant=tenant_a, external_id="T-100")
        actions = list(
            AuditEvent.objects.filter(object_id=str(appointment.pk), action__startswith="appoint")
            .order_by("pk")
            .values_list("action", "actor_type")
        )
    assert actions == [
        ("appointment.created", ActorType.API_KEY),
        ("appointment.confirmed", ActorType.API_KEY),
    ]
    assert appointment.source == "back_office" and appointment.version == 2


def test_times_with_any_offset_are_answered_in_utc(
    api_as: Any, tenant_a: Any, workshop: Any
) -> None:
    body = {**APPOINTMENT, "start": "2025-10-14T09:30:00+02:00", "end": "2025-10-14T09:00:00Z"}
    response = put(api_as(tenant_a), "/appointments/T-100", body)
    assert response.status_code == 201, response.content
    assert response.json()["start"] == "2025-10-14T07:30:00.000Z"
    assert response.json()["end"] == "2025-10-14T09:00:00.000Z"


def test_left_out_fields_keep_their_value_and_null_clears_a_reference(
    api_as: Any, tenant_a: Any, workshop: Workshop
) -> None:
    client = api_as(tenant_a)
    put(client, "/appointments/T-100", APPOINTMENT)
    minimal = {key: APPOINTMENT[key] for key in ("customer_external_id", "start", "end")}
    response = put(client, "/appointments/T-100", {**minimal, "advisor_email": None})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["advisor_email"] is None
    assert body["vehicle_external_id"] == "V-1"
    assert body["notes"] == APPOINTMENT["notes"]
    assert body["mileage_km"] == 48210


def test_unchanged_put_records_nothing(api_as: Any, tenant_a: Any, workshop: Any) -> None:
    client = api_as(tenant_a)
    put(client, "/appointments/T-100", APPOINTMENT)
    assert put(client, "/appointments/T-100", APPOINTMENT).status_code == 200
    with scopes_disabled():
        assert AuditEvent.objects.filter(action__startswith="appointment.").count() == 1


def test_unknown_appointment_is_404(api_as: Any, tenant_a: Any) -> None:
    client = api_as(tenant_a)
    problem(client.get(f"{BASE}/appointments/nope"), 404)
    problem(client.delete(f"{BASE}/appointments/nope"), 404)


# --- cancel and final states --------------------------------------------------------------------


def test_delete_cancels_and_keeps_the_appointment(
    api_as: Any, tenant_a: Any, workshop: Any
) -> None:
    client = api_as(tenant_a)
    put(client, "/appointments/T-100", APPOINTMENT)
    response = client.delete(f"{BASE}/appointments/T-100")
    assert response.status_code == 200, response.content
    assert response.json() == {"external_id": "T-100", "result": "cancelled"}
    assert client.get(f"{BASE}/appointments/T-100").json()["status"] == "cancelled"
    # Again: still cancelled, no second audit event.
    assert client.delete(f"{BASE}/appointments/T-100").json()["result"] == "cancelled"
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="appointment.cancelled").count() == 1


def test_cancelled_appointment_refuses_changes_but_accepts_the_same_data(
    api_as: Any, tenant_a: Any, workshop: Any
) -> None:
    client = api_as(tenant_a)
    cancelled = {**APPOINTMENT, "status": "cancelled"}
    assert put(client, "/appointments/T-100", cancelled).status_code == 201
    assert put(client, "/appointments/T-100", cancelled).status_code == 200
    body = problem(put(client, "/appointments/T-100", {**cancelled, "notes": "neu"}), 409)
    assert "storniert" in body["detail"]
    body = problem(put(client, "/appointments/T-100", {**APPOINTMENT, "status": "planned"}), 409)
    assert paths(body) == ["status"]


def test_finalized_appointment_cannot_be_cancelled(
    api_as: Any, tenant_a: Any, workshop: Any
) -> None:
    client = api_as(tenant_a)
    put(client, "/appointments/T-100", APPOINTMENT)
    finalized = put(client, "/appointments/T-100", {**APPOINTMENT, "status": "finalized"})
    assert finalized.status_code == 200
    body = problem(client.delete(f"{BASE}/appointments/T-100"), 409)
    assert "abgeschlossen" in body["detail"]
    assert client.get(f"{BASE}/appointments/T-100").json()["status"] == "finalized"


def test_back_office_status_changes_emit_no_events(
    api_as: Any, tenant_a: Any, workshop: Any
) -> None:
    client = api_as(tenant_a)
    for status in ("planned", "confirmed", "planned", "finalized"):
        response = put(client, "/appointments/T-100", {**APPOINTMENT, "status": status})
        assert response.status_code in (200, 201), response.content
    put(client, "/appointments/T-101", APPOINTMENT)
    client.delete(f"{BASE}/appointments/T-101")
    with scopes_disabled():
        assert not FeedEvent.objects.filter(subject_type="appointment").exists()
    assert client.get(f"{BASE}/events").json()["events"] == []


def test_staff_only_statuses_are_not_accepted(api_as: Any, tenant_a: Any, workshop: Any) -> None:
    body = problem(
        put(api_as(tenant_a), "/appointments/T-100", {**APPOINTMENT, "status": "requested"}), 422
    )
    assert paths(body) == ["status"]


# --- tenant isolation ---------------------------------------------------------------------------


def test_other_tenants_key_sees_nothing(
    api_as: Any, tenant_a: Any, tenant_b: Any, workshop: Workshop
) -> None:
    assert put(api_as(tenant_a), "/appointments/T-100", APPOINTMENT).status_code == 201
    client_b = api_as(tenant_b)
    problem(client_b.get(f"{BASE}/appointments/T-100"), 404)
    problem(client_b.delete(f"{BASE}/appointments/T-100"), 404)
    # The same external id in tenant B is another appointment, of B's own customer.
    own = {
        "customer_external_id": "KB-1",
        "vehicle_external_id": "VB-1",
        "start": APPOINTMENT["start"],
        "end": APPOINTMENT["end"],
    }
    assert put(client_b, "/appointments/T-100", own).status_code == 201
    with scopes_disabled():
        rows = Appointment.objects.filter(external_id="T-100").order_by("tenant_id")
        assert [(a.tenant_id, a.customer.external_id, a.status) for a in rows] == [
            (tenant_a.pk, "K-1", AppointmentStatus.PLANNED),
            (tenant_b.pk, "KB-1", AppointmentStatus.PLANNED),
        ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_external_id", "KB-1"),
        ("vehicle_external_id", "VB-1"),
        ("advisor_email", "outsider@beta.test"),
    ],
)
def test_objects_of_another_tenant_cannot_be_referenced(
    api_as: Any, tenant_a: Any, workshop: Any, field: str, value: str
) -> None:
    body = problem(put(api_as(tenant_a), "/appointments/T-100", {**APPOINTMENT, field: value}), 422)
    assert paths(body) == [field]
    with scopes_disabled():
        assert not Appointment.objects.exists()


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        ({"end": "2025-10-14T09:00:00+02:00"}, "end", "end_before_start"),
        ({"end": "2025-10-14T09:30:00+02:00"}, "end", "end_before_start"),
        ({"vehicle_external_id": "V-2"}, "vehicle_external_id", "foreign_vehicle"),
        ({"vehicle_external_id": "V-404"}, "vehicle_external_id", "unknown"),
        ({"branch_external_id": "B-404"}, "branch_external_id", "unknown"),
        ({"customer_external_id": "K-404"}, "customer_external_id", "unknown"),
        ({"advisor_email": "nobody@alpha.test"}, "advisor_email", "not_a_member"),
        ({"mileage_km": -1}, "mileage_km", "greater_than_equal"),
        ({"estimated_cost": "12.345"}, "estimated_cost", "decimal_format"),
        ({"estimated_cost": 12.5}, "estimated_cost", "decimal_type"),
        ({"estimated_cost": True}, "estimated_cost", "decimal_type"),
        ({"status": "done"}, "status", "literal_error"),
        ({"colour": "red"}, "colour", "extra_forbidden"),
        ({"start": None}, "start", "datetime_type"),
        ({"start": "2025-13-40T09:00:00+02:00"}, "start", "datetime_parsing"),
        ({"start": "1900-01-01T09:00:00+01:00"}, "start", "datetime_out_of_range"),
    ],
)
def test_invalid_input_is_422_with_the_field_path(
    api_as: Any, tenant_a: Any, workshop: Any, change: dict[str, Any], path: str, code: str
) -> None:
    body = problem(put(api_as(tenant_a), "/appointments/T-100", {**APPOINTMENT, **change}), 422)
    assert [(e["path"], e["code"]) for e in body["errors"]] == [(path, code)]
    assert body["errors"][0]["message"]


def test_service_errors_are_german(api_as: Any, tenant_a: Any, workshop: Any) -> None:
    change = {"end": "2025-10-14T08:00:00+02:00"}
    body = problem(put(api_as(tenant_a), "/appointments/T-100", {**APPOINTMENT, **change}), 422)
    assert body["errors"][0]["message"] == "Das Ende des Termins muss nach seinem Beginn liegen."
    body = problem(
        put(api_as(tenant_a), "/appointments/T-100", {**APPOINTMENT, "vehicle_external_id": "V-2"}),
        422,
    )
    assert body["detail"] == "Das Fahrzeug gehört nicht zu diesem Kunden."


@pytest.mark.parametrize("naive", ["2025-10-14T09:30:00", "2025-10-14 09:30", "2025-10-14"])
def test_time_without_offset_is_refused(
    api_as: Any, tenant_a: Any, workshop: Any, naive: str
) -> None:
    body = problem(
        put(api_as(tenant_a), "/appointments/T-100", {**APPOINTMENT, "start": naive}), 422
    )
    [error] = body["errors"]
    assert (error["path"], error["code"]) == ("start", "timezone_required")
    assert "UTC offset" in error["message"] and "+02:00" in error["message"]
    with scopes_disabled():
        assert not Appointment.objects.exists()


def test_a_number_is_not_a_date_time(api_as: Any, tenant_a: Any, workshop: Any) -> None:
    body = problem(
        put(api_as(tenant_a), "/appointments/T-100", {**APPOINTMENT, "end": 1760428800}), 422
    )
    assert paths(body) == ["end"]


def test_missing_customer_start_and_end_are_named(api_as: Any, tenant_a: Any) -> None:
    body = problem(put(api_as(tenant_a), "/appointments/T-100", {"notes": "x"}), 422)
    assert sorted(paths(body)) == ["customer_external_id", "end", "start"]


def test_nul_characters_are_refused(api_as: Any, tenant_a: Any, workshop: Any) -> None:
    client = api_as(tenant_a)
    body = problem(put(client, "/appointments/T-100", {**APPOINTMENT, "notes": "a\x00b"}), 422)
    assert paths(body) == ["notes"]
    problem(client.get(f"{BASE}/appointments/T%00"), 404)


# --- bulk -------------------------------------------------------------------------------------


def test_bulk_stores_the_valid_items_and_reports_each(
    api_as: Any, tenant_a: Any, workshop: Any
) -> None:
    client = api_as(tenant_a)
    put(client, "/appointments/T-1", APPOINTMENT)
    items = [
        {**APPOINTMENT, "external_id": "T-1", "status": "confirmed"},
        {**APPOINTMENT, "external_id": "T-2"},
        {**APPOINTMENT, "external_id": "T-3", "start": "2025-10-14T09:30:00"},
        {**APPOINTMENT, "external_id": "T-4", "vehicle_external_id": "V-2"},
        {**APPOINTMENT, "external_id": "T-5", "end": "2025-10-14T08:00:00+02:00"},
        dict(APPOINTMENT),
    ]
    response = post(client, "/appointments/bulk", {"items": items}, **{"Idempotency-Key": "b-1"})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["external_id"], r["status"]) for r in results] == [
        ("T-1", "updated"),
        ("T-2", "created"),
        ("T-3", "error"),
        ("T-4", "error"),
        ("T-5", "error"),
        (None, "error"),
    ]
    assert [e["path"] for e in results[2]["errors"]] == ["items.2.start"]
    assert results[2]["errors"][0]["code"] == "timezone_required"
    assert [e["path"] for e in results[3]["errors"]] == ["items.3.vehicle_external_id"]
    assert [e["path"] for e in results[4]["errors"]] == ["items.4.end"]
    assert [e["path"] for e in results[5]["errors"]] == ["items.5.external_id"]
    with scopes_disabled():
        stored = {
            a.external_id: (a.status, a.confirmed_at is not None) for a in Appointment.objects.all()
        }
    assert stored == {"T-1": ("planned", True), "T-2": ("planned", False)}
    replay = post(client, "/appointments/bulk", {"items": items}, **{"Idempotency-Key": "b-1"})
    assert replay.content == response.content and replay["Idempotent-Replayed"] == "true"


def test_bulk_of_another_tenant_cannot_touch_tenant_a(
    api_as: Any, tenant_a: Any, tenant_b: Any, workshop: Any
) -> None:
    put(api_as(tenant_a), "/appointments/T-1", APPOINTMENT)
    response = post(
        api_as(tenant_b), "/appointments/bulk", {"items": [{**APPOINTMENT, "external_id": "T-1"}]}
    )
    [result] = response.json()["results"]
    assert result["status"] == "error"
    assert [e["path"] for e in result["errors"]] == ["items.0.customer_external_id"]
    with scopes_disabled():
        assert Appointment.objects.get(external_id="T-1").tenant_id == tenant_a.pk


def test_openapi_documents_the_appointment_operations(client: Any) -> None:
    schema = client.get(f"{BASE}/openapi.json").json()
    assert set(schema["paths"]["/api/v1/appointments/{external_id}"]) == {"put", "get", "delete"}
    assert "post" in schema["paths"]["/api/v1/appointments/bulk"]
    start = schema["components"]["schemas"]["AppointmentIn"]["properties"]["start"]
    assert start["format"] == "date-time" and "offset" in start["description"]
