"""Lead manager actions under concurrency against PostgreSQL: two staff rejecting the same
lead at once give one rejection, one message and one `lead.rejected` event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from theke.accounts.middleware import role_codes
from theke.accounts.models import Membership
from theke.appointments.models import Lead, LeadStatus
from theke.appointments.services.lead_actions import reject_lead, reopen_lead
from theke.appointments.services.leads import LeadError
from theke.audit.models import FeedEvent
from theke.audit.services import Actor
from theke.core.tests.concurrency import run_at_once
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def with_rights(user: Any) -> Any:
    with scopes_disabled():
        user._theke_permissions = role_codes(Membership.objects.get(user=user).role)
    return user


def test_two_concurrent_rejections_make_one(
    tenant_a: Any, owner: Any, make_lead: Callable[..., Lead]
) -> None:
    lead = make_lead()
    refused: list[LeadError] = []

    def reject(user: Any, text: str) -> Callable[[], None]:
        def job() -> None:
            with tenant_scope(tenant_a):
                try:
                    reject_lead(
                        lead,
                        Actor.staff(user),
                        with_rights(user),
                        channel="email",
                        subject="Absage",
                        body=text,
                    )
                except LeadError as error:
                    refused.append(error)

        return job

    assert run_at_once(reject(owner, "Eins"), reject(owner, "Zwei")) == []
    assert len(refused) == 1
    with scopes_disabled():
        assert Lead.objects.get(pk=lead.pk).status == LeadStatus.REJECTED
        assert OutboundMessage.objects.filter(purpose="lead_rejection_email").count() == 1
        assert FeedEvent.objects.filter(type="lead.rejected").count() == 1


def test_reject_and_reopen_at_once_run_one_after_the_other(
    tenant_a: Any, owner: Any, make_lead: Callable[..., Lead]
) -> None:
    lead = make_lead(status=LeadStatus.CANCELLED)

    def reject() -> None:
        with tenant_scope(tenant_a):
            reject_lead(
                lead, Actor.staff(owner), with_rights(owner), channel="email", subject="A", body="B"
            )

    def reopen() -> None:
        with tenant_scope(tenant_a):
            reopen_lead(lead, Actor.staff(owner), with_rights(owner))

    # Either order works (cancelled -> rejected -> new, or cancelled -> new -> rejected);
    # the row lock makes them one after the other, and the rejection sends its one message.
    assert run_at_once(reject, reopen) == []
    with scopes_disabled():
        assert Lead.objects.get(pk=lead.pk).status in {LeadStatus.NEW, LeadStatus.REJECTED}
        assert OutboundMessage.objects.filter(purpose="lead_rejection_email").count() == 1
