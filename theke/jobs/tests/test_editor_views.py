"""The editor's pages: rights (403 without `jobs.administer_workflows`, 404 for another
tenant's objects and with the job manager off), refusals shown at the field (rule messages
with the position marked), the field form's confirmation, explanations, the test mode and
the publish page's preview, stale refusal and moves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from theke.audit.services import Actor
from theke.jobs.models import Field, Job, PhaseEntry, Workflow
from theke.jobs.services import drafts, fields, setup
from theke.jobs.services.jobs import Who, activate_phase
from theke.jobs.services.workflows import publish
from theke.jobs.tests.editor_helpers import SmallFlow, small_flow
from theke.jobs.tests.world import JobWorld
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def _publish(flow: SmallFlow, user) -> None:
    flow.workflow.refresh_from_db()
    publish(flow.workflow, Actor.staff(user), revision=flow.workflow.draft_revision)
    flow.workflow.refresh_from_db()


def _object_urls(flow: SmallFlow, job: Job) -> list[tuple[str, str]]:
    """(method, url) of every editor page that names an object."""
    wf = flow.workflow.pk
    with tenant_scope(flow.workflow.tenant):
        entry = PhaseEntry.objects.filter(phase=flow.anfrage).first()
    assert entry is not None
    phase = flow.anfrage.pk
    return [
        ("get", reverse("jobs:workflow", args=[wf])),
        ("post", reverse("jobs:workflow", args=[wf])),
        ("get", reverse("jobs:workflow_copy", args=[wf])),
        ("post", reverse("jobs:workflow_default", args=[wf])),
        ("post", reverse("jobs:workflow_active", args=[wf])),
        ("post", reverse("jobs:phase_add", args=[wf])),
        ("get", reverse("jobs:phase", args=[wf, phase])),
        ("post", reverse("jobs:phase", args=[wf, phase])),
        ("post", reverse("jobs:phase_move", args=[wf, phase])),
        ("get", reverse("jobs:phase_delete", args=[wf, phase])),
        ("post", reverse("jobs:phase_delete", args=[wf, phase])),
        ("post", reverse("jobs:entry_add", args=[wf, phase, "staff"])),
        ("post", reverse("jobs:entry", args=[wf, entry.pk])),
        ("post", reverse("jobs:entry_move", args=[wf, entry.pk])),
        ("post", reverse("jobs:entry_remove", args=[wf, entry.pk])),
        ("get", reverse("jobs:explain", args=[wf]) + f"?ziel=phase-{phase}"),
        ("post", reverse("jobs:test", args=[wf])),
        ("post", reverse("jobs:test_customer", args=[wf, job.pk])),
        ("get", reverse("jobs:publish", args=[wf])),
        ("post", reverse("jobs:publish", args=[wf])),
        ("get", reverse("jobs:field", args=[flow.termin.pk])),
        ("post", reverse("jobs:field", args=[flow.termin.pk])),
        ("get", reverse("jobs:field_delete", args=[flow.termin.pk])),
        ("post", reverse("jobs:field_delete", args=[flow.termin.pk])),
    ]


LIST_URLS = ["jobs:workflows", "jobs:workflow_new", "jobs:fields", "jobs:field_new"]


def test_staff_without_the_right_get_403(world: JobWorld, owner, colleague, client: Client) -> None:
    flow = small_flow(world, owner)
    job = drafts.start_test(flow.workflow, owner)
    client.force_login(colleague)
    for name in LIST_URLS:
        assert client.get(reverse(name)).status_code == 403, name
    for method, url in _object_urls(flow, job):
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_another_tenants_staff_get_404_on_every_object(
    world: JobWorld, owner, outsider, tenant_b, client: Client
) -> None:
    setup.enable_job_manager(tenant_b, Actor.staff(outsider))  # their editor works
    flow = small_flow(world, owner)
    job = drafts.start_test(flow.workflow, owner)
    client.force_login(outsider)
    assert client.get(reverse("jobs:workflows")).status_code == 200
    for method, url in _object_urls(flow, job):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    flow.workflow.refresh_from_db()
    assert flow.workflow.name == "Probefahrt"


def test_the_pages_answer_404_while_the_job_manager_is_off(
    owner_client: Client, tenant_a: Tenant
) -> None:
    assert not tenant_a.jobs_enabled
    for name in LIST_URLS:
        assert owner_client.get(reverse(name)).status_code == 404, name
    page = owner_client.get(reverse("tenants:settings")).content.decode()
    assert "settings-jobs" not in page
    assert reverse("jobs:workflows") not in page


def test_the_navigation_and_the_settings_lead_to_the_editor(
    world: JobWorld, owner_client: Client
) -> None:
    page = owner_client.get(reverse("tenants:settings")).content.decode()
    assert 'id="settings-jobs"' in page
    assert f'href="{reverse("jobs:workflows")}"' in page
    assert f'href="{reverse("jobs:fields")}"' in page  # the "Jobmanager" menu


def test_the_lists_show_workflows_with_status_and_fields_marked(
    world: JobWorld, owner, owner_client: Client
) -> None:
    flow = small_flow(world, owner)
    page = owner_client.get(reverse("jobs:workflows")).content.decode()
    assert "Standard-Workflow Fahrzeugverkauf" in page and "veröffentlicht v1" in page
    assert "nie veröffentlicht" in page
    _publish(flow, owner)
    drafts.add_phase(flow.workflow, Actor.staff(owner), "Noch eine")
    page = owner_client.get(reverse("jobs:workflows")).content.decode()
    assert "veröffentlicht v1 · Entwurf geändert" in page
    page = owner_client.get(reverse("jobs:fields")).content.decode()
    assert "Theke-Feld" in page and "wunschtermin" in page


def test_a_new_workflow_and_a_copy_open_the_editor(world: JobWorld, owner_client: Client) -> None:
    response = owner_client.post(reverse("jobs:workflow_new"), {"name": "Werkstatt"})
    with tenant_scope(world.tenant):
        made = Workflow.objects.get(name="Werkstatt")
    assert response["Location"] == reverse("jobs:workflow", args=[made.pk])
    response = owner_client.post(
        reverse("jobs:workflow_copy", args=[world.standard.pk]), {"name": "Werkstatt"}
    )
    assert response.status_code == 200
    assert "Einen Workflow „Werkstatt“ gibt es schon." in response.content.decode()
    response = owner_client.post(
        reverse("jobs:workflow_copy", args=[world.standard.pk]), {"name": "Mein Verkauf"}
    )
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert "Rückruf angefordert" in page and "Veröffentlichen …" in page


def test_a_published_workflow_is_activated_from_its_page(
    world: JobWorld, owner, owner_client: Client
) -> None:
    flow = small_flow(world, owner)
    _publish(flow, owner)
    url = reverse("jobs:workflow", args=[flow.workflow.pk])
    assert 'id="inactive-hint"' in owner_client.get(url).content.decode()
    response = owner_client.post(
        reverse("jobs:workflow_active", args=[flow.workflow.pk]), {"active": "1", "next": url}
    )
    assert response["Location"] == url
    flow.workflow.refresh_from_db()
    assert flow.workflow.is_active
    page = owner_client.get(url).content.decode()
    assert "ist aktiv: neue Jobs können damit starten" in page
    assert 'id="inactive-hint"' not in page


def test_the_built_in_workflow_is_shown_read_only(world: JobWorld, owner_client: Client) -> None:
    page = owner_client.get(reverse("jobs:workflow", args=[world.standard.pk])).content.decode()
    assert "nicht ändern" in page
    assert reverse("jobs:phase_add", args=[world.standard.pk]) not in page
    with tenant_scope(world.tenant):
        phase = world.standard.phases.get(key="auslieferung")
    page = owner_client.get(
        reverse("jobs:phase", args=[world.standard.pk, phase.pk])
    ).content.decode()
    assert '<form method="post" novalidate id="phase-form">' not in page
    assert "auslieferung_gewuenscht" in page
    response = owner_client.get(reverse("jobs:publish", args=[world.standard.pk]))
    assert response.status_code == 302


def test_a_bad_condition_is_shown_at_the_field_with_the_position(
    world: JobWorld, owner, owner_client: Client
) -> None:
    flow = small_flow(world, owner)
    url = reverse("jobs:phase", args=[flow.workflow.pk, flow.abschluss.pk])
    response = owner_client.post(
        url, {"name": "Abschluss", "key": "abschluss", "condition": "probefahrt_gewünscht = ja"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unbekannter Name „probefahrt_gewünscht“ (bei Zeichen 1)." in page
    assert "Meinten Sie „probefahrt_gewuenscht“?" in page
    assert "<code><mark>p</mark>robefahrt_gewünscht = ja</code>" in page
    assert re.search(r'<textarea name="condition"[^>]*class="[^"]*is-invalid', page)
    # an entry's condition: the entry's form opens with the error
    with tenant_scope(world.tenant):
        entry = PhaseEntry.objects.get(phase=flow.anfrage, field=flow.termin)
    response = owner_client.post(
        reverse("jobs:entry", args=[flow.workflow.pk, entry.pk]),
        {f"e{entry.pk}-condition": "wunschtermin = "},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Es fehlt ein Wert (bei Zeichen 15)." in page
    assert re.search(r'<details class="entry-edit mt-2" open>', page)


def test_phases_and_entries_are_edited_through_the_pages(
    world: JobWorld, owner, owner_client: Client
) -> None:
    flow = small_flow(world, owner)
    wf = flow.workflow.pk
    response = owner_client.post(reverse("jobs:phase_add", args=[wf]), {"name": "Übergabe"})
    with tenant_scope(world.tenant):
        phase = flow.workflow.phases.get(key="uebergabe")
        field = Field.objects.get(tenant=world.tenant, key="interne_notiz")
    assert response["Location"] == reverse("jobs:phase", args=[wf, phase.pk])
    response = owner_client.post(
        reverse("jobs:entry_add", args=[wf, phase.pk, "staff"]), {"add-staff-field": field.pk}
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        entry = PhaseEntry.objects.get(phase=phase)
    owner_client.post(
        reverse("jobs:entry", args=[wf, entry.pk]),
        {f"e{entry.pk}-label": "Notiz", f"e{entry.pk}-hide_label": "on"},
    )
    entry.refresh_from_db()
    assert entry.label == "Notiz" and entry.hide_label and not entry.required
    response = owner_client.post(
        reverse("jobs:entry_add", args=[wf, phase.pk, "staff"]), {"add-staff-field": field.pk}
    )
    assert response.status_code == 200
    assert "steht schon in dieser Ansicht" in response.content.decode()
    owner_client.post(reverse("jobs:phase_move", args=[wf, phase.pk]), {"up": "1"})
    with tenant_scope(world.tenant):
        keys = list(flow.workflow.phases.order_by("position").values_list("key", flat=True))
    assert keys == ["anfrage", "probefahrt", "uebergabe", "abschluss"]
    page = owner_client.get(reverse("jobs:phase_delete", args=[wf, phase.pk])).content.decode()
    assert "Kein laufender Job" in page
    owner_client.post(reverse("jobs:phase_delete", args=[wf, phase.pk]))
    with tenant_scope(world.tenant):
        assert not flow.workflow.phases.filter(key="uebergabe").exists()


def test_the_phase_message_offers_the_tenants_texts(
    world: JobWorld, owner, owner_client: Client
) -> None:
    flow = small_flow(world, owner)
    page = owner_client.get(
        reverse("jobs:phase", args=[flow.workflow.pk, flow.probefahrt.pk])
    ).content.decode()
    assert '<option value="Angebot bereitgestellt" selected>' in page
    assert '<option value="Zahlung eingegangen">' in page
    assert reverse("messaging:template_edit", args=["job_phase", "email", "de"]) in page


def test_explain_says_why_a_phase_is_skipped(world: JobWorld, owner, owner_client: Client) -> None:
    flow = small_flow(world, owner)
    target = f"phase-{flow.probefahrt.pk}"
    url = reverse("jobs:explain", args=[flow.workflow.pk])
    key = f"x-{target}-v-{flow.wunsch.key}"
    page = owner_client.get(url, {"ziel": target, key: "nein"}).content.decode()
    assert "Die Phase entfällt, weil Probefahrt gewünscht = nein." in page
    partial = owner_client.get(
        url, {"ziel": target, key: "ja"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.startswith('<div id="explain-phase-')
    assert "Die Phase gilt, weil Probefahrt gewünscht = ja." in partial


def test_saving_a_used_field_asks_first_naming_the_drafts(
    world: JobWorld, owner, owner_client: Client
) -> None:
    flow = small_flow(world, owner)
    url = reverse("jobs:field", args=[flow.termin.pk])
    data = {"label": "Wunschtermin", "type": "text", "help_text": "z. B. Samstag"}
    page = owner_client.get(url).content.decode()
    assert "Im Entwurf von:" in page and "Probefahrt" in page
    assert "disabled" in page  # the key is fixed
    response = owner_client.post(url, data)
    page = response.content.decode()
    assert "Diese Änderung geht in den Entwurf von:" in page
    assert "live erst nach dem Veröffentlichen." in page
    flow.termin.refresh_from_db()
    assert flow.termin.help_text == ""  # not saved yet
    revision = flow.workflow.draft_revision
    response = owner_client.post(url, {**data, "confirmed": str(flow.workflow.pk)})
    assert response.status_code == 302
    flow.termin.refresh_from_db()
    flow.workflow.refresh_from_db()
    assert flow.termin.help_text == "z. B. Samstag"
    assert flow.workflow.draft_revision == revision + 1


def test_a_new_field_from_the_form(world: JobWorld, owner_client: Client) -> None:
    response = owner_client.post(
        reverse("jobs:field_new"),
        {"label": "Farbe", "type": "select", "options": "rot\nblau", "condition": "farbe = gelb"},
    )
    assert response.status_code == 200
    assert "„gelb“" in response.content.decode()  # the options are known when checking
    response = owner_client.post(
        reverse("jobs:field_new"),
        {"label": "Farbe", "type": "select", "options": "rot\nblau", "default": "blau"},
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        made = Field.objects.get(tenant=world.tenant, key="farbe")
    assert made.options == ["rot", "blau"] and made.default == "blau"
    response = owner_client.post(reverse("jobs:field_delete", args=[made.pk]))
    assert response["Location"] == reverse("jobs:fields")


def test_built_in_fields_are_read_only_pages(world: JobWorld, owner_client: Client) -> None:
    with tenant_scope(world.tenant):
        status = Field.objects.get(tenant=world.tenant, key="jobstatus")
    page = owner_client.get(reverse("jobs:field", args=[status.pk])).content.decode()
    assert (
        "ändern oder löschen lassen sie sich nicht" in page
        and "<form" not in page.split("<main")[1].split("</main>")[0]
    )
    owner_client.post(reverse("jobs:field", args=[status.pk]), {"label": "Anders"})
    status.refresh_from_db()
    assert status.label == "Jobstatus"


def test_test_mode_from_the_editor(world: JobWorld, owner, owner_client: Client) -> None:
    flow = small_flow(world, owner)
    response = owner_client.post(reverse("jobs:test", args=[flow.workflow.pk]))
    assert response["Location"].endswith("#test")
    with tenant_scope(world.tenant):
        job = Job.objects.get(is_test=True)
    page = owner_client.get(reverse("jobs:workflow", args=[flow.workflow.pk])).content.decode()
    assert f"Testjob {job.number}" in page
    assert reverse("jobs:job", args=[job.pk]) in page
    response = owner_client.post(reverse("jobs:test_customer", args=[flow.workflow.pk, job.pk]))
    assert re.match(r"^https?://[^/]+/p/[\w-]+/$", response["Location"])


def _publish_form(page: str) -> dict[str, Any]:
    revision = re.search(r'name="revision" value="(\d+)"', page)
    assert revision is not None
    return {"revision": revision.group(1)}


def test_the_publish_page_previews_and_publishes_and_moves(
    world: JobWorld, owner, owner_client: Client
) -> None:
    flow = small_flow(world, owner)
    _publish(flow, owner)
    v1 = flow.workflow.published
    assert v1 is not None
    staying = world.start(workflow=flow.workflow, values={"wunschtermin": "Samstag"})
    driving = world.start(workflow=flow.workflow, values={flow.wunsch.key: True})
    activate_phase(driving, "probefahrt", Who.staff(owner), expected_phase="anfrage")
    actor = Actor.staff(owner)
    with tenant_scope(world.tenant):
        entry = PhaseEntry.objects.get(phase=flow.anfrage, field=flow.termin)
    drafts.remove_entry(entry, actor)
    extra = drafts.add_phase(flow.workflow, actor, "Nachfassen")
    drafts.add_entry(extra, actor, "staff", flow.termin)
    url = reverse("jobs:publish", args=[flow.workflow.pk])
    page = owner_client.get(url).content.decode()
    assert "„Probefahrt“ als v2 veröffentlichen" in page
    assert "Kundenansicht: − Wunschtermin" in page
    assert "Version v1: 2 laufende Jobs" in page
    # map the Probefahrt jobs to the new phase: the preview follows
    mapping = {
        f"map-{v1.pk}-anfrage": "anfrage",
        f"map-{v1.pk}-probefahrt": "nachfassen",
        "action": "preview",
    }
    page = owner_client.post(url, {**_publish_form(page), **mapping}).content.decode()
    assert re.search(r'<option value="nachfassen" selected>', page)
    # someone changes the draft after the preview: publishing it is refused, preview again
    form = _publish_form(page)
    drafts.update_workflow(flow.workflow, actor, "Probefahrt", "Mit Nachfassen")
    response = owner_client.post(url, {**form, **mapping, "action": "publish"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Der Entwurf wurde inzwischen geändert." in page
    flow.workflow.refresh_from_db()
    assert flow.workflow.published_id == v1.pk
    # publish for real, moving only the Probefahrt jobs
    response = owner_client.post(
        url,
        {
            **_publish_form(page),
            **mapping,
            f"move-{v1.pk}-probefahrt": "1",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    flash = owner_client.get(response["Location"]).content.decode()
    flow.workflow.refresh_from_db()
    v2 = flow.workflow.published
    assert v2 is not None and v2.number == 2
    staying.refresh_from_db()
    driving.refresh_from_db()
    assert staying.version_id == v1.pk
    assert "nicht verschoben" not in flash, flash[flash.find("alert") :][:600]
    assert (driving.version_id, driving.phase_key) == (v2.pk, "nachfassen")
    assert "ist als v2 veröffentlicht" in flash
    assert "1 laufender Job ist jetzt auf v2." in flash
    # later: the same page moves the rest onto v2 without publishing again
    page = owner_client.get(url).content.decode()
    assert "Laufende Jobs verschieben" in page and "Version v1: 1 laufender Job" in page
    owner_client.post(
        url, {**_publish_form(page), f"move-{v1.pk}-anfrage": "1", "action": "publish"}
    )
    staying.refresh_from_db()
    assert staying.version_id == v2.pk
    flow.workflow.refresh_from_db()
    assert flow.workflow.published_id == v2.pk  # no v3


def test_explain_says_why_a_library_field_hides_itself(
    world: JobWorld, owner, owner_client: Client
) -> None:
    """A library field's own condition (valid in every workflow using it) is explained on
    the phase page next to the entry, like the entry's own condition."""
    flow = small_flow(world, owner)
    with tenant_scope(world.tenant):
        fields.update_field(
            flow.termin,
            Actor.staff(owner),
            fields.FieldData(
                label="Wunschtermin", type="text", condition=f"{flow.wunsch.key} = ja"
            ),
        )
        entry = PhaseEntry.objects.get(phase=flow.anfrage, field=flow.termin)
    page = owner_client.get(
        reverse("jobs:phase", args=[flow.workflow.pk, flow.anfrage.pk])
    ).content.decode()
    assert "Bedingung aus der Feldbibliothek" in page
    target = f"feld-{entry.pk}"
    assert f'name="ziel" value="{target}"' in page
    url = reverse("jobs:explain", args=[flow.workflow.pk])
    key = f"x-{target}-v-{flow.wunsch.key}"
    answer = owner_client.get(url, {"ziel": target, key: "nein"}).content.decode()
    assert "Das Feld ist ausgeblendet, weil Probefahrt gewünscht = nein." in answer
    # an entry of another tenant's workflow, or of another workflow, is not found
    other = small_flow(world, owner, name="Zweiter")
    with tenant_scope(world.tenant):
        foreign = PhaseEntry.objects.filter(phase=other.anfrage).first()
    assert foreign is not None
    assert owner_client.get(url, {"ziel": f"feld-{foreign.pk}"}).status_code == 404
