"""Invitations to a customer login, sent by staff from the customer page (product-neutral:
the private customers of the job manager use it; the portal keeps its own with roles).

The invitation is a customer link of the kind "account_invitation" (7 days, used once, a new
invitation supersedes the older ones; theke.customers.links). Its token is made when the
worker sends the e-mail (the outbox's SECRET_LINK, theke.accounts.emails), so the delivery
log never shows a link that sets the customer's password, as for every password link of
accounts; staff learn nothing they could log in with.

An account is invitable while it is active and has no password yet. Inviting a contact
without a login creates one; inviting a deactivated login starts it afresh (active again,
the old password void, sessions ended) so that only the new password opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from theke.accounts import emails
from theke.accounts.models import CustomerAccount, CustomerSession
from theke.accounts.services.customer_accounts import (
    create_customer_account,
    customer_actor,
    normalize_customer_email,
    set_customer_password,
)
from theke.accounts.tokens import CUSTOMER_INVITATION_DAYS
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers import links
from theke.customers.links import LinkKind, LinkState
from theke.customers.models import Contact, Customer, CustomerLink
from theke.tenants.scoping import scopes_disabled, tenant_scope

INVITATION_KIND = "account_invitation"
INVITATION_DAYS = CUSTOMER_INVITATION_DAYS

links.register_kind(
    LinkKind(INVITATION_KIND, _("Einladung zum Kundenkonto"), "customer_accounts:invitation")
)


def is_invitable(account: CustomerAccount) -> bool:
    """Active and without a password yet: the invitation may still set the first one."""
    return account.is_active and not account.has_usable_password()


def _unavailable() -> ServiceError:
    return ServiceError(_("Diese Einladung ist nicht mehr gültig."), None, "invitation_unavailable")


# --- inviting (staff) ------------------------------------------------------------------------


def invite_customer_account(customer: Customer, contact: Contact, actor: Actor) -> CustomerAccount:
    """Invite a contact of the customer to a login with their e-mail address (again: a new
    link, the older ones stop working). Refused for a contact without e-mail, an address
    that already logs in, or one that belongs to another customer."""
    if contact.customer_id != customer.pk:
        raise ServiceError(
            _("Diesen Ansprechpartner gibt es bei diesem Kunden nicht."), None, "contact"
        )
    email = normalize_customer_email(contact.email or "")
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(
            _("Für %(name)s ist keine gültige E-Mail-Adresse hinterlegt."),
            None,
            "no_email",
            params={"name": str(contact)},
        ) from None
    tenant = customer.tenant
    with tenant_scope(tenant), transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        account = (
            CustomerAccount.objects.select_for_update().filter(tenant=tenant, email=email).first()
        )
        if account is not None and account.customer_id != customer.pk:
            raise ServiceError(
                _("%(email)s hat bereits einen Zugang bei einem anderen Kunden."),
                None,
                "other_customer",
                params={"email": email},
            )
        if account is not None and account.is_active and account.has_usable_password():
            raise ServiceError(
                _("%(email)s hat bereits einen Zugang."),
                None,
                "registered",
                params={"email": email},
            )
        if account is None:
            account = create_customer_account(
                customer,
                actor,
                email=email,
                first_name=contact.first_name,
                last_name=contact.last_name,
            )
        elif not account.is_active:
            account.is_active = True
            account.password = make_password(None)
            account.save(update_fields=["is_active", "password"])
            CustomerSession.objects.filter(account=account).delete()
        resent = links.supersede_links(tenant, INVITATION_KIND, str(account.pk)) > 0
        event = record(
            tenant,
            actor,
            "customer_account.invited",
            account,
            {"email": email, "contact": contact.pk, "resent": resent},
        )
        emails.queue_customer_invitation(account, contact, event)
    return account


def issue_invitation_link(account: CustomerAccount, contact: Contact | None) -> str:
    """A new invitation link (the older ones superseded); the URL with its token, made when
    the e-mail is sent."""
    now = timezone.now()
    links.supersede_links(account.tenant, INVITATION_KIND, str(account.pk), now)
    token = links.issue_link(
        account.tenant,
        INVITATION_KIND,
        str(account.pk),
        expires_at=now + timedelta(days=INVITATION_DAYS),
        contact=contact,
        now=now,
    )[1]
    return links.link_url(INVITATION_KIND, token)


# --- the state of a login, for staff ---------------------------------------------------------


@dataclass(frozen=True)
class OpenInvitation:
    sent_at: datetime
    expires_at: datetime
    expired: bool


def open_invitation(account: CustomerAccount) -> OpenInvitation | None:
    """The newest invitation link not yet used or replaced, if any."""
    with scopes_disabled():
        link = (
            CustomerLink.objects.filter(
                tenant_id=account.tenant_id,
                kind=INVITATION_KIND,
                object_id=str(account.pk),
                revoked_at__isnull=True,
                superseded_at__isnull=True,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
    if link is None:
        return None
    return OpenInvitation(link.created_at, link.expires_at, link.expires_at <= timezone.now())


# --- accepting (the invitee) -----------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """The state of an invitation token and, when known, its account."""

    state: LinkState
    link: CustomerLink | None = None
    account: CustomerAccount | None = None


def find_customer_invitation(token: str) -> Invitation:
    """The invitation behind a token; one whose login was set up or deactivated meanwhile
    counts as revoked."""
    resolved: links.ResolvedLink[CustomerLink] = links.resolve(token, INVITATION_KIND)
    link = resolved.link
    if resolved.state == LinkState.UNKNOWN or link is None:
        return Invitation(LinkState.UNKNOWN)
    with tenant_scope(link.tenant):
        account = (
            CustomerAccount.objects.select_related("tenant", "customer")
            .filter(pk=int(link.object_id) if link.object_id.isdigit() else 0)
            .first()
        )
    if account is None:
        return Invitation(LinkState.UNKNOWN)
    if resolved.state == LinkState.VALID and not is_invitable(account):
        return Invitation(LinkState.REVOKED, link, account)
    return Invitation(resolved.state, link, account)


def accept_customer_invitation(token: str, password: str) -> CustomerAccount:
    """Set the first password (already checked by Django's validators) from a valid
    invitation; the link is used up. Of two submits at once, the second is refused."""
    found = find_customer_invitation(token)
    if found.state != LinkState.VALID or found.account is None or found.link is None:
        raise _unavailable()
    tenant = found.account.tenant
    with tenant_scope(tenant), transaction.atomic():
        account = CustomerAccount.objects.select_for_update().get(pk=found.account.pk)
        if not is_invitable(account) or links.current_state(found.link) != LinkState.VALID:
            raise _unavailable()
        account = set_customer_password(account, password, reason="set")
        links.revoke_links(tenant, INVITATION_KIND, str(account.pk))
        record(tenant, customer_actor(account), "customer_account.invitation_accepted", account)
    return account
