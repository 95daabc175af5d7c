"""Payments of a job's payment field: staff make a payment link, the customer pays at the
provider (theke.jobs.payments), and the provider's signed notification settles it.

Only a verified notification sets "paid" (never the customer's browser coming back). Settling
locks the job and then the payment (as making one locks the job first), so two notifications
of one checkout, or a notification and a retry, have one outcome: "paid" is final, and
a repeated state changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.core.formatting import money
from theke.jobs import payments as providers
from theke.jobs.definition import FieldDef, PhaseDef
from theke.jobs.models import (
    ARCHIVED_STATUSES,
    ActorKind,
    FieldType,
    Job,
    Payment,
    PaymentStatus,
    View,
    Waiting,
)
from theke.jobs.services import sending
from theke.jobs.services.jobs import (
    Who,
    _change,
    _lock,
    _refuse_archived,
    compiled_of,
    job_payload,
    values_for_rules,
    was_saved,
)
from theke.jobs.values import display, put, stored
from theke.messaging.purposes import EMAIL
from theke.messaging.services import templates as message_templates
from theke.tenants.scoping import scopes_disabled, tenant_scope

MAX_AMOUNT = Decimal("1000000.00")
PURPOSE_LENGTH = 140
PAID_PURPOSE = "job_payment_received"
# Open, failed and canceled checkouts may be tried again; a paid one is done.
PAYABLE = (PaymentStatus.OPEN, PaymentStatus.FAILED, PaymentStatus.CANCELED)


def provider_who(code: str) -> Who:
    """The payment provider as the author of a settled payment in the job's history."""
    provider = providers.get_provider(code)
    name = str(_("Zahlungsanbieter")) + (f" ({provider.label})" if provider else f" ({code})")
    return Who(
        Actor(ActorType.SYSTEM, id=f"payment-provider:{code}", label=name), ActorKind.SYSTEM, name
    )


# --- making a payment link (staff) -----------------------------------------------------------


def parse_amount(text: str) -> Decimal:
    """An amount as people type it: "1.250,50", "1250,5", "1250.50", "1.250 €"."""
    cleaned = str(text or "").replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif cleaned.count(".") > 1 or (cleaned.count(".") == 1 and len(cleaned.split(".")[1]) == 3):
        cleaned = cleaned.replace(".", "")  # "1.250" is a thousand separator in German
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ServiceError(
            _("Bitte geben Sie den Betrag als Zahl an, z. B. 1250,00."), "amount", "amount_invalid"
        ) from None
    if not amount.is_finite():
        raise ServiceError(
            _("Bitte geben Sie den Betrag als Zahl an, z. B. 1250,00."), "amount", "amount_invalid"
        )
    return amount


def check_amount(amount: Decimal) -> Decimal:
    """More than 0 and at most 1,000,000.00, in cents."""
    if amount <= 0:
        raise ServiceError(_("Der Betrag muss größer als 0 € sein."), "amount", "amount_low")
    if amount > MAX_AMOUNT:
        raise ServiceError(
            _("Der Betrag darf höchstens %(max)s betragen.") % {"max": money(MAX_AMOUNT)},
            "amount",
            "amount_high",
        )
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(
            _("Bitte geben Sie den Betrag mit höchstens zwei Nachkommastellen an."),
            "amount",
            "amount_cents",
        )
    return amount.quantize(Decimal("0.01"))


def _payment_entry(job: Job, field_key: str) -> tuple[PhaseDef, FieldDef, str]:
    """The payment field as staff may fill it now: in the current phase's staff view, shown
    and not read-only (its phase, field and label)."""
    made = compiled_of(job)
    phase = made.definition.phase(job.phase_key)
    if phase is not None:
        values = values_for_rules(job, logged_in=False)
        sent = was_saved(job, phase.key, View.STAFF)
        for shown in made.shown(phase, View.STAFF, values, sent=sent):
            if (
                shown.field.key == field_key
                and shown.field.type == FieldType.PAYMENT
                and shown.visible
                and shown.editable
            ):
                return phase, shown.field, shown.label
    raise ServiceError(
        _("In der aktuellen Phase gibt es dieses Zahlungsfeld nicht."), None, "no_payment_field"
    )


