"""The customer's appointment page behind its link (/termin/<token>/): every state, the
proposal answered, cancel and another time until the cut-off, the calendar file, the
reminder preference, "Meine Termine", and the links that no longer open."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.appointments.models import (
    Appointment,
    AppointmentProposal,
    AppointmentStatus,
    BookingSettings,
    ProposalStatus,
    ReminderPreference,
)
from theke.appointments.services import reminders as reminder_services
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import CustomerLink
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .appointment_page_fixtures import CustomerPage, make_customer_page, propose_three

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(tenant_a: Any, colleague: Any) -> CustomerPage:
    return make_customer_page(tenant_a, colleague)


def html_of(response: Any) -> str:
    return str(response.content.decode())


def set_status(scene: CustomerPage, status: str, **values: Any) -> None:
    with scopes_disabled():
        Appointment.objects.filter(pk=scene.appointment.pk).update(status=status, **values)
    scene.refresh()


# --- the states ----------------------------------------------------------------------------


def test_planned_shows_the_details(client: Any, scene: CustomerPage) -> None:
    response = client.get(scene.path)
    html = html_of(response)
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]
    )
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "Ihr Termin" in html and "Bestätigt" in html
    assert "Alpha Mitte" in html and "Hauptstraße 1, 10115 Berlin" in html
    assert "https://www.openstreetmap.org/search?query=Alpha+Mitte%2C+Haupt" in html
    assert "<iframe" not in html
    assert "Inspektion nach Herstellervorgabe" in html and "Bremsflüssigkeit wechseln" in html
    assert "Gesamtkosten" in html and "238,00" in html
    assert "Fahrzeugschein" in html
    assert "Zum Kalender hinzufügen" in html
    assert "Termin stornieren" in html and "Anderen Termin anfragen" in html
    assert "Meine Termine" in html and "B-EB 1" in html


def test_the_first_view_is_recorded(client: Any, scene: CustomerPage) -> None:
    client.get(scene.path)
    with scopes_disabled():
        assert CustomerLink.objects.get().first_viewed_at is not None


def test_requested_says_a_proposal_will_come(client: Any, scene: CustomerPage) -> None:
    set_status(scene, AppointmentStatus.REQUESTED, confirmed_at=None)
    html = html_of(client.get(scene.path))
    assert "Angefragt" in html and "Wir melden uns mit einem Terminvorschlag" in html
    assert "Zum Kalender hinzufügen" not in html
    assert "Termin stornieren" in html and "Anderen Termin anfragen" not in html


def test_proposed_shows_the_slots_as_choices(client: Any, scene: CustomerPage) -> None:
    proposal = propose_three(scene)
    html = html_of(client.get(scene.path))
    assert "Bitte wählen Sie Ihren Termin" in html
    with scopes_disabled():
        slots = list(proposal.slots.order_by("start"))
    for slot in slots:
        assert f'name="slot" id="slot-{slot.pk}" value="{slot.pk}"' in html
    assert "09:00 bis 10:00 Uhr" in html and "14:00 bis 15:00 Uhr" in html
    assert "Termin bestätigen" in html and "Anderen Termin anfragen" in html
    assert "Termin stornieren" not in html and "Zum Kalender hinzufügen" not in html


def test_finalized_is_read_only(client: Any, scene: CustomerPage) -> None:
    set_status(scene, AppointmentStatus.FINALIZED)
    html = html_of(client.get(scene.path))
    assert "Abgeschlossen" in html and "Vielen Dank für Ihren Besuch" in html
    assert "Termin stornieren" not in html and "Zum Kalender hinzufügen" not in html


def test_cancelled_is_read_only(client: Any, scene: CustomerPage) -> None:
    set_status(scene, AppointmentStatus.CANCELLED)
    html = html_of(client.get(scene.path))
    assert "Storniert" in html and "Dieser Termin ist storniert." in html
    assert "Termin stornieren" not in html and "Anderen Termin anfragen" not in html


def test_after_the_cut_off_the_page_names_the_phone(client: Any, scene: CustomerPage) -> None:
    with tenant_scope(scene.tenant):
        BookingSettings.objects.update_or_create(
            tenant=scene.tenant, defaults={"cancel_cutoff_hours": 24 * 60}
        )
    html = html_of(client.get(scene.path))
    assert "Termin stornieren" not in html
    assert "nicht mehr möglich" in html and 'href="tel:0307654321"' in html


def test_english_for_an_english_contact(client: Any, scene: CustomerPage) -> None:
    with scopes_disabled():
        type(scene.contact).objects.filter(pk=scene.contact.pk).update(language="en")
    response = client.get(scene.path)
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in html_of(response)


# --- links that do not open ------------------------------------------------------------------


def test_wrong_token_gets_the_neutral_page(client: Any, scene: CustomerPage) -> None:
    response = client.get("/termin/" + "x" * 32 + "/")
    assert response.status_code == 404
    assert "Dieser Link ist nicht gültig" in html_of(response)
    assert client.post("/termin/" + "x" * 32 + "/stornieren", {"confirm": "1"}).status_code == 404


def test_expired_and_revoked_links_say_so(client: Any, scene: CustomerPage) -> None:
    with scopes_disabled():
        link = CustomerLink.objects.get()
        CustomerLink.objects.filter(pk=link.pk).update(expires_at=link.created_at)
    response = client.get(scene.path)
    assert response.status_code == 410 and "abgelaufen" in html_of(response)
    with scopes_disabled():
        CustomerLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    assert client.get(scene.path).status_code == 410
    assert client.post(scene.url("stornieren"), {"confirm": "1"}).status_code == 410
    assert scene.refresh().status == AppointmentStatus.PLANNED


def test_a_link_of_another_kind_does_not_open(client: Any, scene: CustomerPage) -> None:
    with scopes_disabled():
        CustomerLink.objects.update(kind="lead")
    assert client.get(scene.path).status_code == 404


def test_other_tenant_data_never_shows(
    client: Any, scene: CustomerPage, tenant_b: Any, outsider: Any
) -> None:
    """Another tenant's customer with the same name and a planned appointment: not listed."""
    other = make_customer_page(tenant_b, outsider, notes="")
    with scopes_disabled():
        Appointment.objects.filter(pk=other.appointment.pk).update(
            start=other.appointment.start + datetime.timedelta(days=1),
            end=other.appointment.end + datetime.timedelta(days=1),
        )
    html = html_of(client.get(scene.path))
    with scopes_disabled():
        rows = Appointment.objects.filter(customer=scene.customer).count()
    assert html.count('class="my-appointment') == rows == 1


