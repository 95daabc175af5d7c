"""The appointment calendar ("Servicetermin Manager"): day and week views, their constant
number of queries, the lead panel per user setting, moving a block, rights and tenancy."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.appointments.calendar_grid import (
    Span,
    assign_lanes,
    day_minutes,
    over_capacity,
    shown_minutes,
)
from theke.appointments.models import (
    AdvisorAbsence,
    Appointment,
    AppointmentStatus,
    LeadManagerPreference,
    ServiceAdvisor,
)
from theke.appointments.services import settings as booking
from theke.tenants.scoping import tenant_scope

from .calendar_setup import add_advisor, hold_slot, make_appointment, make_many
from .osb import Osb, berlin, make_lead, make_osb

pytestmark = pytest.mark.django_db

URL = "/staff/appointments/calendar/"


@pytest.fixture
def osb(tenant_a: Any, colleague: Any) -> Osb:
    return make_osb(tenant_a, colleague)


@pytest.fixture
def staff(client: Client, colleague: Any) -> Client:
    client.force_login(colleague)
    return client


def day_url(osb: Osb, view: str = "day") -> str:
    return f"{URL}?branch={osb.branch.pk}&date={osb.start.date().isoformat()}&view={view}"


def fresh(appointment: Appointment) -> Appointment:
    with scopes_disabled():
        return Appointment.objects.get(pk=appointment.pk)


# --- geometry ----------------------------------------------------------------------------------


def _at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, 3, hour, minute, tzinfo=datetime.UTC)


def test_overlapping_blocks_get_lanes_side_by_side() -> None:
    spans = [
        Span("a", _at(8), _at(10)),
        Span("b", _at(9), _at(11)),
        Span("c", _at(10), _at(11)),
        Span("d", _at(12), _at(13)),
    ]
    lanes = assign_lanes(spans)
    assert (lanes["a"].index, lanes["b"].index, lanes["c"].index) == (0, 1, 0)
    assert lanes["a"].count == lanes["b"].count == 2
    assert (lanes["d"].index, lanes["d"].count) == (0, 1)


def test_over_capacity_names_only_the_crowded_blocks() -> None:
    spans = [Span("a", _at(8), _at(9)), Span("b", _at(8, 30), _at(9, 30))]
    spans.append(Span("c", _at(9, 30), _at(10)))  # starts when b ends: no overlap
    assert over_capacity(spans, 1) == {"a", "b"}
    assert over_capacity(spans, 2) == set()


def test_the_day_shows_opening_hours_widened_to_bookings_outside() -> None:
    opening = [(datetime.time(7, 30), datetime.time(12)), (datetime.time(13), datetime.time(18))]
    assert shown_minutes(day_minutes(opening)) == (7 * 60, 18 * 60)
    assert shown_minutes(day_minutes(opening), [(18 * 60, 19 * 60 + 15)]) == (7 * 60, 20 * 60)
    assert shown_minutes([]) == (7 * 60, 19 * 60)


# --- the page ----------------------------------------------------------------------------------


def test_day_view_shows_a_column_per_advisor_and_the_blocks(osb: Osb, staff: Client) -> None:
    second = add_advisor(osb)
    planned = make_appointment(osb, osb.start, advisor=osb.advisor)
    make_appointment(
        osb, osb.start + datetime.timedelta(hours=2), status=AppointmentStatus.REQUESTED
    )
    html = staff.get(day_url(osb)).content.decode()
    assert "Carl Colleague" in html and "Bea Berater" in html and "ohne Berater" in html
    assert f'id="cal-a{planned.pk}"' in html
    assert reverse("appointments:appointment_detail", args=[planned.pk]) in html
    # Planned, workshop time not confirmed, not confirmed to the customer: both flags.
    block = re.search(rf'id="cal-a{planned.pk}" class="([^"]+)"', html)
    assert block and "cal-provisional" in block.group(1) and "text-bg-info" in block.group(1)
    assert "nicht bestätigt" in html
    assert reverse("appointments:appointment_send_confirmation", args=[planned.pk]) in html
    assert reverse("appointments:appointment_move", args=[planned.pk]) in html
    assert second.full_name in html


def test_overbooking_is_visible(osb: Osb, staff: Client) -> None:
    first = make_appointment(osb, osb.start, advisor=osb.advisor)
    second = make_appointment(osb, osb.start + datetime.timedelta(minutes=30), advisor=osb.advisor)
    flagged = make_appointment(
        osb, osb.start + datetime.timedelta(hours=3), advisor=osb.advisor, overbooked=True
    )
    alone = make_appointment(osb, osb.start + datetime.timedelta(hours=5), advisor=osb.advisor)
    html = staff.get(day_url(osb)).content.decode()

    def classes(appointment: Appointment) -> str:
        found = re.search(rf'id="cal-a{appointment.pk}" class="([^"]+)"', html)
        assert found
        return found.group(1)

    assert "cal-overbooked" in classes(first) and "cal-overbooked" in classes(second)
    assert "cal-lanes-2" in classes(first)
    assert "cal-overbooked" in classes(flagged)
    assert "cal-overbooked" not in classes(alone)


def test_held_proposal_slots_are_drawn_hatched(osb: Osb, staff: Client) -> None:
    proposed = make_appointment(osb, osb.start, status=AppointmentStatus.PROPOSED)
    now = timezone.now()
    held = hold_slot(
        osb, proposed, osb.start + datetime.timedelta(hours=2), now + datetime.timedelta(hours=5)
    )
    released = hold_slot(
        osb, proposed, osb.start + datetime.timedelta(hours=4), now - datetime.timedelta(hours=1)
    )
    html = staff.get(day_url(osb)).content.decode()
    assert re.search(rf'id="cal-h{held.pk}" class="[^"]*cal-held', html)
    assert f'id="cal-h{released.pk}"' not in html


def test_free_cells_link_to_new_appointment_prefilled(osb: Osb, staff: Client) -> None:
    html = staff.get(day_url(osb)).content.decode()
    day = osb.start.date().isoformat()
    assert f'data-start="{day}T07:00"' in html and f'data-advisor="{osb.advisor.pk}"' in html
    try:
        base = reverse("appointments:appointment_create")
    except Exception:  # helper "staff" builds the page; until then no link
        assert "/staff/appointments/new/" not in html
        return
    assert base == "/staff/appointments/new/"
    expected = f"{base}?branch={osb.branch.pk}&amp;advisor={osb.advisor.pk}&amp;start={day}T10%3A30"
    assert expected in html


def _cell(html: str, day: datetime.date, hour: str, advisor: str) -> str:
    """The free cell of `advisor` (user id or "") at `hour` on `day`."""
    found = re.search(
        rf'<(a|div) class="cal-free[^"]*"[^>]*data-start="{day.isoformat()}T{hour}" '
        rf'data-advisor="{advisor}"[^>]*>',
        html,
    )
    assert found, (day, hour, advisor)
    return found.group(0)


def test_free_cells_follow_the_advisors_working_hours(osb: Osb, staff: Client) -> None:
    # The branch is open 7-19, the colleague works 8-17: before and after, only "ohne
    # Berater" offers a new appointment; the colleague's cells are shaded drop targets.
    html = staff.get(day_url(osb)).content.decode()
    day, me = osb.start.date(), str(osb.advisor.pk)
    assert _cell(html, day, "10:00", me).startswith("<a ")
    for hour in ("07:00", "17:00", "18:30"):
        off = _cell(html, day, hour, me)
        assert off.startswith("<div ") and "cal-off" in off and "data-drop" in off
        assert _cell(html, day, hour, "").startswith("<a ")
    assert "nicht im Dienst" in html


def test_an_absent_advisor_offers_no_free_cells(osb: Osb, staff: Client) -> None:
    with tenant_scope(osb.tenant):
        person = ServiceAdvisor.objects.get(user=osb.advisor)
        AdvisorAbsence.objects.create(
            tenant=osb.tenant, advisor=person, first_day=osb.start.date(), last_day=osb.start.date()
        )
    html = staff.get(day_url(osb)).content.decode()
    me = str(osb.advisor.pk)
    assert not re.search(rf'<a class="cal-free[^"]*"[^>]*data-advisor="{me}"', html)
    week = staff.get(day_url(osb, "week")).content.decode()
    new_for_me = rf"advisor={me}&amp;start={osb.start.date().isoformat()}T"
    assert not re.search(new_for_me, week), "no + on the day of the absence"
    next_day = osb.start.date() + datetime.timedelta(days=1)
    if next_day.weekday() < 5:
        assert f"advisor={me}&amp;start={next_day.isoformat()}T08%3A00" in week


def test_a_public_holiday_closes_the_day(osb: Osb, staff: Client) -> None:
    christmas = datetime.date(osb.start.year, 12, 25)
    while christmas.weekday() >= 5:  # a weekday, or the branch is closed anyway
        christmas = christmas.replace(year=christmas.year + 1)
    url = f"{URL}?branch={osb.branch.pk}&date={christmas.isoformat()}&view=day"
    html = staff.get(url).content.decode()
    assert 'id="cal-holiday"' in html and "Weihnachtstag" in html
    assert 'class="cal-free' not in html
    week = staff.get(url.replace("view=day", "view=week")).content.decode()
    assert "Weihnachtstag" in week
    sunday = osb.start.date() + datetime.timedelta(days=6 - osb.start.weekday())
    closed = staff.get(f"{URL}?branch={osb.branch.pk}&date={sunday.isoformat()}").content.decode()
    assert 'id="cal-closed"' in closed and 'class="cal-free' not in closed


def test_phones_fetch_the_day_list_when_it_comes_into_view(osb: Osb, staff: Client) -> None:
    planned = make_appointment(osb, osb.start, advisor=osb.advisor)
    week = day_url(osb, "week")
    html = staff.get(week).content.decode()
    assert 'hx-trigger="intersect once"' in html and "part=list" in html
    assert "list-group-item" not in html, "the list is not rendered for desktops"
    fragment = staff.get(week + "&part=list", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and f"/staff/appointments/{planned.pk}/" in fragment
    assert "Carl Colleague" in fragment and "list-group-item" in fragment
    # Without script the placeholder's link loads the whole page with the list in it.
    eager = staff.get(week + "&part=list").content.decode()
    assert "<html" in eager and "list-group-item" in eager and 'id="cal-week"' in eager


def test_week_view_has_a_row_per_advisor_and_seven_days(osb: Osb, staff: Client) -> None:
    planned = make_appointment(osb, osb.start, advisor=osb.advisor)
    html = staff.get(day_url(osb, "week")).content.decode()
    assert 'id="cal-week"' in html
    assert html.count("<td data-drop") == 7 * 2  # the colleague and "ohne Berater"
    assert f'id="cal-a{planned.pk}"' in html
    monday = osb.start.date() - datetime.timedelta(days=osb.start.weekday())
    assert f'data-day="{monday.isoformat()}"' in html
    # Navigation by weeks.
    assert (monday + datetime.timedelta(days=7)).isoformat() in html


@pytest.mark.parametrize("view", ["day", "week"])
def test_query_count_does_not_grow_with_the_appointments(
    osb: Osb, staff: Client, view: str
) -> None:
    second = add_advisor(osb)
    make_lead(osb)
    make_many(osb, osb.start.date(), 5, [osb.advisor, second, None])
    with CaptureQueriesContext(connection) as few:
        assert staff.get(day_url(osb, view)).status_code == 200
    make_many(osb, osb.start.date(), 45, [osb.advisor, second, None])
    with CaptureQueriesContext(connection) as many:
        response = staff.get(day_url(osb, view))
    assert response.status_code == 200
    with scopes_disabled():
        assert Appointment.objects.count() == 50
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 20


def test_lead_panel_follows_the_users_setting(osb: Osb, staff: Client, colleague: Any) -> None:
    lead = make_lead(osb)
    html = staff.get(day_url(osb)).content.decode()
    assert 'id="cal-lead-panel"' in html and "cal-lead-w280" in html
    assert reverse("appointments:lead_detail", args=[lead.pk]) in html
    assert 'id="cal-open-leads"' in html  # the open-lead badge on the lead manager button
    booking.set_calendar_display(colleague, show_leads_in_calendar=True, lead_panel_width=410)
    assert "cal-lead-w420" in staff.get(day_url(osb)).content.decode()
    booking.set_calendar_display(colleague, show_leads_in_calendar=False, lead_panel_width=410)
    html = staff.get(day_url(osb)).content.decode()
    assert 'id="cal-lead-panel"' not in html
    assert f'id="cal-l{lead.pk}"' not in html


def test_lead_preferences_page_sets_the_calendar_display(
    osb: Osb, staff: Client, colleague: Any
) -> None:
    url = reverse("appointments:lead_preferences")
    page = staff.get(url).content.decode()
    assert "Terminleads im Kalender anzeigen" in page and "lead_panel_width" in page
    bad = staff.post(url, {"refresh_seconds": "60", "lead_panel_width": "900"})
    assert bad.status_code == 400
    response = staff.post(url, {"refresh_seconds": "60", "lead_panel_width": "350"})
    assert response.status_code == 302
    preference = LeadManagerPreference.objects.get(user=colleague)
    assert (preference.show_leads_in_calendar, preference.lead_panel_width) == (False, 350)


def test_lead_list_and_calendar_link_each_other(osb: Osb, staff: Client) -> None:
    make_lead(osb)
    leads = staff.get(reverse("appointments:lead_list")).content.decode()
    assert 'id="lead-calendar"' in leads and URL in leads
    html = staff.get(URL).content.decode()
    assert reverse("appointments:lead_list") in html
    assert re.search(r'id="cal-open-leads">1<', html)


def test_appointment_list_links_to_the_calendar(osb: Osb, staff: Client) -> None:
    # The staff bar has one entry "Termine"; the calendar is a button on its list (and the
    # lead manager's "Servicetermin Manager").
    html = staff.get(reverse("appointments:appointment_list")).content.decode()
    assert f'href="{URL}"' in html


def test_calendar_needs_the_right(osb: Osb, tenant_a: Any) -> None:
    technician = make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker")
    client = Client()
    client.force_login(technician)
    assert client.get(URL).status_code == 403
    planned = make_appointment(osb, osb.start, advisor=osb.advisor)
    move = reverse("appointments:appointment_move", args=[planned.pk])
    assert client.post(move, {"start": "2030-01-01T10:00", "advisor": ""}).status_code == 403


def test_other_tenants_branch_and_appointment_answer_404(osb: Osb, outsider_client: Client) -> None:
    planned = make_appointment(osb, osb.start, advisor=osb.advisor)
    assert outsider_client.get(f"{URL}?branch={osb.branch.pk}").status_code == 404
    move = reverse("appointments:appointment_move", args=[planned.pk])
    assert outsider_client.get(move).status_code == 404
    assert outsider_client.post(move, {"start": "2030-01-01T10:00"}).status_code == 404


# --- moving ------------------------------------------------------------------------------------


def test_drop_moves_the_appointment_and_keeps_its_length(osb: Osb, staff: Client) -> None:
    second = add_advisor(osb, working=False)
    planned = make_appointment(osb, osb.start, minutes=90, advisor=osb.advisor)
    move = reverse("appointments:appointment_move", args=[planned.pk])
    target = berlin(osb.start.date(), 14, 30)
    response = staff.post(
        move,
        {"start": f"{target:%Y-%m-%dT%H:%M}", "advisor": str(second.pk)},
        HTTP_ACCEPT="application/json",
    )
    # The second advisor has no working hours: the service calls it overbooking, and the
    # calendar asks for an explicit yes before it sends the move again.
    assert response.status_code == 409 and response.json()["code"] == "overbooking"
    assert fresh(planned).start == osb.start
    response = staff.post(
        move,
        {
            "start": f"{target:%Y-%m-%dT%H:%M}",
            "advisor": str(second.pk),
            "confirm_overbooking": "1",
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200 and response.json()["ok"] is True
    assert fresh(planned).overbooked
    moved = fresh(planned)
    assert moved.start == target and moved.end == target + datetime.timedelta(minutes=90)
    assert moved.advisor_id == second.pk


def test_phone_form_moves_and_refuses_bad_input(osb: Osb, staff: Client) -> None:
    planned = make_appointment(osb, osb.start, advisor=osb.advisor)
    move = reverse("appointments:appointment_move", args=[planned.pk])
    page = staff.get(move).content.decode()
    assert 'type="datetime-local"' in page and "Carl Colleague" in page
    bad = staff.post(move, {"start": "morgen", "advisor": "999999"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Bitte geben Sie Datum und Uhrzeit an" in text
    assert "Bitte wählen Sie einen Annehmer dieses Betriebs." in text
    json_bad = staff.post(move, {"start": ""}, HTTP_ACCEPT="application/json")
    assert json_bad.status_code == 400 and json_bad.json()["code"] == "invalid"
    target = berlin(osb.start.date(), 16)
    done = staff.post(move, {"start": f"{target:%Y-%m-%dT%H:%M}", "advisor": ""})
    assert done.status_code == 302 and URL in done["Location"]
    moved = fresh(planned)
    assert moved.start == target and moved.advisor_id is None  # "ohne Berater"


def test_finalized_appointment_is_not_movable(osb: Osb, staff: Client) -> None:
    done = make_appointment(osb, osb.start, advisor=osb.advisor, status=AppointmentStatus.FINALIZED)
    html = staff.get(day_url(osb)).content.decode()
    assert f'id="cal-a{done.pk}"' in html
    assert reverse("appointments:appointment_move", args=[done.pk]) not in html
