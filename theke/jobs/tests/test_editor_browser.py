"""The workflow editor in Chromium: staff build a small workflow from a new field and two
phases, place fields in the staff and customer views, set a condition (a typo first, shown
at the field), explain it, publish, and a job starts on the published version (1366 wide).
The editor's pages on a phone (390 wide) do not scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from theke.audit.services import Actor
from theke.core.tests.browser import (
    DESKTOP,
    PHONE,
    logged_in_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.jobs.models import Job, Workflow
from theke.jobs.services import drafts
from theke.jobs.services.workflows import publish
from theke.jobs.tests.editor_helpers import small_flow
from theke.jobs.tests.world import JobWorld
from theke.tenants.scoping import tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _add_field(page: Any, view: str, label: str) -> None:
    section = page.locator(f"#view-{view}")
    section.locator("select").select_option(label=label)
    section.get_by_role("button", name="Hinzufügen").click()
    expect(
        page.locator(f"#view-{view} .entry").filter(has_text=label.split(" (")[0])
    ).to_have_count(1)


def test_staff_build_a_workflow_and_publish_it(
    open_page: Any, live_server: Any, client: Any, owner: Any, world: JobWorld
) -> None:
    page = logged_in_page(open_page, DESKTOP, client, owner, live_server.url)
    errors = watch_errors(page)

    # a field of our own
    page.goto(f"{live_server.url}/staff/jobs/felder/")
    page.get_by_role("link", name="Neues Feld").click()
    page.get_by_label("Bezeichnung").fill("Probefahrt gewünscht")
    page.get_by_label("Feldtyp").select_option(label="Checkbox")
    expect(page.get_by_label("Einträge der Auswahlliste")).to_be_hidden()  # select lists only
    page.get_by_role("button", name="Feld anlegen").click()
    page.get_by_text(
        "Das Feld „Probefahrt gewünscht“ (probefahrt_gewuenscht) wurde angelegt."
    ).wait_for()
    screenshot(page, "jobs-editor-fields")

    # a workflow with two phases
    page.get_by_role("link", name="Workflows", exact=True).first.click()
    page.get_by_role("link", name="Neuer Workflow").click()
    page.get_by_label("Name").fill("Probefahrt")
    page.get_by_role("button", name="Anlegen").click()
    page.get_by_role("heading", name="Probefahrt").wait_for()
    page.get_by_label("Name der neuen Phase").fill("Anfrage")
    page.get_by_role("button", name="Hinzufügen").click()
    page.get_by_role("heading", name="Phase „Anfrage“").wait_for()
    _add_field(page, "staff", "Jobstatus (Jobstatus)")
    _add_field(page, "staff", "Probefahrt gewünscht (Checkbox)")
    _add_field(page, "customer", "Ihre Fragen an uns (Textfeld (mehrzeilig))")
    _add_field(page, "customer", "Absenden (Speichern-Button)")
    # an entry's attributes, in place
    entry = page.locator("#view-customer .entry").filter(has_text="Ihre Fragen an uns")
    entry.locator("summary").click()
    entry.get_by_label("Pflichtfeld").check()
    entry.get_by_role("button", name="Übernehmen").click()
    expect(
        page.locator("#view-customer .entry").filter(has_text="Ihre Fragen an uns")
    ).to_contain_text("Pflichtfeld")
    screenshot(page, "jobs-editor-phase")

    page.get_by_role("link", name="Probefahrt", exact=True).click()
    page.get_by_label("Name der neuen Phase").fill("Probefahrt vereinbart")
    page.get_by_role("button", name="Hinzufügen").click()
    page.get_by_role("heading", name="Phase „Probefahrt vereinbart“").wait_for()
    _add_field(page, "staff", "Jobstatus (Jobstatus)")
    # a condition with a typo: the message and the position at the field
    page.get_by_label("Bedingung").first.fill("probefahrt_gewünscht = ja")
    page.get_by_label("Nachricht bei Aktivierung").select_option(label="Angebot bereitgestellt")
    page.get_by_role("button", name="Phase speichern").click()
    page.get_by_text("Unbekannter Name „probefahrt_gewünscht“ (bei Zeichen 1).").wait_for()
    expect(page.locator(".condition-mark mark")).to_have_text("p")
    screenshot(page, "jobs-editor-condition-error")
    page.get_by_label("Bedingung").first.fill("probefahrt_gewuenscht = ja")
    page.get_by_role("button", name="Phase speichern").click()
    page.get_by_text("Die Phase wurde gespeichert (im Entwurf).").wait_for()
    # explain: with "nein" the phase is skipped
    box = page.locator("#phase-settings-title").locator("xpath=../..").locator("details.explain")
    box.locator("summary").click()
    box.get_by_label("Probefahrt gewünscht").select_option("nein")
    box.get_by_role("button", name="Erklären").click()
    expect(box.locator(".explain-result")).to_have_text(
        "Die Phase entfällt, weil Probefahrt gewünscht = nein."
    )
    screenshot(page, "jobs-editor-explain")

    # publish
    page.get_by_role("link", name="Probefahrt", exact=True).click()
    assert wider_than_viewport(page) == []
    screenshot(page, "jobs-editor-workflow")
    page.get_by_role("link", name="Veröffentlichen …").click()
    page.get_by_role("heading", name="„Probefahrt“ als v1 veröffentlichen").wait_for()
    expect(page.locator(".diff")).to_contain_text("Probefahrt vereinbart")
    screenshot(page, "jobs-editor-publish")
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("„Probefahrt“ ist als v1 veröffentlicht: neue Jobs starten damit.").wait_for()
    expect(page.locator("#workflow-status")).to_have_text("veröffentlicht v1")

    # a job starts on it
    with tenant_scope(world.tenant):
        workflow = Workflow.objects.get(tenant=world.tenant, name="Probefahrt")
    job = world.start(workflow=workflow)
    assert job.version_id == workflow.published_id and job.phase_key == "anfrage"
    # and the test mode plays it with the tester only
    page.get_by_role("button", name="Entwurf testen").click()
    page.get_by_role("heading", name="Ihr Test").wait_for()
    with tenant_scope(world.tenant):
        assert Job.objects.filter(workflow=workflow, is_test=True, test_owner=owner).count() == 1
    assert real(errors) == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_editor_pages_fit_the_screen(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: Any,
    world: JobWorld,
    viewport: dict[str, int],
) -> None:
    flow = small_flow(world, owner)
    actor = Actor.staff(owner)
    publish(flow.workflow, actor, revision=flow.workflow.draft_revision)
    flow.workflow.refresh_from_db()
    world.start(workflow=flow.workflow, values={"wunschtermin": "Samstag"})
    world.start(workflow=flow.workflow)
    drafts.delete_phase(flow.probefahrt, actor)
    drafts.start_test(flow.workflow, owner)
    wf = flow.workflow.pk
    page = logged_in_page(open_page, viewport, client, owner, live_server.url)
    errors = watch_errors(page)
    pages = {
        "jobs-editor-list": "/staff/jobs/workflows/",
        "jobs-editor-draft": f"/staff/jobs/workflows/{wf}/",
        "jobs-editor-phase-view": f"/staff/jobs/workflows/{wf}/phasen/{flow.anfrage.pk}/",
        "jobs-editor-publish-page": f"/staff/jobs/workflows/{wf}/veroeffentlichen/",
        "jobs-editor-field-list": "/staff/jobs/felder/",
        "jobs-editor-field-form": f"/staff/jobs/felder/{flow.termin.pk}/",
        "jobs-editor-standard": f"/staff/jobs/workflows/{world.standard.pk}/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        assert wider_than_viewport(page) == [], name
        screenshot(page, name)
    assert real(errors) == []