# --- the proposal ----------------------------------------------------------------------------


def test_the_customer_accepts_a_slot(client: Any, scene: CustomerPage) -> None:
    proposal = propose_three(scene)
    with scopes_disabled():
        second = proposal.slots.order_by("start")[1]
    response = client.post(scene.url("bestaetigen"), {"slot": second.pk})
    assert response.status_code == 302 and response["Location"].endswith("?done=accepted")
    appointment = scene.refresh()
    assert appointment.status == AppointmentStatus.PLANNED and appointment.start == second.start
    html = html_of(client.get(response["Location"]))
    assert "Ihr Termin ist bestätigt" in html and "11:00 bis 12:00 Uhr" in html
    with scopes_disabled():
        assert OutboundMessage.objects.filter(purpose="appointment_confirmation").count() == 1


def test_a_second_accept_answers_with_the_state(client: Any, scene: CustomerPage) -> None:
    proposal = propose_three(scene)
    with scopes_disabled():
        first, second = list(proposal.slots.order_by("start"))[:2]
    client.post(scene.url("bestaetigen"), {"slot": first.pk})
    again = client.post(scene.url("bestaetigen"), {"slot": second.pk})
    assert again.status_code == 302 and again["Location"].endswith("?done=accepted")
    assert scene.refresh().start == first.start
    with scopes_disabled():
        assert AppointmentProposal.objects.get().status == ProposalStatus.ACCEPTED


def test_accept_without_a_choice_asks_for_one(client: Any, scene: CustomerPage) -> None:
    propose_three(scene)
    response = client.post(scene.url("bestaetigen"), {"slot": "nonsense"})
    assert response.status_code == 400
    assert "Bitte wählen Sie einen der Termine aus." in html_of(response)
    assert scene.refresh().status == AppointmentStatus.PROPOSED


def test_a_slot_of_another_proposal_is_no_choice(client: Any, scene: CustomerPage) -> None:
    propose_three(scene)
    other = propose_three(scene)  # the older proposal stays open too in this set-up
    with scopes_disabled():
        AppointmentProposal.objects.exclude(pk=other.pk).update(status=ProposalStatus.WITHDRAWN)
        stale = AppointmentProposal.objects.exclude(pk=other.pk).get().slots.order_by("start")[0]
    assert client.post(scene.url("bestaetigen"), {"slot": stale.pk}).status_code == 400


