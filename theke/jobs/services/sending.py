"""The job manager's messages: a phase's text to the customer on activation, and a notice
to staff when the customer saved. Outbox rows only, inside the caller's transaction.

A test job (the workflow editor's test mode) sends every message to the staff member who
tests, never to a customer.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.audit.services import record
from theke.core.errors import ServiceError
from theke.customers.models import Contact
from theke.jobs.definition import PhaseDef
from theke.jobs.models import ARCHIVED_STATUSES, Job, JobChange, JobStatus
from theke.jobs.services.links import job_link_url
from theke.jobs.services.workflows import version_compiled
from theke.messaging.models import OutboundMessage
from theke.messaging.purposes import EMAIL, SMS
from theke.messaging.services import outbox
from theke.messaging.services import templates as message_templates
from theke.tenants.scoping import tenant_scope

if TYPE_CHECKING:
    from theke.jobs.services.jobs import Who

PHASE_PURPOSE = "job_phase"
SAVED_PURPOSE = "job_customer_saved"


def _vehicle(job: Job) -> str:
    if job.vehicle is None:
        return ""
    vehicle = job.vehicle
    parts = [f"{vehicle.make} {vehicle.model}".strip(), vehicle.license_plate]
    return ", ".join(p for p in parts if p)


def _context(job: Job, phase: PhaseDef, link: str) -> dict[str, str]:
    return {
        "job_number": job.number,
        "job_title": job.title or job.number,
        "phase": phase.name,
        "vehicle": _vehicle(job),
        "link": link,
    }


def _recipient(job: Job) -> Contact | None:
    contact = job.contact
    if contact is None:
        contact = job.customer.contacts.exclude(email="").order_by("pk").first()
    return contact


def send_phase_message(job: Job, phase: PhaseDef, now: datetime.datetime) -> None:
    """Queue the phase's named text by e-mail (and SMS when the phase asks and the contact
    agreed); the link opens the job's Parkplatz."""
    key = f"job:{job.pk}:phase:{phase.key}:{now.isoformat()}"
    if job.is_test:
        if job.test_owner is None:
            return
        message_templates.send_templated(
            job.tenant,
            purpose=PHASE_PURPOSE,
            channel=EMAIL,
            contact=None,
            context=_context(job, phase, job_link_url(job)),
            related=job,
            dedupe_key=key,
            recipient=job.test_owner.email,
            recipient_name=str(job.test_owner),
            language=job.test_owner.language,
            template_name=phase.message,
        )
        return
    contact = _recipient(job)
    if contact is None:
        return
    link = job_link_url(job, contact)
    if contact.email:
        message_templates.send_templated(
            job.tenant,
            purpose=PHASE_PURPOSE,
            channel=EMAIL,
            contact=contact,
            context=_context(job, phase, link),
            related=job,
            dedupe_key=key + ":email",
            template_name=phase.message,
        )
    if phase.message_sms and outbox.sms_allowed(job.tenant, contact):
        message_templates.send_templated(
            job.tenant,
            purpose=PHASE_PURPOSE,
            channel=SMS,
            contact=contact,
            context=_context(job, phase, link),
            related=job,
            dedupe_key=key + ":sms",
            template_name=phase.message,
        )


def staff_job_url(job: Job) -> str:
    return settings.BASE_URL + reverse("jobs:job", args=[job.pk])


def tell_staff_customer_saved(job: Job, phase: PhaseDef, changes: Sequence[JobChange]) -> None:
    """Tell the job's assignee (else the company's address) what the customer saved."""
    recipient = job.assignee.email if job.assignee_id and job.assignee else ""
    recipient = recipient or job.tenant.notification_address
    if not recipient:
        return
    lines = [f"{c.field_label}: {c.new}" for c in changes] or ["—"]
    message_templates.send_templated(
        job.tenant,
        purpose=SAVED_PURPOSE,
        channel=EMAIL,
        contact=None,
        context={
            **_context(job, phase, staff_job_url(job)),
            "customer": str(job.contact or job.customer),
            "changes": "\n".join(lines),
        },
        related=job,
        dedupe_key=f"job:{job.pk}:saved:{job.saved.get(f'{phase.key}:customer', '')}",
        recipient=recipient,
        language=job.assignee.language if job.assignee_id and job.assignee else None,
    )


# --- staff pages ---

LINK_PURPOSE = "job_link"


def send_job_link(job: Job, who: Who) -> OutboundMessage:
    """ "Parkplatz-Link senden": e-mail the customer a fresh link to the job's Parkplatz (a
    test job's goes to the testing staff member)."""
    now = timezone.now()
    if job.is_test:
        contact, address = None, job.test_owner.email if job.test_owner else ""
    else:
        contact = _recipient(job)
        address = contact.email if contact is not None else ""
    if not address:
        raise ServiceError(
            _("Der Kunde hat keine E-Mail-Adresse: kopieren Sie den Link stattdessen."),
            None,
            code="no_email",
        )
    phase = version_compiled(job.version).definition.phase(job.phase_key)
    with tenant_scope(job.tenant), transaction.atomic():
        message = message_templates.send_templated(
            job.tenant,
            purpose=LINK_PURPOSE,
            channel=EMAIL,
            contact=contact,
            context=_context_link(job, phase, job_link_url(job, contact)),
            related=job,
            dedupe_key=f"job:{job.pk}:link:{now.isoformat()}",
            recipient=address if contact is None else "",
        )
        record(job.tenant, who.actor, "job.link_sent", job, {"to": address})
    return message


def copy_job_link(job: Job, who: Who) -> str:
    """ "Parkplatz-Link kopieren": a fresh link for staff to hand over themselves."""
    with tenant_scope(job.tenant), transaction.atomic():
        url = job_link_url(job)
        record(job.tenant, who.actor, "job.link_issued", job, {})
    return url


def _context_link(job: Job, phase: PhaseDef | None, link: str) -> dict[str, str]:
    return _context(job, phase or PhaseDef(job.phase_key, job.phase_key), link)


def phase_message_plan(job: Job, phase: PhaseDef) -> str:
    """What activating `phase` would send, in words for the staff page: "sendet „Angebot
    bereitgestellt“ per E-Mail und SMS", or "keine Nachricht: …" with the reason."""
    if not phase.message:
        return _("keine Nachricht: der Phase ist keine Nachricht zugeordnet")
    if job.suppress_messages:
        return _("keine Nachricht: Nachrichten unterdrückt")
    if job.status in ARCHIVED_STATUSES:
        return _("keine Nachricht: Job %(status)s") % {"status": JobStatus(job.status).label}
    if job.is_test:
        return _("sendet „%(text)s“ per E-Mail an Sie (Testjob)") % {"text": phase.message}
    contact = _recipient(job)
    email = contact is not None and bool(contact.email)
    sms = phase.message_sms and outbox.sms_allowed(job.tenant, contact)
    if email and sms:
        channels = _("E-Mail und SMS")
    elif email or sms:
        channels = _("E-Mail") if email else _("SMS")
    else:
        return _("keine Nachricht: der Kunde hat keine E-Mail-Adresse")
    return _("sendet „%(text)s“ per %(channels)s") % {"text": phase.message, "channels": channels}
