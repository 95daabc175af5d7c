"""The OSB settings ("Administration Online Service Booking"): pages, rights, tenant
isolation, validation and audit events; and the user's own lead manager setting."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.appointments.models import (
    AdvisorAbsence,
    AdvisorWorkingHours,
    BookableService,
    BookingSettings,
    BranchBooking,
    LeadManagerPreference,
    ServiceAdvisor,
)
from theke.appointments.services import settings as booking
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.tenants.models import Branch
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(tenant_a: Any) -> Branch:
    return create_branch(
        tenant_a,
        SYSTEM,
        "Alpha Mitte",
        postal_code="10115",
        opening_hours=[(0, datetime.time(8), datetime.time(18))],
    )


@pytest.fixture
def advisor(tenant_a: Any, branch: Branch, colleague: Any) -> ServiceAdvisor:
    return booking.add_advisor(branch, SYSTEM, colleague)


@pytest.fixture
def service(tenant_a: Any) -> BookableService:
    return booking.create_service(
        tenant_a, SYSTEM, name="Inspektion", duration_minutes=90, price=None
    )


@pytest.fixture
def colleague_client(colleague: Any) -> Client:
    client = Client()
    client.force_login(colleague)
    return client


@pytest.fixture
def other_tenant_objects(tenant_b: Any, outsider: Any) -> dict[str, int]:
    """A branch, advisor, absence and service of tenant B."""
    other_branch = create_branch(tenant_b, SYSTEM, "Beta Hafen")
    advisor = booking.add_advisor(other_branch, SYSTEM, outsider)
    absence = booking.add_absence(
        advisor, SYSTEM, datetime.date(2030, 1, 2), datetime.date(2030, 1, 3)
    )
    service = booking.create_service(tenant_b, SYSTEM, name="Reifen", duration_minutes=30)
    return {
        "branch": other_branch.pk,
        "advisor": advisor.pk,
        "absence": absence.pk,
        "service": service.pk,
    }


def _stored(tenant: Any) -> BookingSettings:
    with tenant_scope(tenant):
        return booking.booking_settings(tenant)


def _events(action: str) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action))


PAGES: list[Callable[[Branch, ServiceAdvisor, BookableService], str]] = [
    lambda b, a, s: reverse("appointments:settings"),
    lambda b, a, s: reverse("appointments:branch_settings", args=[b.pk]),
    lambda b, a, s: reverse("appointments:advisor_settings", args=[a.pk]),
    lambda b, a, s: reverse("appointments:service_list"),
    lambda b, a, s: reverse("appointments:service_create"),
    lambda b, a, s: reverse("appointments:service_edit", args=[s.pk]),
]


@pytest.mark.parametrize("page", range(len(PAGES)))
def test_every_settings_page_opens_for_an_admin_and_is_refused_without_the_right(
    page: int,
    owner_client: Client,
    colleague_client: Client,
    branch: Branch,
    advisor: ServiceAdvisor,
    service: BookableService,
) -> None:
    url = PAGES[page](branch, advisor, service)
    assert owner_client.get(url).status_code == 200
    assert colleague_client.get(url).status_code == 403


def test_changes_need_the_right_too(
    colleague_client: Client, branch: Branch, advisor: ServiceAdvisor, service: BookableService
) -> None:
    posts = [
        reverse("appointments:settings"),
        reverse("appointments:branch_settings", args=[branch.pk]),
        reverse("appointments:advisor_add", args=[branch.pk]),
        reverse("appointments:advisor_toggle", args=[advisor.pk]),
        reverse("appointments:advisor_remove", args=[advisor.pk]),
        reverse("appointments:absence_add", args=[advisor.pk]),
        reverse("appointments:service_toggle", args=[service.pk]),
    ]
    for url in posts:
        assert colleague_client.post(url, {}).status_code == 403, url
    with scopes_disabled():
        assert ServiceAdvisor.objects.filter(pk=advisor.pk, is_active=True).exists()


def test_objects_of_another_tenant_answer_404(
    owner_client: Client, other_tenant_objects: dict[str, int]
) -> None:
    ids = other_tenant_objects
    gets = [
        reverse("appointments:branch_settings", args=[ids["branch"]]),
        reverse("appointments:advisor_settings", args=[ids["advisor"]]),
        reverse("appointments:service_edit", args=[ids["service"]]),
    ]
    for url in gets:
        assert owner_client.get(url).status_code == 404, url
    posts = [
        reverse("appointments:advisor_add", args=[ids["branch"]]),
        reverse("appointments:advisor_toggle", args=[ids["advisor"]]),
        reverse("appointments:advisor_remove", args=[ids["advisor"]]),
        reverse("appointments:absence_add", args=[ids["advisor"]]),
        reverse("appointments:absence_delete", args=[ids["absence"]]),
        reverse("appointments:service_toggle", args=[ids["service"]]),
    ]
    for url in posts:
        assert owner_client.post(url, {"active": "0"}).status_code == 404, url
    with scopes_disabled():
        assert ServiceAdvisor.objects.filter(pk=ids["advisor"], is_active=True).exists()
        assert AdvisorAbsence.objects.filter(pk=ids["absence"]).exists()
        assert BookableService.objects.filter(pk=ids["service"], is_active=True).exists()


def test_the_page_says_when_the_tenant_is_not_switched_on_and_still_saves(
    owner_client: Client, tenant_a: Any
) -> None:
    page = owner_client.get(reverse("appointments:settings")).content.decode()
    assert "noch nicht freigeschaltet" in page
    assert "Theke-Support" in page
    response = owner_client.post(reverse("appointments:settings"), _general(hold_hours="12"))
    assert response.status_code == 302
    assert _stored(tenant_a).hold_hours == 12
    tenant_a.online_booking_enabled = True
    tenant_a.save()
    page = owner_client.get(reverse("appointments:settings")).content.decode()
    assert "noch nicht freigeschaltet" not in page


def test_settings_are_reachable_from_the_settings_overview(owner_client: Client) -> None:
    page = owner_client.get(reverse("tenants:settings")).content.decode()
    assert reverse("appointments:settings") in page


def _general(**values: str) -> dict[str, str]:
    data = {
        "hold_hours": "48",
        "cancel_cutoff_hours": "24",
        "cash_customer_number": "",
        "duplicates_by_name_postcode": "on",
        "duplicates_by_email": "on",
        "duplicates_by_phone": "on",
        "duplicates_by_vehicle": "on",
        "embed_origins": "",
        "proposal_hold_hours": "48",
        "reminder_days_before": "1",
        "reminder_time": "10:00",
        "same_day_reminder_time": "07:00",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value != "off"}


def test_general_settings_are_saved_with_an_audit_event(
    owner_client: Client, tenant_a: Any
) -> None:
    with tenant_scope(tenant_a):
        customers.create_customer(
            tenant_a, SYSTEM, kind="company", company_name="Barverkauf", number="99999"
        )
    response = owner_client.post(
        reverse("appointments:settings"),
        _general(
            cash_customer_number=" 99999 ",
            duplicates_by_phone="off",
            embed_origins="https://www.Alpha.test/\n\nhttp://localhost:8000\nhttps://shop.alpha.test:8443",
        ),
    )
    assert response.status_code == 302
    stored = _stored(tenant_a)
    assert stored.cash_customer_number == "99999"
    assert not stored.duplicates_by_phone
    with tenant_scope(tenant_a):
        origins = booking.embed_origins(tenant_a)
    assert origins == [
        "https://www.alpha.test",
        "http://localhost:8000",
        "https://shop.alpha.test:8443",
    ]
    (event,) = _events("booking_settings.changed")
    assert event.data["changes"]["duplicates_by_phone"] == [True, False]


@pytest.mark.parametrize(
    "line",
    [
        "https://www.alpha.test/buchen",
        "www.alpha.test",
        "http://www.alpha.test",
        "ftp://alpha.test",
        "https://alpha.test:99999",
        "https://alpha.test?x=1",
    ],
)
def test_a_bad_embed_origin_is_named_next_to_the_field(
    owner_client: Client, tenant_a: Any, line: str
) -> None:
    response = owner_client.post(
        reverse("appointments:settings"),
        _general(embed_origins=f"https://ok.alpha.test\n{line}"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["embed_origins"]
    assert "Zeile 2" in errors[0] and line in errors[0]
    assert not _events("booking_settings.changed")
    with scopes_disabled():
        assert not BookingSettings.objects.exists()


def test_an_unknown_cash_customer_number_is_refused(owner_client: Client, tenant_b: Any) -> None:
    # A customer of another tenant with that number does not count.
    with tenant_scope(tenant_b):
        customers.create_customer(tenant_b, SYSTEM, kind="person", last_name="X", number="4711")
    response = owner_client.post(
        reverse("appointments:settings"), _general(cash_customer_number="4711")
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors["cash_customer_number"]
    assert "keinen Kunden mit der Kundennummer „4711“" in error


def test_at_least_one_duplicate_criterion(owner_client: Client) -> None:
    response = owner_client.post(
        reverse("appointments:settings"),
        _general(
            duplicates_by_name_postcode="off",
            duplicates_by_email="off",
            duplicates_by_phone="off",
            duplicates_by_vehicle="off",
        ),
    )
    assert response.status_code == 200
    assert "mindestens ein Kriterium" in response.content.decode()


def test_the_service_refuses_no_duplicate_criterion(tenant_a: Any) -> None:
    with pytest.raises(booking.SettingsError):
        booking.save_booking_settings(
            tenant_a, SYSTEM, **dict.fromkeys(booking.DUPLICATE_FIELDS, False)
        )


def test_embed_snippets_for_bookable_branches(
    owner_client: Client, tenant_a: Any, branch: Branch
) -> None:
    page = owner_client.get(reverse("appointments:settings")).content.decode()
    assert "<iframe" not in page and "&lt;iframe" not in page
    booking.save_branch_booking(branch, SYSTEM, enabled=True)
    page = owner_client.get(reverse("appointments:settings")).content.decode()
    assert f"/buchen/alpha/{branch.pk}/?embed=1" in page
    assert "&lt;iframe src=&quot;http://testserver/buchen/alpha/" in page
    assert "title=&quot;Online-Terminbuchung – Alpha Mitte&quot;" in page


def test_branch_settings_are_saved_and_show_opening_hours_and_state(
    owner_client: Client, branch: Branch
) -> None:
    url = reverse("appointments:branch_settings", args=[branch.pk])
    page = owner_client.get(url).content.decode()
    assert "Berlin" in page  # the federal state from the postcode
    assert reverse("tenants:branch_edit", args=[branch.pk]) in page
    response = owner_client.post(
        url,
        {
            "enabled": "on",
            "parallel_capacity": "",
            "slot_minutes": "15",
            "buffer_minutes": "10",
            "min_notice_hours": "2",
            "horizon_days": "30",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        stored = BranchBooking.objects.get(branch=branch)
    assert stored.enabled and stored.parallel_capacity is None and stored.slot_minutes == 15
    assert _events("branch_booking.changed")


def test_branch_settings_out_of_range_stand_next_to_the_field(
    owner_client: Client, branch: Branch
) -> None:
    response = owner_client.post(
        reverse("appointments:branch_settings", args=[branch.pk]),
        {"slot_minutes": "2", "buffer_minutes": "0", "min_notice_hours": "0", "horizon_days": "0"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "slot_minutes" in errors and "horizon_days" in errors


def test_add_deactivate_and_remove_an_advisor(
    owner_client: Client, tenant_a: Any, branch: Branch, owner: Any
) -> None:
    page = owner_client.get(reverse("appointments:branch_settings", args=[branch.pk]))
    assert "mindestens einen Annehmer" in page.content.decode()
    response = owner_client.post(
        reverse("appointments:advisor_add", args=[branch.pk]), {"user": owner.pk}
    )
    with scopes_disabled():
        advisor = ServiceAdvisor.objects.get(branch=branch, user=owner)
    assert response["Location"] == reverse("appointments:advisor_settings", args=[advisor.pk])
    # Twice: the form no longer offers the user.
    again = owner_client.post(
        reverse("appointments:advisor_add", args=[branch.pk]), {"user": owner.pk}
    )
    assert again.status_code == 400
    assert again.context["add_form"].errors["user"]
    owner_client.post(reverse("appointments:advisor_toggle", args=[advisor.pk]), {"active": "0"})
    advisor.refresh_from_db()
    assert not advisor.is_active
    owner_client.post(reverse("appointments:advisor_remove", args=[advisor.pk]))
    with scopes_disabled():
        assert not ServiceAdvisor.objects.filter(pk=advisor.pk).exists()
    for action in ("advisor.added", "advisor.deactivated", "advisor.removed"):
        assert _events(action), action


def test_a_user_of_another_tenant_cannot_become_an_advisor(
    owner_client: Client, branch: Branch, outsider: Any
) -> None:
    response = owner_client.post(
        reverse("appointments:advisor_add", args=[branch.pk]), {"user": outsider.pk}
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not ServiceAdvisor.objects.exists()
    with pytest.raises(booking.SettingsError):
        booking.add_advisor(branch, SYSTEM, outsider)


def _week(**days: tuple[str, str, str, str]) -> dict[str, str]:
    data = {"week-TOTAL_FORMS": "7", "week-INITIAL_FORMS": "7"}
    for day in range(7):
        data[f"week-{day}-weekday"] = str(day)
        values = days.get(f"d{day}", ("", "", "", ""))
        for name, value in zip(("starts_1", "ends_1", "starts_2", "ends_2"), values, strict=True):
            data[f"week-{day}-{name}"] = value
    return data


def test_working_hours_with_a_lunch_break_are_saved(
    owner_client: Client, advisor: ServiceAdvisor
) -> None:
    url = reverse("appointments:advisor_settings", args=[advisor.pk])
    response = owner_client.post(
        url, _week(d0=("08:00", "12:00", "13:00", "17:00"), d4=("08:00", "14:00", "", ""))
    )
    assert response.status_code == 302
    with scopes_disabled():
        stored = booking.working_intervals(advisor)
    assert stored == [
        (0, datetime.time(8), datetime.time(12)),
        (0, datetime.time(13), datetime.time(17)),
        (4, datetime.time(8), datetime.time(14)),
    ]
    (event,) = _events("advisor.hours_changed")
    assert "Montag 08:00–12:00" in event.data["to"]["label"]
    page = owner_client.get(url).content.decode()
    assert 'value="13:00"' in page


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (("12:00", "08:00", "", ""), "Das Ende muss nach dem Beginn liegen."),
        (("08:00", "12:00", "11:00", "15:00"), "überschneidet sich"),
        (("08:00", "", "", ""), "Bitte geben Sie Beginn und Ende an."),
        (("08:00", "24:00", "", ""), "zwischen 00:00 und 23:59"),
    ],
)
def test_bad_working_hours_are_refused_next_to_the_day(
    owner_client: Client, advisor: ServiceAdvisor, day: tuple[str, str, str, str], message: str
) -> None:
    response = owner_client.post(
        reverse("appointments:advisor_settings", args=[advisor.pk]), _week(d2=day)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Mittwoch" in page
    with scopes_disabled():
        assert not AdvisorWorkingHours.objects.exists()


def test_the_service_refuses_overlapping_working_hours(advisor: ServiceAdvisor) -> None:
    intervals = [
        booking.WorkingInterval(1, datetime.time(8), datetime.time(12)),
        booking.WorkingInterval(1, datetime.time(11), datetime.time(13)),
    ]
    with pytest.raises(booking.SettingsError, match="überschneiden sich"):
        booking.set_working_hours(advisor, SYSTEM, intervals)


def test_absences_are_added_listed_and_deleted(
    owner_client: Client, advisor: ServiceAdvisor
) -> None:
    response = owner_client.post(
        reverse("appointments:absence_add", args=[advisor.pk]),
        {"first_day": "2099-08-03", "last_day": "2099-08-14", "reason": "Urlaub"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        absence = AdvisorAbsence.objects.get(advisor=advisor)
    page = owner_client.get(reverse("appointments:advisor_settings", args=[advisor.pk]))
    assert "Urlaub" in page.content.decode()
    owner_client.post(reverse("appointments:absence_delete", args=[absence.pk]))
    with scopes_disabled():
        assert not AdvisorAbsence.objects.exists()
    assert _events("advisor.absence_added") and _events("advisor.absence_removed")


def test_an_absence_ending_before_it_starts_is_refused(
    owner_client: Client, advisor: ServiceAdvisor
) -> None:
    response = owner_client.post(
        reverse("appointments:absence_add", args=[advisor.pk]),
        {"first_day": "2099-08-14", "last_day": "2099-08-03"},
    )
    assert response.status_code == 400
    errors = response.context["absence_form"].errors["last_day"]
    assert errors == ["Der letzte Tag darf nicht vor dem ersten Tag liegen."]
    with scopes_disabled():
        assert not AdvisorAbsence.objects.exists()


def test_services_are_created_edited_and_deactivated(
    owner_client: Client, tenant_a: Any, branch: Branch
) -> None:
    response = owner_client.post(
        reverse("appointments:service_create"),
        {
            "name": "Räderwechsel",
            "description": "Sommer/Winter",
            "duration_minutes": "30",
            "price": "29.90",
            "position": "2",
            "branches": [str(branch.pk)],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        service = BookableService.objects.get(name="Räderwechsel")
        assert list(service.branches.all()) == [branch]
    page = owner_client.get(reverse("appointments:service_list")).content.decode()
    assert "29,90" in page and "Alpha Mitte" in page
    response = owner_client.post(
        reverse("appointments:service_edit", args=[service.pk]),
        {"name": "Räderwechsel", "duration_minutes": "45", "price": "", "position": "2"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.duration_minutes == 45 and service.price is None
    with scopes_disabled():
        assert not service.branches.exists()
    owner_client.post(reverse("appointments:service_toggle", args=[service.pk]), {"active": "0"})
    service.refresh_from_db()
    assert not service.is_active
    for action in (
        "booking_service.created",
        "booking_service.changed",
        "booking_service.deactivated",
    ):
        assert _events(action), action


def test_a_service_without_duration_or_with_a_negative_price_is_refused(
    owner_client: Client,
) -> None:
    response = owner_client.post(
        reverse("appointments:service_create"),
        {"name": "X", "duration_minutes": "", "price": "-1", "position": "0"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "duration_minutes" in errors and "price" in errors


def test_a_service_cannot_name_another_tenants_branch(owner_client: Client, tenant_b: Any) -> None:
    other = create_branch(tenant_b, SYSTEM, "Beta Hafen")
    response = owner_client.post(
        reverse("appointments:service_create"),
        {"name": "X", "duration_minutes": "30", "position": "0", "branches": [str(other.pk)]},
    )
    assert response.status_code == 400
    assert "branches" in response.context["form"].errors


def test_the_django_admin_shows_the_tenant_switch(
    tenant_a: Any, owner_client: Client, django_user_model: Any
) -> None:
    root = django_user_model.objects.create_superuser("root@theke.test", "pw", full_name="Root")
    operator = Client()
    operator.force_login(root)
    page = operator.get(reverse("admin:tenants_tenant_change", args=[tenant_a.pk]))
    assert b'name="online_booking_enabled"' in page.content
    listing = operator.get(reverse("admin:tenants_tenant_changelist"))
    assert b"online_booking_enabled" in listing.content
    # The tenant's own master-data form does not offer it.
    own = owner_client.get(reverse("tenants:tenant_edit")).content.decode()
    assert "online_booking_enabled" not in own


def test_lead_preferences_are_the_users_own(
    colleague_client: Client, colleague: Any, owner: Any
) -> None:
    url = reverse("appointments:lead_preferences")
    assert colleague_client.get(url).status_code == 200
    assert colleague_client.post(url, {"refresh_seconds": "5"}).status_code == 400
    response = colleague_client.post(url, {"refresh_seconds": "120"})
    assert response.status_code == 302
    assert booking.refresh_interval(colleague) == 120
    assert booking.refresh_interval(owner) == 60
    assert LeadManagerPreference.objects.get(user=colleague).refresh_seconds == 120


def test_lead_preferences_need_the_lead_manager(tenant_a: Any) -> None:
    technician = make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker")
    client = Client()
    client.force_login(technician)
    assert client.get(reverse("appointments:lead_preferences")).status_code == 403


def test_set_refresh_interval_refuses_out_of_range(colleague: Any) -> None:
    for seconds in (14, 3601):
        with pytest.raises(booking.SettingsError):
            booking.set_refresh_interval(colleague, seconds)
    assert booking.set_refresh_interval(colleague, 3600).refresh_seconds == 3600
