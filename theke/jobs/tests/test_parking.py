"""The customer's side of the job manager: the job's page behind its link (shared token-page
protections, saving a phase, files and documents, the login a condition asks for, making a
login from the link), the logged-in Parkplatz ("Anfrage parken"), and the public callback
request with the panel on the tenant's page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from theke.accounts.models import CustomerAccount
from theke.audit.services import SYSTEM
from theke.core.tests.imagefiles import heic, marked_photo
from theke.customers import links as customer_links
from theke.customers import services as customers
from theke.customers.models import Contact, Customer, CustomerLink
from theke.jobs import definition
from theke.jobs.customer_views import callback as callback_views
from theke.jobs.models import Field as JobField
from theke.jobs.models import FileKind, Job, JobChange, JobFile, Origin, Phase, PhaseEntry
from theke.jobs.services import setup
from theke.jobs.services.files import store_file
from theke.jobs.services.jobs import SYSTEM_WHO, NewJob, start_job
from theke.jobs.services.links import LINK_KIND
from theke.jobs.services.workflows import publish
from theke.jobs.tests.world import (
    JobWorld,
    customer_login,
    link_token,
    log_in_customer,
    make_job_world,
    move_to,
    store_document,
)
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "https://theke.example"
    # Compiled versions are cached by id, and a rolled-back test's ids come again.
    definition._CACHE.clear()


def body(response: Any) -> str:
    return str(response.content.decode())


def page(token: str) -> str:
    return f"/p/{token}/"


def fresh(job: Job) -> Job:
    with scopes_disabled():
        return Job.objects.get(pk=job.pk)


def accepted_job(world: JobWorld) -> Job:
    """A standard job in "Angebot angenommen" (delivery or pickup, documents)."""
    job = world.start()
    job = move_to(job, "angebot")
    return move_to(job, "angenommen")


def present(*keys: str) -> dict[str, Any]:
    return {"_present": list(keys)}


# --- the page behind the link ---------------------------------------------------------------


def test_the_link_shows_the_tenant_the_job_and_the_current_phase(
    world: JobWorld, client: Client
) -> None:
    job = world.start(customer_message="Ist der Golf noch da?")
    response = client.get(page(link_token(job)))
    assert response.status_code == 200
    html = body(response)
    assert "Autohaus Alpha" in html
    assert job.number in html and "VW Golf 8 Variant" in html and "B-TH 412" in html
    assert "Rückruf angefordert" in html  # the phase
    assert "Wir rufen Sie so bald wie möglich zurück." in html  # its customer view
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_the_link_never_changes_the_job(world: JobWorld, client: Client) -> None:
    job = world.start()
    token = link_token(job)
    with scopes_disabled():
        changes = JobChange.objects.filter(job=job).count()
    before = fresh(job)
    client.get(page(token))
    client.get(page(token))
    after = fresh(job)
    assert (after.phase_key, after.values, after.saved, after.updated_at) == (
        before.phase_key,
        before.values,
        before.saved,
        before.updated_at,
    )
    with scopes_disabled():
        assert JobChange.objects.filter(job=job).count() == changes


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, 410, "abgelaufen"),
        ({"revoked_at": timezone.now()}, 410, "nicht mehr"),
    ],
)
def test_an_expired_or_revoked_link_gets_the_shared_page(
    world: JobWorld, client: Client, change: dict[str, Any], status: int, says: str
) -> None:
    job = world.start()
    token = link_token(job)
    with scopes_disabled():
        CustomerLink.objects.filter(token_hash=customer_links.hash_token(token)).update(**change)
    response = client.get(page(token))
    assert response.status_code == status and says in body(response)
    assert job.number not in body(response)


def test_an_unknown_token_gets_the_neutral_page(world: JobWorld, client: Client) -> None:
    response = client.get(page("x" * 32))
    assert response.status_code == 404
    assert "Dieser Link ist nicht gültig" in body(response)


def test_a_link_of_another_tenant_never_opens_this_tenants_job(
    world: JobWorld, tenant_b: Any, client: Client
) -> None:
    job = world.start()
    # A link of tenant B naming the id of tenant A's job.
    _link: CustomerLink
    _link, token = customer_links.issue_link(
        tenant_b, LINK_KIND, str(job.pk), expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    response = client.get(page(token))
    assert response.status_code == 404
    assert job.number not in body(response)


def test_the_link_of_a_tenant_without_the_job_manager_no_longer_opens(
    world: JobWorld, client: Client
) -> None:
    job = world.start()
    token = link_token(job)
    world.tenant.jobs_enabled = False
    world.tenant.save(update_fields=["jobs_enabled"])
    response = client.get(page(token))
    assert response.status_code == 410
    assert job.number not in body(response)


# --- saving the customer view ---------------------------------------------------------------


def test_saving_shows_the_thanks_after_sending_and_keeps_the_answer(
    world: JobWorld, client: Client
) -> None:
    job = move_to(world.start(), "angebot")
    token = link_token(job)
    assert "Vielen Dank! Ihre Nachricht ist bei uns angekommen." not in body(
        client.get(page(token))
    )
    data = {
        "phase": "angebot",
        **present("angebot_angenommen", "rueckfragen"),
        "angebot_angenommen": "on",
        "rueckfragen": "Geht auch Dienstag?",
    }
    response = client.post(page(token), data)
    assert response.status_code == 302
    assert response["Location"] == page(token) + "?done=saved"
    shown = client.get(response["Location"])
    html = body(shown)
    assert "Ihre Angaben sind gespeichert." in html  # on top
    assert "Vielen Dank! Ihre Nachricht ist bei uns angekommen." in html  # after sending
    job = fresh(job)
    assert job.values["angebot_angenommen"] is True
    assert job.values["rueckfragen"] == "Geht auch Dienstag?"
    with scopes_disabled():
        change = JobChange.objects.get(job=job, field_key="rueckfragen")
    assert change.actor_kind == "customer" and change.actor_name == "Petra Neumann"


def test_a_required_field_left_empty_is_asked_for_and_nothing_typed_is_lost(
    world: JobWorld, client: Client
) -> None:
    job = world.start()
    for phase in ("angebot", "angenommen", "bestellung", "zahlung", "abholung", "meinung"):
        job = move_to(job, phase)
    token = link_token(job)
    data = {
        "phase": "meinung",
        **present("bewertung", "kommentar"),
        "kommentar": "Alles bestens, danke!",
    }
    response = client.post(page(token), data)
    assert response.status_code == 400
    html = body(response)
    assert 'id="form-errors"' in html  # the summary on top
    assert "Bitte wählen Sie „Wie zufrieden sind Sie mit uns?“." in html
    assert 'id="id_bewertung_error"' in html  # next to the field
    assert "Alles bestens, danke!" in html  # kept
    assert "kommentar" not in fresh(job).values


def test_a_hidden_required_field_does_not_block_saving(world: JobWorld, client: Client) -> None:
    job = accepted_job(world)
    token = link_token(job)
    # Pickup: the delivery address (required when delivery is wanted) stays hidden.
    response = client.post(
        page(token), {"phase": "angenommen", **present("auslieferung_gewuenscht", "unterlagen")}
    )
    assert response.status_code == 302
    assert "angenommen:customer" in fresh(job).saved


def test_ticking_delivery_asks_for_the_address_next_to_it(world: JobWorld, client: Client) -> None:
    job = accepted_job(world)
    token = link_token(job)
    assert 'name="lieferadresse"' not in body(client.get(page(token)))
    data = {
        "phase": "angenommen",
        **present("auslieferung_gewuenscht", "unterlagen"),
        "auslieferung_gewuenscht": "on",
    }
    response = client.post(page(token), data)
    assert response.status_code == 400
    html = body(response)
    assert 'name="lieferadresse"' in html and "Bitte füllen Sie „Lieferadresse“ aus." in html
    assert re.search(r'name="auslieferung_gewuenscht"[^>]*checked', html)  # kept
    data.update(present("auslieferung_gewuenscht", "lieferadresse", "unterlagen"))
    data["lieferadresse"] = "Gartenweg 3, 10115 Berlin"
    assert client.post(page(token), data).status_code == 302
    assert fresh(job).values["lieferadresse"] == "Gartenweg 3, 10115 Berlin"


def test_the_preview_draws_the_fields_again_and_saves_nothing(
    world: JobWorld, client: Client
) -> None:
    job = accepted_job(world)
    token = link_token(job)
    html = body(client.get(page(token)))
    assert 'hx-post="/p/' in html and 'hx-params="not unterlagen"' in html
    response = client.post(
        page(token),
        {
            "phase": "angenommen",
            "_preview": "1",
            **present("auslieferung_gewuenscht"),
            "auslieferung_gewuenscht": "on",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = body(response)
    assert fragment.startswith('<div id="phase-fields">')
    assert 'name="lieferadresse"' in fragment and "<html" not in fragment
    assert "is-invalid" not in fragment  # the customer is still typing
    assert "angenommen:customer" not in fresh(job).saved


def test_a_photo_from_an_iphone_is_stored_as_jpeg_and_downloadable(
    world: JobWorld, client: Client
) -> None:
    job = accepted_job(world)
    token = link_token(job)
    photo = SimpleUploadedFile("IMG_0001.HEIC", heic(marked_photo()), "image/heic")
    response = client.post(
        page(token),
        {
            "phase": "angenommen",
            **present("auslieferung_gewuenscht", "unterlagen"),
            "unterlagen": photo,
        },
    )
    assert response.status_code == 302, body(response)[:2000]
    with scopes_disabled():
        stored = JobFile.objects.get(job=job, field_key="unterlagen")
    assert stored.name == "IMG_0001.jpg" and stored.content_type == "image/jpeg"
    html = body(client.get(page(token)))
    url = f"/p/{token}/datei/{stored.pk}/"
    assert url in html
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert download.getvalue().startswith(b"\xff\xd8")
    assert download["Referrer-Policy"] == "same-origin"


def test_a_refused_upload_says_why_and_asks_for_the_file_again(
    world: JobWorld, client: Client
) -> None:
    job = accepted_job(world)
    token = link_token(job)
    bad = SimpleUploadedFile("rechnung.exe", b"MZ\x90\x00not a photo", "application/octet-stream")
    response = client.post(
        page(token),
        {
            "phase": "angenommen",
            **present("auslieferung_gewuenscht", "unterlagen"),
            "unterlagen": bad,
        },
    )
    assert response.status_code == 400
    html = body(response)
    assert 'id="id_unterlagen_error"' in html
    assert "Bitte wählen Sie die Datei noch einmal aus" in html
    with scopes_disabled():
        assert not JobFile.objects.filter(job=job).exists()


def test_only_files_of_fields_the_customer_sees_can_be_downloaded(
    world: JobWorld, client: Client
) -> None:
    job = accepted_job(world)
    other = world.start(title="Zweiter Job")
    token = link_token(job)
    with tenant_scope(world.tenant):
        internal = store_file(
            job,
            "interne_notiz",
            kind=FileKind.UPLOAD,
            name="intern.pdf",
            data=b"%PDF-1.4",
            content_type="application/pdf",
            by="Staff",
        )
        foreign = store_file(
            other,
            "unterlagen",
            kind=FileKind.UPLOAD,
            name="fremd.pdf",
            data=b"%PDF-1.4",
            content_type="application/pdf",
            by="Staff",
        )
    assert client.get(f"/p/{token}/datei/{internal['id']}/").status_code == 404
    assert client.get(f"/p/{token}/datei/{foreign['id']}/").status_code == 404


def test_documents_are_downloadable_and_stay_so_in_later_phases(
    world: JobWorld, client: Client
) -> None:
    workflow = _workflow_with(world, "angebot", [("angebot_ansehen", "")])
    job = move_to(world.start(workflow=workflow), "angebot")
    offer = store_document(job, "angebot", "offer")
    token = link_token(job)
    html = body(client.get(page(token)))
    url = f"/p/{token}/datei/{offer['id']}/"
    assert url in html
    shown = client.get(f"/p/{token}/dokument/angebot_ansehen/offer.pdf")
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert shown.content.startswith(b"%PDF")
    assert client.get(f"/p/{token}/dokument/angebot_ansehen/invoice.pdf").status_code == 404
    assert client.get(f"/p/{token}/dokument/interne_notiz/offer.pdf").status_code == 404
    move_to(fresh(job), "angenommen")
    later = body(client.get(page(token)))
    assert "Ihre Anfrage im Überblick" in later and "Angebot bereitgestellt" in later
    assert url in later
    assert client.get(url).status_code == 200


def test_a_phase_that_moved_meanwhile_is_shown_as_it_is_now(
    world: JobWorld, client: Client
) -> None:
    job = move_to(world.start(), "angebot")
    token = link_token(job)
    move_to(job, "angenommen")  # staff were quicker
    response = client.post(
        page(token),
        {"phase": "angebot", **present("angebot_angenommen"), "angebot_angenommen": "on"},
    )
    assert response.status_code == 409
    html = body(response)
    assert "inzwischen in der Phase „Angebot angenommen“" in html
    assert re.search(r'id="phase-heading">Angebot angenommen<', html)
    assert "angebot_angenommen" not in fresh(job).values


# --- a condition that asks for the login ----------------------------------------------------


def _workflow_with(world: JobWorld, phase_key: str, entries: list[tuple[str, str]]) -> Any:
    """The standard workflow published with more customer entries (field key, condition) in
    one phase."""
    copy = setup.copy_workflow(world.standard, SYSTEM, f"Mit mehr in {phase_key}")
    with tenant_scope(world.tenant):
        phase = Phase.objects.get(workflow=copy, key=phase_key)
        for position, (key, condition) in enumerate(entries, start=10):
            PhaseEntry.objects.create(
                tenant=world.tenant,
                phase=phase,
                view="customer",
                field=JobField.objects.get(tenant=world.tenant, key=key),
                position=position,
                condition=condition,
            )
        copy.refresh_from_db()
    publish(copy, SYSTEM, revision=copy.draft_revision)
    copy.refresh_from_db()
    return copy


def _login_workflow(world: JobWorld) -> Any:
    """A question in the first phase for logged-in customers (and a button to send it)."""
    return _workflow_with(
        world, "rueckruf", [("rueckfragen", "kunde_angemeldet"), ("absenden", "")]
    )


def test_a_field_for_logged_in_customers_asks_for_the_login(
    world: JobWorld, client: Client
) -> None:
    job = world.start(workflow=_login_workflow(world))
    token = link_token(job)
    html = body(client.get(page(token)))
    assert 'name="rueckfragen"' not in html
    assert "Für weitere Angaben melden Sie sich bitte an" in html
    assert f"/p/{token}/zugang/" in html  # no login yet: make one
    customer_login(world)
    html = body(client.get(page(token)))
    assert f"/konto/{world.tenant.slug}/anmelden/?next=/p/{token}/" in html
    log_in_customer(client, world.tenant, world.contact.email)
    html = body(client.get(page(token)))
    assert 'name="rueckfragen"' in html
    assert "Für weitere Angaben melden Sie sich bitte an" not in html
    response = client.post(
        page(token), {"phase": "rueckruf", **present("rueckfragen"), "rueckfragen": "Farbe?"}
    )
    assert response.status_code == 302
    assert fresh(job).values["rueckfragen"] == "Farbe?"


def test_the_login_of_another_customer_does_not_count(world: JobWorld, client: Client) -> None:
    job = world.start(workflow=_login_workflow(world))
    with tenant_scope(world.tenant):
        other = customers.create_customer(world.tenant, SYSTEM, kind="person", last_name="Fremd")
    from theke.accounts.services import customer_accounts

    account = customer_accounts.create_customer_account(other, SYSTEM, email="fremd@kunde.test")
    customer_accounts.set_customer_password(account, "Parkplatz-Golf-2026!", reason="set")
    log_in_customer(client, world.tenant, "fremd@kunde.test")
    assert 'name="rueckfragen"' not in body(client.get(page(link_token(job))))


# --- a login from the link ------------------------------------------------------------------


def test_the_customer_makes_a_login_from_the_link_and_is_logged_in(
    world: JobWorld, client: Client
) -> None:
    job = world.start()
    token = link_token(job)
    form = client.get(f"/p/{token}/zugang/")
    assert form.status_code == 200 and "petra.neumann@example.org" in body(form)
    response = client.post(
        f"/p/{token}/zugang/",
        {
            "first_name": "Petra",
            "last_name": "Neumann",
            "new_password1": "Parkplatz-Golf-2026!",
            "new_password2": "Parkplatz-Golf-2026!",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?done=registered")
    with scopes_disabled():
        account = CustomerAccount.objects.get(email="petra.neumann@example.org")
    assert account.customer_id == world.customer.pk and account.has_usable_password()
    html = body(client.get(response["Location"]))
    assert "Ihr Zugang ist eingerichtet" in html
    assert "Sie sind angemeldet als petra.neumann@example.org" in html


def test_a_weak_password_is_refused_next_to_the_field(world: JobWorld, client: Client) -> None:
    token = link_token(world.start())
    response = client.post(
        f"/p/{token}/zugang/",
        {"last_name": "Neumann", "new_password1": "1234567890", "new_password2": "1234567890"},
    )
    assert response.status_code == 400
    assert 'id="id_new_password1_error"' in body(response)
    with scopes_disabled():
        assert not CustomerAccount.objects.exists()


def test_an_address_with_a_login_is_sent_to_log_in_or_reset(
    world: JobWorld, client: Client
) -> None:
    token = link_token(world.start())
    customer_login(world)
    response = client.post(
        f"/p/{token}/zugang/",
        {
            "last_name": "N",
            "new_password1": "Anders-2026-xyz!",
            "new_password2": "Anders-2026-xyz!",
        },
    )
    html = body(response)
    assert "Für petra.neumann@example.org gibt es bereits einen Zugang." in html
    assert f"/konto/{world.tenant.slug}/anmelden/" in html
    assert f"/konto/{world.tenant.slug}/passwort-vergessen/" in html
    with scopes_disabled():
        assert CustomerAccount.objects.count() == 1


# --- the logged-in Parkplatz ----------------------------------------------------------------


def test_the_parkplatz_needs_the_login(world: JobWorld, client: Client) -> None:
    response = client.get(f"/parkplatz/{world.tenant.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/konto/{world.tenant.slug}/anmelden/?next=")


def test_the_login_lands_on_the_parkplatz(world: JobWorld, client: Client) -> None:
    customer_login(world)
    response = client.post(
        f"/konto/{world.tenant.slug}/anmelden/",
        {"email": world.contact.email, "password": "Parkplatz-Golf-2026!"},
    )
    assert response["Location"] == f"/parkplatz/{world.tenant.slug}/"
    account_page = body(client.get(f"/konto/{world.tenant.slug}/"))
    assert "Zu Ihrem Parkplatz" in account_page


def test_the_parkplatz_lists_only_the_customers_own_jobs(world: JobWorld, client: Client) -> None:
    mine = world.start(title="Mein Golf")
    done = world.start(title="Alter Auftrag")
    with scopes_disabled():
        Job.objects.filter(pk=done.pk).update(status="closed", closed_at=timezone.now())
    with tenant_scope(world.tenant):
        other = customers.create_customer(world.tenant, SYSTEM, kind="person", last_name="Fremd")
        theirs = start_job(world.standard, NewJob(other, "staff", title="Fremder Job"), SYSTEM_WHO)
    customer_login(world)
    log_in_customer(client, world.tenant, world.contact.email)
    html = body(client.get(f"/parkplatz/{world.tenant.slug}/"))
    assert "Mein Golf" in html and "Alter Auftrag" in html and "Fremder Job" not in html
    assert (
        html.index("Mein Golf")
        < html.index("Abgeschlossene Vorgänge")
        < html.index("Alter Auftrag")
    )
    own = client.get(f"/parkplatz/{world.tenant.slug}/{mine.pk}/")
    assert own.status_code == 200 and "Rückruf angefordert" in body(own)
    assert client.get(f"/parkplatz/{world.tenant.slug}/{theirs.pk}/").status_code == 404


def test_a_logged_in_customer_saves_on_the_parkplatz(world: JobWorld, client: Client) -> None:
    job = move_to(world.start(), "angebot")
    customer_login(world)
    log_in_customer(client, world.tenant, world.contact.email)
    url = f"/parkplatz/{world.tenant.slug}/{job.pk}/"
    response = client.post(
        url, {"phase": "angebot", **present("angebot_angenommen"), "angebot_angenommen": "on"}
    )
    assert response.status_code == 302 and response["Location"] == url + "?done=saved"
    assert "Vielen Dank! Ihre Nachricht ist bei uns angekommen." in body(client.get(url))


def test_parking_a_request_starts_a_job_on_the_default_workflow(
    world: JobWorld, client: Client
) -> None:
    customer_login(world)
    log_in_customer(client, world.tenant, world.contact.email)
    url = f"/parkplatz/{world.tenant.slug}/anfrage/"
    form = body(client.get(url))
    assert "Welches Fahrzeug interessiert Sie?" in form and "B-TH 412" in form
    response = client.post(
        url,
        {
            "vehicle": str(world.vehicle.pk),
            "message": "Ich möchte den Golf in Zahlung geben.",
            "callback_phone": "030 1234567",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        job = Job.objects.get(origin=Origin.PARKING)
    assert response["Location"] == f"/parkplatz/{world.tenant.slug}/{job.pk}/?done=parked"
    assert job.customer_id == world.customer.pk and job.vehicle_id == world.vehicle.pk
    assert job.workflow_id == world.standard.pk and job.phase_key == "rueckruf"
    assert job.callback_phone == "+49301234567"
    assert job.values["kundenmitteilung"] == "Ich möchte den Golf in Zahlung geben."
    assert job.title == "VW Golf 8 Variant"
    with scopes_disabled():
        change = JobChange.objects.get(job=job, field_key="phase")
    assert change.actor_kind == "customer"
    assert "Ihre Anfrage ist geparkt" in body(client.get(response["Location"]))


def test_parking_a_request_about_another_vehicle(world: JobWorld, client: Client) -> None:
    customer_login(world)
    log_in_customer(client, world.tenant, world.contact.email)
    response = client.post(
        f"/parkplatz/{world.tenant.slug}/anfrage/",
        {"vehicle": "andere", "vehicle_text": "Tiguan Allspace", "message": "Probefahrt?"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        job = Job.objects.get(origin=Origin.PARKING)
    assert job.vehicle_id is None and job.title == "Tiguan Allspace"


def test_parking_needs_a_message(world: JobWorld, client: Client) -> None:
    customer_login(world)
    log_in_customer(client, world.tenant, world.contact.email)
    response = client.post(f"/parkplatz/{world.tenant.slug}/anfrage/", {"vehicle": "andere"})
    assert response.status_code == 400
    assert "Bitte schreiben Sie uns, worum es geht." in body(response)
    with scopes_disabled():
        assert not Job.objects.exists()


# --- the callback request -------------------------------------------------------------------


def _callback(client: Client, slug: str, **values: Any) -> Any:
    data = {
        "name": "Jonas Weber",
        "phone": "0171 9876543",
        "email": "jonas@kunde.test",
        "message": "Ist der Tiguan noch zu haben?",
        "vehicle": "VW Tiguan",
        "legal_consent": "on",
        "legal_terms_version": "0",
        "legal_privacy_version": "0",
        **values,
    }
    return client.post(f"/rueckruf/{slug}/", data)


def test_a_callback_request_makes_a_customer_and_a_job(world: JobWorld, client: Client) -> None:
    assert "Rückruf anfordern" in body(client.get(f"/rueckruf/{world.tenant.slug}/"))
    response = _callback(client, world.tenant.slug)
    assert response.status_code == 302
    assert response["Location"] == f"/rueckruf/{world.tenant.slug}/danke/"
    assert "Vielen Dank!" in body(client.get(response["Location"]))
    with scopes_disabled():
        job = Job.objects.get(origin=Origin.CALLBACK)
        contact = Contact.objects.get(pk=job.contact_id or 0)
    assert job.callback_phone == "+491719876543"
    assert job.values["kundenmitteilung"] == "Ist der Tiguan noch zu haben?"
    assert job.title == "VW Tiguan" and job.phase_key == "rueckruf"
    assert (contact.first_name, contact.last_name, contact.email) == (
        "Jonas",
        "Weber",
        "jonas@kunde.test",
    )
    assert str(contact.mobile_phone) == "+491719876543"
    assert job.customer_id != world.customer.pk


def test_a_callback_from_a_known_customer_joins_their_jobs(world: JobWorld, client: Client) -> None:
    response = _callback(
        client, world.tenant.slug, name="Petra Neumann", phone="0170 1234567", email=""
    )
    assert response.status_code == 302
    with scopes_disabled():
        job = Job.objects.get(origin=Origin.CALLBACK)
        assert Customer.objects.count() == 1
    assert job.customer_id == world.customer.pk and job.contact_id == world.contact.pk


def test_a_callback_with_someone_elses_number_but_another_name_makes_a_new_customer(
    world: JobWorld, client: Client
) -> None:
    _callback(client, world.tenant.slug, name="Max Mustermann", phone="0170 1234567")
    with scopes_disabled():
        job = Job.objects.get(origin=Origin.CALLBACK)
    assert job.customer_id != world.customer.pk


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        ({"phone": ""}, "phone", "Bitte geben Sie Ihre Telefonnummer an."),
        ({"phone": "12"}, "phone", "Bitte geben Sie eine gültige Telefonnummer ein"),
        ({"name": ""}, "name", "Bitte geben Sie Ihren Namen an."),
        ({"legal_consent": ""}, "legal_consent", "Bitte bestätigen Sie die Bedingungen."),
    ],
)
def test_a_callback_request_is_refused_next_to_the_field(
    world: JobWorld, client: Client, values: dict[str, str], field: str, says: str
) -> None:
    response = _callback(client, world.tenant.slug, **values)
    assert response.status_code == 400
    html = body(response)
    error_id = "id_legal_consent-error" if field == "legal_consent" else f"id_{field}_error"
    assert says in html and f'id="{error_id}"' in html
    assert "Ist der Tiguan noch zu haben?" in html  # kept
    with scopes_disabled():
        assert not Job.objects.exists()


def test_callback_requests_are_throttled_per_client_address(
    world: JobWorld, client: Client
) -> None:
    from django.core.cache import cache

    cache.clear()
    statuses = [
        _callback(client, world.tenant.slug, phone=f"0171 98765{n:02d}").status_code
        for n in range(callback_views.CALLBACK_LIMIT + 1)
    ]
    assert statuses == [302] * callback_views.CALLBACK_LIMIT + [429]
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert _callback(other, world.tenant.slug).status_code == 302
    cache.clear()


def test_no_callback_while_the_job_manager_is_off(tenant_a: Any, client: Client) -> None:
    assert client.get(f"/rueckruf/{tenant_a.slug}/").status_code == 404
    assert "Rückruf anfordern" not in body(client.get(f"/t/{tenant_a.slug}/"))


def test_the_public_page_offers_the_callback_request(world: JobWorld, client: Client) -> None:
    html = body(client.get(f"/t/{world.tenant.slug}/"))
    assert "Rückruf anfordern" in html and f'href="/rueckruf/{world.tenant.slug}/"' in html


def test_another_tenant_with_the_job_manager_gets_its_own_callback_jobs(
    world: JobWorld, tenant_b: Any, client: Client
) -> None:
    make_job_world(tenant_b)
    assert _callback(client, tenant_b.slug).status_code == 302
    with scopes_disabled():
        job = Job.objects.get(origin=Origin.CALLBACK)
    assert job.tenant_id == tenant_b.pk


# --- the payment field ----------------------------------------------------------------------


def _payment(world: JobWorld, job: Job, status: str, paid: bool = False) -> Any:
    from decimal import Decimal

    from theke.jobs.models import Payment

    with tenant_scope(world.tenant):
        return Payment.objects.create(
            tenant=world.tenant,
            job=job,
            field_key="bezahlung",
            provider="test",
            amount=Decimal("24990.00"),
            purpose=job.number,
            status=status,
            reference=f"ref-{job.pk}-{status}",
            paid_at=timezone.now() if paid else None,
        )


def _ordered_job(world: JobWorld) -> Job:
    job = accepted_job(world)
    return move_to(job, "bestellung")


def test_an_open_payment_is_paid_from_the_link_and_from_the_parkplatz(
    world: JobWorld, client: Client
) -> None:
    job = _ordered_job(world)
    payment = _payment(world, job, "open")
    token = link_token(job)
    html = body(client.get(page(token)))
    assert "24.990,00" in html
    pay_url = f"/p/{token}/bezahlen/{payment.pk}/"
    assert f'action="{pay_url}" id="pay-{payment.pk}"' in html
    assert f'form="pay-{payment.pk}">Jetzt bezahlen' in html
    checkout = client.post(pay_url)
    assert checkout.status_code == 302
    assert f"/bezahlen/test/{payment.reference}/" in checkout["Location"]
    customer_login(world)
    log_in_customer(client, world.tenant, world.contact.email)
    own = f"/parkplatz/{world.tenant.slug}/{job.pk}/"
    assert f'action="{own}bezahlen/{payment.pk}/"' in body(client.get(own))
    checkout = client.post(f"{own}bezahlen/{payment.pk}/")
    assert f"/bezahlen/test/{payment.reference}/" in checkout["Location"]
    assert client.get(f"{own}bezahlen/{payment.pk}/").status_code == 405


def test_another_jobs_payment_is_not_paid_from_the_parkplatz(
    world: JobWorld, client: Client
) -> None:
    job = _ordered_job(world)
    with tenant_scope(world.tenant):
        other = customers.create_customer(world.tenant, SYSTEM, kind="person", last_name="Fremd")
        theirs = start_job(world.standard, NewJob(other, "staff", title="Fremd"), SYSTEM_WHO)
    payment = _payment(world, theirs, "open")
    customer_login(world)
    log_in_customer(client, world.tenant, world.contact.email)
    url = f"/parkplatz/{world.tenant.slug}/{job.pk}/bezahlen/{payment.pk}/"
    assert client.post(url).status_code == 404


def test_a_paid_payment_says_when(world: JobWorld, client: Client) -> None:
    job = _ordered_job(world)
    _payment(world, job, "paid", paid=True)
    html = body(client.get(page(link_token(job))))
    assert "Bezahlt am" in html and "Jetzt bezahlen" not in html


def test_an_archived_job_is_shown_without_inputs(world: JobWorld, client: Client) -> None:
    job = move_to(world.start(), "angebot")
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(status="canceled", closed_at=timezone.now())
    token = link_token(job)
    html = body(client.get(page(token)))
    assert "Dieser Vorgang ist storniert." in html
    assert 'name="angebot_angenommen"' not in html and "Antwort senden" not in html
    response = client.post(
        page(token),
        {"phase": "angebot", **present("angebot_angenommen"), "angebot_angenommen": "on"},
    )
    assert response.status_code == 409
    assert "angebot_angenommen" not in fresh(job).values
