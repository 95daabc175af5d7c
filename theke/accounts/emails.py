"""One function per e-mail purpose of the accounts domain, rendered in the recipient's language.

Every e-mail is an outbox row (theke.messaging), written in the caller's transaction and sent
by the worker. Placeholders of the templates (``accounts/emails/<purpose>_{subject,body}.txt``):

* invitation: ``user``, ``tenant``, ``link``, ``days``
* membership_added: ``user``, ``tenant``, ``role``, ``link``
* password_reset: ``user``, ``link``, ``hours``
* customer_password_reset: ``account``, ``tenant``, ``link``, ``hours``
* customer_invitation ("Einladung zum Kundenkonto"): ``account``, ``tenant``, ``link``, ``days``

The one-time links of an invitation and a password reset are not stored: the body holds the
outbox's SECRET_LINK, and the functions registered below make the link when the worker sends
(so the delivery log never shows a link that sets the user's password).
"""

from __future__ import annotations

import secrets
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from theke.accounts.models import CustomerAccount, Membership, User
from theke.accounts.tokens import (
    CUSTOMER_INVITATION_DAYS,
    INVITATION_TIMEOUT_DAYS,
    customer_password_reset_url,
    invitation_url,
    password_reset_url,
)
from theke.audit.models import AuditEvent
from theke.customers.models import Contact
from theke.messaging.email_layout import branded_html
from theke.messaging.models import Channel, OutboundMessage
from theke.messaging.services.outbox import SECRET_LINK, queue_message, register_secret_link

INVITATION = "staff_invitation"
MEMBERSHIP_ADDED = "staff_membership_added"
PASSWORD_RESET = "staff_password_reset"  # noqa: S105 (a purpose, not a password)
CUSTOMER_PASSWORD_RESET = "customer_password_reset"  # noqa: S105 (a purpose, not a password)
CUSTOMER_INVITATION = "customer_account_invitation"