def test_a_taken_slot_shows_the_others(client: Any, scene: CustomerPage) -> None:
    """Meanwhile staff planned another customer's appointment with the advisor at 11:00."""
    proposal = propose_three(scene)
    with scopes_disabled():
        second = proposal.slots.order_by("start")[1]
        Appointment.objects.create(
            tenant=scene.tenant,
            customer=customers.create_customer(scene.tenant, SYSTEM, last_name="Schulz"),
            branch=scene.bookable.branch,
            advisor=scene.bookable.advisor,
            status=AppointmentStatus.PLANNED,
            start=second.start,
            end=second.end,
        )
    response = client.post(scene.url("bestaetigen"), {"slot": second.pk})
    html = html_of(response)
    assert response.status_code == 409
    assert "gerade vergeben worden" in html and "Leider nicht mehr frei" in html
    assert f'id="slot-{second.pk}"' not in html
    assert html.count('name="slot"') == 2
    assert scene.refresh().status == AppointmentStatus.PROPOSED


def test_the_customer_asks_for_another_time(client: Any, scene: CustomerPage) -> None:
    propose_three(scene)
    refused = client.post(scene.url("anderer-termin"), {"note": "  "})
    assert refused.status_code == 400
    assert "Bitte schreiben Sie uns, wann es Ihnen passt." in html_of(refused)
    response = client.post(scene.url("anderer-termin"), {"note": "Lieber nächste Woche"})
    assert response.status_code == 302 and response["Location"].endswith("?done=countered")
    appointment = scene.refresh()
    assert appointment.status == AppointmentStatus.REQUESTED
    assert appointment.counter_proposal_note == "Lieber nächste Woche"
    again = client.post(scene.url("anderer-termin"), {"note": "Noch einmal"})
    assert again.status_code == 302 and again["Location"].endswith("?done=answered")
    assert scene.refresh().counter_proposal_note == "Lieber nächste Woche"


# --- cancel and another time -----------------------------------------------------------------


def test_cancel_asks_first_then_cancels_once(client: Any, scene: CustomerPage) -> None:
    step = client.post(scene.url("stornieren"))
    assert step.status_code == 200 and "Termin wirklich stornieren?" in html_of(step)
    assert scene.refresh().status == AppointmentStatus.PLANNED
    done = client.post(scene.url("stornieren"), {"confirm": "1"})
    assert done.status_code == 302 and done["Location"].endswith("?done=cancelled")
    assert scene.refresh().status == AppointmentStatus.CANCELLED
    again = client.post(scene.url("stornieren"), {"confirm": "1"})
    assert again.status_code == 302 and "done=" not in again["Location"]


def test_cancel_after_the_cut_off_is_refused(client: Any, scene: CustomerPage) -> None:
    """The page offered it, the cut-off passed meanwhile: the service's refusal, no 500."""
    client.post(scene.url("stornieren"))
    with tenant_scope(scene.tenant):
        BookingSettings.objects.update_or_create(
            tenant=scene.tenant, defaults={"cancel_cutoff_hours": 24 * 60}
        )
    response = client.post(scene.url("stornieren"), {"confirm": "1"})
    assert response.status_code == 409 and "Bitte rufen Sie uns an" in html_of(response)
    assert scene.refresh().status == AppointmentStatus.PLANNED
    late = client.post(scene.url("verschieben"), {"confirm": "1", "note": "Später"})
    assert late.status_code == 409
    assert scene.refresh().status == AppointmentStatus.PLANNED


def test_another_time_for_a_planned_appointment(client: Any, scene: CustomerPage) -> None:
    step = client.post(scene.url("verschieben"))
    assert step.status_code == 200 and "Ihr Terminwunsch" in html_of(step)
    refused = client.post(scene.url("verschieben"), {"confirm": "1", "note": ""})
    assert refused.status_code == 400 and 'aria-invalid="true"' in html_of(refused)
    done = client.post(scene.url("verschieben"), {"confirm": "1", "note": "Freitag früh"})
    assert done.status_code == 302
    appointment = scene.refresh()
    assert appointment.status == AppointmentStatus.REQUESTED
    assert appointment.counter_proposal_note == "Freitag früh"


def test_get_never_changes_state(client: Any, scene: CustomerPage) -> None:
    assert client.get(scene.url("stornieren")).status_code == 405
    assert scene.refresh().status == AppointmentStatus.PLANNED


# --- the calendar file -----------------------------------------------------------------------


