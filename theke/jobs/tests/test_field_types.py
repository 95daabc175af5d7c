"""Each field type's validation (the phase form) and storage (the save service), and the
conditions that hide fields, require a login or skip a phase."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from theke.audit.services import SYSTEM
from theke.core.tests.imagefiles import assert_no_metadata, encoded, heic, marked_photo
from theke.jobs.forms import PRESENT, PhaseForm
from theke.jobs.models import FieldType, Job, JobFile, JobStatus, Workflow
from theke.jobs.services import setup
from theke.jobs.services.jobs import FieldErrors, Who, save_view
from theke.jobs.services.workflows import publish
from theke.jobs.standard import EntrySpec, FieldSpec, PhaseSpec
from theke.jobs.tests.world import JobWorld
from theke.jobs.values import display
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

OWN_FIELDS = (
    FieldSpec("wunschkennzeichen", "Wunschkennzeichen", FieldType.TEXT),
    FieldSpec("beschreibung", "Beschreibung", FieldType.TEXTAREA),
    FieldSpec("farbe", "Farbe", FieldType.SELECT, options=("rot", "blau")),
    FieldSpec("probefahrt", "Probefahrt gewünscht", FieldType.CHECKBOX),
    FieldSpec("foto", "Foto", FieldType.FILE),
    FieldSpec("angebot_neu", "Angebot", FieldType.DOCUMENT_SAVE, documents=("offer",)),
)
EVERY_TYPE = PhaseSpec(
    "eins",
    "Alle Felder",
    staff=(
        EntrySpec("wunschkennzeichen"),
        EntrySpec("beschreibung"),
        EntrySpec("farbe"),
        EntrySpec("probefahrt"),
        EntrySpec("foto"),
        EntrySpec("angebot_neu"),
        EntrySpec("standort"),
        EntrySpec("jobstatus"),
        EntrySpec("rueckruf"),
        EntrySpec("kundenmitteilung"),
        EntrySpec("fahrzeugkonfiguration"),
        EntrySpec("nachrichten_unterdruecken"),
    ),
    customer=(
        EntrySpec("farbe"),
        EntrySpec("wunschkennzeichen", required=True, condition="kunde_angemeldet"),
        EntrySpec("foto"),
        EntrySpec("absenden", "Senden"),
    ),
)
BLUE_ONLY = PhaseSpec(
    "blau", "Nur für Blau", condition="farbe = blau", staff=(EntrySpec("jobstatus"),)
)
LAST = PhaseSpec("ende", "Ende", staff=(EntrySpec("jobstatus"),))


@pytest.fixture
def every_type(world: JobWorld) -> Workflow:
    with tenant_scope(world.tenant):
        fields = setup.install_fields(world.tenant, OWN_FIELDS)
        workflow = setup.build_workflow(
            world.tenant, "Alle Feldtypen", (EVERY_TYPE, BLUE_ONLY, LAST), fields
        )
        publish(workflow, SYSTEM, revision=workflow.draft_revision)
        workflow.refresh_from_db()
    return workflow


@pytest.fixture
def job(world: JobWorld, every_type: Workflow) -> Job:
    return world.start(workflow=every_type, customer_message="Hallo")


def _form(
    job: Job, view: str, data: dict[str, Any], files: dict[str, Any] | None = None, **kw: Any
) -> PhaseForm:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    # A multi-part input (the vehicle configuration) posts key_0, key_1, …: present is the key.
    keys = {re.sub(r"_\d$", "", k) for k in [*data, *(files or {})]}
    query.setlist(PRESENT, sorted(keys))
    return PhaseForm(job, view, data=query, files=files or {}, **kw)


def _save(job: Job, view: str, data: dict[str, Any], files: Any = None, **kw: Any) -> Job:
    form = _form(job, view, data, files, **kw)
    assert form.is_valid(), form.errors
    who = Who.customer(job.contact) if view == "customer" else Who(SYSTEM, "system", "System")
    save_view(
        job,
        view=view,
        expected_phase=job.phase_key,
        submitted=form.submitted(),
        who=who,
        logged_in=kw.get("logged_in", False),
    )
    job.refresh_from_db()
    return job


def _errors(job: Job, view: str, data: dict[str, Any], files: Any = None) -> dict[str, Any]:
    form = _form(job, view, data, files)
    assert not form.is_valid()
    return {key: [str(m) for m in messages] for key, messages in form.errors.items()}


def _field(job: Job, key: str) -> Any:
    from theke.jobs.services.jobs import compiled_of

    return compiled_of(job).definition.fields[key]


def test_text_is_stored_and_too_long_text_refused(job: Job) -> None:
    assert _save(job, "staff", {"wunschkennzeichen": " B-XY 1 "}).values["wunschkennzeichen"] == (
        "B-XY 1"
    )
    assert "wunschkennzeichen" in _errors(job, "staff", {"wunschkennzeichen": "x" * 501})


def test_textarea_keeps_its_lines(job: Job) -> None:
    saved = _save(job, "staff", {"beschreibung": "Zeile 1\r\nZeile 2"})
    assert saved.values["beschreibung"] == "Zeile 1\nZeile 2"


def test_select_takes_only_its_options(job: Job) -> None:
    assert _save(job, "staff", {"farbe": "blau"}).values["farbe"] == "blau"
    assert "farbe" in _errors(job, "staff", {"farbe": "grün"})


def test_checkbox_is_a_yes_or_no(job: Job) -> None:
    saved = _save(job, "staff", {"probefahrt": "on"})
    assert saved.values["probefahrt"] is True
    assert display(_field(job, "probefahrt"), True) == "ja"
    assert _save(job, "staff", {"probefahrt": ""}).values["probefahrt"] is False


def test_a_photo_upload_is_stored_as_a_jpeg_without_metadata(job: Job) -> None:
    photo = SimpleUploadedFile("IMG_0001.HEIC", heic(marked_photo()), "image/heic")
    saved = _save(job, "staff", {}, {"foto": photo})
    with tenant_scope(job.tenant):
        stored_file = JobFile.objects.get(job=job, field_key="foto")
    assert saved.values["foto"] == {"id": stored_file.pk, "name": "IMG_0001.jpg"}
    assert stored_file.content_type == "image/jpeg"
    assert_no_metadata(stored_file.file.read())
    # A second upload keeps the first: the field shows the newest.
    again = SimpleUploadedFile("zwei.png", encoded(marked_photo(), "PNG"), "image/png")
    saved = _save(job, "staff", {}, {"foto": again})
    with tenant_scope(job.tenant):
        assert JobFile.objects.filter(job=job, field_key="foto").count() == 2
    assert saved.values["foto"]["name"] == "zwei.jpg"


def test_a_file_that_only_claims_to_be_a_photo_is_refused(job: Job) -> None:
    fake = SimpleUploadedFile("foto.jpg", b"<html>not a photo</html>", "image/jpeg")
    errors = _errors(job, "staff", {}, {"foto": fake})
    assert "Dieser Dateityp ist hier nicht erlaubt" in errors["foto"][0]


def test_location_status_callback_and_suppression_are_columns(world: JobWorld, job: Job) -> None:
    saved = _save(
        job,
        "staff",
        {
            "standort": str(world.branch.pk),
            "jobstatus": JobStatus.SOLD,
            "rueckruf": "030 1234567",
            "nachrichten_unterdruecken": "on",
        },
    )
    assert saved.branch_id == world.branch.pk
    assert saved.status == JobStatus.SOLD
    assert saved.callback_phone == "+49301234567"
    assert saved.suppress_messages is True
    assert display(_field(job, "jobstatus"), saved.status) == "verkauft"
    errors = _errors(job, "staff", {"rueckruf": "bitte anrufen", "jobstatus": "done"})
    assert set(errors) == {"rueckruf", "jobstatus"}


def test_the_vehicle_configuration_names_a_vehicle_its_extras_and_price(
    world: JobWorld, job: Job
) -> None:
    saved = _save(
        job,
        "staff",
        {
            "fahrzeugkonfiguration_0": str(world.vehicle.pk),
            "fahrzeugkonfiguration_1": "Anhängerkupplung\nWinterräder",
            "fahrzeugkonfiguration_2": "28990.00",
        },
    )
    config = saved.values["fahrzeugkonfiguration"]
    assert config["vehicle"] == world.vehicle.pk
    assert [e["text"] for e in config["extras"]] == ["Anhängerkupplung", "Winterräder"]
    assert display(_field(job, "fahrzeugkonfiguration"), config) == (
        "VW Golf 8 Variant (B-TH 412), Anhängerkupplung, Winterräder, 28.990,00\xa0€"
    )


def test_a_login_condition_hides_a_field_from_guests(job: Job) -> None:
    guest = {r.key for r in PhaseForm(job, "customer").rows()}
    member = {r.key for r in PhaseForm(job, "customer", logged_in=True).rows()}
    assert "wunschkennzeichen" not in guest and "wunschkennzeichen" in member
    # Hidden, it does not block saving although it is required …
    _save(job, "customer", {"farbe": "rot"})
    # … shown, it does.
    form = _form(job, "customer", {"farbe": "rot", "wunschkennzeichen": ""}, logged_in=True)
    assert form.is_valid()
    with pytest.raises(FieldErrors) as refused:
        save_view(
            job,
            view="customer",
            expected_phase="eins",
            submitted=form.submitted(),
            who=Who.customer(job.contact),
            logged_in=True,
        )
    assert refused.value.errors == {
        "wunschkennzeichen": "Bitte füllen Sie „Wunschkennzeichen“ aus."
    }


def test_the_customer_cannot_write_staff_fields(job: Job) -> None:
    saved = _save(job, "customer", {"farbe": "rot", "beschreibung": "von außen"})
    assert "beschreibung" not in saved.values
    assert saved.values["farbe"] == "rot"


def test_a_phase_is_skipped_unless_its_condition_holds(job: Job) -> None:
    from theke.jobs.services.jobs import compiled_of, values_for_rules

    made = compiled_of(job)
    values = values_for_rules(job, logged_in=False)
    reasons = {phase.key: reason for phase, reason in made.next_phases("eins", values)}
    assert reasons == {"blau": "Farbe = leer", "ende": ""}
    _save(job, "staff", {"farbe": "blau"})
    values = values_for_rules(job, logged_in=False)
    assert {p.key: r for p, r in made.next_phases("eins", values)}["blau"] == ""