def _queue(
    purpose: str,
    template: str,
    membership: Membership,
    context: dict[str, Any],
    *,
    dedupe_key: str,
    related: Membership | User,
    link_label: str | Promise,
    reply_to: str = "",
    sender_name: str | None = None,
) -> OutboundMessage:
    """Render `accounts/emails/<template>_{subject,body}.txt` in the user's language and queue
    it as an outbox row of the membership's tenant; the HTML part is the tenant's e-mail
    layout with the link (on a line of its own in the text) as a button."""
    user = membership.user
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"user": user, **context}
        subject = " ".join(
            render_to_string(f"accounts/emails/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"accounts/emails/{template}_body.txt", context).strip() + "\n"
        label = str(link_label)
    html = branded_html(
        membership.tenant, language, body, subject=subject, link=context["link"], link_label=label
    )
    return queue_message(
        membership.tenant,
        channel=Channel.EMAIL,
        purpose=purpose,
        recipient=user.email,
        dedupe_key=dedupe_key,
        subject=subject,
        text=body,
        html=html,
        language=language,
        related=related,
        reply_to=reply_to,
        sender_name=sender_name,
    )


def queue_invitation(membership: Membership, event: AuditEvent) -> OutboundMessage:
    """A new staff member's invitation with the link to set the first password.

    One message per "invitation.sent" event: a resend is a new event and a new link.
    Call inside the tenant's scope and the service's transaction.
    """
    tenant = membership.tenant
    context = {"tenant": tenant, "link": SECRET_LINK, "days": INVITATION_TIMEOUT_DAYS}
    return _queue(
        INVITATION,
        "invitation",
        membership,
        context,
        dedupe_key=f"{INVITATION}:membership:{membership.pk}:event:{event.pk}",
        related=membership,
        link_label=_("Passwort festlegen"),
        reply_to=tenant.email,
    )


def queue_membership_added(membership: Membership) -> OutboundMessage:
    """Tells an existing user that a further tenant gave them access (once per membership)."""
    tenant = membership.tenant
    link = f"{settings.BASE_URL}{reverse('accounts:login')}"
    context = {"tenant": tenant, "role": membership.role.name, "link": link}
    return _queue(
        MEMBERSHIP_ADDED,
        "membership_added",
        membership,
        context,
        dedupe_key=f"{MEMBERSHIP_ADDED}:membership:{membership.pk}",
        related=membership,
        link_label=_("Anmelden"),
        reply_to=tenant.email,
    )


def queue_password_reset(membership: Membership) -> OutboundMessage:
    """The link to set a new password after "Passwort vergessen", in the membership's tenant.

    Every request is its own event (a random key): a second request sends a new link.
    """
    user = membership.user
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    return _queue(
        PASSWORD_RESET,
        "password_reset",
        membership,
        {"link": SECRET_LINK, "hours": hours},
        dedupe_key=f"{PASSWORD_RESET}:user:{user.pk}:{secrets.token_hex(8)}",
        related=user,
        link_label=_("Neues Passwort festlegen"),
        # The text is signed by the Theke team, not by the tenant: so is the sender.
        sender_name=parseaddr(settings.DEFAULT_FROM_EMAIL)[0],
    )


def _queue_to_customer(
    purpose: str,
    template: str,
    account: CustomerAccount,
    context: dict[str, Any],
    *,
    language: str,
    dedupe_key: str,
    link_label: str | Promise,
    contact: Contact | None = None,
) -> OutboundMessage:
    """Render `accounts/emails/<template>_{subject,body}.txt` for a customer account in its
    tenant's name and design (the link, SECRET_LINK, as the button) and queue it."""
    tenant = account.tenant
    context = {"account": account, "tenant": tenant, "link": SECRET_LINK, **context}
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"accounts/emails/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"accounts/emails/{template}_body.txt", context).strip() + "\n"
        label = str(link_label)
    html = branded_html(tenant, language, body, subject=subject, link=SECRET_LINK, link_label=label)
    return queue_message(
        tenant,
        channel=Channel.EMAIL,
        purpose=purpose,
        recipient=account.email,
        recipient_name=account.full_name,
        contact=contact,
        dedupe_key=dedupe_key,
        subject=subject,
        text=body,
        html=html,
        language=language,
        related=account,
        reply_to=tenant.email,
    )


def queue_customer_password_reset(account: CustomerAccount) -> OutboundMessage:
    """A customer account's link to set a new password, in its tenant's name and design.

    Every request is its own event (a random key). Call inside the tenant's scope.
    """
    return _queue_to_customer(
        CUSTOMER_PASSWORD_RESET,
        "customer_password_reset",
        account,
        {"hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)},
        language=account.tenant.default_language or settings.LANGUAGE_CODE,
        dedupe_key=f"{CUSTOMER_PASSWORD_RESET}:account:{account.pk}:{secrets.token_hex(8)}",
        link_label=_("Neues Passwort festlegen"),
    )


def queue_customer_invitation(
    account: CustomerAccount, contact: Contact | None, event: AuditEvent
) -> OutboundMessage:
    """The invitation to a customer login ("Einladung zum Kundenkonto", button "Zugang
    anlegen"), in the contact's language and the tenant's design.

    One message per "customer_account.invited" event; the link is made when it is sent (a
    newer invitation cancels an older one not yet sent). Call inside the tenant's scope.
    """
    language = (contact.language if contact is not None else "") or (
        account.tenant.default_language or settings.LANGUAGE_CODE
    )
    return _queue_to_customer(
        CUSTOMER_INVITATION,
        "customer_invitation",
        account,
        {"days": CUSTOMER_INVITATION_DAYS},
        language=language,
        dedupe_key=f"{CUSTOMER_INVITATION}:account:{account.pk}:event:{event.pk}",
        link_label=_("Zugang anlegen"),
        contact=contact,
    )


# --- links made when the worker sends ------------------------------------------------------


def _related_pk(message: OutboundMessage) -> int:
    """The id of the row the message is about; 0 (no row) when there is none."""
    return int(message.object_id) if message.object_id.isdigit() else 0


def _still_addressed(user: User, message: OutboundMessage) -> bool:
    """The link goes only to the address the user has now (it may have changed meanwhile)."""
    return user.is_active and user.email.lower() == message.recipient.strip().lower()


def invitation_link(message: OutboundMessage) -> str | None:
    """The invitation link, unless the membership or user was deactivated or the password set."""
    membership = (
        Membership.objects.select_related("user")
        .filter(pk=_related_pk(message), tenant_id=message.tenant_id)
        .first()
    )
    if membership is None or not membership.is_active:
        return None
    user = membership.user
    if user.has_usable_password() or not _still_addressed(user, message):
        return None
    return invitation_url(user)


def password_reset_link(message: OutboundMessage) -> str | None:
    """A fresh reset link for the user, unless the account was deactivated meanwhile."""
    user = User.objects.filter(pk=_related_pk(message)).first()
    if user is None or not _still_addressed(user, message):
        return None
    return password_reset_url(user)


def _addressed_account(message: OutboundMessage) -> CustomerAccount | None:
    """The message's active customer account, if it still has the address written to."""
    with scopes_disabled():  # the worker runs outside a tenant scope; the tenant is explicit
        account = (
            CustomerAccount.objects.select_related("tenant")
            .filter(pk=_related_pk(message), tenant_id=message.tenant_id)
            .first()
        )
    if account is None or not account.is_active:
        return None
    if account.email != message.recipient.strip().lower():
        return None
    return account


def customer_password_reset_link(message: OutboundMessage) -> str | None:
    """A fresh reset link, unless the account was deactivated or its address changed."""
    account = _addressed_account(message)
    return customer_password_reset_url(account) if account is not None else None


def customer_invitation_link(message: OutboundMessage) -> str | None:
    """A new invitation link, unless a newer invitation replaced this one, the login was set
    up or deactivated meanwhile, or its address changed."""
    from theke.accounts.services.customer_invitations import (
        is_invitable,
        issue_invitation_link,
    )

    account = _addressed_account(message)
    if account is None or not is_invitable(account):
        return None
    with scopes_disabled():
        newest = (
            OutboundMessage.objects.filter(
                tenant_id=message.tenant_id,
                purpose=CUSTOMER_INVITATION,
                object_id=message.object_id,
            )
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if newest != message.pk:
            return None
        return issue_invitation_link(account, message.contact)


def register() -> None:
    """Called by AccountsConfig.ready()."""
    register_secret_link(INVITATION, invitation_link)
    register_secret_link(PASSWORD_RESET, password_reset_link)
    register_secret_link(CUSTOMER_PASSWORD_RESET, customer_password_reset_link)
    register_secret_link(CUSTOMER_INVITATION, customer_invitation_link)
