"""Estimates over time: expiry past the validity date and the one automatic reminder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.audit.models import AuditEvent, FeedEvent
from theke.audit.services import SYSTEM
from theke.core.tasks_backend import PERIODIC_TASKS
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateLink, EstimateStatus
from theke.estimates.services.links import LinkState
from theke.estimates.tasks import estimate_housekeeping
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

from .test_decision import POSITIONS, accept, make_estimate

pytestmark = pytest.mark.django_db


def backdate_sending(estimate: Estimate, days: int) -> None:
    with scopes_disabled():
        Estimate.objects.filter(pk=estimate.pk).update(
            sent_at=timezone.now() - timedelta(days=days)
        )


def reminders() -> list[OutboundMessage]:
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(purpose="estimate_reminder"))


def actions(estimate: Estimate) -> list[str]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(object_id=str(estimate.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )


# --- expiry ---------------------------------------------------------------------------------


def test_a_waiting_estimate_expires_the_day_after_its_validity(
    tenant_a: Any, customer: Any
) -> None:
    today = timezone.localdate()
    estimate, _link = make_estimate(tenant_a, customer, valid_until=today - timedelta(days=1))
    assert services.expire_overdue() == 1
    estimate.refresh_from_db()
    assert estimate.status == EstimateStatus.EXPIRED
    assert "estimate.expired" in actions(estimate)
    with scopes_disabled():
        event = FeedEvent.objects.get(type="estimate.expired")
    assert event.external_id == "KV-1"
    assert event.payload == {"version": 1, "valid_until": str(today - timedelta(days=1))}
    assert services.expire_overdue() == 0, "a second sweep changes nothing"


def test_valid_today_is_still_valid(tenant_a: Any, customer: Any) -> None:
    estimate, _link = make_estimate(tenant_a, customer, valid_until=timezone.localdate())
    assert services.expire_overdue() == 0
    estimate.refresh_from_db()
    assert estimate.status == EstimateStatus.SENT


def test_answered_estimates_never_expire(tenant_a: Any, customer: Any) -> None:
    estimate, link = make_estimate(tenant_a, customer)
    accept(link)
    with scopes_disabled():
        Estimate.objects.filter(pk=estimate.pk).update(
            valid_until=timezone.localdate() - timedelta(days=3)
        )
    assert services.expire_overdue() == 0
    estimate.refresh_from_db()
    assert estimate.status == EstimateStatus.ACCEPTED


def test_an_expired_estimate_cannot_be_accepted_and_its_page_says_so(
    tenant_a: Any, customer: Any, client: Any
) -> None:
    _estimate, link = make_estimate(
        tenant_a, customer, valid_until=timezone.localdate() - timedelta(days=1)
    )
    services.expire_overdue()
    with pytest.raises(services.EstimateError) as refused:
        accept(link)
    assert refused.value.code == "expired"
    with tenant_scope(tenant_a):
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    page = client.get(f"/k/{token}/").content.decode()
    assert "abgelaufen" in page
    assert "Annehmen" not in page


def test_revising_an_expired_estimate_makes_a_new_sent_version(
    tenant_a: Any, customer: Any
) -> None:
    make_estimate(tenant_a, customer, valid_until=timezone.localdate() - timedelta(days=1))
    services.expire_overdue()
    with tenant_scope(tenant_a):
        revised, _created = services.save_estimate(
            tenant_a,
            SYSTEM,
            "KV-1",
            {"customer": customer, "valid_until": timezone.localdate() + timedelta(days=10)},
            POSITIONS,
        )
    assert (revised.version, revised.status) == (2, EstimateStatus.SENT)
    with scopes_disabled():
        old = Estimate.objects.get(external_id="KV-1", version=1)
    assert old.status == EstimateStatus.SUPERSEDED


# --- reminders ------------------------------------------------------------------------------


def test_no_reminder_unless_the_tenant_switched_it_on(tenant_a: Any, customer: Any) -> None:
    estimate, _link = make_estimate(tenant_a, customer)
    backdate_sending(estimate, 30)
    assert services.remind_unanswered() == 0
    assert reminders() == []


def test_the_reminder_goes_once_after_the_set_days_with_a_working_link(
    tenant_a: Any, customer: Any
) -> None:
    services.save_settings(tenant_a, SYSTEM, reminder_days=3)
    estimate, _link = make_estimate(tenant_a, customer)
    backdate_sending(estimate, 2)
    assert services.remind_unanswered() == 0, "too early"
    backdate_sending(estimate, 3)
    assert services.remind_unanswered() == 1
    (message,) = reminders()
    assert message.channel == "email"
    assert message.recipient == "eva@kunde.test"
    assert message.subject == "Erinnerung: Ihr Kostenvoranschlag KV-4711"
    assert "wartet noch auf Ihre Antwort" in message.body_text
    token = message.body_text.split("https://theke.example/k/")[1].split("/")[0]
    with tenant_scope(tenant_a):
        found = services.find_link(token)
    assert found.state == LinkState.VALID
    estimate.refresh_from_db()
    assert estimate.reminded_at is not None
    assert "estimate.reminder_sent" in actions(estimate)
    assert services.remind_unanswered() == 0, "one reminder only"
    assert len(reminders()) == 1


def test_answered_estimates_get_no_reminder(tenant_a: Any, customer: Any) -> None:
    services.save_settings(tenant_a, SYSTEM, reminder_days=1)
    estimate, link = make_estimate(tenant_a, customer)
    backdate_sending(estimate, 5)
    accept(link)
    assert services.remind_unanswered() == 0
    assert reminders() == []


def test_viewed_but_unanswered_estimates_are_reminded(tenant_a: Any, customer: Any) -> None:
    services.save_settings(tenant_a, SYSTEM, reminder_days=1)
    estimate, _link = make_estimate(tenant_a, customer)
    with scopes_disabled():
        Estimate.objects.filter(pk=estimate.pk).update(status=EstimateStatus.VIEWED)
    backdate_sending(estimate, 5)
    assert services.remind_unanswered() == 1


def test_without_email_the_reminder_goes_by_sms_where_allowed(tenant_a: Any, customer: Any) -> None:
    services.save_settings(tenant_a, SYSTEM, reminder_days=1)
    with scopes_disabled():
        contact = customer.contacts.get()
        contact.email = ""
        contact.consent_sms = True
        contact.save()
        tenant_a.sms_enabled = True
        tenant_a.save()
    estimate, _link = make_estimate(tenant_a, customer)
    backdate_sending(estimate, 1)
    assert services.remind_unanswered() == 1
    (message,) = reminders()
    assert message.channel == "sms"
    assert "wartet noch auf Ihre Antwort" in message.body_text


def test_an_unreachable_customer_is_noted_once_and_not_retried(
    tenant_a: Any, customer: Any
) -> None:
    services.save_settings(tenant_a, SYSTEM, reminder_days=1)
    with scopes_disabled():
        customer.contacts.update(email="")
    estimate, _link = make_estimate(tenant_a, customer)
    backdate_sending(estimate, 2)
    with scopes_disabled():
        links_before = EstimateLink.objects.count()
    assert services.remind_unanswered() == 0
    assert reminders() == []
    assert actions(estimate).count("estimate.reminder_impossible") == 1
    with scopes_disabled():
        assert EstimateLink.objects.count() == links_before, "no stray link"
    services.remind_unanswered()
    assert actions(estimate).count("estimate.reminder_impossible") == 1


def test_the_worker_runs_expiry_and_reminders_periodically(tenant_a: Any, customer: Any) -> None:
    assert ("theke.estimate_housekeeping", "theke.estimates.tasks.estimate_housekeeping") in [
        (name, path) for name, path, _minutes in PERIODIC_TASKS
    ]
    services.save_settings(tenant_a, SYSTEM, reminder_days=2)
    estimate, _link = make_estimate(tenant_a, customer)
    backdate_sending(estimate, 2)
    assert estimate_housekeeping.call() == {"expired": 0, "reminded": 1}
