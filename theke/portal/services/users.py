"""Portal activation, invitations, registration and the users of a portal customer.

Every change locks the customer's row first (activation, invitations, role changes of its
users all serialise on it), so two clicks or two tabs have one outcome. The invitation is a
customer link of the kind "portal_invitation" (7 days, single use, a resend supersedes the
previous link) and its e-mail an outbox row of the purpose "portal_invitation".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from theke.accounts.models import CustomerAccount
from theke.accounts.services.customer_accounts import (
    create_customer_account,
    customer_actor,
    normalize_customer_email,
    set_customer_password,
)
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers import links
from theke.customers import services as customers
from theke.customers.links import LinkKind, LinkState
from theke.customers.models import Contact, Customer, CustomerLink, Location
from theke.messaging.purposes import EMAIL
from theke.messaging.services.templates import send_templated
from theke.portal.models import PortalCustomer, PortalRole, PortalSettings, PortalUser
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import check_consent

INVITATION_KIND = "portal_invitation"
INVITATION_DAYS = 7
NAME_MAX_LENGTH = 150

links.register_kind(
    LinkKind(INVITATION_KIND, _("Einladung zum Kundenportal"), "portal_invitation:page")
)


def portal_actor(user: PortalUser) -> Actor:
    """A portal user as the actor of their own changes."""
    return customer_actor(user.account)


@dataclass(frozen=True)
class Rights:
    """What a portal user may do and see."""

    role: str = PortalRole.ORDERS
    sees_invoices: bool = False
    sees_prices: bool = False
    all_locations: bool = True
    locations: Sequence[Location] = ()


ADMIN_RIGHTS = Rights(PortalRole.ADMIN, sees_invoices=True, sees_prices=True)


# --- helpers ---------------------------------------------------------------------------------


def _check_switch(tenant: Tenant) -> None:
    if not tenant.portal_enabled:
        raise ServiceError(
            _(
                "Das Kundenportal ist für Ihr Unternehmen nicht eingeschaltet. Bitte wenden Sie "
                "sich an Ihren Theke-Ansprechpartner."
            ),
            None,
            "portal_disabled",
        )


def _lock_customer(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().select_related("tenant").get(pk=customer.pk)


def _active_portal(customer: Customer) -> PortalCustomer:
    portal = PortalCustomer.objects.filter(customer=customer, is_active=True).first()
    if portal is None:
        raise ServiceError(
            _("Dieser Kunde ist nicht für das Kundenportal freigeschaltet."),
            None,
            "not_activated",
        )
    return portal


def _clean_name(value: str) -> str:
    return " ".join(str(value or "").split())[:NAME_MAX_LENGTH]


def _check_rights(customer: Customer, rights: Rights, inviter: PortalUser | None) -> None:
    if rights.role not in PortalRole.values:
        raise ServiceError(_("Bitte wählen Sie eine Rolle."), "role", "invalid_role")
    foreign = [loc for loc in rights.locations if loc.customer_id != customer.pk]
    if foreign:
        raise ServiceError(
            _("Bitte wählen Sie nur Standorte dieses Kunden."), "locations", "foreign_location"
        )
    if not rights.all_locations and not rights.locations:
        raise ServiceError(
            _("Bitte wählen Sie mindestens einen Standort oder „Alle Standorte“."),
            "locations",
            "locations_required",
        )
    if inviter is not None and not inviter.all_locations:
        # A customer admin of some locations grants no more than their own.
        own = set(inviter.locations.values_list("pk", flat=True))
        if rights.all_locations or any(loc.pk not in own for loc in rights.locations):
            raise ServiceError(
                _("Sie können nur Ihre eigenen Standorte freigeben."),
                "locations",
                "beyond_own_locations",
            )


def _contact_for(customer: Customer, actor: Actor, email: str, first: str, last: str) -> Contact:
    """The customer's contact with this e-mail, else a new one."""
    found = Contact.objects.filter(customer=customer, email__iexact=email).order_by("pk").first()
    if found is not None:
        return found
    return customers.add_contact(
        customer,
        actor,
        first_name=first,
        last_name=last or email.split("@", 1)[0][:100],
        email=email,
    )


