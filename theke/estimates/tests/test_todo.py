"""The estimates' part of the start page's to-do list and of the staff customer page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_staff
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, Actor
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateDecision
from theke.estimates.tests.test_decision import accept, make_estimate
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def tile(html: str, label: str) -> tuple[int, str]:
    """(count, href) of the start-page tile with this label."""
    match = re.search(
        r'<a class="card[^"]*todo-tile[^"]*" href="([^"]+)">\s*<span[^>]*>\s*'
        r'<span class="todo-count"[^>]*>(\d+)</span>\s*<span[^>]*>\s*<span[^>]*>'
        + re.escape(label),
        html,
    )
    assert match, f"no tile {label!r}"
    return int(match.group(2)), match.group(1).replace("&amp;", "&")


def test_a_decision_waits_on_the_start_page_until_it_is_handled(
    owner_client: Any, tenant_a: Any, customer: Any, owner: Any
) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    dashboard = owner_client.get(reverse("core:dashboard")).content.decode()
    assert tile(dashboard, "Neue Antworten auf Kostenvoranschläge")[0] == 0
    accept(link)

    dashboard = owner_client.get(reverse("core:dashboard")).content.decode()
    count, href = tile(dashboard, "Neue Antworten auf Kostenvoranschläge")
    assert count == 1
    queue = owner_client.get(href).content.decode()
    assert "KV-4711" in queue and "Angenommen" in queue

    owner_client.post(reverse("estimates:mark_handled", args=[estimate.pk]), {"next": "queue"})
    dashboard = owner_client.get(reverse("core:dashboard")).content.decode()
    assert tile(dashboard, "Neue Antworten auf Kostenvoranschläge")[0] == 0
    assert "KV-4711" not in owner_client.get(href).content.decode()
    with scopes_disabled():
        decision = EstimateDecision.objects.get(estimate=estimate)
        assert decision.handled_by == owner
        assert AuditEvent.objects.filter(action="estimate.decision_handled").count() == 1


def test_handling_twice_records_once(tenant_a: Any, customer: Any, owner: Any) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    accept(link)
    with tenant_scope(tenant_a):
        assert services.mark_decision_handled(estimate, Actor.staff(owner)) is True
        assert services.mark_decision_handled(estimate, Actor.staff(owner)) is False
        assert AuditEvent.objects.filter(action="estimate.decision_handled").count() == 1


def test_handling_needs_the_manage_right(client: Any, tenant_a: Any, customer: Any) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    accept(link)
    technician = make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker")
    client.force_login(technician)
    response = client.post(reverse("estimates:mark_handled", args=[estimate.pk]))
    assert response.status_code == 403
    with scopes_disabled():
        assert EstimateDecision.objects.get(estimate=estimate).handled_at is None


def sent_days_ago(estimate: Estimate, days: int) -> None:
    with scopes_disabled():
        Estimate.objects.filter(pk=estimate.pk).update(
            sent_at=timezone.now() - timedelta(days=days)
        )


def test_unanswered_estimates_count_after_the_reminder_days(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    estimate, _link = make_estimate(tenant_a, customer)
    sent_days_ago(estimate, 2)
    dashboard = owner_client.get(reverse("core:dashboard")).content.decode()
    count, href = tile(dashboard, "Kostenvoranschläge ohne Antwort")
    assert count == 0  # the default of three days has not passed
    assert "Seit mehr als 3 Tagen gesendet" in dashboard

    sent_days_ago(estimate, 4)
    dashboard = owner_client.get(reverse("core:dashboard")).content.decode()
    count, href = tile(dashboard, "Kostenvoranschläge ohne Antwort")
    assert count == 1
    assert "KV-4711" in owner_client.get(href).content.decode()

    with tenant_scope(tenant_a):
        services.save_settings(tenant_a, SYSTEM, reminder_days=7)
    dashboard = owner_client.get(reverse("core:dashboard")).content.decode()
    assert tile(dashboard, "Kostenvoranschläge ohne Antwort")[0] == 0
    assert "Seit mehr als 7 Tagen gesendet" in dashboard
    assert "KV-4711" not in owner_client.get(href).content.decode()


def test_estimate_tiles_need_the_right(client: Any, tenant_a: Any) -> None:
    dispatcher = make_staff(tenant_a, "dispo@alpha.test", "Dora Dispo", "Disposition")
    client.force_login(dispatcher)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "Kostenvoranschläge ohne Antwort" not in dashboard
    assert "Neue Antworten" not in dashboard


def test_the_customer_page_lists_the_customers_estimates(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    accept(link)
    page = owner_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    panel = page.split('id="customer-estimates"', 1)[1].split("</section>", 1)[0]
    assert "KV-4711" in panel
    assert reverse("estimates:detail", args=[estimate.pk]) in panel
    assert "Angenommen" in panel
    listed = owner_client.get(reverse("estimates:list") + f"?customer={customer.pk}")
    assert "KV-4711" in listed.content.decode()


def test_the_estimates_panel_needs_the_right(client: Any, tenant_a: Any, customer: Any) -> None:
    make_estimate(tenant_a, customer)
    dispatcher = make_staff(tenant_a, "dispo@alpha.test", "Dora Dispo", "Disposition")
    client.force_login(dispatcher)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'id="customer-estimates"' not in page


def test_the_decision_names_browser_and_system_and_keeps_the_raw_header(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    accept(link, user_agent=IPHONE)
    page = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    assert "Safari 17 auf iOS 17.4 (iPhone)" in page
    assert f'title="{IPHONE}"' in page
    with scopes_disabled():
        assert EstimateDecision.objects.get(estimate=estimate).user_agent == IPHONE
