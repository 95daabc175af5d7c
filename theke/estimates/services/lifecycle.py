"""What happens to estimates over time, run by the worker: expiry and the one reminder.

Both sweeps are idempotent and pick their rows again under a lock, so two workers or a
rerun after a crash change and send each estimate once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.audit.feed import emit_event
from theke.audit.services import SYSTEM, record
from theke.customers.models import Contact
from theke.estimates.messages import ESTIMATE_REMINDER
from theke.estimates.models import Estimate, EstimateSettings, EstimateStatus
from theke.estimates.services.common import EstimateError
from theke.estimates.services.links import create_link, send_link
from theke.messaging.purposes import EMAIL, SMS
from theke.messaging.services.outbox import sms_allowed
from theke.tenants.scoping import scopes_disabled, tenant_scope

# Waiting for the customer's answer: these expire and get reminded.
WAITING_STATUSES = (EstimateStatus.SENT, EstimateStatus.VIEWED)


def expire_overdue(today: datetime | None = None) -> int:
    """Mark waiting estimates whose validity date has passed as expired; returns how many."""
    day = timezone.localdate(today) if today else timezone.localdate()
    with scopes_disabled():
        due = list(
            Estimate.objects.filter(status__in=WAITING_STATUSES, valid_until__lt=day).values_list(
                "pk", flat=True
            )
        )
    return sum(_expire_one(pk, day) for pk in due)


@transaction.atomic
def _expire_one(pk: int, day: date) -> bool:
    with scopes_disabled():
        estimate = (
            Estimate.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .filter(pk=pk, status__in=WAITING_STATUSES, valid_until__lt=day)
            .first()
        )
        if estimate is None:  # answered, revised or expired by another worker meanwhile
            return False
        estimate.status = EstimateStatus.EXPIRED
        estimate.save(update_fields=["status", "updated_at"])
        assert estimate.valid_until is not None
        record(
            estimate.tenant,
            SYSTEM,
            "estimate.expired",
            estimate,
            {"valid_until": estimate.valid_until.isoformat()},
        )
        emit_event(
            estimate.tenant,
            "estimate.expired",
            subject_type="estimate",
            external_id=estimate.external_id,
            payload={"version": estimate.version, "valid_until": estimate.valid_until.isoformat()},
        )
    return True


def remind_unanswered(now: datetime | None = None) -> int:
    """Send the one reminder of every estimate waiting longer than its tenant's setting.

    Off unless the tenant set `reminder_days`. The reminder carries a new link (only hashes
    of the old ones are stored); returns how many estimates were reminded.
    """
    now = now or timezone.now()
    with scopes_disabled():
        settings_rows = list(
            EstimateSettings.objects.filter(reminder_days__isnull=False).values_list(
                "tenant_id", "reminder_days"
            )
        )
        due: list[int] = []
        for tenant_id, days in settings_rows:
            due += Estimate.objects.filter(
                tenant_id=tenant_id,
                status__in=WAITING_STATUSES,
                has_data=True,
                customer__isnull=False,
                reminded_at__isnull=True,
                sent_at__lte=now - timedelta(days=days or 0),
            ).values_list("pk", flat=True)
    return sum(_remind_one(pk, now) for pk in due)


def _channels_for(contact: Contact) -> list[str]:
    """E-mail where the contact has an address, else SMS where allowed: one reminder, not two."""
    if contact.email:
        return [EMAIL]
    if sms_allowed(contact.tenant, contact):
        return [SMS]
    return []


@transaction.atomic
def _remind_one(pk: int, now: datetime) -> bool:
    with scopes_disabled():
        estimate = (
            Estimate.objects.select_for_update(of=("self",))
            .select_related("tenant", "customer", "contact")
            .filter(pk=pk, status__in=WAITING_STATUSES, reminded_at__isnull=True)
            .first()
        )
    if estimate is None:  # answered, revised or reminded by another worker meanwhile
        return False
    tenant = estimate.tenant
    with tenant_scope(tenant):
        estimate.reminded_at = now
        estimate.save(update_fields=["reminded_at", "updated_at"])
        contact = estimate.contact or Contact.objects.filter(customer=estimate.customer).first()
        channels = _channels_for(contact) if contact is not None else []
        try:
            if contact is None or not channels:
                raise EstimateError(
                    _("Kein Ansprechpartner mit E-Mail-Adresse oder SMS-Zustimmung."),
                    "contact",
                    "unreachable",
                )
            with transaction.atomic():  # a refused send takes its new link back with it
                link, token = create_link(tenant, SYSTEM, estimate.external_id)
                send_link(
                    link,
                    token,
                    SYSTEM,
                    channels,
                    contact,
                    purpose=ESTIMATE_REMINDER,
                    action="estimate.reminder_sent",
                )
        except EstimateError as error:
            record(
                tenant,
                SYSTEM,
                "estimate.reminder_impossible",
                estimate,
                {"reason": error.messages[0]},
            )
            return False
    return True
