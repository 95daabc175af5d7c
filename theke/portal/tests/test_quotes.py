"""Quote requests: the request goes to sales with every detail and the reply address; sales
answer from their mail program (found by reply address, References or the subject's tag),
the customer is told and sees an unread answer; the customer's replies go back to sales."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from theke.audit.models import FeedEvent
from theke.core.errors import ServiceError
from theke.customers.models import Location
from theke.messaging.models import (
    AuthorType,
    ConversationMessage,
    InboundStatus,
    OutboundMessage,
    Via,
)
from theke.messaging.services import conversations
from theke.messaging.services.inbound import receive_message
from theke.messaging.services.outbox import Attachment
from theke.portal.models import QuoteRequestStatus
from theke.portal.services import quotes
from theke.portal.tests.quotetools import (
    CASES,
    PDF,
    SALES,
    new_request,
    request_mail,
    sales_answer,
    set_sales,
)
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sales(world: Any, media_root: Any) -> None:
    set_sales(world.tenant)


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def conversation_of(request: Any) -> Any:
    assert request.conversation is not None
    return request.conversation


def thread_of(request: Any) -> list[ConversationMessage]:
    with tenant_scope(request.tenant):
        return list(
            ConversationMessage.objects.filter(conversation=request.conversation)
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        )


def answer_mails(world: Any) -> list[OutboundMessage]:
    with tenant_scope(world.tenant):
        return list(OutboundMessage.objects.filter(purpose=quotes.ANSWER_PURPOSE))


# --- the request ----------------------------------------------------------------------------


def test_a_request_gets_a_number_a_conversation_and_a_mail_to_sales(world):
    request = new_request(world.admin, location=world.locations[1])
    year = timezone.localdate().year
    assert request.number == f"AF-{year}-00001"
    assert new_request(world.admin).number == f"AF-{year}-00002"
    assert request.status == QuoteRequestStatus.OPEN
    [first] = thread_of(request)
    assert first.author_type == AuthorType.CUSTOMER
    assert first.body.startswith("Wir brauchen ab März")
    assert [a.filename for a in first.attachments.all()] == ["Lageplan.pdf"]
    sent = request_mail(request)
    assert sent.recipient == SALES
    assert sent.reply_to == conversations.reply_address(conversation_of(request))
    assert conversations.subject_tag(conversation_of(request)) in sent.subject
    assert request.number in sent.subject
    for detail in (
        "Bau Berg GmbH",
        "K-1001",
        request.number,
        "Eva Berg",
        "eva.berg@bau-berg.test",
        "Lager Süd",
        "Südring 5",
        "Wir brauchen ab März",
        "Lageplan.pdf",
    ):
        assert detail in sent.body_text, detail
    with tenant_scope(world.tenant):
        assert [a.filename for a in sent.attachments.all()] == ["Lageplan.pdf"]
    assert sent.headers["Message-ID"]


def test_numbers_count_per_tenant(world, tenant_b):
    from theke.portal.tests.world import make_world

    other_world = make_world(tenant_b)
    set_sales(tenant_b, "vertrieb@beta.test", "mail.beta.test")
    new_request(world.admin)
    assert new_request(other_world.admin).number.endswith("-00001")


def test_a_new_location_waits_for_confirmation_and_its_access_notes_go_to_sales(world):
    request = new_request(
        world.admin,
        new_location_values={
            "name": "Neubau Ost",
            "street": "Oststraße 12",
            "postal_code": "10243",
            "city": "Berlin",
            "access_notes": "Zufahrt über Tor 2",
        },
    )
    with tenant_scope(world.tenant):
        location = Location.objects.get(pk=request.location.pk)  # type: ignore[union-attr]
    assert location.customer == world.customer
    assert location.needs_confirmation
    assert location.access_notes == "Zufahrt über Tor 2"
    body = request_mail(request).body_text
    assert "Oststraße 12" in body and "Zufahrt über Tor 2" in body


@pytest.mark.parametrize(
    "values, field",
    [
        ({"subject": " "}, "subject"),
        ({"description": ""}, "description"),
        ({"attachments": [Attachment("virus.exe", b"MZ", "application/octet-stream")]}, None),
    ],
)
def test_bad_input_is_refused_with_the_field(world, values, field):
    with pytest.raises(ServiceError) as refused:
        new_request(world.admin, **values)
    if field:
        assert refused.value.field == field


def test_a_read_only_user_and_a_foreign_location_are_refused(world):
    with pytest.raises(ServiceError):
        new_request(world.reader)
    with pytest.raises(ServiceError):
        new_request(world.orderer, location=world.locations[1])  # not granted
    with pytest.raises(ServiceError):
        new_request(world.admin, location=world.other_location)


def test_without_any_sales_address_the_request_is_refused(world):
    set_sales(world.tenant, "")
    world.tenant.email = ""
    world.tenant.notification_email = ""
    world.tenant.save()
    with pytest.raises(ServiceError):
        new_request(world.admin)


# --- sales answer by e-mail: the three ways back ---------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_sales_answer_with_a_pdf_lands_in_the_conversation(world, case):
    request = new_request(world.admin, location=world.locations[0])
    row = receive_message(sales_answer(request, case))
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.conversation == request.conversation
    _first, answer = thread_of(request)
    assert answer.author_type == AuthorType.STAFF
    assert answer.author_user is None
    assert answer.author_label == "Vera Vertrieb"
    assert answer.via == Via.EMAIL
    assert answer.body.startswith("Guten Tag,\n\nanbei unser Angebot.")
    [pdf] = answer.attachments.all()
    assert pdf.filename == "Angebot 4711.pdf"
    assert pdf.file.read() == PDF
    with tenant_scope(world.tenant):
        request.refresh_from_db()
    assert request.status == QuoteRequestStatus.ANSWERED
    assert request.answered_at is not None
    [told] = answer_mails(world)
    assert told.recipient == "eva.berg@bau-berg.test"
    assert told.subject == "Sie haben eine Antwort auf Ihre Angebotsanfrage"
    assert f"/angebote/anfragen/{request.pk}/" in told.body_text
    with tenant_scope(world.tenant):
        assert quotes.unread_count(world.admin) == 1
        events = list(
            FeedEvent.objects.filter(type__startswith="portal.quote_request.").order_by("id")
        )
    assert [e.type for e in events] == [
        "portal.quote_request.created",
        "portal.quote_request.answered",
    ]
    assert events[1].external_id == request.number


def test_an_answer_without_a_name_is_labelled_sales(world):
    request = new_request(world.admin)
    receive_message(sales_answer(request, "reply_address", sender=SALES))
    assert thread_of(request)[-1].author_label == "Vertrieb"


def test_the_notification_address_answers_when_no_sales_address_is_set(world):
    set_sales(world.tenant, "")
    request = new_request(world.admin)
    assert request_mail(request).recipient == world.tenant.notification_address
    answer = sales_answer(request, "reply_address", sender=world.tenant.notification_address)
    assert receive_message(answer).status == InboundStatus.PROCESSED


def test_a_stranger_answering_is_quarantined(world):
    request = new_request(world.admin)
    row = receive_message(sales_answer(request, "reply_address", sender="spam@evil.test"))
    assert row.status == InboundStatus.QUARANTINED
    assert len(thread_of(request)) == 1
    assert answer_mails(world) == []


def test_the_same_answer_twice_is_stored_once(world):
    request = new_request(world.admin)
    answer = sales_answer(request, "reply_address")
    receive_message(answer)
    assert receive_message(answer).status == InboundStatus.DISCARDED
    assert len(thread_of(request)) == 2
    assert len(answer_mails(world)) == 1


def test_a_customer_contact_mailing_the_reply_address_is_the_customers_reply(world):
    request = new_request(world.admin)
    mail = sales_answer(request, "reply_address", sender="Eva Berg <eva.berg@bau-berg.test>")
    assert receive_message(mail).status == InboundStatus.PROCESSED
    reply = thread_of(request)[-1]
    assert reply.author_type == AuthorType.CUSTOMER
    assert answer_mails(world) == []
    with tenant_scope(world.tenant):
        forwarded = OutboundMessage.objects.filter(
            conversation=request.conversation, recipient=SALES
        ).count()
    assert forwarded == 2  # the request and the passed-on reply


# --- the customer's reply ----------------------------------------------------------------------


def test_the_customers_reply_goes_to_sales_with_the_reply_address(world):
    request = new_request(world.admin)
    receive_message(sales_answer(request, "reply_address"))
    with tenant_scope(world.tenant):
        quotes.post_customer_reply(
            world.admin,
            request,
            "Passt, aber bitte ab April.",
            [Attachment("Plan.pdf", PDF, "application/pdf")],
        )
        sent = (
            OutboundMessage.objects.filter(conversation=request.conversation, recipient=SALES)
            .order_by("-id")
            .first()
        )
        request.refresh_from_db()
    assert sent is not None
    assert "Passt, aber bitte ab April." in sent.body_text
    assert sent.reply_to == conversations.reply_address(conversation_of(request))
    assert conversations.subject_tag(conversation_of(request)) in sent.subject
    assert "In-Reply-To" in sent.headers  # answers sales' last mail
    assert request.status == QuoteRequestStatus.OPEN
    # and the conversation goes on: sales answer again
    assert receive_message(sales_answer(request, "forward_with_tag")).status == "processed"
    assert len(thread_of(request)) == 4


def test_a_read_only_user_cannot_reply(world):
    request = new_request(world.admin)
    with tenant_scope(world.tenant), pytest.raises(ServiceError):
        quotes.post_customer_reply(world.reader, request, "Hallo")


# --- unread answers --------------------------------------------------------------------------


def test_unread_answers_rise_and_fall_per_contact(world):
    first = new_request(world.admin, location=world.locations[0])
    second = new_request(world.admin, location=world.locations[1])
    with tenant_scope(world.tenant):
        assert quotes.unread_count(world.admin) == 0  # one's own messages never count
    receive_message(sales_answer(first, "reply_address"))
    receive_message(sales_answer(first, "changed_subject_with_references"))
    receive_message(sales_answer(second, "forward_with_tag"))
    with tenant_scope(world.tenant):
        assert quotes.unread_count(world.admin) == 3
        assert quotes.unread_count(world.reader) == 3  # a colleague reads on their own
        assert quotes.unread_count(world.orderer) == 2  # location 0 only
        assert set(quotes.unread_requests(world.admin)) == {first, second}
        quotes.mark_read(world.admin, first)
        assert quotes.unread_count(world.admin) == 1
        assert list(quotes.unread_requests(world.admin)) == [second]
        assert quotes.unread_count(world.reader) == 3
        rows = quotes.with_unread(world.admin, quotes.quote_requests_of(world.admin))
        counts = {r.pk: getattr(r, "unread") for r in rows}  # noqa: B009
        assert counts == {first.pk: 0, second.pk: 1}


def test_the_unread_count_is_one_query(world):
    for _ in range(3):
        request = new_request(world.admin)
        receive_message(sales_answer(request, "reply_address"))
    with tenant_scope(world.tenant), CaptureQueriesContext(connection) as queries:
        assert quotes.unread_count(world.admin) == 3
    assert len(queries) == 1


def test_staff_answering_on_the_conversation_page_tells_the_customer_through_the_portal(
    world, owner
):
    request = new_request(world.admin)
    with tenant_scope(world.tenant):
        conversations.post_staff_message(conversation_of(request), owner, "Angebot folgt.")
        request.refresh_from_db()
        to_contact = OutboundMessage.objects.filter(purpose=conversations.PURPOSE).count()
        assert quotes.unread_count(world.admin) == 1
    assert request.status == QuoteRequestStatus.ANSWERED
    assert to_contact == 0  # no raw conversation mail: the portal's notice instead
    [told] = answer_mails(world)
    assert told.recipient == "eva.berg@bau-berg.test"
