"""The ground every lead change stands on: the lock, the allowed status transitions, the
rights on closed leads, and the audit event and API event of a change.

The changes themselves live beside this module (`booking`, `lead_actions`, `conversion`);
each locks its lead with `lock_lead`, checks with `check_transition`, and ends with
`save_transition`, so every status change is recorded the same way.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.appointments.models import Appointment, Lead, LeadStatus
from theke.audit.feed import emit_event
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.tenants.models import Tenant

__all__ = [
    "EDIT_CANCELLED_LEADS",
    "LEAD_TRANSITIONS",
    "LeadError",
    "check_may_touch",
    "check_transition",
    "lead_payload",
    "lock_lead",
    "mark_lead_of_cancelled_appointment",
    "open_leads",
    "save_transition",
    "search_text_of",
]

EDIT_CANCELLED_LEADS = "appointments.edit_cancelled_leads"

L = LeadStatus
# Which status may follow which. Rejected and cancelled-by-customer leads come back (reopen,
# convert) only for staff with EDIT_CANCELLED_LEADS (check_may_touch); a lead whose
# appointment was cancelled ("Storniert") stays workable with the lead-manager right.
LEAD_TRANSITIONS: dict[str, frozenset[str]] = {
    L.NEW: frozenset({L.PLANNED, L.REJECTED, L.CANCELLED_BY_CUSTOMER}),
    # The customer may cancel a planned lead too (its appointment is cancelled with it).
    L.PLANNED: frozenset({L.CANCELLED, L.CANCELLED_BY_CUSTOMER}),
    L.REJECTED: frozenset({L.NEW, L.PLANNED}),
    L.CANCELLED_BY_CUSTOMER: frozenset({L.NEW, L.PLANNED}),
    L.CANCELLED: frozenset({L.NEW, L.PLANNED, L.REJECTED}),
}

# The statuses a lead can be decided from, and the events the back office reads.
DECIDED_STATUSES = frozenset({L.PLANNED, L.REJECTED, L.CANCELLED_BY_CUSTOMER})


class LeadError(ServiceError):
    """A refused change of a lead; `field` names the input at fault, or None."""


def open_leads(tenant: Tenant) -> QuerySet[Lead]:
    """The leads waiting for staff (status "Neu"): the badge, the tile, the default list."""
    return Lead.objects.filter(tenant=tenant, status=LeadStatus.NEW)


def check_may_touch(user: User, lead: Lead) -> None:
    """Refuse (403) reopening, editing or converting a rejected or customer-cancelled lead
    without the right "Stornierte Terminleads bearbeiten"."""
    if lead.is_closed and not user.has_perm(EDIT_CANCELLED_LEADS):
        raise PermissionDenied(EDIT_CANCELLED_LEADS)


def lock_lead(lead: Lead) -> Lead:
    """The lead, re-read under a row lock (call inside the change's transaction).

    Only the lead's row: locking the joined branch and tenant too would deadlock with a
    booking that holds the branch lock and inserts a lead (its foreign keys wait on them).
    """
    return (
        Lead.objects.select_for_update(of=("self",))
        .select_related("branch", "tenant")
        .get(pk=lead.pk)
    )


def check_transition(lead: Lead, new_status: str) -> None:
    """Refuse a status change the lead's life does not allow, with a message for staff."""
    if new_status not in LEAD_TRANSITIONS[lead.status]:
        raise LeadError(
            _("Die Terminanfrage hat den Status „%(status)s“ und kann so nicht geändert werden.")
            % {"status": lead.get_status_display()},
            None,
            "invalid_transition",
        )


def save_transition(
    lead: Lead,
    new_status: str,
    actor: Actor,
    *,
    action: str,
    data: dict[str, Any] | None = None,
    event: str | None = None,
) -> Lead:
    """Set the status (after check_transition), save, write the audit event `action` and,
    when given, the API event `event` (e.g. "lead.rejected")."""
    lead.status = new_status
    if new_status in DECIDED_STATUSES:
        lead.decided_at = timezone.now()
        lead.decided_by_id = actor.user_id
    elif new_status == L.NEW:
        lead.decided_at = None
        lead.decided_by = None
    lead.search_text = search_text_of(lead)
    lead.save()
    record(lead.tenant, actor, action, lead, {"status": new_status, **(data or {})})
    if event is not None:
        emit_event(lead.tenant, event, subject_type="lead", payload=lead_payload(lead))
    return lead


def search_text_of(lead: Lead) -> str:
    """The LiveSearch column: names, e-mail, phone digits, plate, VIN, services, lower-cased."""
    phone = "".join(ch for ch in str(lead.mobile_phone or "") if ch.isdigit())
    services = " ".join(str(s.get("name", "")) for s in lead.services_booked or [])
    parts = [
        lead.first_name,
        lead.last_name,
        lead.email,
        phone,
        lead.license_plate,
        lead.license_plate.replace(" ", "").replace("-", ""),
        lead.vin,
        lead.make,
        lead.model,
        lead.customer_number,
        lead.postal_code,
        lead.city,
        services,
    ]
    return " ".join(p for p in parts if p).lower()


def lead_payload(lead: Lead) -> dict[str, Any]:
    """What the back office reads about a lead (API events and `GET /api/v1/leads`)."""
    return {
        "uid": str(lead.uid),
        "status": lead.status,
        "branch_id": lead.branch_id,
        "branch_external_id": lead.branch.external_id or None,
        "start": lead.start,
        "end": lead.end,
        "services": lead.services_booked,
        "customer_number": lead.customer_number or None,
        "customer_external_id": (lead.customer.external_id or None) if lead.customer else None,
        "salutation": lead.salutation,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "mobile_phone": str(lead.mobile_phone) if lead.mobile_phone else None,
        "street": lead.street,
        "postal_code": lead.postal_code,
        "city": lead.city,
        "language": lead.language,
        "vin": lead.vin or None,
        "license_plate": lead.license_plate or None,
        "make": lead.make,
        "model": lead.model,
        "mileage_km": lead.mileage_km,
        "note": lead.note,
        # Which legal texts the customer accepted; all null for a lead booked through the API
        # (the caller answers for the customer's consent).
        "consent": {
            "terms_version": lead.terms_text.version if lead.terms_text else None,
            "privacy_version": lead.privacy_text.version if lead.privacy_text else None,
            "consented_at": lead.consented_at,
        },
        "appointment_uid": str(lead.appointment.uid) if lead.appointment else None,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
    }


def mark_lead_of_cancelled_appointment(appointment: Appointment, actor: Actor) -> None:
    """An appointment made from a lead was cancelled (by staff, the customer or the back
    office): its lead becomes "Storniert". Called inside the cancellation's transaction."""
    lead = Lead.objects.select_for_update().filter(appointment=appointment).first()
    if lead is None or lead.status != L.PLANNED:
        return
    save_transition(
        lead, L.CANCELLED, actor, action="lead.cancelled", data={"appointment": appointment.pk}
    )
