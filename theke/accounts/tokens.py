"""One-time links to set a password: Django's password-reset tokens, and invitation tokens.

Both hash the user's password and last login, so a link stops working once it was used.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

INVITATION_TIMEOUT_DAYS = 7
# A customer login's invitation (a customer link; theke.accounts.services.customer_invitations).
CUSTOMER_INVITATION_DAYS = 7


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like the reset token, under its own salt and valid for days instead of hours."""

    key_salt = "theke.accounts.tokens.InvitationTokenGenerator"
    timeout_seconds = INVITATION_TIMEOUT_DAYS * 24 * 60 * 60

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        # The parent would check the age against PASSWORD_RESET_TIMEOUT (hours); invitations
        # wait in an inbox for days, so the signature check is repeated with our own limit.
        if (self._num_seconds(self._now()) - timestamp) > self.timeout_seconds:
            return False
        return self._signature_valid(user, token, timestamp)

    def _signature_valid(self, user: Any, token: str, timestamp: int) -> bool:
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(
                self._make_token_with_timestamp(user, timestamp, secret), token
            ):
                return True
        return False


invitation_token_generator = InvitationTokenGenerator()


def _uid(user: Any) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def password_reset_url(user: Any) -> str:
    """Absolute link (from settings.BASE_URL) to set a new password, valid for a few hours."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": _uid(user), "token": default_token_generator.make_token(user)},
    )
    return f"{settings.BASE_URL}{path}"


def invitation_url(user: Any) -> str:
    """Absolute link (from settings.BASE_URL) for an invited user to set their first password."""
    path = reverse(
        "accounts:invitation_confirm",
        kwargs={"uidb64": _uid(user), "token": invitation_token_generator.make_token(user)},
    )
    return f"{settings.BASE_URL}{path}"


class CustomerPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    """Reset links of customer accounts: own salt, valid PASSWORD_RESET_TIMEOUT (hours).

    The hash covers the password hash and the last login, so a link is spent once the
    password was set with it (or the account logged in since).
    """

    key_salt = "theke.accounts.tokens.CustomerPasswordResetTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        login = (
            "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        )
        return f"{user.pk}{user.password}{login}{timestamp}{user.email}{user.tenant_id}"


customer_password_reset_token_generator = CustomerPasswordResetTokenGenerator()


def customer_password_reset_url(account: Any) -> str:
    """Absolute link to set a customer account's new password at its tenant's pages."""
    path = reverse(
        "customer_accounts:password_reset_confirm",
        kwargs={
            "slug": account.tenant.slug,
            "uidb64": _uid(account),
            "token": customer_password_reset_token_generator.make_token(account),
        },
    )
    return f"{settings.BASE_URL}{path}"


def customer_reset_token_valid(account: Any, token: str) -> bool:
    """Whether `token` is a live reset token of this customer account."""
    return customer_password_reset_token_generator.check_token(account, token)
