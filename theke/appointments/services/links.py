"""The customer link to an appointment (kind "appointment", page `appointment_pages:page`).

Proposal, confirmation, reminders and the cancellation all carry it. A new link supersedes
the older ones of the appointment (only the latest message's link works), except where the
customer is using a link right now (accepting a proposal): that one must keep working.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
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
    "new_appointment_link",
    "store_appointment_links",
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
    link, url = new_appointment_link(appointment, now, contact=contact)
    store_appointment_links([link], now, supersede=supersede)
    return url


def new_appointment_link(
    appointment: Appointment, now: datetime.datetime, *, contact: Contact | None = None
) -> tuple[CustomerLink, str]:
    """A link to the appointment and its URL, not stored yet: a batch of messages (the
    reminder sweep) puts the URLs in first and stores the links of the messages it queued
    in one go (`store_appointment_links`)."""
    link, token = customer_links.new_link(
        appointment.tenant,
        LINK_KIND,
        str(appointment.uid),
        expires_at=max(appointment.end, now) + datetime.timedelta(days=LINK_DAYS_AFTER),
        contact=contact,
        now=now,
        model=CustomerLink,
    )
    return link, appointment_link_url(token)


def store_appointment_links(
    new_links: Sequence[CustomerLink], now: datetime.datetime, *, supersede: bool = True
) -> None:
    """Store links made by `new_appointment_link`, in two statements however many.

    `supersede`: the older links of their appointments stop working; of several new links
    to one appointment only the last keeps working, as if they were issued one by one."""
    if not new_links:
        return
    if supersede:
        with scopes_disabled():
            # The object ids are the appointments' UUIDs, unique across tenants: the tenant
            # condition only keeps the index (tenant, kind, object_id) in use.
            CustomerLink.objects.filter(
                tenant__in={link.tenant_id for link in new_links},
                kind=LINK_KIND,
                object_id__in={link.object_id for link in new_links},
                superseded_at__isnull=True,
                revoked_at__isnull=True,
            ).update(superseded_at=now)
        newest = {link.object_id: link for link in new_links}
        for link in new_links:
            if newest[link.object_id] is not link:
                link.superseded_at = now
    customer_links.store_links(new_links)


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
