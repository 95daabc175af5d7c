"""The duplicate screen, the prefilled new-customer form and the staff appointment page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from theke.appointments.models import Appointment, Lead, LeadStatus
from theke.appointments.services import conversion as convert
from theke.audit.services import Actor
from theke.customers.models import Contact, Customer, Vehicle
from theke.tenants.scoping import tenant_scope

from .osb import VIN_NEW, VIN_OTHER, Osb, make_lead, make_osb, set_cash_customer, with_rights


@pytest.fixture
def osb(tenant_a: Any, colleague: Any) -> Osb:
    return make_osb(tenant_a, colleague)


@pytest.fixture
def staff(client: Any, colleague: Any) -> Any:
    """A service advisor (Serviceberater): lead manager and appointments, no closed leads."""
    client.force_login(colleague)
    return client


def _convert(osb: Osb, lead: Lead, **kwargs: Any) -> Appointment:
    user = with_rights(osb.advisor)
    with tenant_scope(osb.tenant):
        return convert.convert_lead(lead, Actor.staff(user), user, **kwargs)


def _url(name: str, pk: int) -> str:
    return reverse(f"appointments:{name}", args=[pk])


# --- the duplicate screen -------------------------------------------------------------------


def test_duplicate_screen_lists_candidates_with_reasons_and_the_data_side_by_side(
    staff: Any, osb: Osb
) -> None:
    lead = make_lead(osb)
    response = staff.get(_url("lead_convert", lead.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="candidates"' in html and "Eva Berg" in html
    assert 'class="badge rounded-pill text-bg-light border reason"' in html
    assert "Daten der Terminanfrage" in html and "Kundenstamm: Eva Berg" in html
    # The differing mobile and street are marked in words, not by colour only.
    assert html.count("abweichend") >= 2
    assert "Durchlauffahrzeug" in html  # the vehicle check, before confirming
    for label in (
        "Daten aus Anfrage übernehmen",
        "Daten aus Kundenstamm übernehmen",
        "Neuer Kunde",
        "Barverkaufskunde",
        "In Stammdaten übernehmen",
    ):
        assert label in html


def test_customer_number_skips_the_list(staff: Any, osb: Osb) -> None:
    lead = make_lead(osb, customer_number="K-1000")
    html = staff.get(_url("lead_convert", lead.pk)).content.decode()
    assert 'id="by-number"' in html and 'id="candidates"' not in html
    assert "Bestandskunde" in html


def test_vehicle_of_another_keeper_is_shown_before_confirming(staff: Any, osb: Osb) -> None:
    lead = make_lead(osb, vin=VIN_OTHER)
    html = staff.get(_url("lead_convert", lead.pk)).content.decode()
    assert 'data-case="other_owner"' in html and "Olaf Schulz" in html


def test_way_1_through_the_screen_opens_the_new_appointment(staff: Any, osb: Osb) -> None:
    lead = make_lead(osb)
    response = staff.post(
        _url("lead_convert", lead.pk),
        {"way": "merge_lead_data", "customer": osb.eva.pk, "update_master_data": "on"},
    )
    with tenant_scope(osb.tenant):
        appointment = Appointment.objects.get()
        assert Lead.objects.get(pk=lead.pk).status == LeadStatus.PLANNED
        assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491722222222"
    assert response.status_code == 302
    assert response.url == _url("appointment_detail", appointment.pk)
    html = staff.get(response.url).content.decode()
    assert "Neue Straße 9" in html and "Durchlauffahrzeug" in html
    assert "Online-Terminbuchung" in html and "Inspektion" in html


def test_cash_customer_not_set_up_says_so(staff: Any, osb: Osb) -> None:
    lead = make_lead(osb)
    response = staff.post(_url("lead_convert", lead.pk), {"way": "cash_customer"})
    assert response.status_code == 409
    assert "kein Barverkaufskunde eingerichtet" in response.content.decode()


def test_cash_customer_through_the_screen(staff: Any, osb: Osb) -> None:
    cash = set_cash_customer(osb)
    lead = make_lead(osb)
    response = staff.post(_url("lead_convert", lead.pk), {"way": "cash_customer"})
    assert response.status_code == 302
    with tenant_scope(osb.tenant):
        assert Appointment.objects.get().customer_id == cash.pk


def test_closed_lead_is_refused_without_the_right(staff: Any, osb: Osb) -> None:
    lead = make_lead(osb, status=LeadStatus.REJECTED)
    assert staff.get(_url("lead_convert", lead.pk)).status_code == 403
    response = staff.post(
        _url("lead_convert", lead.pk), {"way": "merge_master_data", "customer": osb.eva.pk}
    )
    assert response.status_code == 403


def test_other_tenants_get_404(outsider_client: Any, osb: Osb) -> None:
    lead = make_lead(osb)
    appointment = _convert(osb, lead, way="merge_master_data", customer=osb.eva)
    assert outsider_client.get(_url("lead_convert", lead.pk)).status_code == 404
    assert outsider_client.get(_url("appointment_detail", appointment.pk)).status_code == 404
    assert outsider_client.post(_url("appointment_cancel", appointment.pk)).status_code == 404


# --- way 3: the prefilled customer form ------------------------------------------------------


def test_new_customer_form_is_prefilled_and_cancel_returns_to_the_list(
    client: Any, owner: Any, osb: Osb
) -> None:
    client.force_login(owner)
    lead = make_lead(osb, first_name="Jana", last_name="Neu", email="jana@example.org")
    response = client.post(_url("lead_convert", lead.pk), {"way": "new_customer"})
    assert response.url == _url("lead_convert_new_customer", lead.pk)
    html = client.get(response.url).content.decode()
    assert 'value="Jana"' in html and 'value="jana@example.org"' in html
    assert f'href="{_url("lead_convert", lead.pk)}"' in html  # "Abbrechen"


def test_saving_the_new_customer_creates_it_and_opens_the_appointment(
    client: Any, owner: Any, osb: Osb
) -> None:
    client.force_login(owner)
    lead = make_lead(osb, first_name="Jana", last_name="Neu", email="jana@example.org")
    response = client.post(
        _url("lead_convert_new_customer", lead.pk),
        {"kind": "person", "first_name": "Jana", "last_name": "Neu", "email": "jana@example.org"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_scope(osb.tenant):
        appointment = Appointment.objects.get()
        assert appointment.customer.display_name == "Jana Neu"
        assert Customer.objects.filter(last_name="Neu").count() == 1
    assert response.url == _url("appointment_detail", appointment.pk)


# --- the staff appointment page -------------------------------------------------------------


def test_page_shows_the_other_keeper_warning(staff: Any, osb: Osb) -> None:
    lead = make_lead(osb, vin=VIN_OTHER)
    appointment = _convert(osb, lead, way="merge_master_data", customer=osb.eva)
    html = staff.get(_url("appointment_detail", appointment.pk)).content.decode()
    assert "Das Fahrzeug gehört laut Fahrzeugstamm nicht diesem Kunden" in html
    assert "Halter: Olaf Schulz (K-2000)" in html
    assert 'id="lead-link"' in html and "Verlauf" in html


def test_saving_with_another_keepers_vehicle_asks_first(staff: Any, osb: Osb) -> None:
    appointment = _convert(osb, make_lead(osb), way="merge_master_data", customer=osb.eva)
    day = osb.start.strftime("%Y-%m-%d")
    data = {
        "date": day,
        "start_time": "12:00",
        "end_time": "13:00",
        "advisor": osb.advisor.pk,
        "customer": osb.other.pk,
        "vehicle": "",
    }
    # Switching to Olaf Schulz with Eva's vehicle ...
    with tenant_scope(osb.tenant):
        data["vehicle"] = str(osb.eva_vehicle.pk)
    response = staff.post(_url("appointment_edit", appointment.pk), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="owner-warning"' in html
    assert "Halter: Eva Berg (K-1000)" in html and "Trotzdem speichern" in html
    with tenant_scope(osb.tenant):
        assert Appointment.objects.get().customer_id == osb.eva.pk  # nothing saved yet
    response = staff.post(
        _url("appointment_edit", appointment.pk), {**data, "confirm_other_owner": "on"}
    )
    assert response.status_code == 302
    with tenant_scope(osb.tenant):
        saved = Appointment.objects.get()
        assert saved.customer_id == osb.other.pk and saved.vehicle_id == osb.eva_vehicle.pk
        assert saved.start.hour == 11  # 12:00 Berlin is 11:00 UTC in winter
    html = staff.get(_url("appointment_detail", appointment.pk)).content.decode()
    assert 'id="vehicle-warning"' in html


def test_walk_in_vehicle_is_added_from_the_page(client: Any, owner: Any, osb: Osb) -> None:
    client.force_login(owner)
    appointment = _convert(osb, make_lead(osb), way="merge_master_data", customer=osb.eva)
    html = client.get(_url("appointment_detail", appointment.pk)).content.decode()
    assert "Ins Fahrzeugstamm übernehmen" in html
    response = client.post(_url("appointment_add_vehicle", appointment.pk))
    assert response.status_code == 302
    with tenant_scope(osb.tenant):
        vehicle = Vehicle.objects.get(vin=VIN_NEW)
        assert Appointment.objects.get().vehicle_id == vehicle.pk
        assert vehicle.customer_id == osb.eva.pk


def test_master_data_switch_on_the_page(staff: Any, osb: Osb) -> None:
    appointment = _convert(osb, make_lead(osb), way="merge_lead_data", customer=osb.eva)
    staff.post(_url("appointment_master_data", appointment.pk), {})
    with tenant_scope(osb.tenant):
        assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491711111111"
    staff.post(_url("appointment_master_data", appointment.pk), {"update_master_data": "on"})
    with tenant_scope(osb.tenant):
        assert Appointment.objects.get().update_master_data is True
        assert str(Contact.objects.get(customer=osb.eva).mobile_phone) == "+491722222222"


def test_confirmation_from_the_page(
    staff: Any, osb: Osb, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = _convert(osb, make_lead(osb), way="merge_lead_data", customer=osb.eva)
    html = staff.get(_url("appointment_detail", appointment.pk)).content.decode()
    assert 'id="confirm-email"' in html and 'id="confirm-sms"' not in html  # no SMS switch
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            _url("appointment_send_confirmation", appointment.pk), {"channel": "email"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "Alpha Süd" in mail.outbox[0].body


def test_cancel_from_the_page_sets_the_lead_to_cancelled(staff: Any, osb: Osb) -> None:
    lead = make_lead(osb)
    appointment = _convert(osb, lead, way="merge_master_data", customer=osb.eva)
    assert (
        "Termin stornieren"
        in staff.get(_url("appointment_cancel", appointment.pk)).content.decode()
    )
    response = staff.post(_url("appointment_cancel", appointment.pk))
    assert response.status_code == 302
    with tenant_scope(osb.tenant):
        assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CANCELLED
        assert Appointment.objects.get().status == "cancelled"
