"""The staff job pages in Chromium at 390, 820 and 1366 wide: the list, a job page and the
archive without sideways scrolling; on the job page an offer is created and the next phase
activated by clicking."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from theke.accounts.models import User
from theke.core.tests.browser import logged_in_page, open_page, real, screenshot, watch_errors
from theke.core.tests.browser import wider_than_viewport as overflow
from theke.jobs.models import JobStatus
from theke.jobs.services.jobs import Who, activate_phase
from theke.jobs.tests.world import JobWorld, other_customer_job, set_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["open_page"]

WIDTHS = [390, 820, 1366]


def _jobs(world: JobWorld, owner: User, colleague: User) -> Any:
    first = world.start(
        customer_message="Ist der Golf noch zu haben? Ich könnte am Samstag vorbeikommen.",
        callback_phone="+4930123456",
        assignee=owner,
    )
    offered = world.start(title="VW Golf 8 Variant Life 1.5 TSI", assignee=colleague)
    activate_phase(offered, "angebot", Who.staff(owner), expected_phase="rueckruf")
    other_customer_job(
        world, "Klaus", "Berger-Lüdenscheid", plate="HH-KB 7712", title="Passat Variant Elegance"
    )
    for title in ("Tiguan Allspace", "Polo"):
        set_status(world.start(title=title), JobStatus.CLOSED)
    set_status(world.start(title="ID.3 Pro"), JobStatus.CANCELED)
    return first, offered


@pytest.mark.parametrize("width", WIDTHS)
def test_list_job_page_and_archive_fit_the_screen(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: User,
    colleague: User,
    world: JobWorld,
    width: int,
) -> None:
    first, offered = _jobs(world, owner, colleague)
    viewport = {"width": width, "height": 900 if width > 400 else 844}
    page = logged_in_page(open_page, viewport, client, owner, live_server.url)
    errors = watch_errors(page)

    page.goto(live_server.url + reverse("jobs:list"))
    page.locator("#job-count").wait_for()
    assert "3 Jobs" in page.locator("#job-count").inner_text()
    assert overflow(page) == []
    screenshot(page, "jobs-list")

    page.goto(live_server.url + reverse("jobs:job", args=[offered.pk]))
    page.locator("#staff-view").wait_for()
    assert overflow(page) == []
    screenshot(page, "jobs-job-offer")

    page.goto(live_server.url + reverse("jobs:job", args=[first.pk]))
    page.locator("#staff-view").wait_for()
    assert overflow(page) == []
    screenshot(page, "jobs-job-callback")
    # A box's change asks for a fresh form (htmx) and keeps what was typed.
    page.locator("#id_interne_notiz").fill("Samstag 10 Uhr passt")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.locator("#id_nachrichten_unterdruecken").check()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_nachrichten_unterdruecken").is_checked()
    assert page.locator("#id_interne_notiz").input_value() == "Samstag 10 Uhr passt"

    page.goto(live_server.url + reverse("jobs:archive"))
    page.locator("#job-count").wait_for()
    assert "3 Jobs" in page.locator("#job-count").inner_text()
    assert overflow(page) == []
    screenshot(page, "jobs-archive")
    assert real(errors) == []


def test_an_offer_is_created_and_the_next_phase_activated(
    open_page: Any,
    live_server: Any,
    client: Any,
    owner: User,
    colleague: User,
    world: JobWorld,
) -> None:
    _first, offered = _jobs(world, owner, colleague)
    page = logged_in_page(open_page, {"width": 390, "height": 844}, client, owner, live_server.url)
    errors = watch_errors(page)
    page.goto(live_server.url + reverse("jobs:job", args=[offered.pk]))
    page.locator("#create-angebot-offer").click()
    page.get_by_text("Dokument erstellt:").wait_for()
    assert f"angebot-{offered.number}.pdf" in page.locator("#row-angebot").inner_text()
    page.locator("#save-staff-view").click()
    page.get_by_text("Gespeichert").first.wait_for()
    page.locator("#activate-next").click()
    page.get_by_text("ist jetzt aktiv").wait_for()
    assert "Angebot angenommen" in page.locator("#job-phase").inner_text()
    screenshot(page, "jobs-job-after-activation")
    assert real(errors) == []
