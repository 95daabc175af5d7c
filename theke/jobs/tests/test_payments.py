"""Payments of a job's payment field through the test provider: staff make the link, the
customer pays on the fake checkout page, the provider's signed notification settles it.

Only a verified notification counts; a forged one is refused, a repeated one changes nothing.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest
from django.test import Client
from django.urls import reverse

from theke.audit.models import AuditEvent, FeedEvent
from theke.core.errors import ServiceError
from theke.jobs.models import Job, JobChange, JobStatus, Payment, PaymentStatus, Waiting
from theke.jobs.payments import TEST_PROVIDER, Checkout, ProviderError
from theke.jobs.services import payments
from theke.jobs.services.jobs import Who, activate_phase
from theke.jobs.services.links import job_link_url
from theke.jobs.tests.world import JobWorld, make_job_world
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db

FIELD = "bezahlung"
SHOWN = "1.250,50\xa0€"  # money(): a non-breaking space before the sign


# --- helpers ---------------------------------------------------------------------------------


def _in_order_phase(world: JobWorld, owner: Any, **values: Any) -> Job:
    """A job in the phase "Auftragsbestätigung und Rechnung" (its staff view has the payment
    field), assigned to the owner."""
    job = world.start(assignee=owner, **values)
    return activate_phase(job, "bestellung", Who.staff(owner), expected_phase="rueckruf")


def _token(job: Job) -> str:
    with tenant_scope(job.tenant):
        return job_link_url(job).rstrip("/").rsplit("/", 1)[1]


def _create(job: Job, owner: Any, amount: str = "1.250,50", purpose: str = "Rechnung") -> Payment:
    return payments.create_payment(job, FIELD, amount, purpose, Who.staff(owner))


def _pay_url(token: str, payment: Payment) -> str:
    return reverse("job_pages:pay", args=[token, payment.pk])


def _checkout(client: Client, token: str, payment: Payment) -> str:
    """The customer presses the pay button: the address of the provider's checkout."""
    response = client.post(_pay_url(token, payment))
    assert response.status_code == 302
    return str(response["Location"])


def _notify(client: Client, body: bytes, headers: dict[str, str], provider: str = "test") -> Any:
    return client.post(
        reverse("payments:notification", args=[provider]),
        data=body,
        content_type="application/json",
        headers=headers,
    )


def _changes(job: Job) -> list[JobChange]:
    with tenant_scope(job.tenant):
        return list(JobChange.objects.filter(job=job, field_key=FIELD).order_by("pk"))


def _events(kind: str) -> list[FeedEvent]:
    with scopes_disabled():
        return list(FeedEvent.objects.filter(type=kind).order_by("pk"))


def _notices(job: Job) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(
            OutboundMessage.objects.filter(
                object_id=str(job.pk), purpose=payments.PAID_PURPOSE
            ).order_by("pk")
        )


def _fresh(payment: Payment) -> Payment:
    with scopes_disabled():
        return Payment.objects.get(pk=payment.pk)


def _update(job: Job, **values: Any) -> None:
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(**values)


def _job(job: Job) -> Job:
    with scopes_disabled():
        return Job.objects.get(pk=job.pk)


# --- the round trip --------------------------------------------------------------------------


