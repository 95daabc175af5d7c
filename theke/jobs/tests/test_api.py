"""The job manager's API: the back office starts jobs, reads them, sets values, activates
phases; problems instead of 500s, and one tenant never sees another's jobs."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from theke.api.services import create_api_key
from theke.audit.models import AuditEvent, FeedEvent
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Vehicle
from theke.jobs.documents import render
from theke.jobs.models import FileKind, Job, JobChange, Payment
from theke.jobs.services.files import store_file
from theke.jobs.tests.world import JobWorld, make_job_world
from theke.tenants.models import Branch
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
LEAD: dict[str, Any] = {
    "customer_external_id": "K-4711",
    "vehicle_external_id": "FZ-412",
    "title": "Anfrage VW Golf 8 Variant",
    "callback_phone": "0170 7654321",
    "customer_message": "Ist der Wagen noch zu haben? Inzahlungnahme möglich?",
    "external_id": "MB-1001",
    "values": {"interne_notiz": "Lead von der Börse", "nachrichten_unterdruecken": True},
}


@pytest.fixture
def api(client: Any, world: JobWorld) -> Any:
    """A client with tenant A's key "ERP"; the world's customer and vehicle have ids."""
    _key, plaintext = create_api_key(world.tenant, SYSTEM, "ERP")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    with tenant_scope(world.tenant):
        customers.update_customer(world.customer, SYSTEM, external_id="K-4711")
        customers.update_vehicle(world.vehicle, SYSTEM, external_id="FZ-412")
        world.branch.external_id = "B-1"
        world.branch.save(update_fields=["external_id"])
    return client


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(BASE + path, json.dumps(body), content_type="application/json")


def patch(client: Any, path: str, body: Any) -> Any:
    return client.patch(BASE + path, json.dumps(body), content_type="application/json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return dict(response.json())


def paths(body: dict[str, Any]) -> set[str]:
    return {error["path"] for error in body.get("errors", [])}


def feed(kind: str) -> list[FeedEvent]:
    with scopes_disabled():
        return list(FeedEvent.objects.filter(type=kind).order_by("pk"))


# --- starting a job -------------------------------------------------------------------------


def test_a_marketplace_lead_starts_a_job_in_the_callback_phase(api: Any, world: JobWorld) -> None:
    response = post(api, "/jobs", LEAD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("J-") and body["external_id"] == "MB-1001"
    assert body["phase"] == "rueckruf" and body["phase_name"] == "Rückruf angefordert"
    assert body["status"] == "open" and body["origin"] == "api"
    assert body["customer_external_id"] == "K-4711" and body["vehicle_external_id"] == "FZ-412"
    assert body["callback_phone"] == "+491707654321"
    assert body["values"]["kundenmitteilung"] == LEAD["customer_message"]
    assert body["values"]["interne_notiz"] == "Lead von der Börse"
    assert body["values"]["standort"] == "B-1"  # taken from the vehicle
    labels = {f["key"]: f["display"] for f in body["fields"]}
    assert labels["nachrichten_unterdruecken"] == "ja" and labels["jobstatus"] == "offen"
    with scopes_disabled():
        job = Job.objects.get(number=body["number"])
        change = JobChange.objects.get(job=job, field_key="phase")
    assert job.workflow == world.standard and job.suppress_messages
    assert change.actor_kind == "api" and change.actor_name == "API-Schlüssel ERP"
    (created,) = feed("job.created")
    assert created.external_id == "MB-1001" and created.payload["customer"] == "K-4711"


def test_the_same_lead_again_answers_the_job_it_made(api: Any) -> None:
    first = post(api, "/jobs", LEAD)
    again = post(api, "/jobs", {**LEAD, "values": dict(reversed(LEAD["values"].items()))})
    assert again.status_code == 200, again.content
    assert again.json()["number"] == first.json()["number"]
    with scopes_disabled():
        assert Job.objects.count() == 1
    assert len(feed("job.created")) == 1


def test_another_request_with_a_used_external_id_is_409(api: Any) -> None:
    number = post(api, "/jobs", LEAD).json()["number"]
    body = problem(post(api, "/jobs", {**LEAD, "title": "Anderer Wagen"}), 409)
    assert body["number"] == number and "MB-1001" in body["detail"]
    with scopes_disabled():
        assert Job.objects.count() == 1


def test_without_external_id_every_request_starts_a_job(api: Any) -> None:
    body = {"customer_external_id": "K-4711", "title": "Rückruf"}
    assert post(api, "/jobs", body).status_code == 201
    assert post(api, "/jobs", body).status_code == 201
    with scopes_disabled():
        assert Job.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"customer_external_id": "K-0000"}, "customer_external_id"),
        ({"vehicle_external_id": "FZ-0000"}, "vehicle_external_id"),
        ({"vehicle_external_id": None, "vin": "WVWZZZ1KZAW000000"}, "vin"),
        ({"contact_external_id": "C-0000"}, "contact_external_id"),
        ({"workflow": "Gibt es nicht"}, "workflow"),
        ({"callback_phone": "12"}, "callback_phone"),
    ],
)
def test_unknown_references_are_422_naming_the_field(
    api: Any, change: dict[str, Any], path: str
) -> None:
    body = problem(post(api, "/jobs", {**LEAD, **change}), 422)
    assert paths(body) == {path}
    with scopes_disabled():
        assert not Job.objects.exists()


def test_bad_values_are_422_naming_each_field(api: Any) -> None:
    values = {
        "gibt_es_nicht": "x",
        "auslieferung_gewuenscht": "ja",
        "bewertung": "grandios",
        "jobstatus": "verkauft",
        "angebot": "offer.pdf",
        "interne_notiz": "gut",
    }
    body = problem(post(api, "/jobs", {**LEAD, "values": values}), 422)
    assert paths(body) == {
        "values.gibt_es_nicht",
        "values.auslieferung_gewuenscht",
        "values.bewertung",
        "values.jobstatus",
        "values.angebot",
    }
    messages = {error["path"]: error["message"] for error in body["errors"]}
    assert "sehr zufrieden" in messages["values.bewertung"]  # the options are named
    with scopes_disabled():
        assert not Job.objects.exists()


def test_a_new_job_cannot_start_archived(api: Any) -> None:
    body = problem(post(api, "/jobs", {**LEAD, "values": {"jobstatus": "closed"}}), 422)
    assert paths(body) == {"values.jobstatus"}


def test_the_workflow_by_name_or_id_and_a_stock_vehicle_by_vin(api: Any, world: JobWorld) -> None:
    with tenant_scope(world.tenant):
        stock = Vehicle.objects.create(
            tenant=world.tenant, make="Audi", model="A4 Avant", vin="WAUZZZ8K9DA000001"
        )
    by_name = post(
        api,
        "/jobs",
        {
            "customer_external_id": "K-4711",
            "workflow": world.standard.name.upper(),
            "vin": stock.vin,
        },
    )
    assert by_name.status_code == 201, by_name.content
    assert by_name.json()["vin"] == stock.vin
    by_id = post(
        api, "/jobs", {"customer_external_id": "K-4711", "workflow": str(world.standard.pk)}
    )
    assert by_id.json()["workflow"] == world.standard.name


def test_a_job_manager_that_is_off_answers_409(api: Any, world: JobWorld) -> None:
    world.tenant.jobs_enabled = False
    world.tenant.save(update_fields=["jobs_enabled"])
    body = problem(api.get(BASE + "/jobs"), 409)
    assert body["type"] == "urn:theke:problem:jobs-disabled"


def test_bad_json_is_a_problem_not_a_500(api: Any) -> None:
    response = api.post(BASE + "/jobs", "{not json", content_type="application/json")
    assert problem(response, 400)["detail"] == "The request body is not valid JSON."
    response = api.patch(BASE + "/jobs/J-1", "[1, 2", content_type="application/json")
    assert response.status_code == 400
    assert problem(post(api, "/jobs", ["a list"]), 422)


# --- reading jobs ---------------------------------------------------------------------------


def _started(api: Any, count: int) -> list[str]:
    return [
        post(
            api,
            "/jobs",
            {"customer_external_id": "K-4711", "title": f"Job {n}", "external_id": f"E-{n}"},
        ).json()["number"]
        for n in range(count)
    ]


def test_the_list_pages_by_cursor_in_order_of_change(api: Any) -> None:
    numbers = _started(api, 3)
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        query = {"limit": 1, **({"after": cursor} if cursor else {})}
        page = api.get(BASE + "/jobs", query).json()
        seen += [job["number"] for job in page["jobs"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == numbers
    # A job changed later comes again after the cursor.
    patch(api, f"/jobs/{numbers[0]}", {"values": {"interne_notiz": "neu"}})
    later = api.get(BASE + "/jobs", {"after": cursor}).json()
    assert [job["number"] for job in later["jobs"]] == [numbers[0]]


def test_the_list_filters(api: Any) -> None:
    numbers = _started(api, 3)
    patch(api, f"/jobs/{numbers[1]}", {"values": {"jobstatus": "sold"}})
    post(api, f"/jobs/{numbers[2]}/phase", {"phase": "angebot"})

    def listed(**query: Any) -> list[str]:
        response = api.get(BASE + "/jobs", query)
        assert response.status_code == 200, response.content
        return [job["number"] for job in response.json()["jobs"]]

    assert listed(status="sold") == [numbers[1]]
    assert sorted(listed(status=["open", "sold"])) == sorted(numbers)
    assert listed(phase="angebot") == [numbers[2]]
    assert listed(external_id="E-0") == [numbers[0]]
    assert listed(customer_external_id="K-0000") == []
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert listed(updated_since=future) == []
    assert len(listed(updated_since=(timezone.now() - timedelta(hours=1)).isoformat())) == 3


def test_a_cursor_of_another_tenant_or_list_is_400(api: Any) -> None:
    body = problem(api.get(BASE + "/jobs", {"after": "bm90LWEtY3Vyc29y"}), 400)
    assert paths(body) == {"after"}


def test_a_job_reads_with_files_and_payments(api: Any, world: JobWorld) -> None:
    number = post(api, "/jobs", LEAD).json()["number"]
    with tenant_scope(world.tenant):
        job = Job.objects.get(number=number)
        value = store_file(
            job,
            "angebot",
            kind=FileKind.DOCUMENT,
            name="Angebot.pdf",
            data=render(job, "offer"),
            content_type="application/pdf",
            by="Olga Owner",
            document="offer",
        )
        job.values["angebot"] = value
        job.save(update_fields=["values"])
        Payment.objects.create(
            tenant=world.tenant,
            job=job,
            field_key="bezahlung",
            provider="test",
            amount="1250.00",
            purpose=f"Anzahlung {number}",
            reference="test-1",
        )
    body = api.get(f"{BASE}/jobs/{number}").json()
    assert body["values"]["angebot"] == value
    (file,) = body["files"]
    assert file["name"] == "Angebot.pdf" and file["kind"] == "document"
    assert file["url"].endswith(f"/api/v1/jobs/{number}/files/{value['id']}")
    (payment,) = body["payments"]
    assert payment["amount"] == "1250.00" and payment["status"] == "open"
    download = api.get(f"{BASE}/jobs/{number}/files/{value['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    problem(api.get(f"{BASE}/jobs/{number}/files/999999"), 404)


def test_another_tenants_job_is_404(api: Any, tenant_b: Any) -> None:
    other = make_job_world(tenant_b).start(title="Fremder Job")
    problem(api.get(f"{BASE}/jobs/{other.number}"), 404)
    problem(patch(api, f"/jobs/{other.number}", {"values": {"interne_notiz": "x"}}), 404)
    problem(post(api, f"/jobs/{other.number}/phase", {"phase": "angebot"}), 404)
    assert api.get(BASE + "/jobs").json()["jobs"] == []
    with scopes_disabled():
        assert Job.objects.get(pk=other.pk).phase_key == "rueckruf"


def test_test_jobs_stay_out_of_the_api(api: Any, world: JobWorld, owner: Any) -> None:
    from theke.jobs.services.jobs import NewJob, Who, start_job
    from theke.jobs.services.workflows import test_version

    with tenant_scope(world.tenant):
        version = test_version(world.standard, SYSTEM)
        job = start_job(
            world.standard,
            NewJob(customer=world.customer, origin="test"),
            Who.staff(owner),
            version=version,
            test_owner=owner,
        )
    problem(api.get(f"{BASE}/jobs/{job.number}"), 404)
    assert api.get(BASE + "/jobs").json()["jobs"] == []


# --- changing a job -------------------------------------------------------------------------


def test_patch_sets_values_with_history_audit_and_status_event(api: Any, world: JobWorld) -> None:
    number = post(api, "/jobs", LEAD).json()["number"]
    response = patch(
        api,
        f"/jobs/{number}",
        {"values": {"interne_notiz": "Rückruf erledigt", "jobstatus": "sold", "rueckruf": None}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "sold" and body["values"]["interne_notiz"] == "Rückruf erledigt"
    assert body["callback_phone"] == ""
    with scopes_disabled():
        job = Job.objects.get(number=number)
        changes = {
            c.field_key: c for c in JobChange.objects.filter(job=job).exclude(field_key="phase")
        }
        audit = AuditEvent.objects.for_object(job).filter(action="job.saved").get()
    assert set(changes) == {"interne_notiz", "jobstatus", "rueckruf"}
    status = changes["jobstatus"]
    assert (status.old, status.new) == ("offen", "verkauft")
    assert status.actor_name == "API-Schlüssel ERP" and status.phase_name == "Rückruf angefordert"
    assert audit.actor_type == "api_key" and audit.data["view"] == "api"
    (event,) = feed("job.status_changed")
    assert event.payload["status"] == "sold" and event.payload["previous_status"] == "open"


def test_patch_without_a_change_writes_nothing(api: Any) -> None:
    number = post(api, "/jobs", LEAD).json()["number"]
    response = patch(api, f"/jobs/{number}", {"values": {"interne_notiz": "Lead von der Börse"}})
    assert response.status_code == 200
    with scopes_disabled():
        assert not JobChange.objects.exclude(field_key="phase").exists()


def test_patch_checks_each_value_by_its_type(api: Any) -> None:
    number = post(api, "/jobs", LEAD).json()["number"]
    body = problem(
        patch(
            api,
            f"/jobs/{number}",
            {"values": {"standort": "B-0", "kundenmitteilung": 5, "interne_notiz": "ok"}},
        ),
        422,
    )
    assert paths(body) == {"values.standort", "values.kundenmitteilung"}
    with scopes_disabled():
        assert Job.objects.get(number=number).values["interne_notiz"] == "Lead von der Börse"


def test_patch_takes_a_vehicle_configuration(api: Any, world: JobWorld) -> None:
    with tenant_scope(world.tenant):
        stock = Vehicle.objects.create(
            tenant=world.tenant, make="Skoda", model="Octavia", vin="TMBZZZ1Z9DA000001"
        )
    number = post(api, "/jobs", LEAD).json()["number"]
    config = {"vehicle": stock.vin, "extras": ["Anhängerkupplung", " "], "price": "28990.5"}
    response = patch(api, f"/jobs/{number}", {"values": {"fahrzeugkonfiguration": config}})
    assert response.status_code == 200, response.content
    value = response.json()["values"]["fahrzeugkonfiguration"]
    assert value["vehicle"] == stock.vin and value["extras"] == ["Anhängerkupplung"]
    assert value["price"] == "28990.50" and "Skoda Octavia" in value["label"]
    display = {f["key"]: f["display"] for f in response.json()["fields"]}
    assert "Anhängerkupplung" in display["fahrzeugkonfiguration"]
    foreign = {"vehicle": "FZ-0000"}
    body = problem(
        patch(api, f"/jobs/{number}", {"values": {"fahrzeugkonfiguration": foreign}}), 422
    )
    assert paths(body) == {"values.fahrzeugkonfiguration"}


def test_an_archived_job_takes_only_its_reopening(api: Any) -> None:
    number = post(api, "/jobs", LEAD).json()["number"]
    closed = patch(api, f"/jobs/{number}", {"values": {"jobstatus": "closed"}}).json()
    assert closed["status"] == "closed" and closed["closed_at"]
    problem(patch(api, f"/jobs/{number}", {"values": {"interne_notiz": "noch was"}}), 409)
    problem(
        patch(api, f"/jobs/{number}", {"values": {"jobstatus": "open", "interne_notiz": "x"}}),
        409,
    )
    reopened = patch(api, f"/jobs/{number}", {"values": {"jobstatus": "open"}}).json()
    assert reopened["status"] == "open" and reopened["closed_at"] is None
    assert [e.payload["status"] for e in feed("job.status_changed")] == ["closed", "open"]


def test_phase_activation_through_the_api(api: Any, world: JobWorld) -> None:
    number = post(api, "/jobs", {**LEAD, "values": {}}).json()["number"]
    response = post(api, f"/jobs/{number}/phase", {"phase": "angebot"})
    assert response.status_code == 200, response.content
    assert response.json()["phase"] == "angebot"
    (event,) = feed("job.phase_activated")
    assert event.payload["phase"] == "angebot"
    problem(post(api, f"/jobs/{number}/phase", {"phase": "angebot"}), 409)
    moved = post(
        api, f"/jobs/{number}/phase", {"phase": "angenommen", "expected_phase": "rueckruf"}
    )
    problem(moved, 409)
    obsolete = problem(post(api, f"/jobs/{number}/phase", {"phase": "auslieferung"}), 422)
    assert paths(obsolete) == {"phase"} and "Auslieferung gewünscht" in obsolete["detail"]
    assert paths(problem(post(api, f"/jobs/{number}/phase", {"phase": "nix"}), 422)) == {"phase"}
    with scopes_disabled():
        change = JobChange.objects.filter(field_key="phase").order_by("-pk").first()
    assert change is not None and change.actor_name == "API-Schlüssel ERP"


def test_the_job_events_are_in_the_openapi_document(api: Any) -> None:
    spec = api.get(BASE + "/openapi.json").json()
    assert {"/api/v1/jobs", "/api/v1/jobs/{number}", "/api/v1/jobs/{number}/phase"} <= set(
        spec["paths"]
    )
    described = spec["paths"]["/api/v1/jobs"]["get"]["description"]
    for kind in (
        "job.created",
        "job.phase_activated",
        "job.customer_saved",
        "job.status_changed",
        "job.payment_received",
    ):
        assert kind in described


def test_branch_ids_work_as_locations(api: Any, world: JobWorld) -> None:
    with tenant_scope(world.tenant):
        other = Branch.objects.create(tenant=world.tenant, name="Filiale Süd")
    number = post(api, "/jobs", LEAD).json()["number"]
    body = patch(api, f"/jobs/{number}", {"values": {"standort": other.pk}}).json()
    assert body["values"]["standort"] == str(other.pk)
    assert {f["key"]: f["display"] for f in body["fields"]}["standort"] == "Filiale Süd"