def _new_user(
    customer: Customer,
    actor: Actor,
    *,
    email: str,
    first_name: str,
    last_name: str,
    rights: Rights,
) -> PortalUser:
    """A portal user with a login without password and a contact; invited by the caller."""
    tenant = customer.tenant
    account = CustomerAccount.objects.filter(tenant=tenant, email=email).first()
    if account is not None:
        if PortalUser.objects.filter(account=account).exists():
            raise ServiceError(
                _("Für %(email)s gibt es bereits einen Zugang zum Kundenportal."),
                "email",
                "duplicate",
                params={"email": email},
            )
        if account.customer_id != customer.pk:
            raise ServiceError(
                _("%(email)s gehört bereits zu einem anderen Kunden."),
                "email",
                "other_customer",
                params={"email": email},
            )
    else:
        account = create_customer_account(
            customer, actor, email=email, first_name=first_name, last_name=last_name
        )
    contact = _contact_for(customer, actor, email, first_name, last_name)
    user = PortalUser.objects.create(
        tenant=tenant,
        account=account,
        customer=customer,
        contact=contact,
        role=rights.role,
        sees_invoices=rights.sees_invoices,
        sees_prices=rights.sees_prices,
        all_locations=rights.all_locations,
    )
    if not rights.all_locations:
        user.locations.set(rights.locations)
    return user


