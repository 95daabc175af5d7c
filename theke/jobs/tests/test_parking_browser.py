"""A customer answers a phase of the standard workflow on a phone (390×844): the job's link
in "Angebot angenommen", delivery wanted (the address field appears), a photo of the ID card
from the phone, saved, and the thanks."""

from __future__ import annotations

from typing import Any

import pytest

from theke.core.tests.browser import PHONE, real, screenshot, watch_errors, wider_than_viewport
from theke.core.tests.imagefiles import heic, marked_photo
from theke.jobs import definition
from theke.jobs.models import Job, JobFile
from theke.jobs.tests.world import link_token, make_job_world, move_to
from theke.tenants.scoping import scopes_disabled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    definition._CACHE.clear()


def test_customer_wants_delivery_and_sends_the_details_from_a_phone(
    open_page: Any, live_server: Any, tenant_a: Any, tmp_path: Any
) -> None:
    world = make_job_world(tenant_a)
    job = move_to(move_to(world.start(), "angebot"), "angenommen")
    token = link_token(job)
    photo = tmp_path / "IMG_0042.HEIC"
    photo.write_bytes(heic(marked_photo()))

    page = open_page(PHONE)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/p/{token}/")
    page.get_by_role("heading", name="Angebot angenommen", exact=True).wait_for()
    assert page.get_by_label("Lieferadresse").count() == 0
    assert wider_than_viewport(page) == []
    screenshot(page, "parking-accepted")

    page.get_by_label("Auslieferung gewünscht").check()
    address = page.get_by_label("Lieferadresse")
    address.wait_for()  # drawn again by htmx: the condition now holds
    assert page.get_by_label("Auslieferung gewünscht").is_checked()
    address.fill("Gartenweg 3\n10115 Berlin")
    page.get_by_label("Unterlagen (z. B. Ausweis, Führerschein)").set_input_files(str(photo))
    screenshot(page, "parking-delivery")
    page.get_by_role("button", name="Angaben senden").click()

    page.get_by_text("Ihre Angaben sind gespeichert.").wait_for()
    page.get_by_text("Vielen Dank! Ihre Nachricht ist bei uns angekommen.").wait_for()
    shown = page.get_by_label("Lieferadresse").input_value()
    assert shown.replace("\r\n", "\n") == "Gartenweg 3\n10115 Berlin"
    assert page.get_by_role("link", name="IMG_0042.jpg").count() == 1
    assert wider_than_viewport(page) == []
    screenshot(page, "parking-saved")
    with scopes_disabled():
        saved = Job.objects.get(pk=job.pk)
        stored = JobFile.objects.get(job=job, field_key="unterlagen")
    assert saved.values["auslieferung_gewuenscht"] is True
    assert saved.values["lieferadresse"].replace("\r\n", "\n") == "Gartenweg 3\n10115 Berlin"
    assert stored.content_type == "image/jpeg"
    assert real(errors) == []
