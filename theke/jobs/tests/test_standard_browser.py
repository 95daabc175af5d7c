"""The standard workflow end to end in Chromium: a customer asks for a callback on a phone,
staff answer with an offer on a desktop, the customer accepts and wants delivery, staff send
order confirmation, invoice and a payment link, the customer pays at the test provider, staff
deliver (the pickup phase is skipped), the customer gives an opinion, staff close the job."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from theke.accounts.models import User
from theke.core.tests.browser import DESKTOP, PHONE, logged_in_page, real, watch_errors
from theke.customers.models import Vehicle
from theke.jobs import definition
from theke.jobs.models import Job, JobChange, JobStatus, Payment
from theke.jobs.tests.world import JobWorld
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    definition._CACHE.clear()


def _latest_link(job: Job) -> str:
    """The Parkplatz link of the newest phase message to the customer."""
    with scopes_disabled():
        message = (
            OutboundMessage.objects.filter(object_id=str(job.pk), purpose="job_phase")
            .exclude(recipient="")
            .order_by("-pk")
            .first()
        )
    assert message is not None
    found = re.search(r"https?://\S+/p/[\w-]+/", message.body_text)
    assert found is not None, message.body_text
    return "/p/" + found.group(0).rstrip("/").rsplit("/", 1)[-1] + "/"


def _activate(staff: Any, key: str) -> None:
    staff.locator(f"#activate-{key}").click()
    staff.wait_for_load_state()
    staff.locator("#staff-view").wait_for()


def test_the_standard_workflow_from_callback_to_archive(
    open_page: Any, live_server: Any, client: Any, owner: User, world: JobWorld, settings: Any
) -> None:
    # Links in e-mails and the payment provider's pages point at the running server.
    settings.BASE_URL = live_server.url
    with tenant_scope(world.tenant):
        Vehicle.objects.create(
            tenant=world.tenant, make="VW", model="Golf 8 Variant Life", license_plate="B-AH 808"
        )
    base = live_server.url
    customer = open_page(PHONE)
    customer_errors = watch_errors(customer)

    # 1. The customer asks for a callback on the dealer's public form.
    customer.goto(f"{base}/rueckruf/{world.tenant.slug}/")
    customer.get_by_label("Ihr Name").fill("Jonas Weber")
    customer.get_by_label("Telefonnummer").fill("0170 5550123")
    customer.get_by_label("E-Mail (freiwillig)").fill("jonas.weber@example.org")
    customer.get_by_label("Worum geht es?").fill("Ist der Golf Variant noch zu haben?")
    customer.locator("#id_legal_consent").check()
    customer.get_by_role("button", name="Rückruf anfordern").click()
    customer.wait_for_load_state()
    with scopes_disabled():
        job = Job.objects.get(origin="callback")
    assert job.phase_key == "rueckruf" and job.callback_phone == "+491705550123"

    # 2. Staff make the offer: configuration saved, the offer document created, phase activated.
    staff = logged_in_page(open_page, DESKTOP, client, owner, base)
    staff_errors = watch_errors(staff)
    staff.goto(base + reverse("jobs:job", args=[job.pk]))
    assert "Ist der Golf Variant noch zu haben?" in staff.locator("#staff-view").inner_text()
    _activate(staff, "angebot")
    staff.locator("#id_fahrzeugkonfiguration_0").select_option(
        label="VW Golf 8 Variant Life (B-AH 808)"
    )
    staff.locator("#id_fahrzeugkonfiguration_1").fill("Anhängerkupplung\nWinterräder")
    staff.locator("#id_fahrzeugkonfiguration_2").fill("28990")
    staff.locator("#save-staff-view").click()
    staff.wait_for_load_state()
    staff.locator("#create-angebot-offer").click()
    staff.get_by_text("Dokument erstellt:").wait_for()

    # 3. The customer accepts the offer from the link in the e-mail.
    customer.goto(base + _latest_link(job))
    customer.get_by_role("heading", name="Angebot bereitgestellt", exact=True).wait_for()
    assert customer.get_by_role("link", name=re.compile(r"angebot-J-.*\.pdf")).count() == 1
    customer.get_by_label("Ich nehme das Angebot an").check()
    customer.get_by_role("button", name="Antwort senden").click()
    customer.get_by_text("Vielen Dank! Ihre Nachricht ist bei uns angekommen.").wait_for()

    # 4. Staff confirm; the customer wants delivery and gives the address.
    staff.goto(base + reverse("jobs:job", args=[job.pk]))
    _activate(staff, "angenommen")
    customer.goto(base + _latest_link(job))
    customer.get_by_label("Auslieferung gewünscht").check()
    customer.get_by_label("Lieferadresse").fill("Gartenweg 3\n10115 Berlin")
    customer.get_by_role("button", name="Angaben senden").click()
    customer.get_by_text("Vielen Dank! Ihre Nachricht ist bei uns angekommen.").wait_for()

    # 5. Order confirmation, invoice and a payment link.
    staff.goto(base + reverse("jobs:job", args=[job.pk]))
    _activate(staff, "bestellung")
    staff.locator("#create-auftragsbestaetigung-order_confirmation").click()
    staff.get_by_text("Dokument erstellt:").wait_for()
    staff.locator("#create-rechnung-invoice").click()
    staff.get_by_text("Dokument erstellt:").wait_for()
    staff.locator("#pay-amount-bezahlung").fill("28990,00")
    staff.locator("#create-payment-bezahlung").click()
    staff.wait_for_load_state()
    staff.locator("#save-staff-view").click()
    staff.wait_for_load_state()

    # 6. The customer pays at the (test) payment provider.
    customer.goto(base + _latest_link(job))
    customer.get_by_role("button", name=re.compile("jetzt bezahlen", re.I)).click()
    customer.get_by_role("button", name=re.compile("Bezahlen")).first.click()
    customer.wait_for_load_state()
    customer.get_by_text("bezahlt").first.wait_for()

    # 7. Payment checked; delivery is due, pickup skipped; then "Ihre Meinung".
    staff.goto(base + reverse("jobs:job", args=[job.pk]))
    _activate(staff, "zahlung")
    staff.get_by_label("Zahlungseingang geprüft").check()
    staff.locator("#save-staff-view").click()
    staff.wait_for_load_state()
    phases = staff.locator("#activate-abholung")
    assert phases.count() == 0  # obsolete: no button, the reason instead
    assert "Auslieferung gewünscht = ja" in staff.content()
    _activate(staff, "auslieferung")
    staff.get_by_label("Liefertermin").fill("Freitag, 14 Uhr")
    staff.locator("#save-staff-view").click()
    staff.wait_for_load_state()
    _activate(staff, "meinung")

    # 8. The customer's opinion; staff close the job, which moves to the archive.
    customer.goto(base + _latest_link(job))
    customer.get_by_label("Wie zufrieden sind Sie mit uns?").select_option("sehr zufrieden")
    customer.get_by_role("button", name="Meinung senden").click()
    customer.get_by_text("Vielen Dank! Ihre Nachricht ist bei uns angekommen.").wait_for()
    staff.goto(base + reverse("jobs:job", args=[job.pk]))
    staff.locator("#id_jobstatus").select_option(JobStatus.CLOSED)
    staff.locator("#save-staff-view").click()
    staff.wait_for_load_state()
    staff.goto(base + reverse("jobs:archive"))
    staff.get_by_text(job.number).first.wait_for()

    with scopes_disabled():
        job.refresh_from_db()
        phases_sent = set(
            OutboundMessage.objects.filter(object_id=str(job.pk), purpose="job_phase")
            .exclude(recipient="")
            .values_list("subject", flat=True)
        )
        customer_saves = JobChange.objects.filter(job=job, actor_kind="customer").count()
        paid = list(Payment.objects.filter(job=job).values_list("status", flat=True))
    assert job.status == JobStatus.CLOSED and job.closed_at is not None
    assert job.values["bewertung"] == "sehr zufrieden"
    assert paid == ["paid"]
    assert len(phases_sent) == 7  # every phase reached sent its text; pickup was skipped
    assert customer_saves >= 4
    assert real(customer_errors) == [] and real(staff_errors) == []
