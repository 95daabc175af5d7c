"""The lead manager (seed 001): list, filters, LiveSearch, badge, tile, customer panel,
reject by e-mail and SMS, reopen, edit, and the rights on closed leads."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.appointments.models import (
    BranchBooking,
    Lead,
    LeadManagerPreference,
    LeadStatus,
    ServiceAdvisor,
)
from theke.appointments.services.lead_actions import reject_lead, reopen_lead, update_lead
from theke.appointments.services.leads import LeadError
from theke.audit.models import AuditEvent, FeedEvent
from theke.audit.services import Actor
from theke.messaging.models import MessageTemplate
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

from .conftest import Workshop, at

pytestmark = pytest.mark.django_db

LIST = "/staff/appointments/leads/"
S = LeadStatus
CLOSED = [S.REJECTED, S.CANCELLED_BY_CUSTOMER]


def detail_url(lead: Lead) -> str:
    return reverse("appointments:lead_detail", args=[lead.pk])


def reject_url(lead: Lead, channel: str = "email") -> str:
    return reverse("appointments:lead_reject", args=[lead.pk]) + f"?channel={channel}"


def fresh(lead: Lead) -> Lead:
    with scopes_disabled():
        return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def colleague_client(client: Any, colleague: Any) -> Any:
    """A Serviceberater: lead manager, but not "Stornierte Terminleads bearbeiten"."""
    client.force_login(colleague)
    return client


@pytest.fixture
def in_tenant_a(tenant_a: Any, owner: Any, colleague: Any) -> Any:
    """Service calls outside a request run in the tenant's scope with the users' rights, as
    the tenant middleware sets them for a request."""
    from theke.accounts.middleware import role_codes
    from theke.accounts.models import Membership

    for user in (owner, colleague):
        with scopes_disabled():
            membership = Membership.objects.select_related("role").get(user=user)
        user._theke_permissions = role_codes(membership.role)
    with tenant_scope(tenant_a):
        yield


def texts_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- list -----------------------------------------------------------------------------------


def test_url_names_are_stable() -> None:
    assert reverse("appointments:lead_list") == LIST
    assert reverse("appointments:lead_detail", args=[7]) == LIST + "7/"


def test_list_needs_the_lead_manager_right(client: Any, tenant_a: Any, workshop: Workshop) -> None:
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tim Technik", "Techniker"))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("appointments:lead_badge")).status_code == 403


def test_list_opens_with_the_new_leads(owner_client: Any, make_lead: Callable[..., Lead]) -> None:
    make_lead(last_name="Neumann")
    make_lead(last_name="Abgewiesen", status=S.REJECTED)
    page = texts_of(owner_client.get(LIST))
    assert "Neumann" in page and "Abgewiesen" not in page
    assert '<option value="new" selected>' in page
    everything = texts_of(owner_client.get(LIST, {"status": "all"}))
    assert "Neumann" in everything and "Abgewiesen" in everything


def test_list_shows_slot_customer_vehicle_services_and_age(
    owner_client: Any, make_lead: Callable[..., Lead]
) -> None:
    make_lead()
    page = texts_of(owner_client.get(LIST))
    for text in ("14.10.2025", "09:30–10:30", "Mia Lang", "B-ML 77", "Inspektion", "gerade eben"):
        assert text in page, text
    assert "lead-cards" in page  # the phone's cards beside the table


def test_list_filters_by_days_branch_and_advisor(
    owner_client: Any,
    tenant_a: Any,
    workshop: Workshop,
    colleague: Any,
    make_lead: Callable[..., Lead],
) -> None:
    from theke.audit.services import SYSTEM

    other_branch = create_branch(tenant_a, SYSTEM, "Alpha Nord")
    make_lead(last_name="Frueh", start=at(13, 8), end=at(13, 9))
    make_lead(last_name="Mittig", start=at(14, 8), end=at(14, 9), advisor=colleague)
    make_lead(last_name="Nordmann", start=at(15, 8), end=at(15, 9), branch=other_branch)

    def names(**query: Any) -> set[str]:
        page = texts_of(owner_client.get(LIST, query))
        return {name for name in ("Frueh", "Mittig", "Nordmann") if name in page}

    assert names() == {"Frueh", "Mittig", "Nordmann"}
    assert names(first_day="2025-10-14") == {"Mittig", "Nordmann"}
    assert names(last_day="2025-10-14") == {"Frueh", "Mittig"}
    assert names(first_day="2025-10-14", last_day="2025-10-14") == {"Mittig"}
    assert names(branch=str(other_branch.pk)) == {"Nordmann"}
    with tenant_scope(tenant_a):
        ServiceAdvisor.objects.create(tenant=tenant_a, branch=workshop.branch, user=colleague)
    assert names(advisor=str(colleague.pk)) == {"Mittig"}
    assert names(first_day="kaputt") == {"Frueh", "Mittig", "Nordmann"}  # no error page


def test_live_search_answers_the_results_only(
    owner_client: Any, make_lead: Callable[..., Lead]
) -> None:
    make_lead(last_name="Wagner", license_plate="HH-AB 123", vin="WVWZZZ1KZAW000777")
    make_lead(last_name="Schmidt", license_plate="M-XY 9", mobile_phone="+491709876543")
    response = owner_client.get(LIST, {"q": "hhab123"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = texts_of(response)
    assert "<html" not in page and 'id="lead-filters"' not in page
    assert "Wagner" in page and "Schmidt" not in page
    assert "HX-Request" in response["Vary"]
    by_vin = texts_of(owner_client.get(LIST, {"q": "000777 wag"}, headers={"HX-Request": "true"}))
    assert "Wagner" in by_vin and "Schmidt" not in by_vin
    by_phone = texts_of(owner_client.get(LIST, {"q": "0170 9876"}, headers={"HX-Request": "true"}))
    assert "Schmidt" in by_phone and "Wagner" not in by_phone
    # Without JavaScript the same search is a plain GET of the whole page.
    whole = texts_of(owner_client.get(LIST, {"q": "schmidt"}))
    assert "<html" in whole and "Schmidt" in whole and "Wagner" not in whole


def test_list_paginates(owner_client: Any, make_lead: Callable[..., Lead]) -> None:
    for number in range(27):
        make_lead(last_name=f"Kunde{number:02d}")
    first = texts_of(owner_client.get(LIST))
    assert "27 Terminanfragen" in first and "Seite 1 von 2" in first
    assert first.count('class="lead-row"') == 25
    second = texts_of(owner_client.get(LIST, {"page": "2", "status": "new"}))
    assert second.count('class="lead-row"') == 2


def test_list_refreshes_at_the_users_interval(
    owner_client: Any, owner: Any, make_lead: Callable[..., Lead]
) -> None:
    page = texts_of(owner_client.get(LIST))
    assert 'hx-trigger="every 60s"' in page and "Jetzt aktualisieren" in page
    LeadManagerPreference.objects.create(user=owner, refresh_seconds=120)
    page = texts_of(owner_client.get(LIST))
    assert 'hx-trigger="every 120s"' in page
    assert 'hx-include="#lead-filters, #lead-page"' in page  # filter and search stay


def test_list_warns_about_a_branch_without_an_active_advisor(
    owner_client: Any, tenant_a: Any, workshop: Workshop, colleague: Any
) -> None:
    from theke.audit.services import SYSTEM

    warning = "Für den Betrieb Alpha Mitte ist kein aktiver Annehmer eingetragen"
    first = texts_of(owner_client.get(LIST))
    assert warning in first
    assert f'href="{reverse("appointments:settings")}"' in first
    assert f'href="{reverse("appointments:lead_preferences")}"' in first
    with tenant_scope(tenant_a):
        advisor = ServiceAdvisor.objects.create(
            tenant=tenant_a, branch=workshop.branch, user=colleague
        )
    assert "kein aktiver Annehmer" not in texts_of(owner_client.get(LIST))
    with tenant_scope(tenant_a):
        advisor.is_active = False
        advisor.save()
        # Once branches are set up for booking, only those are checked.
        other = create_branch(tenant_a, SYSTEM, "Alpha Nord")
        BranchBooking.objects.create(tenant=tenant_a, branch=other, enabled=True)
    page = texts_of(owner_client.get(LIST))
    assert "Für den Betrieb Alpha Nord ist kein aktiver Annehmer" in page
    assert warning not in page


# --- badge, tile, panel ---------------------------------------------------------------------


BADGE = r'<span class="nav-badge"[^>]*>(.*?)</span></span>|<span class="nav-badge"[^>]*></span>'


# The badge with its count, or the empty badge.
BADGE = r'<span class="nav-badge"[^>]*>(?:.*?</span></span>|</span>)'


@pytest.mark.parametrize(("count", "shown"), [(0, ""), (9, "9"), (10, "9+")])
def test_navigation_badge_counts_new_leads(
    owner_client: Any, make_lead: Callable[..., Lead], count: int, shown: str
) -> None:
    for _number in range(count):
        make_lead()
    make_lead(status=S.REJECTED)  # not open
    for url in (reverse("core:dashboard"), reverse("appointments:lead_badge")):
        page = texts_of(owner_client.get(url))
        badge = re.search(BADGE, page)
        assert badge is not None, url
        if count:
            assert f'aria-hidden="true">{shown}</span>' in badge.group(0)
            assert f"({count} offene Terminanfragen)" in badge.group(0)
        else:
            assert "offene Terminanfrage" not in badge.group(0)
        assert 'hx-trigger="every 60s"' in badge.group(0)


def test_navigation_entry_needs_the_right(client: Any, tenant_a: Any, workshop: Workshop) -> None:
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tim Technik", "Techniker"))
    page = texts_of(client.get(reverse("core:dashboard")))
    assert LIST not in page and "nav-badge" not in page


def test_start_page_tile_counts_new_leads(
    owner_client: Any, make_lead: Callable[..., Lead]
) -> None:
    make_lead()
    make_lead()
    make_lead(status=S.PLANNED)
    page = texts_of(owner_client.get(reverse("core:dashboard")))
    assert "Neue Terminanfragen" in page
    assert f'href="{LIST}?status=new"' in page


def test_customer_page_lists_the_customers_leads(
    owner_client: Any, workshop: Workshop, make_lead: Callable[..., Lead]
) -> None:
    url = reverse("customers:detail", args=[workshop.customer.pk])
    assert 'id="customer-leads"' not in texts_of(owner_client.get(url))
    lead = make_lead(customer=workshop.customer, status=S.PLANNED)
    make_lead(last_name="Fremd")  # not this customer's
    page = texts_of(owner_client.get(url))
    assert 'id="customer-leads"' in page
    assert detail_url(lead) in page and "Geplant" in page and "Di 14.10.2025" in page


# --- detail and buttons ---------------------------------------------------------------------


def test_detail_shows_data_buttons_and_history(
    owner_client: Any, make_lead: Callable[..., Lead]
) -> None:
    lead = make_lead(note="Bitte Wischwasser auffüllen", mileage_km=48210)
    page = texts_of(owner_client.get(detail_url(lead)))
    for text in ("Mia Lang", "Wischwasser", "48.210 km", "Alpha Mitte", "Inspektion", "Verlauf"):
        assert text in page, text
    assert "Ablehnen" in page and "Bearbeiten" in page and "Wieder öffnen" not in page
    assert f'href="{reverse("appointments:lead_convert", args=[lead.pk])}"' in page
    # Without SMS, "Ablehnen" goes straight to the e-mail form.
    assert f'href="{reject_url(lead)}"' in page.replace("&amp;", "&")
    assert "Mit SMS-Bestätigung" not in page


def test_reject_offers_a_menu_when_the_tenant_has_sms(
    owner_client: Any, tenant_a: Any, make_lead: Callable[..., Lead]
) -> None:
    tenant_a.sms_enabled = True
    tenant_a.save()
    lead = make_lead()
    page = texts_of(owner_client.get(detail_url(lead)))
    assert "Mit E-Mail-Bestätigung" in page and "Mit SMS-Bestätigung" in page


@pytest.mark.parametrize("status", CLOSED)
def test_closed_lead_without_the_right_shows_no_buttons_and_refuses(
    colleague_client: Any, make_lead: Callable[..., Lead], status: str
) -> None:
    lead = make_lead(status=status)
    page = texts_of(colleague_client.get(detail_url(lead)))
    assert 'id="lead-actions"' in page
    for marker in ("lead-reopen", "lead-edit", "lead-reject"):
        assert marker not in page
    assert colleague_client.get(reject_url(lead)).status_code == 403
    assert (
        colleague_client.get(reverse("appointments:lead_edit", args=[lead.pk])).status_code == 403
    )
    response = colleague_client.post(reverse("appointments:lead_reopen", args=[lead.pk]))
    assert response.status_code == 403
    assert fresh(lead).status == status


@pytest.mark.parametrize("status", CLOSED)
def test_closed_lead_with_the_right_is_reopened_and_edited(
    owner_client: Any, make_lead: Callable[..., Lead], status: str
) -> None:
    lead = make_lead(status=status)
    page = texts_of(owner_client.get(detail_url(lead)))
    assert 'id="lead-reopen"' in page and 'id="lead-edit"' in page
    assert owner_client.get(reverse("appointments:lead_edit", args=[lead.pk])).status_code == 200
    response = owner_client.post(reverse("appointments:lead_reopen", args=[lead.pk]), follow=True)
    assert fresh(lead).status == S.NEW
    # No advisor works at the branch: the slot is no longer free, staff are told.
    assert "nicht mehr frei" in texts_of(response)


def test_cancelled_lead_stays_workable_with_the_lead_manager_right(
    colleague_client: Any, make_lead: Callable[..., Lead]
) -> None:
    lead = make_lead(status=S.CANCELLED)
    page = texts_of(colleague_client.get(detail_url(lead)))
    assert 'id="lead-reopen"' in page and 'id="lead-edit"' in page
    assert colleague_client.get(reject_url(lead)).status_code == 200
    edit = reverse("appointments:lead_edit", args=[lead.pk])
    assert colleague_client.get(edit).status_code == 200
    colleague_client.post(reverse("appointments:lead_reopen", args=[lead.pk]))
    assert fresh(lead).status == S.NEW


def test_outsider_gets_404(outsider_client: Any, make_lead: Callable[..., Lead]) -> None:
    lead = make_lead()
    assert outsider_client.get(detail_url(lead)).status_code == 404
    assert outsider_client.get(reject_url(lead)).status_code == 404
    assert outsider_client.get(reverse("appointments:lead_edit", args=[lead.pk])).status_code == 404
    response = outsider_client.post(reverse("appointments:lead_reopen", args=[lead.pk]))
    assert response.status_code == 404
    assert "Mia Lang" not in texts_of(outsider_client.get(LIST, {"status": "all"}))


# --- reject ---------------------------------------------------------------------------------


def test_reject_by_email_sends_the_text_staff_sent(
    owner_client: Any,
    make_lead: Callable[..., Lead],
    django_capture_on_commit_callbacks: Any,
) -> None:
    lead = make_lead(salutation="Frau")
    form = owner_client.get(reject_url(lead))
    page = texts_of(form)
    # Prefilled with the tenant's template, rendered for this lead.
    assert "Ihre Terminanfrage für den 14.10.2025" in page
    assert "Guten Tag Frau Lang" in page and "09:30 Uhr bei Alpha Mitte" in page
    context = form.context["form"]
    text = context.initial["text"] + "\n\nPS: Wir melden uns morgen telefonisch."
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reject_url(lead),
            {
                "token": context.initial["token"],
                "contact": context.initial["contact"],
                "purpose": "lead_rejection_email",
                "channel": "email",
                "language": "de",
                "subject": "Ihre Anfrage",
                "text": text,
                "send": "1",
            },
        )
    assert response.status_code == 302 and response["Location"] == detail_url(lead)
    assert fresh(lead).status == S.REJECTED
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["Mia Lang <mia.lang@kunde.test>"] and sent.subject == "Ihre Anfrage"
    assert "PS: Wir melden uns morgen telefonisch." in sent.body
    assert "Leider können wir Ihnen diesen Termin nicht anbieten." in sent.body
    with scopes_disabled():
        assert FeedEvent.objects.filter(type="lead.rejected").count() == 1
        assert AuditEvent.objects.filter(action="lead.rejected", object_id=str(lead.pk)).exists()


def test_reject_by_sms_sends_the_text_staff_sent(
    in_tenant_a: Any,
    owner: Any,
    tenant_a: Any,
    make_lead: Callable[..., Lead],
    sms_outbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    tenant_a.sms_enabled = True
    tenant_a.save()
    lead = make_lead(mobile_phone="+4915112345678")
    with django_capture_on_commit_callbacks(execute=True):
        rejection = reject_lead(
            lead,
            Actor.staff(owner),
            owner,
            channel="sms",
            body="Autohaus Alpha: Leider geht der 14.10. nicht. Bitte rufen Sie uns an.",
        )
    assert rejection.lead.status == S.REJECTED
    assert len(sms_outbox) == 1
    assert (
        sms_outbox[0].text
        == "Autohaus Alpha: Leider geht der 14.10. nicht. Bitte rufen Sie uns an."
    )
    assert len(mail.outbox) == 0


def test_reject_form_for_sms_is_prefilled_from_the_sms_template(
    owner_client: Any, tenant_a: Any, make_lead: Callable[..., Lead]
) -> None:
    tenant_a.sms_enabled = True
    tenant_a.save()
    with tenant_scope(tenant_a):
        MessageTemplate.objects.create(
            tenant=tenant_a,
            purpose="lead_rejection_sms",
            channel="sms",
            language="de",
            name="Kurz",
            text="Termin {appointment_date} leider voll. {company_name}",
            is_default=True,
        )
    lead = make_lead(mobile_phone="+4915112345678")
    page = texts_of(owner_client.get(reject_url(lead, "sms")))
    assert "Termin 14.10.2025 leider voll. Autohaus Alpha" in page


def test_reject_by_sms_is_refused_without_the_tenants_sms(
    in_tenant_a: Any,
    owner: Any,
    owner_client: Any,
    make_lead: Callable[..., Lead],
    sms_outbox: list[Any],
) -> None:
    lead = make_lead(mobile_phone="+4915112345678")
    with pytest.raises(LeadError, match="nicht freigeschaltet"):
        reject_lead(lead, Actor.staff(owner), owner, channel="sms", body="Leider nein.")
    page = texts_of(owner_client.get(reject_url(lead, "sms")))
    assert "SMS ist für Ihr Unternehmen nicht freigeschaltet." in page
    assert fresh(lead).status == S.NEW and sms_outbox == []


def test_reject_by_sms_is_refused_without_a_mobile_number(
    in_tenant_a: Any, owner: Any, tenant_a: Any, make_lead: Callable[..., Lead]
) -> None:
    tenant_a.sms_enabled = True
    tenant_a.save()
    lead = make_lead()
    with pytest.raises(LeadError, match="keine Mobilnummer"):
        reject_lead(lead, Actor.staff(owner), owner, channel="sms", body="Leider nein.")
    assert fresh(lead).status == S.NEW


def test_reject_refuses_leftover_placeholders_and_keeps_the_lead(
    in_tenant_a: Any, owner: Any, make_lead: Callable[..., Lead]
) -> None:
    lead = make_lead()
    with pytest.raises(LeadError) as refused:
        reject_lead(
            lead,
            Actor.staff(owner),
            owner,
            channel="email",
            subject="Absage",
            body="Am {appointment_date}?",
        )
    assert refused.value.field == "text"
    with pytest.raises(LeadError):
        reject_lead(lead, Actor.staff(owner), owner, channel="email", subject="", body="Nein")
    assert fresh(lead).status == S.NEW


def test_rejected_twice_after_reopening_sends_twice(
    in_tenant_a: Any,
    owner: Any,
    make_lead: Callable[..., Lead],
    django_capture_on_commit_callbacks: Any,
) -> None:
    lead = make_lead()
    actor = Actor.staff(owner)
    with django_capture_on_commit_callbacks(execute=True):
        reject_lead(lead, actor, owner, channel="email", subject="Absage", body="Eins")
        reopen_lead(lead, actor, owner)
        reject_lead(lead, actor, owner, channel="email", subject="Absage", body="Zwei")
    assert [m.body.split("\n")[0] for m in mail.outbox] == ["Eins", "Zwei"]


# --- transitions through the services -------------------------------------------------------

ALL_STATUSES = list(S)
REJECT_FROM = {S.NEW, S.CANCELLED}
REOPEN_FROM = {S.REJECTED, S.CANCELLED_BY_CUSTOMER, S.CANCELLED}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_reject_is_allowed_only_from_new_and_cancelled(
    in_tenant_a: Any, owner: Any, make_lead: Callable[..., Lead], status: str
) -> None:
    lead = make_lead(status=status)
    actor = Actor.staff(owner)
    if status in REJECT_FROM:
        reject_lead(lead, actor, owner, channel="email", subject="Absage", body="Leider nein.")
        assert fresh(lead).status == S.REJECTED
    else:
        with pytest.raises(LeadError):
            reject_lead(lead, actor, owner, channel="email", subject="Absage", body="Nein.")
        assert fresh(lead).status == status


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_reopen_is_allowed_only_from_rejected_and_cancelled(
    in_tenant_a: Any, owner: Any, make_lead: Callable[..., Lead], status: str
) -> None:
    lead = make_lead(status=status)
    if status in REOPEN_FROM:
        reopen_lead(lead, Actor.staff(owner), owner)
        assert fresh(lead).status == S.NEW
        assert fresh(lead).decided_at is None
        with scopes_disabled():
            event = AuditEvent.objects.get(action="lead.reopened")
        assert event.data == {"status": "new", "from": status}
    else:
        with pytest.raises(LeadError):
            reopen_lead(lead, Actor.staff(owner), owner)
        assert fresh(lead).status == status


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_services_refuse_closed_leads_without_the_right(
    in_tenant_a: Any, colleague: Any, make_lead: Callable[..., Lead], status: str
) -> None:
    from django.core.exceptions import PermissionDenied

    lead = make_lead(status=status)
    actor = Actor.staff(colleague)
    actions: list[Callable[[], Any]] = [
        lambda: reopen_lead(lead, actor, colleague),
        lambda: update_lead(lead, actor, colleague, note="x"),
        lambda: reject_lead(lead, actor, colleague, channel="email", subject="A", body="B"),
    ]
    for action in actions:
        if status in CLOSED:
            with pytest.raises(PermissionDenied):
                action()
        else:
            # The status may not allow it, but the right is not what refuses.
            with contextlib.suppress(LeadError):
                action()
            lead = fresh(lead)
    if status in CLOSED:
        assert fresh(lead).status == status


def test_update_lead_changes_data_and_records_the_changes(
    in_tenant_a: Any,
    owner: Any,
    tenant_a: Any,
    workshop: Workshop,
    colleague: Any,
    make_lead: Callable[..., Lead],
) -> None:
    lead = make_lead()
    with tenant_scope(tenant_a):
        ServiceAdvisor.objects.create(tenant=tenant_a, branch=workshop.branch, user=colleague)
    updated = update_lead(
        lead,
        Actor.staff(owner),
        owner,
        last_name="Lang-Berg",
        license_plate="B-LB 1",
        advisor=colleague,
        mobile_phone="0151 12345678",
    )
    assert updated.last_name == "Lang-Berg" and updated.advisor == colleague
    assert str(updated.mobile_phone) == "+4915112345678"
    assert "lang-berg" in updated.search_text and "blb1" in updated.search_text
    with scopes_disabled():
        event = AuditEvent.objects.get(action="lead.updated")
    assert event.data["changes"]["last_name"] == ["Lang", "Lang-Berg"]
    assert "advisor" in event.data["changes"]


def test_update_lead_refuses_bad_input_and_planned_leads(
    in_tenant_a: Any, owner: Any, colleague: Any, make_lead: Callable[..., Lead]
) -> None:
    lead = make_lead()
    actor = Actor.staff(owner)
    with pytest.raises(LeadError) as refused:
        update_lead(lead, actor, owner, advisor=colleague)  # not an advisor of the branch
    assert refused.value.field == "advisor"
    with pytest.raises(LeadError) as refused:
        update_lead(lead, actor, owner, email="keine-adresse")
    assert refused.value.field == "email"
    with pytest.raises(LeadError):
        update_lead(make_lead(status=S.PLANNED), actor, owner, note="x")
    with pytest.raises(TypeError):
        update_lead(lead, actor, owner, start=at(20, 9))
    assert fresh(lead).email == "mia.lang@kunde.test"


def test_edit_page_saves_through_the_service(
    owner_client: Any, make_lead: Callable[..., Lead], workshop: Workshop
) -> None:
    lead = make_lead()
    url = reverse("appointments:lead_edit", args=[lead.pk])
    data = {
        "branch": str(workshop.branch.pk),
        "advisor": "",
        "salutation": "Frau",
        "first_name": "Mia",
        "last_name": "Lang",
        "email": "neu@kunde.test",
        "mobile_phone": "",
        "street": "",
        "postal_code": "10115",
        "city": "Berlin",
        "customer_number": "",
        "vin": "",
        "license_plate": "B-ML 77",
        "make": "VW",
        "model": "Golf",
        "mileage_km": "",
        "note": "Neue Anmerkung",
    }
    response = owner_client.post(url, data)
    assert response.status_code == 302
    saved = fresh(lead)
    assert saved.email == "neu@kunde.test" and saved.note == "Neue Anmerkung"
    bad = owner_client.post(url, {**data, "email": "kaputt"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()


# --- texts in the template editor, swapping texts, the badge's wording ----------------------


def test_reject_texts_are_in_the_template_editor(owner_client: Any) -> None:
    page = texts_of(owner_client.get(reverse("messaging:template_list")))
    assert "E-Mail-Textbaustein für Terminlead-Ablehnung" in page
    assert "SMS-Textbaustein für Terminlead-Ablehnung" in page
    for purpose, channel in (("lead_rejection_email", "email"), ("lead_rejection_sms", "sms")):
        for language in ("de", "en"):
            url = reverse("messaging:template_edit", args=[purpose, channel, language])
            assert owner_client.get(url).status_code == 200, url


def test_reject_form_swaps_in_another_named_text(
    owner_client: Any, tenant_a: Any, make_lead: Callable[..., Lead]
) -> None:
    with tenant_scope(tenant_a):
        MessageTemplate.objects.create(
            tenant=tenant_a,
            purpose="lead_rejection_email",
            channel="email",
            language="de",
            name="Standard",
            subject="Ihre Anfrage",
            text="{greeting}, leider nicht am {appointment_date}.",
            is_default=True,
        )
        other = MessageTemplate.objects.create(
            tenant=tenant_a,
            purpose="lead_rejection_email",
            channel="email",
            language="de",
            name="Urlaub",
            subject="Betriebsurlaub",
            text="Am {appointment_date} haben wir Betriebsurlaub. {company_name}",
        )
    lead = make_lead()
    page = texts_of(owner_client.get(reject_url(lead)))
    assert "leider nicht am 14.10.2025" in page and "Urlaub" in page  # offered to swap
    swapped = owner_client.post(
        reject_url(lead),
        {
            "refresh": "1",
            "contact": "None",
            "purpose": "lead_rejection_email",
            "channel": "email",
            "language": "de",
            "named_text": str(other.pk),
            "token": "abc",
        },
        headers={"HX-Request": "true"},
    )
    text = texts_of(swapped)
    assert "Am 14.10.2025 haben wir Betriebsurlaub. Autohaus Alpha" in text
    assert "<html" not in text
    assert fresh(lead).status == S.NEW


def test_badge_shows_the_number_up_to_nine_then_nine_plus() -> None:
    from theke.core.navigation import Badge

    assert [Badge(n, "").text for n in (0, 1, 9, 10, 120)] == ["", "1", "9", "9+", "9+"]


def test_update_lead_keeps_an_advisor_who_left_when_only_the_note_changes(
    in_tenant_a: Any,
    owner: Any,
    tenant_a: Any,
    workshop: Workshop,
    colleague: Any,
    make_lead: Callable[..., Lead],
) -> None:
    ServiceAdvisor.objects.create(
        tenant=tenant_a, branch=workshop.branch, user=colleague, is_active=False
    )
    lead = make_lead(advisor=colleague, mobile_phone="+4915112345678")
    updated = update_lead(
        lead,
        Actor.staff(owner),
        owner,
        note="Rückruf",
        advisor=colleague,
        mobile_phone="0151 12345678",
    )
    assert updated.note == "Rückruf"
    event = AuditEvent.objects.get(action="lead.updated")
    assert set(event.data["changes"]) == {"note"}  # the same number, written differently


def test_reopening_a_lead_whose_slot_is_free_gives_no_warning(
    owner_client: Any,
    tenant_a: Any,
    workshop: Workshop,
    colleague: Any,
    make_lead: Callable[..., Lead],
) -> None:
    import datetime

    from theke.appointments.models import AdvisorWorkingHours
    from theke.tenants.models import OpeningHours

    with tenant_scope(tenant_a):
        advisor = ServiceAdvisor.objects.create(
            tenant=tenant_a, branch=workshop.branch, user=colleague
        )
        OpeningHours.objects.create(
            tenant=tenant_a,
            branch=workshop.branch,
            weekday=1,
            opens=datetime.time(8),
            closes=datetime.time(17),
        )
        AdvisorWorkingHours.objects.create(
            tenant=tenant_a,
            advisor=advisor,
            weekday=1,
            starts=datetime.time(8),
            ends=datetime.time(17),
        )
    lead = make_lead(status=S.REJECTED)  # Tuesday 14 October 2025, 09:30
    response = owner_client.post(reverse("appointments:lead_reopen", args=[lead.pk]), follow=True)
    page = texts_of(response)
    assert "wieder offen" in page and "nicht mehr frei" not in page