def test_round_trip_staff_link_customer_pays_provider_notifies(
    world: JobWorld, owner: Any, owner_client: Client
) -> None:
    job = _in_order_phase(world, owner)
    response = owner_client.post(
        reverse("jobs:payment_create", args=[job.pk, FIELD]),
        {"payment-amount": "1.250,50", "payment-purpose": "Rechnung R-17"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    with tenant_scope(world.tenant):
        [payment] = Payment.objects.filter(job=job)
    assert payment.amount == Decimal("1250.50")
    assert payment.purpose == "Rechnung R-17"
    assert payment.provider == "test"
    assert payment.status == PaymentStatus.OPEN
    assert _job(job).values[FIELD] == {"id": payment.pk, "name": SHOWN, "status": "open"}
    assert _job(job).waiting_for == Waiting.CUSTOMER
    [created] = _changes(job)
    assert (created.field_label, created.old, created.new) == ("Bezahlung", "", SHOWN)
    assert created.actor_name == str(owner)

    customer = Client()
    token = _token(job)
    checkout = _checkout(customer, token, payment)
    assert checkout.startswith(f"http://127.0.0.1:8000/bezahlen/test/{payment.reference}/?zurueck=")
    page = customer.get(checkout.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    text = page.content.decode()
    for shown in (SHOWN, "Rechnung R-17", world.tenant.name, "Bezahlen (Test)", "Abbrechen"):
        assert shown in text
    assert page["Referrer-Policy"] == "same-origin"
    assert _fresh(payment).status == PaymentStatus.OPEN  # the page alone changes nothing

    signed = checkout.split("zurueck=", 1)[1]
    back = customer.post(
        checkout.removeprefix("http://127.0.0.1:8000"),
        {"entscheidung": "bezahlen", "zurueck": unquote(signed)},
    )
    assert back.status_code == 302
    assert back["Location"] == "http://127.0.0.1:8000" + reverse("job_pages:page", args=[token])

    paid = _fresh(payment)
    assert paid.status == PaymentStatus.PAID
    assert paid.paid_at is not None
    after = _job(job)
    assert after.values[FIELD]["status"] == "paid"
    assert after.waiting_for == Waiting.STAFF
    history = _changes(job)[-1]
    assert (history.field_label, history.old, history.new) == ("Bezahlung", "offen", "bezahlt")
    assert history.actor_kind == "system"
    assert "Zahlungsanbieter" in history.actor_name
    [event] = _events("job.payment_received")
    assert event.payload["number"] == job.number
    assert event.payload["payment"]["amount"] == "1250.50"
    assert event.payload["payment"]["status"] == "paid"
    [notice] = _notices(job)
    assert notice.recipient == owner.email
    assert "1.250,50" in notice.subject
    assert job.number in notice.body_text
    with tenant_scope(world.tenant):
        actions = set(
            AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True)
        )
    assert {"job.payment_created", "job.payment_settled"} <= actions


def test_paid_checkout_page_shows_the_payment_as_received(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    payment = _create(job, owner)
    payments.settle(payment.reference, "paid", payments.provider_who("test"))
    page = Client().get(reverse("payments:test_checkout", args=[payment.reference]))
    assert page.status_code == 200
    assert "Diese Zahlung ist eingegangen" in page.content.decode()
    assert "Bezahlen (Test)" not in page.content.decode()


def test_cancel_keeps_the_payment_open_for_another_try(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    payment = _create(job, owner)
    customer = Client()
    token = _token(job)
    checkout = _checkout(customer, token, payment).removeprefix("http://127.0.0.1:8000")
    path, query = checkout.split("?")
    signed = parse_qs(query)["zurueck"][0]
    back = customer.post(path, {"entscheidung": "abbrechen", "zurueck": signed})
    assert back.status_code == 302
    assert back["Location"].endswith(reverse("job_pages:page", args=[token]))
    assert _fresh(payment).status == PaymentStatus.CANCELED
    history = _changes(job)[-1]
    assert (history.old, history.new) == ("offen", "abgebrochen")
    assert _events("job.payment_received") == []
    assert _notices(job) == []

    # The customer tries again and pays.
    again = _checkout(customer, token, payment).removeprefix("http://127.0.0.1:8000")
    customer.post(again.split("?")[0], {"entscheidung": "bezahlen"})
    assert _fresh(payment).status == PaymentStatus.PAID
    assert (_changes(job)[-1].old, _changes(job)[-1].new) == ("abgebrochen", "bezahlt")


def test_without_a_valid_return_address_the_checkout_stays_on_its_page(
    world: JobWorld, owner: Any
) -> None:
    payment = _create(_in_order_phase(world, owner), owner)
    url = reverse("payments:test_checkout", args=[payment.reference])
    response = Client().post(url, {"entscheidung": "bezahlen", "zurueck": "https://evil.example/"})
    assert response.status_code == 200  # no open redirect
    assert _fresh(payment).status == PaymentStatus.PAID


def test_a_paid_payment_is_not_paid_again(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    payment = _create(job, owner)
    payments.settle(payment.reference, "paid", payments.provider_who("test"))
    customer = Client()
    token = _token(job)
    response = customer.post(_pay_url(token, payment))
    assert response.status_code == 302
    assert response["Location"] == reverse("job_pages:page", args=[token])


# --- the notification ------------------------------------------------------------------------


def test_forged_signature_is_refused(world: JobWorld, owner: Any) -> None:
    payment = _create(_in_order_phase(world, owner), owner)
    body, headers = TEST_PROVIDER.notification(payment.reference, "paid")
    timestamp = headers["Theke-Signature"].split(",")[0]
    forged = {"Theke-Signature": f"{timestamp},v1={'0' * 64}"}
    client = Client()
    assert _notify(client, body, forged).status_code == 403
    assert _notify(client, body, {}).status_code == 403
    # A signature of another body does not fit this one.
    other = body.replace(b'"paid"', b'"failed"')
    response = _notify(client, other, headers)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert _fresh(payment).status == PaymentStatus.OPEN
    assert _events("job.payment_received") == []


def test_stale_and_unreadable_notifications_are_refused(world: JobWorld, owner: Any) -> None:
    payment = _create(_in_order_phase(world, owner), owner)
    body, headers = TEST_PROVIDER.notification(payment.reference, "paid", now=time.time() - 3600)
    assert _notify(Client(), body, headers).status_code == 400
    body, headers = TEST_PROVIDER.notification(payment.reference, "refunded")
    assert _notify(Client(), body, headers).status_code == 400
    assert _fresh(payment).status == PaymentStatus.OPEN


def test_unknown_provider_and_unknown_checkout_are_404(world: JobWorld, owner: Any) -> None:
    payment = _create(_in_order_phase(world, owner), owner)
    body, headers = TEST_PROVIDER.notification(payment.reference, "paid")
    assert _notify(Client(), body, headers, provider="paypal").status_code == 404
    body, headers = TEST_PROVIDER.notification("test_unknown", "paid")
    assert _notify(Client(), body, headers).status_code == 404
    assert Client().get(reverse("payments:notification", args=["test"])).status_code == 405


def test_double_notification_has_one_outcome(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    payment = _create(job, owner)
    body, headers = TEST_PROVIDER.notification(payment.reference, "paid")
    first = _notify(Client(), body, headers)
    second = _notify(Client(), body, headers)  # the provider retries, or someone replays it
    assert first.status_code == second.status_code == 200
    assert json.loads(second.content) == {"reference": payment.reference, "status": "paid"}
    paid_at = _fresh(payment).paid_at
    # A late "canceled" after "paid" changes nothing either.
    body, headers = TEST_PROVIDER.notification(payment.reference, "canceled")
    assert _notify(Client(), body, headers).status_code == 200
    assert _fresh(payment).status == PaymentStatus.PAID
    assert _fresh(payment).paid_at == paid_at
    assert [(c.old, c.new) for c in _changes(job)] == [("", SHOWN), ("offen", "bezahlt")]
    assert len(_events("job.payment_received")) == 1
    assert len(_notices(job)) == 1


def test_a_repeated_cancel_writes_one_history_line(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    payment = _create(job, owner)
    who = payments.provider_who("test")
    payments.settle(payment.reference, "canceled", who)
    payments.settle(payment.reference, "canceled", who)
    assert [(c.old, c.new) for c in _changes(job)][1:] == [("offen", "abgebrochen")]


def test_payment_of_a_job_archived_meanwhile_is_still_recorded(world: JobWorld, owner: Any) -> None:
    """The money arrived: the notification is recorded even if staff closed the job."""
    job = _in_order_phase(world, owner)
    payment = _create(job, owner)
    _update(job, status=JobStatus.CLOSED)
    payments.settle(payment.reference, "paid", payments.provider_who("test"))
    assert _fresh(payment).status == PaymentStatus.PAID


def test_test_job_tells_only_its_tester(world: JobWorld, owner: Any, colleague: Any) -> None:
    job = _in_order_phase(world, owner)
    _update(job, is_test=True, test_owner=colleague)
    payment = _create(_job(job), owner)
    payments.settle(payment.reference, "paid", payments.provider_who("test"))
    [notice] = _notices(job)
    assert notice.recipient == colleague.email
    assert _events("job.payment_received") == []


# --- making the link: amounts and refusals ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Der Betrag muss größer als 0 € sein."),
        ("-5", "Der Betrag muss größer als 0 € sein."),
        ("1000000,01", "Der Betrag darf höchstens 1.000.000,00\xa0€ betragen."),
        ("12,345", "Bitte geben Sie den Betrag mit höchstens zwei Nachkommastellen an."),
        ("zwölf", "Bitte geben Sie den Betrag als Zahl an, z. B. 1250,00."),
        ("", "Bitte geben Sie den Betrag als Zahl an, z. B. 1250,00."),
    ],
)
def test_amount_is_checked_with_a_clear_message(
    world: JobWorld, owner: Any, typed: str, message: str
) -> None:
    job = _in_order_phase(world, owner)
    with pytest.raises(ServiceError) as refused:
        _create(job, owner, amount=typed)
    assert refused.value.messages == [message]
    assert refused.value.field == "amount"
    with tenant_scope(world.tenant):
        assert not Payment.objects.filter(job=job).exists()


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1000000", "1000000.00"),
        ("1.000.000,00", "1000000.00"),
        ("0,01", "0.01"),
        ("1250.5", "1250.50"),
        ("1.250 €", "1250.00"),
        ("89,90", "89.90"),
    ],
)
def test_amounts_as_people_type_them(world: JobWorld, owner: Any, typed: str, amount: str) -> None:
    payment = _create(_in_order_phase(world, owner), owner, amount=typed)
    assert payment.amount == Decimal(amount)


def test_refused_amount_comes_back_at_the_field(
    world: JobWorld, owner: Any, owner_client: Client
) -> None:
    job = _in_order_phase(world, owner)
    response = owner_client.post(
        reverse("jobs:payment_create", args=[job.pk, FIELD]),
        {"payment-amount": "0", "payment-purpose": "Anzahlung"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Der Betrag muss größer als 0 € sein." in text
    assert 'value="Anzahlung"' in text  # what was typed stays


def test_empty_purpose_becomes_number_and_title(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    payment = _create(job, owner, purpose="  ")
    assert payment.purpose == f"{job.number} VW Golf 8 Variant"


def test_payment_field_must_be_editable_in_the_current_phase(world: JobWorld, owner: Any) -> None:
    job = world.start(assignee=owner)  # "Rückruf angefordert" has no payment field
    with pytest.raises(ServiceError) as refused:
        _create(job, owner)
    assert refused.value.code == "no_payment_field"
    # "Zahlung eingegangen" shows it read-only to staff.
    job = activate_phase(job, "zahlung", Who.staff(owner), expected_phase="rueckruf")
    with pytest.raises(ServiceError):
        _create(job, owner)
    job = activate_phase(job, "bestellung", Who.staff(owner), expected_phase="zahlung")
    with pytest.raises(ServiceError):
        payments.create_payment(job, "rechnung", "10", "", Who.staff(owner))  # not a payment


def test_archived_job_takes_no_payment_link(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    _update(job, status=JobStatus.CANCELED)
    with pytest.raises(ServiceError) as refused:
        _create(_job(job), owner)
    assert refused.value.code == "archived"


def test_customer_cannot_pay_on_an_archived_job(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    payment = _create(job, owner)
    _update(job, status=JobStatus.CLOSED)
    token = _token(job)
    response = Client().post(_pay_url(token, payment))
    assert response["Location"] == reverse("job_pages:page", args=[token])
    assert _fresh(payment).status == PaymentStatus.OPEN


def test_provider_refusing_the_checkout_is_a_clear_message(
    world: JobWorld, owner: Any, monkeypatch: Any
) -> None:
    def refuse(**kwargs: Any) -> Checkout:
        raise ProviderError("down")

    monkeypatch.setattr(TEST_PROVIDER, "create_checkout", refuse)
    job = _in_order_phase(world, owner)
    with pytest.raises(ServiceError) as refused:
        _create(job, owner)
    assert refused.value.code == "provider"
    with tenant_scope(world.tenant):
        assert not Payment.objects.filter(job=job).exists()


def test_a_colleague_with_jobs_use_makes_links(world: JobWorld, owner: Any, colleague: Any) -> None:
    job = _in_order_phase(world, owner)
    client = Client()
    client.force_login(colleague)
    response = client.post(
        reverse("jobs:payment_create", args=[job.pk, FIELD]), {"payment-amount": "10"}
    )
    assert response.status_code == 302


# --- other jobs, other tenants ---------------------------------------------------------------


def test_another_tenants_staff_gets_404(
    world: JobWorld, owner: Any, outsider_client: Client
) -> None:
    job = _in_order_phase(world, owner)
    response = outsider_client.post(
        reverse("jobs:payment_create", args=[job.pk, FIELD]), {"payment-amount": "10"}
    )
    assert response.status_code == 404
    with tenant_scope(world.tenant):
        assert not Payment.objects.filter(job=job).exists()


def test_payment_of_another_job_or_tenant_is_404(
    world: JobWorld, owner: Any, tenant_b: Any, outsider: Any
) -> None:
    job = _in_order_phase(world, owner)
    other_job = _in_order_phase(world, owner)
    foreign = _create(other_job, owner)
    token = _token(job)
    assert Client().post(_pay_url(token, foreign)).status_code == 404

    world_b = make_job_world(tenant_b)
    job_b = _in_order_phase(world_b, outsider)
    token_b = _token(job_b)
    assert Client().post(_pay_url(token_b, foreign)).status_code == 404
    assert Client().post(_pay_url("kein-token-0000000000", foreign)).status_code == 404
    assert _fresh(foreign).status == PaymentStatus.OPEN


def test_unknown_checkout_page_is_404(db: None) -> None:
    assert Client().get(reverse("payments:test_checkout", args=["test_nope"])).status_code == 404


def test_pay_is_post_only(world: JobWorld, owner: Any) -> None:
    job = _in_order_phase(world, owner)
    payment = _create(job, owner)
    assert Client().get(_pay_url(_token(job), payment)).status_code == 405
