"""Races against PostgreSQL: the same mail twice at once, assign against discard, two
threads opening an object's conversation at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.messaging.models import Conversation, ConversationMessage, InboundEmail, InboundStatus
from theke.messaging.services import conversations, inbound
from theke.messaging.tests.mailtools import mail, make_thread
from theke.tenants.scoping import tenant_scope

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_at_once(*jobs: Callable[[], Any]) -> list[Any]:
    """Each job in its own thread and connection, started together; results or errors."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[Any] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes.append(job())
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_the_same_mail_delivered_twice_at_once_is_posted_once(tenant_a, media_root):
    thread = make_thread(tenant_a)
    raw = mail(
        to=conversations.reply_address(thread.conversation), message_id="<twice@example.com>"
    ).as_bytes()
    outcomes = run_at_once(*(lambda: inbound.receive_email(raw, "mailgate") for _ in range(3)))
    assert sorted(row.status for row in outcomes) == [
        InboundStatus.DISCARDED,
        InboundStatus.DISCARDED,
        InboundStatus.PROCESSED,
    ]
    with scopes_disabled():
        assert ConversationMessage.objects.count() == 1
        assert InboundEmail.objects.count() == 3  # every copy is kept


def test_assign_and_discard_at_once_leave_one_outcome(tenant_a, owner, media_root):
    thread = make_thread(tenant_a)
    held = inbound.receive_message(
        mail(sender="fremd@example.org", to=conversations.reply_address(thread.conversation))
    )
    assert held.status == InboundStatus.QUARANTINED

    def assign() -> str:
        with tenant_scope(tenant_a):
            inbound.assign_to_conversation(held, thread.conversation, Actor.staff(owner))
        return "assigned"

    def discard() -> str:
        with tenant_scope(tenant_a):
            inbound.discard(held, Actor.staff(owner))
        return "discarded"

    outcomes = run_at_once(assign, discard)
    winners = [o for o in outcomes if isinstance(o, str)]
    assert len(winners) == 1
    assert any(isinstance(o, ServiceError) for o in outcomes)
    with scopes_disabled():
        held.refresh_from_db()
        posted = ConversationMessage.objects.count()
    if winners == ["assigned"]:
        assert (held.status, posted) == (InboundStatus.PROCESSED, 1)
    else:
        assert (held.status, posted) == (InboundStatus.DISCARDED, 0)


def test_two_threads_opening_an_objects_conversation_get_the_same(tenant_a, media_root):
    customer = make_thread(tenant_a).customer

    def open_thread() -> int:
        with tenant_scope(tenant_a):
            return conversations.conversation_for(
                customer.contacts.first(), tenant=tenant_a, customer=customer, subject="Neu"
            ).pk

    outcomes = run_at_once(open_thread, open_thread, open_thread)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert len(set(outcomes)) == 1
    with scopes_disabled():
        assert Conversation.objects.count() == 2  # the customer's and the contact's
