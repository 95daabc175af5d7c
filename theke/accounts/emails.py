"""One function per e-mail purpose of the accounts domain, rendered in the recipient's language.

Placeholders of the templates (``accounts/emails/<purpose>_{subject,body}.txt``):

* invitation: ``user``, ``tenant``, ``link``, ``days``
* membership_added: ``user``, ``tenant``, ``role``, ``link``
* password_reset: ``user``, ``link``, ``hours``
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from theke.accounts.models import User
from theke.accounts.tokens import INVITATION_TIMEOUT_DAYS, invitation_url, password_reset_url
from theke.tenants.models import Tenant


def _message(purpose: str, user: User, context: dict[str, Any], reply_to: str = "") -> EmailMessage:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, **context}
        subject = render_to_string(f"accounts/emails/{purpose}_subject.txt", context)
        body = render_to_string(f"accounts/emails/{purpose}_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        reply_to=[reply_to] if reply_to else None,
    )


def invitation(user: User, tenant: Tenant) -> EmailMessage:
    """A new staff member's invitation with the link to set the first password."""
    context = {"tenant": tenant, "link": invitation_url(user), "days": INVITATION_TIMEOUT_DAYS}
    return _message("invitation", user, context, reply_to=tenant.email)


def membership_added(user: User, tenant: Tenant, role_name: str) -> EmailMessage:
    """Tells an existing user that a further tenant gave them access."""
    link = f"{settings.BASE_URL}{reverse('accounts:login')}"
    context = {"tenant": tenant, "role": role_name, "link": link}
    return _message("membership_added", user, context, reply_to=tenant.email)


def password_reset(user: User) -> EmailMessage:
    """The link to set a new password after "Passwort vergessen"."""
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    return _message("password_reset", user, {"link": password_reset_url(user), "hours": hours})