def create_payment(
    job: Job, field_key: str, amount: Decimal | str, purpose: str, who: Who
) -> Payment:
    """A payment link for the job's payment field: a checkout at the provider, the Payment
    row, the field's value (the newest payment), a history line and the audit event."""
    value = check_amount(parse_amount(amount) if isinstance(amount, str) else Decimal(amount))
    text = " ".join(str(purpose or "").split())[:PURPOSE_LENGTH]
    with tenant_scope(job.tenant), transaction.atomic():
        locked = _lock(job)
        _refuse_archived(locked)
        phase, item, label = _payment_entry(locked, field_key)
        text = text or f"{locked.number} {locked.title}".strip()[:PURPOSE_LENGTH]
        provider = providers.current_provider()
        try:
            checkout = provider.create_checkout(
                amount=value, purpose=text, tenant_name=locked.tenant.name
            )
        except providers.ProviderError:
            raise ServiceError(
                _(
                    "Der Zahlungsanbieter hat den Zahlungslink nicht angelegt. Bitte versuchen "
                    "Sie es später erneut."
                ),
                None,
                "provider",
            ) from None
        payment = Payment.objects.create(
            tenant=locked.tenant,
            job=locked,
            field_key=item.key,
            provider=provider.code,
            amount=value,
            purpose=text,
            reference=checkout.reference,
        )
        old = stored(locked, item)
        new = {"id": payment.pk, "name": money(value), "status": PaymentStatus.OPEN.value}
        put(locked, item, new)
        locked.waiting_for = Waiting.CUSTOMER  # the customer pays next
        locked.save(update_fields=["values", "waiting_for", "updated_at"])
        _change(locked, who, phase, item.key, label, display(item, old), display(item, new)).save()
        record(
            locked.tenant,
            who.actor,
            "job.payment_created",
            locked,
            {
                "payment": payment.pk,
                "field": item.key,
                "amount": str(value),
                "purpose": text,
                "provider": provider.code,
            },
        )
    return payment


# --- paying (the customer) -------------------------------------------------------------------


def start_checkout(payment: Payment, return_url: str) -> str:
    """Where the customer pays this payment now (the provider sends them to `return_url`)."""
    if payment.status == PaymentStatus.PAID:
        raise ServiceError(_("Diese Zahlung ist bereits eingegangen."), None, "paid")
    if payment.job.status in ARCHIVED_STATUSES:
        raise ServiceError(
            _("Dieser Vorgang ist abgeschlossen; die Zahlung ist nicht mehr möglich."),
            None,
            "archived",
        )
    provider = providers.get_provider(payment.provider)
    if provider is None:
        raise ServiceError(
            _("Diese Zahlung ist zurzeit nicht möglich. Bitte wenden Sie sich an uns."),
            None,
            "provider",
        )
    return provider.checkout_url(payment.reference, return_url=return_url)


# --- the provider's notification -------------------------------------------------------------


class UnknownProvider(Exception):
    pass


def receive_notification(
    provider_code: str, body: bytes, headers: Mapping[str, str]
) -> Payment | None:
    """Check and apply a provider's notification (the webhook, and the test provider's page).

    Raises UnknownProvider, or NotificationRefused for a forged, stale or unreadable one;
    returns None for a checkout that is no payment of ours (of this provider).
    """
    provider = providers.get_provider(provider_code)
    if provider is None:
        raise UnknownProvider(provider_code)
    notification = provider.read_notification(body, headers)
    with scopes_disabled():
        known = Payment.objects.filter(
            reference=notification.reference, provider=provider_code
        ).exists()
    if not known:
        return None
    return settle(notification.reference, notification.status, provider_who(provider_code))


