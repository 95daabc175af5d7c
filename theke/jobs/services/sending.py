"""The job manager's messages: a phase's text to the customer on activation, and a notice
to staff when the customer saved. Outbox rows only, inside the caller's transaction.

A test job (the workflow editor's test mode) sends every message to the staff member who
tests, never to a customer.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from theke.customers.models import Contact
from theke.jobs.definition import PhaseDef
from theke.jobs.models import Job, JobChange
from theke.jobs.services.links import job_link_url
from theke.messaging.purposes import EMAIL, SMS
from theke.messaging.services import outbox
from theke.messaging.services import templates as message_templates

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
            **_context(job, phase, ""),
            "customer": str(job.contact or job.customer),
            "changes": "\n".join(lines),
            "staff_link": staff_job_url(job),
        },
        related=job,
        dedupe_key=f"job:{job.pk}:saved:{job.saved.get(f'{phase.key}:customer', '')}",
        recipient=recipient,
        language=job.assignee.language if job.assignee_id and job.assignee else None,
    )