def test_calendar_file(client: Any, scene: CustomerPage) -> None:
    response = client.get(scene.url("kalender.ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    assert f"UID:{scene.appointment.uid}@theke" in body and "METHOD:REQUEST" in body


# --- reminders -------------------------------------------------------------------------------


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the page asked the reminder service to store (the service is tested there)."""
    calls: list[dict[str, Any]] = []

    def record(contact: Any, actor: Any, **values: Any) -> Any:
        calls.append({"contact": contact, **values})
        return ReminderPreference(contact=contact)

    monkeypatch.setattr(reminder_services, "set_reminder_preference", record, raising=False)
    return calls


def test_reminder_form_without_sms(client: Any, scene: CustomerPage, saved: list[Any]) -> None:
    html = html_of(client.get(scene.path))
    assert "Standard (1 Tag vorher)" in html and "4 Tage vorher" in html
    assert 'name="by_sms"' not in html
    response = client.post(scene.url("erinnerungen"), {"days_before": "3", "by_email": "on"})
    assert response.status_code == 302 and response["Location"].endswith("?done=reminders")
    assert saved == [
        {
            "contact": scene.contact,
            "days_before": 3,
            "by_email": True,
            "by_sms": False,
            "same_day": False,
            "sms_consent": False,
        }
    ]


def test_reminder_sms_needs_consent(client: Any, scene: CustomerPage, saved: list[Any]) -> None:
    with scopes_disabled():
        type(scene.tenant).objects.filter(pk=scene.tenant.pk).update(sms_enabled=True)
    html = html_of(client.get(scene.path))
    assert 'name="by_sms"' in html and 'name="sms_consent"' in html
    refused = client.post(scene.url("erinnerungen"), {"by_sms": "on", "same_day": "on"})
    assert refused.status_code == 400 and "Einverständnis" in html_of(refused)
    assert saved == []
    client.post(scene.url("erinnerungen"), {"by_sms": "on", "sms_consent": "on", "same_day": "on"})
    assert saved[0]["days_before"] is None
    assert saved[0]["by_sms"] and saved[0]["sms_consent"] and saved[0]["same_day"]


def test_reminder_days_out_of_range_refused(
    client: Any, scene: CustomerPage, saved: list[Any]
) -> None:
    response = client.post(scene.url("erinnerungen"), {"days_before": "9", "by_email": "on"})
    assert response.status_code == 400 and saved == []


def test_saved_preference_is_shown(client: Any, scene: CustomerPage) -> None:
    with tenant_scope(scene.tenant):
        ReminderPreference.objects.create(
            tenant=scene.tenant, contact=scene.contact, days_before=2, same_day=True
        )
    html = html_of(client.get(scene.path))
    assert 'id="reminder-days-3" value="2" checked' in html
    assert 'id="reminder-same-day" checked' in html


# --- my appointments -------------------------------------------------------------------------


def test_my_appointments_by_vehicle(client: Any, scene: CustomerPage) -> None:
    with tenant_scope(scene.tenant):
        van = customers.add_vehicle(scene.customer, SYSTEM, license_plate="B-EB 2", make="VW")
        Appointment.objects.create(
            tenant=scene.tenant,
            customer=scene.customer,
            vehicle=van,
            branch=scene.bookable.branch,
            status=AppointmentStatus.FINALIZED,
            start=scene.appointment.start - datetime.timedelta(days=400),
            end=scene.appointment.start - datetime.timedelta(days=400, hours=-1),
        )
    html = html_of(client.get(scene.path))
    section = html[html.index('id="my-appointments"') :]
    assert section.index("B-EB 1") < section.index("B-EB 2")
    assert "Vergangen" in section and "Bevorstehend" in section and "dieser Termin" in section


def test_reminder_preference_is_stored_with_the_consent(client: Any, scene: CustomerPage) -> None:
    """Through the real service: the wish and the SMS consent on the contact."""
    with scopes_disabled():
        type(scene.tenant).objects.filter(pk=scene.tenant.pk).update(sms_enabled=True)
    response = client.post(
        scene.url("erinnerungen"),
        {"days_before": "2", "by_sms": "on", "sms_consent": "on", "same_day": "on"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        preference = ReminderPreference.objects.get(contact=scene.contact)
        contact = type(scene.contact).objects.get(pk=scene.contact.pk)
    assert (preference.days_before, preference.by_email, preference.by_sms) == (2, False, True)
    assert preference.same_day and contact.consent_sms
    html = html_of(client.get(response["Location"]))
    assert "Ihre Erinnerungseinstellungen sind gespeichert." in html
    assert 'name="sms_consent"' not in html  # given once: no second tick


def test_an_expired_proposal_is_no_choice(client: Any, scene: CustomerPage) -> None:
    proposal = propose_three(scene)
    with scopes_disabled():
        AppointmentProposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now())
        slot = proposal.slots.order_by("start")[0]
    html = html_of(client.get(scene.path))
    assert 'name="slot"' not in html and "Der Terminvorschlag ist abgelaufen." in html
    response = client.post(scene.url("bestaetigen"), {"slot": slot.pk})
    assert response["Location"].endswith("?done=answered")
    assert scene.refresh().status == AppointmentStatus.PROPOSED