def settle(reference: str, status: str, who: Who) -> Payment:
    """Apply a checkout's verified outcome: paid (final: `paid_at`, history "offen → bezahlt",
    audit, feed `job.payment_received`, notice to staff), failed or canceled (the customer
    may try again). A repeated or late notification changes nothing."""
    if status not in providers.OUTCOMES:
        raise ValueError(f"not an outcome: {status!r}")
    with scopes_disabled():
        found = Payment.objects.select_related("tenant").get(reference=reference)
    with tenant_scope(found.tenant), transaction.atomic():
        job = _lock(found.job)  # the job first, as creating a payment does
        payment = Payment.objects.select_for_update().get(pk=found.pk)
        if payment.status == PaymentStatus.PAID or payment.status == status:
            return payment
        old_status = PaymentStatus(payment.status)
        now = timezone.now()
        payment.status = status
        if status == PaymentStatus.PAID:
            payment.paid_at = now
        payment.save(update_fields=["status", "paid_at"])
        made = compiled_of(job)
        item = made.definition.fields.get(payment.field_key)
        label = item.label if item is not None else payment.field_key
        value = stored(job, item) if item is not None else None
        if item is not None and isinstance(value, dict) and value.get("id") == payment.pk:
            put(job, item, {**value, "status": status})
        if status == PaymentStatus.PAID:
            job.waiting_for = Waiting.STAFF
        job.save(update_fields=["values", "waiting_for", "updated_at"])
        phase = made.definition.phase(job.phase_key)
        _change(
            job,
            who,
            phase,
            payment.field_key,
            label,
            str(old_status.label),
            str(PaymentStatus(status).label),
        ).save()
        record(
            job.tenant,
            who.actor,
            "job.payment_settled",
            job,
            {
                "payment": payment.pk,
                "status": status,
                "previous": old_status.value,
                "amount": str(payment.amount),
            },
        )
        if status == PaymentStatus.PAID:
            if not job.is_test:
                emit_event(
                    job.tenant,
                    "job.payment_received",
                    subject_type="job",
                    external_id=job.external_id,
                    payload={**job_payload(job, phase), "payment": payment_payload(payment)},
                )
            _tell_staff_paid(job, payment, phase)
    return payment


def payment_payload(payment: Payment) -> dict[str, Any]:
    """A payment as the feed tells it."""
    return {
        "id": payment.pk,
        "field": payment.field_key,
        "amount": str(payment.amount),
        "currency": "EUR",
        "purpose": payment.purpose,
        "provider": payment.provider,
        "reference": payment.reference,
        "status": payment.status,
        "paid_at": payment.paid_at,
    }


def _tell_staff_paid(job: Job, payment: Payment, phase: PhaseDef | None) -> None:
    """The job's assignee (else the company's address; a test job's tester) learns of it."""
    if job.is_test:
        recipient = job.test_owner.email if job.test_owner is not None else ""
        language = job.test_owner.language if job.test_owner is not None else None
    else:
        recipient = job.assignee.email if job.assignee is not None else ""
        recipient = recipient or job.tenant.notification_address
        language = job.assignee.language if job.assignee is not None else None
    if not recipient:
        return
    message_templates.send_templated(
        job.tenant,
        purpose=PAID_PURPOSE,
        channel=EMAIL,
        contact=None,
        context={
            "job_number": job.number,
            "job_title": job.title or job.number,
            "phase": phase.name if phase else job.phase_key,
            "vehicle": sending._vehicle(job),
            "link": sending.staff_job_url(job),
            "customer": str(job.contact or job.customer),
            "amount": money(payment.amount),
            "payment_purpose": payment.purpose,
        },
        related=job,
        dedupe_key=f"job:{job.pk}:payment:{payment.pk}:paid",
        recipient=recipient,
        language=language or None,
    )
