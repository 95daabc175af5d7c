"""The customer link to an appointment (kind "appointment", page `appointment_pages:page`).

Proposal, confirmation, reminders and the cancellation all carry it. A new link supersedes
the older ones of the appointment (only the latest message's link works), except where the
customer is using a link right now (accepting a proposal): that one must keep working.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy

from theke.appointments.models import Appointment
from theke.customers import links as customer_links
from theke.customers.links import LinkKind, LinkState
from theke.customers.models import Contact, CustomerLink
from theke.tenants.scoping import scopes_disabled, tenant_scope

__all__ = [
    "LINK_KIND",
    "FoundAppointment",
    "appointment_link_url",
    "find_appointment_link",
    "issue_appointment_link",
]

LINK_KIND = "appointment"
# The link stays valid this long after the appointment's end ("Meine Termine" afterwards).
LINK_DAYS_AFTER = 30

customer_links.register_kind(LinkKind(LINK_KIND, gettext_lazy("Termin"), "appointment_pages:page"))


def appointment_link_url(token: str) -> str:
    """The absolute URL of the customer's page of an appointment."""
    return customer_links.link_url(LINK_KIND, token)


def issue_appointment_link(
    appointment: Appointment,
    now: datetime.datetime | None = None,
    *,
    contact: Contact | None = None,
    supersede: bool = True,
) -> str:
    """A new link to the appointment; returns its URL (the token is shown only here).

    Valid until 30 days after the appointment's end. `supersede`: the older links of the
    appointment stop working (every message carries the newest one)."""
    now = now or timezone.now()
    object_id = str(appointment.uid)
    if supersede:
        with scopes_disabled():
            CustomerLink.objects.filter(
                tenant=appointment.tenant_id,
                kind=LINK_KIND,
                object_id=object_id,
                superseded_at__isnull=True,
                revoked_at__isnull=True,
            ).update(superseded_at=now)
    _link, token = customer_links.issue_link(
        appointment.tenant,
        LINK_KIND,
        object_id,
        expires_at=max(appointment.end, now) + datetime.timedelta(days=LINK_DAYS_AFTER),
        contact=contact,
        now=now,
        model=CustomerLink,
    )
    return appointment_link_url(token)


@dataclass(frozen=True)
class FoundAppointment:
    state: LinkState
    link: CustomerLink | None = None
    appointment: Appointment | None = None


def find_appointment_link(token: str) -> FoundAppointment:
    """The link behind a token, its state and its appointment (outside any scope: the
    token decides the tenant). Unknown token or vanished appointment: state UNKNOWN."""
    resolved = customer_links.resolve(token, LINK_KIND, CustomerLink)
    link = resolved.link
    if resolved.state == LinkState.UNKNOWN or link is None:
        return FoundAppointment(LinkState.UNKNOWN)
    with tenant_scope(link.tenant):
        appointment = (
            Appointment.objects.select_related("tenant", "customer", "vehicle", "branch", "advisor")
            .filter(tenant=link.tenant, uid=link.object_id)
            .first()
        )
    if appointment is None:
        return FoundAppointment(LinkState.UNKNOWN)
    return FoundAppointment(resolved.state, link, appointment)
