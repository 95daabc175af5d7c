"""The quote pages of the portal: tabs, the request form, the conversation with its
attachments and the reply form; 404 for what is not the user's; the staff list and tile."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from theke.customers.models import Location
from theke.messaging.models import ConversationAttachment
from theke.messaging.services.inbound import receive_message
from theke.orders.models import Quote
from theke.portal.models import QuoteRequest
from theke.portal.services import quotes
from theke.portal.tests.quotetools import PDF, new_request, sales_answer, set_sales
from theke.portal.tests.world import portal_client, url
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sales(world: Any, media_root: Any) -> None:
    set_sales(world.tenant)


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def answered(world: Any) -> QuoteRequest:
    request = new_request(world.admin, location=world.locations[0])
    receive_message(sales_answer(request, "reply_address"))
    return request


def make_quote(world: Any, customer: Any, *, pdf: bool = True, location: Any = None) -> Quote:
    with tenant_scope(world.tenant):
        quote = Quote(
            tenant=world.tenant,
            external_id=f"Q-{customer.pk}-{location.pk if location else 0}",
            number="A-2026-17",
            customer=customer,
            location=location,
            date=datetime.date(2026, 3, 1),
            title="Container Lager Süd",
        )
        if pdf:
            quote.pdf.save("angebot.pdf", ContentFile(PDF), save=False)
        quote.save()
    return quote


def test_the_quotes_page_shows_quotes_and_downloads_the_pdf(world):
    quote = make_quote(world, world.customer)
    client = portal_client(world.admin)
    page = client.get(url("quotes", world))
    assert page.status_code == 200
    assert "A-2026-17" in page.content.decode()
    assert "Angebot anfordern" in page.content.decode()
    download = client.get(url("quote_pdf", world, quote.pk))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_a_quote_without_pdf_or_of_another_customer_is_404(world):
    without = make_quote(world, world.customer, pdf=False)
    foreign = make_quote(world, world.other_customer)
    client = portal_client(world.admin)
    assert client.get(url("quote_pdf", world, without.pk)).status_code == 404
    assert client.get(url("quote_pdf", world, foreign.pk)).status_code == 404


def test_requesting_a_quote_through_the_form(world):
    client = portal_client(world.admin)
    assert client.get(url("quote_request_new", world)).status_code == 200
    response = client.post(
        url("quote_request_new", world),
        {
            "subject": "Zwei Mulden",
            "description": "Ab März, Bauschutt.",
            "location": "new",
            "new_name": "Neubau Ost",
            "new_street": "Oststraße 12",
            "new_postal_code": "10243",
            "new_city": "Berlin",
            "new_access_notes": "Tor 2",
            "attachments": [
                SimpleUploadedFile("Plan.pdf", PDF, "application/pdf"),
                SimpleUploadedFile("Foto.png", b"\x89PNG" + b"0" * 100, "image/png"),
            ],
        },
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        request = QuoteRequest.objects.get()
        assert Location.objects.get(pk=request.location.pk).needs_confirmation  # type: ignore[union-attr]
        files = ConversationAttachment.objects.filter(message__conversation=request.conversation)
        assert sorted(f.filename for f in files) == ["Foto.png", "Plan.pdf"]
    assert response["Location"] == url("quote_request", world, request.pk)


def test_the_form_shows_errors_next_to_the_fields(world):
    client = portal_client(world.admin)
    response = client.post(
        url("quote_request_new", world),
        {
            "subject": "",
            "description": "x",
            "location": "new",
            "attachments": [SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream")],
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"subject", "new_street", "attachments"}
    with tenant_scope(world.tenant):
        assert not QuoteRequest.objects.exists()


def test_a_location_not_granted_cannot_be_chosen(world):
    client = portal_client(world.orderer)
    response = client.post(
        url("quote_request_new", world),
        {"subject": "x", "description": "y", "location": str(world.locations[1].pk)},
    )
    assert response.status_code == 400
    assert "location" in response.context["form"].errors


def test_reading_an_answer_marks_it_read_and_the_menu_count_falls(world, answered):
    client = portal_client(world.admin)
    quotes_page = client.get(url("quotes", world) + "?tab=ungelesen")
    assert answered.number in quotes_page.content.decode()
    assert "ungelesen" in quotes_page.content.decode()
    page = client.get(url("quote_request", world, answered.pk))
    body = page.content.decode()
    assert "anbei unser Angebot" in body
    assert "Angebot 4711.pdf" in body
    with tenant_scope(world.tenant):
        assert quotes.unread_count(world.admin) == 0
        [pdf] = ConversationAttachment.objects.filter(
            message__conversation=answered.conversation, filename="Angebot 4711.pdf"
        )
    download = client.get(url("quote_attachment", world, answered.pk, pdf.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    after = client.get(url("quotes", world) + "?tab=ungelesen")
    assert answered.number not in after.content.decode()


def test_replying_in_the_portal(world, answered):
    client = portal_client(world.admin)
    response = client.post(
        url("quote_request", world, answered.pk),
        {"body": "Bitte ab April.", "attachments": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert response.status_code == 302
    assert len(client.get(url("quote_request", world, answered.pk)).context["thread"]) == 3


def test_an_empty_reply_is_refused_next_to_the_field(world, answered):
    client = portal_client(world.admin)
    response = client.post(url("quote_request", world, answered.pk), {"body": " "})
    assert response.status_code == 400
    assert "body" in response.context["form"].errors


def test_read_only_users_read_but_neither_request_nor_reply(world, answered):
    client = portal_client(world.reader)
    assert client.get(url("quote_request", world, answered.pk)).status_code == 200
    page = client.get(url("quote_request_new", world))
    assert "nur lesen" in page.content.decode()
    assert client.post(url("quote_request_new", world), {"subject": "x"}).status_code == 200
    assert client.post(url("quote_request", world, answered.pk), {"body": "x"}).status_code == 404
    with tenant_scope(world.tenant):
        assert QuoteRequest.objects.count() == 1


def test_another_customers_user_gets_404_on_request_and_attachment(world, answered):
    with tenant_scope(world.tenant):
        pdf = ConversationAttachment.objects.filter(
            message__conversation=answered.conversation
        ).first()
    assert pdf is not None
    client = portal_client(world.other_admin)
    assert client.get(url("quote_request", world, answered.pk)).status_code == 404
    assert client.post(url("quote_request", world, answered.pk), {"body": "x"}).status_code == 404
    assert client.get(url("quote_attachment", world, answered.pk, pdf.pk)).status_code == 404
    # a colleague without the request's location gets 404 too
    other_location = new_request(world.admin, location=world.locations[2])
    orderer = portal_client(world.orderer)
    assert orderer.get(url("quote_request", world, other_location.pk)).status_code == 404


def test_an_attachment_of_another_request_is_404(world, answered):
    mine = new_request(world.admin, location=world.locations[0])
    with tenant_scope(world.tenant):
        pdf = ConversationAttachment.objects.filter(
            message__conversation=answered.conversation
        ).first()
    assert pdf is not None
    client = portal_client(world.admin)
    assert client.get(url("quote_attachment", world, mine.pk, pdf.pk)).status_code == 404


def test_staff_list_shows_unanswered_first_and_the_tile(world, answered, owner_client):
    waiting = new_request(world.admin, subject="Noch offen")
    response = owner_client.get(reverse("portal_staff:quote_requests"))
    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert rows[0] == waiting
    assert answered in rows
    start = owner_client.get(reverse("home"), follow=True)
    assert "Unbeantwortete Angebotsanfragen" in start.content.decode()


def test_staff_list_needs_a_staff_login(world, client):
    response = client.get(reverse("portal_staff:quote_requests"))
    assert response.status_code == 302


# --- the lists: filters, search, sorting, pages, CSV ------------------------------------------


def _quotes(world: Any) -> list[Quote]:
    made = []
    with tenant_scope(world.tenant):
        for index, (title, status) in enumerate(
            [("Mulden Lager Süd", "open"), ("Asbest Big Bags", "accepted"), ("Sperrmüll", "open")]
        ):
            made.append(
                Quote.objects.create(
                    tenant=world.tenant,
                    external_id=f"Q-L-{index}",
                    number=f"AN-{index}",
                    customer=world.customer,
                    date=datetime.date(2026, 3, 1 + index),
                    title=title,
                    status=status,
                    gross_total="119.00",
                    net_total="100.00",
                )
            )
    return made


def test_quotes_filter_by_status_and_search_and_the_csv_holds_the_same_rows(world: Any) -> None:
    _quotes(world)
    client = portal_client(world.admin)
    page = client.get(url("quotes", world), {"status": "open", "q": "lager"}).content.decode()
    assert "AN-0" in page and "AN-1" not in page and "AN-2" not in page
    csv = client.get(url("quotes", world), {"status": "open", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "AN-0" in text and "AN-2" in text and "AN-1" not in text
    assert "119,00" in text  # the admin sees prices


def test_quote_csv_leaves_out_prices_for_users_without_them(world: Any) -> None:
    _quotes(world)
    text = portal_client(world.orderer).get(url("quotes", world), {"format": "csv"})
    body = text.content.decode("utf-8-sig")
    assert "Brutto" not in body and "119,00" not in body


def test_a_refused_filter_shows_its_message_and_filters_nothing(world: Any) -> None:
    _quotes(world)
    client = portal_client(world.admin)
    text = client.get(url("quotes", world), {"date_from": "gestern"}).content.decode()
    assert 'id="id_date_from-error"' in text and 'aria-invalid="true"' in text
    assert "AN-0" in text and "AN-2" in text
    text = client.get(
        url("quotes", world), {"date_from": "2026-03-02", "date_to": "2026-03-01"}
    ).content.decode()
    assert "Das Ende liegt vor dem Anfang." in text


def test_quote_requests_tab_searches_and_exports(world: Any) -> None:
    new_request(world.admin, location=world.locations[0])
    other = new_request(world.admin, location=world.locations[0])
    with tenant_scope(world.tenant):
        QuoteRequest.objects.filter(pk=other.pk).update(subject="Asbest im Keller")
    client = portal_client(world.admin)
    page = client.get(url("quotes", world), {"tab": "anfragen", "q": "asbest"}).content.decode()
    assert "Asbest im Keller" in page and page.count("AF-") == 1
    assert 'name="tab" value="anfragen"' in page  # the filter form stays on its tab
    csv = client.get(url("quotes", world), {"tab": "anfragen", "format": "csv"})
    assert csv.content.decode("utf-8-sig").count("AF-") == 2
