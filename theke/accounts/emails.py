"""One function per e-mail purpose of the accounts domain, rendered in the recipient's language.

Every e-mail is an outbox row (theke.messaging), written in the caller's transaction and sent
by the worker. Placeholders of the templates (``accounts/emails/<purpose>_{subject,body}.txt``):

* invitation: ``user``, ``tenant``, ``link``, ``days``
* membership_added: ``user``, ``tenant``, ``role``, ``link``
* password_reset: ``user``, ``link``, ``hours``
* customer_password_reset: ``account``, ``tenant``, ``link``, ``hours``

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
    INVITATION_TIMEOUT_DAYS,
    customer_password_reset_url,
    invitation_url,
    password_reset_url,
)
from theke.audit.models import AuditEvent
from theke.messaging.email_layout import branded_html
from theke.messaging.models import Channel, OutboundMessage
from theke.messaging.services.outbox import SECRET_LINK, queue_message, register_secret_link

INVITATION = "staff_invitation"
MEMBERSHIP_ADDED = "staff_membership_added"
PASSWORD_RESET = "staff_password_reset"  # noqa: S105 (a purpose, not a password)
CUSTOMER_PASSWORD_RESET = "customer_password_reset"  # noqa: S105 (a purpose, not a password)


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


def queue_customer_password_reset(account: CustomerAccount) -> OutboundMessage:
    """A customer account's link to set a new password, in its tenant's name and design.

    Every request is its own event (a random key). Call inside the tenant's scope.
    """
    tenant = account.tenant
    language = tenant.default_language or settings.LANGUAGE_CODE
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    context = {"account": account, "tenant": tenant, "link": SECRET_LINK, "hours": hours}
    with translation.override(language):
        subject = " ".join(
            render_to_string("accounts/emails/customer_password_reset_subject.txt", context).split()
        )
        body = (
            render_to_string("accounts/emails/customer_password_reset_body.txt", context).strip()
            + "\n"
        )
        label = str(_("Neues Passwort festlegen"))
    html = branded_html(tenant, language, body, subject=subject, link=SECRET_LINK, link_label=label)
    return queue_message(
        tenant,
        channel=Channel.EMAIL,
        purpose=CUSTOMER_PASSWORD_RESET,
        recipient=account.email,
        recipient_name=account.full_name,
        dedupe_key=f"{CUSTOMER_PASSWORD_RESET}:account:{account.pk}:{secrets.token_hex(8)}",
        subject=subject,
        text=body,
        html=html,
        language=language,
        related=account,
        reply_to=tenant.email,
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


def customer_password_reset_link(message: OutboundMessage) -> str | None:
    """A fresh reset link, unless the account was deactivated or its address changed."""
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
    return customer_password_reset_url(account)


def register() -> None:
    """Called by AccountsConfig.ready()."""
    register_secret_link(INVITATION, invitation_link)
    register_secret_link(PASSWORD_RESET, password_reset_link)
    register_secret_link(CUSTOMER_PASSWORD_RESET, customer_password_reset_link)