def _open_link(user: PortalUser) -> CustomerLink | None:
    """The user's current invitation link (neither revoked nor superseded), if any."""
    return (
        CustomerLink.objects.filter(
            tenant=user.tenant,
            kind=INVITATION_KIND,
            object_id=str(user.pk),
            revoked_at__isnull=True,
            superseded_at__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def _date_text(moment: datetime, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def _send_invitation(user: PortalUser, now: datetime) -> CustomerLink:
    """A fresh invitation link (superseding the previous one) and its e-mail."""
    expires = now + timedelta(days=INVITATION_DAYS)
    previous = _open_link(user)
    if previous is not None:
        link, token = links.reissue_link(previous, expires_at=expires)
    else:
        link, token = links.issue_link(
            user.tenant,
            INVITATION_KIND,
            str(user.pk),
            expires_at=expires,
            contact=user.contact,
            now=now,
        )
    contact = user.contact
    language = (contact.language if contact is not None else "") or "de"
    send_templated(
        user.tenant,
        purpose="portal_invitation",
        channel=EMAIL,
        contact=contact,
        context={
            "link": links.link_url(INVITATION_KIND, token),
            "portal_customer": user.customer.display_name,
            "valid_until": _date_text(expires, language),
        },
        related=user,
        dedupe_key=f"portal_invitation:{link.pk}",
        recipient=user.account.email,
    )
    PortalUser.objects.filter(pk=user.pk).update(invited_at=now)
    user.invited_at = now
    return link


# --- activation ------------------------------------------------------------------------------


def activate_customer(
    customer: Customer,
    actor: Actor,
    *,
    first_user_email: str,
    first_name: str = "",
    last_name: str = "",
) -> PortalUser:
    """Switch the portal on for a customer and invite its first user as customer admin (all
    locations, invoices and prices). A second call with the same e-mail changes nothing and
    returns that user; a deactivated customer is activated again."""
    tenant = customer.tenant
    _check_switch(tenant)
    email = normalize_customer_email(first_user_email)
    if not email:
        raise ServiceError(
            _("Bitte geben Sie die E-Mail-Adresse des ersten Benutzers an."),
            "first_user_email",
            "required",
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(
            _("Bitte geben Sie eine gültige E-Mail-Adresse an."), "first_user_email", "invalid"
        ) from None
    with tenant_scope(tenant), transaction.atomic():
        customer = _lock_customer(customer)
        now = timezone.now()
        portal = PortalCustomer.objects.filter(customer=customer).first()
        newly = portal is None or not portal.is_active
        if portal is None:
            portal = PortalCustomer.objects.create(
                tenant=tenant, customer=customer, activated_at=now
            )
        elif not portal.is_active:
            portal.is_active = True
            portal.activated_at = now
            portal.deactivated_at = None
            portal.save(update_fields=["is_active", "activated_at", "deactivated_at"])
        if newly:
            record(tenant, actor, "portal_customer.activated", portal, {"email": email})
        existing = (
            PortalUser.objects.select_related("account", "contact", "customer")
            .filter(customer=customer, account__email=email)
            .first()
        )
        if existing is not None:
            if newly and existing.registered_at is None:
                _send_invitation(existing, now)
            return existing
        try:
            user = _new_user(
                customer,
                actor,
                email=email,
                first_name=_clean_name(first_name),
                last_name=_clean_name(last_name),
                rights=ADMIN_RIGHTS,
            )
        except ServiceError as error:
            if error.field == "email":
                error.field = "first_user_email"
            raise
        _send_invitation(user, now)
        record(tenant, actor, "portal_user.invited", user, {"email": email, "role": user.role})
    return user


def deactivate_customer(customer: Customer, actor: Actor) -> PortalCustomer | None:
    """Switch the portal off for a customer: its users no longer reach it and open invitations
    stop working. Logins and data stay (activating again restores the users)."""
    tenant = customer.tenant
    with tenant_scope(tenant), transaction.atomic():
        customer = _lock_customer(customer)
        portal = PortalCustomer.objects.filter(customer=customer).first()
        if portal is None or not portal.is_active:
            return portal
        now = timezone.now()
        portal.is_active = False
        portal.deactivated_at = now
        portal.save(update_fields=["is_active", "deactivated_at"])
        for user_pk in PortalUser.objects.filter(
            customer=customer, registered_at__isnull=True
        ).values_list("pk", flat=True):
            links.revoke_links(tenant, INVITATION_KIND, str(user_pk), now)
        record(tenant, actor, "portal_customer.deactivated", portal, {})
    return portal


# --- users -----------------------------------------------------------------------------------


def invite_user(
    inviter: Customer | PortalUser,
    actor: Actor,
    email: str,
    first_name: str = "",
    last_name: str = "",
    *,
    role: str = PortalRole.ORDERS,
    sees_invoices: bool = False,
    sees_prices: bool = False,
    all_locations: bool = True,
    locations: Iterable[Location] = (),
) -> PortalUser:
    """Invite a user of an active portal customer: by staff (a Customer) or by the customer's
    admin (a PortalUser; only locations of the customer, and no more than their own)."""
    admin = inviter if isinstance(inviter, PortalUser) else None
    customer = inviter.customer if isinstance(inviter, PortalUser) else inviter
    tenant = customer.tenant
    _check_switch(tenant)
    address = normalize_customer_email(email)
    rights = Rights(role, sees_invoices, sees_prices, all_locations, tuple(locations))
    if not address:
        raise ServiceError(_("Bitte geben Sie eine E-Mail-Adresse an."), "email", "required")
    try:
        validate_email(address)
    except ValidationError:
        raise ServiceError(
            _("Bitte geben Sie eine gültige E-Mail-Adresse an."), "email", "invalid"
        ) from None
    with tenant_scope(tenant), transaction.atomic():
        customer = _lock_customer(customer)
        _active_portal(customer)
        if admin is not None:
            admin = PortalUser.objects.get(pk=admin.pk)
            if not admin.is_admin:
                raise ServiceError(
                    _("Nur Administratoren können Kollegen einladen."), None, "not_admin"
                )
        _check_rights(customer, rights, admin)
        user = _new_user(
            customer,
            actor,
            email=address,
            first_name=_clean_name(first_name),
            last_name=_clean_name(last_name),
            rights=rights,
        )
        _send_invitation(user, timezone.now())
        record(
            tenant,
            actor,
            "portal_user.invited",
            user,
            {"email": address, "role": user.role, "by_customer": admin is not None},
        )
    return user


def update_user(
    user: PortalUser,
    actor: Actor,
    *,
    editor: PortalUser | None = None,
    role: str,
    sees_invoices: bool,
    sees_prices: bool,
    all_locations: bool,
    locations: Iterable[Location] = (),
) -> PortalUser:
    """Change a user's role, rights and locations (by staff, or by the customer's admin as
    `editor`). The customer always keeps at least one admin."""
    tenant = user.tenant
    rights = Rights(role, sees_invoices, sees_prices, all_locations, tuple(locations))
    with tenant_scope(tenant), transaction.atomic():
        customer = _lock_customer(user.customer)
        locked = PortalUser.objects.select_related("account").get(pk=user.pk, customer=customer)
        if editor is not None:
            editor = PortalUser.objects.get(pk=editor.pk, customer=customer)
            if not editor.is_admin:
                raise ServiceError(
                    _("Nur Administratoren können Benutzer ändern."), None, "not_admin"
                )
        _check_rights(customer, rights, editor)
        if locked.is_admin and rights.role != PortalRole.ADMIN:
            others = (
                PortalUser.objects.filter(customer=customer, role=PortalRole.ADMIN)
                .exclude(pk=locked.pk)
                .exists()
            )
            if not others:
                raise ServiceError(
                    _(
                        "Es muss mindestens ein Administrator bleiben. Bitte machen Sie zuerst "
                        "einen Kollegen zum Administrator."
                    ),
                    "role",
                    "last_admin",
                )
        before = _rights_of(locked)
        locked.role = rights.role
        locked.sees_invoices = rights.sees_invoices
        locked.sees_prices = rights.sees_prices
        locked.all_locations = rights.all_locations
        locked.save(update_fields=["role", "sees_invoices", "sees_prices", "all_locations"])
        locked.locations.set([] if rights.all_locations else rights.locations)
        after = _rights_of(locked)
        if before != after:
            changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            record(tenant, actor, "portal_user.changed", locked, {"changes": changes})
    return locked


def _rights_of(user: PortalUser) -> dict[str, Any]:
    return {
        "role": user.role,
        "sees_invoices": user.sees_invoices,
        "sees_prices": user.sees_prices,
        "all_locations": user.all_locations,
        "locations": sorted(user.locations.values_list("pk", flat=True)),
    }


def resend_invitation(
    user: PortalUser, actor: Actor, *, by: PortalUser | None = None
) -> CustomerLink:
    """A new invitation link and e-mail; the previous link stops working (superseded)."""
    tenant = user.tenant
    with tenant_scope(tenant), transaction.atomic():
        customer = _lock_customer(user.customer)
        _active_portal(customer)
        locked = PortalUser.objects.select_related("account", "contact", "customer").get(
            pk=user.pk, customer=customer
        )
        if by is not None and not PortalUser.objects.get(pk=by.pk, customer=customer).is_admin:
            raise ServiceError(
                _("Nur Administratoren können Einladungen senden."), None, "not_admin"
            )
        if locked.registered_at is not None:
            raise ServiceError(
                _("%(email)s hat sich bereits registriert."),
                None,
                "registered",
                params={"email": locked.account.email},
            )
        link = _send_invitation(locked, timezone.now())
        record(
            tenant,
            actor,
            "portal_user.invited",
            locked,
            {"email": locked.account.email, "resent": True},
        )
    user.invited_at = locked.invited_at
    return link


# --- registration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """The state of an invitation token and, when known, its user."""

    state: LinkState
    link: CustomerLink | None = None
    user: PortalUser | None = None


def find_invitation(token: str) -> Invitation:
    """The invitation behind a token; an invitation of a registered user, of a customer no
    longer in the portal or of a tenant with the portal off counts as revoked."""
    resolved: links.ResolvedLink[CustomerLink] = links.resolve(token, INVITATION_KIND)
    link = resolved.link
    if resolved.state == LinkState.UNKNOWN or link is None:
        return Invitation(LinkState.UNKNOWN)
    with tenant_scope(link.tenant):
        user = (
            PortalUser.objects.select_related("account", "contact", "customer", "tenant")
            .filter(pk=int(link.object_id) if link.object_id.isdigit() else 0)
            .first()
        )
        usable = (
            user is not None
            and user.registered_at is None
            and link.tenant.portal_enabled
            and PortalCustomer.objects.filter(customer_id=user.customer_id, is_active=True).exists()
        )
    if user is None:
        return Invitation(LinkState.UNKNOWN)
    if resolved.state == LinkState.VALID and not usable:
        return Invitation(LinkState.REVOKED, link, user)
    return Invitation(resolved.state, link, user)


def check_password(password: str, user: PortalUser, first_name: str, last_name: str) -> None:
    """Django's password validators against the user's data (as the login pages use them)."""
    probe = CustomerAccount(email=user.account.email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=probe)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), "password", "weak_password") from None


def register(
    token: str,
    *,
    first_name: str,
    last_name: str,
    phone: str = "",
    password: str,
    accepted: bool,
    terms_version: Any,
    privacy_version: Any,
) -> PortalUser:
    """Complete a registration from the invitation: personal data, the accepted terms and
    privacy versions with the time, the password; the invitation link is used up."""
    invitation = find_invitation(token)
    if invitation.state != LinkState.VALID or invitation.user is None:
        raise ServiceError(
            _("Diese Einladung ist nicht mehr gültig."), None, "invitation_unavailable"
        )
    user = invitation.user
    tenant = user.tenant
    first, last = _clean_name(first_name), _clean_name(last_name)
    if not last:
        raise ServiceError(_("Bitte geben Sie Ihren Nachnamen an."), "last_name", "required")
    if not first:
        raise ServiceError(_("Bitte geben Sie Ihren Vornamen an."), "first_name", "required")
    check_password(password, user, first, last)
    with tenant_scope(tenant), transaction.atomic():
        _lock_customer(user.customer)
        locked = PortalUser.objects.select_related("account", "contact", "customer").get(pk=user.pk)
        assert invitation.link is not None
        if locked.registered_at is not None or (
            links.current_state(invitation.link) != LinkState.VALID
        ):
            raise ServiceError(
                _("Diese Einladung ist nicht mehr gültig."), None, "invitation_unavailable"
            )
        consent = check_consent(
            tenant, accepted=accepted, terms_version=terms_version, privacy_version=privacy_version
        )
        CustomerAccount.objects.filter(pk=locked.account_id).update(
            first_name=first, last_name=last, phone=str(phone or "").strip()[:40]
        )
        account = set_customer_password(locked.account, password, reason="set")
        if locked.contact is not None and (
            locked.contact.first_name != first or locked.contact.last_name != last
        ):
            customers.update_contact(
                locked.contact, portal_actor(locked), first_name=first, last_name=last
            )
        now = timezone.now()
        consent.apply_to(locked)
        locked.registered_at = now
        locked.save(update_fields=["terms_text", "privacy_text", "consented_at", "registered_at"])
        links.revoke_links(tenant, INVITATION_KIND, str(locked.pk), now)
        locked.account = account
        actor = portal_actor(locked)
        record(tenant, actor, "portal_user.registered", locked, {"email": account.email})
        record(
            tenant,
            actor,
            "portal_user.consented",
            locked,
            {
                "terms": consent.terms_text.version if consent.terms_text else 0,
                "privacy": consent.privacy_text.version if consent.privacy_text else 0,
            },
        )
    return locked


def mark_introduction_seen(user: PortalUser) -> None:
    """The introduction is shown once (a conditional update: two tabs, one stamp)."""
    now = timezone.now()
    with tenant_scope(user.tenant):
        PortalUser.objects.filter(pk=user.pk, introduction_seen_at__isnull=True).update(
            introduction_seen_at=now
        )
    if user.introduction_seen_at is None:
        user.introduction_seen_at = now


# --- the tenant's portal settings ------------------------------------------------------------

SETTINGS_FIELDS = (
    "lead_time_days",
    "show_prices",
    "rent_free_days",
    "rent_reminder_days",
    "sales_email",
    "dispatch_email",
)


def settings_of(tenant: Tenant) -> PortalSettings:
    """The tenant's portal settings; the defaults (not stored) until first saved."""
    with tenant_scope(tenant):
        found = PortalSettings.objects.filter(tenant=tenant).first()
    return found or PortalSettings(tenant=tenant)


def save_portal_settings(tenant: Tenant, actor: Actor, **values: Any) -> PortalSettings:
    """Store the tenant's portal settings (validated by the model's fields)."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown portal settings: {sorted(unknown)}")
    with tenant_scope(tenant), transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        row = PortalSettings.objects.filter(tenant=tenant).first() or PortalSettings(tenant=tenant)
        changes = {
            name: [str(getattr(row, name)), str(value)]
            for name, value in values.items()
            if getattr(row, name) != value
        }
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean(exclude=["tenant"])
        row.save()
        if changes:
            record(tenant, actor, "portal_settings.changed", row, {"changes": changes})
    return row
