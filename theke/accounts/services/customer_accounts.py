"""State changes of customer accounts (customer logins): creation, passwords, deactivation,
logins and their sessions.

Every change runs in one transaction inside the account's tenant scope and writes its audit
event; the reset e-mail is an outbox row (theke.accounts.emails).
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from theke.accounts import emails
from theke.accounts.models import CustomerAccount, CustomerSession, User
from theke.audit.models import ActorType
from theke.audit.services import SYSTEM as SYSTEM_ACTOR
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers.models import Customer
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope


def _lock_tenant(tenant: Tenant) -> None:
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()


# Checked when the e-mail is unknown, so an unknown address costs the same hashing time.
_DUMMY_PASSWORD_HASH: list[str] = []

CustomerPasswordReason = Literal["set", "reset", "change"]

_CUSTOMER_PASSWORD_ACTIONS: dict[str, str] = {
    "set": "customer_account.password_set",
    "reset": "customer_account.password_reset",
    "change": "customer_account.password_changed",
}


def customer_actor(account: CustomerAccount) -> Actor:
    """The customer account as the actor of its own changes."""
    return Actor(ActorType.CONTACT, id=f"customer-account:{account.pk}", label=account.email)


def normalize_customer_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


@transaction.atomic
def create_customer_account(
    customer: Customer,
    actor: Actor,
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> CustomerAccount:
    """A login for a person of the customer, without a password yet (the invitation sets it).

    The e-mail is unique per tenant in any case.
    """
    tenant = customer.tenant
    email = normalize_customer_email(email)
    if not email:
        raise ServiceError(_("Bitte geben Sie eine E-Mail-Adresse an."), field="email")
    with tenant_scope(tenant):
        _lock_tenant(tenant)
        if CustomerAccount.objects.filter(tenant=tenant, email=email).exists():
            raise ServiceError(
                _("Für %(email)s gibt es bereits einen Kundenzugang."),
                code="duplicate",
                field="email",
                params={"email": email},
            )
        account = CustomerAccount(
            tenant=tenant,
            customer=customer,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            phone=phone.strip(),
            password=make_password(None),
        )
        account.full_clean(exclude=["password", "customer", "tenant"])
        account.save()
        record(
            tenant,
            actor,
            "customer_account.created",
            account,
            {"email": email, "customer": customer.pk},
        )
    return account


@transaction.atomic
def set_customer_password(
    account: CustomerAccount,
    password: str,
    *,
    reason: CustomerPasswordReason,
    keep_session: int | None = None,
) -> CustomerAccount:
    """Set a customer account's password (already validated); every session ends except
    `keep_session` (a CustomerSession id: the one changing its own password)."""
    tenant = account.tenant
    with tenant_scope(tenant):
        account = CustomerAccount.objects.select_for_update().get(pk=account.pk)
        account.password = make_password(password)
        account.password_changed_at = timezone.now()
        account.save(update_fields=["password", "password_changed_at"])
        others = CustomerSession.objects.filter(account=account).exclude(pk=keep_session or 0)
        ended = others.count()
        others.delete()
        record(
            tenant,
            customer_actor(account),
            _CUSTOMER_PASSWORD_ACTIONS[reason],
            account,
            {"sessions_ended": ended},
        )
    return account


@transaction.atomic
def deactivate_customer_account(account: CustomerAccount, actor: Actor) -> CustomerAccount:
    """Withdraw the login: every session ends at its next request; no reset e-mail goes out."""
    tenant = account.tenant
    with tenant_scope(tenant):
        account = CustomerAccount.objects.select_for_update().get(pk=account.pk)
        if not account.is_active:
            return account
        account.is_active = False
        account.save(update_fields=["is_active"])
        CustomerSession.objects.filter(account=account).delete()
        record(tenant, actor, "customer_account.deactivated", account, {"email": account.email})
    return account


def authenticate_customer(tenant: Tenant, email: str, password: str) -> CustomerAccount | None:
    """The active account of this tenant with this e-mail and password, else None.

    An unknown e-mail checks a dummy hash, so it takes as long as a wrong password.
    """
    email = normalize_customer_email(email)
    with tenant_scope(tenant):
        account = CustomerAccount.objects.filter(tenant=tenant, email=email).first()
    if account is None or not account.is_active or not account.has_usable_password():
        if not _DUMMY_PASSWORD_HASH:
            _DUMMY_PASSWORD_HASH.append(make_password("theke-dummy-password"))
        check_password(password, _DUMMY_PASSWORD_HASH[0])
        return None
    if not check_password(password, account.password):
        return None
    return account


def record_customer_login(account: CustomerAccount) -> None:
    """Note the login's time (a conditional update: no lock, no race)."""
    now = timezone.now()
    with tenant_scope(account.tenant):
        CustomerAccount.objects.filter(pk=account.pk).update(last_login=now)
    account.last_login = now


def record_customer_lockout(tenant: Tenant, email: str, address: str) -> None:
    """An audit event when failed logins lock a known account (unknown ones leave none)."""
    email = normalize_customer_email(email)
    with tenant_scope(tenant):
        account = CustomerAccount.objects.filter(tenant=tenant, email=email).first()
        if account is not None:
            record(
                tenant,
                SYSTEM_ACTOR,
                "customer_account.locked",
                account,
                {"client_address": address},
            )


@transaction.atomic
def sign_out_elsewhere(account: CustomerAccount, keep_session: int | None) -> int:
    """End every session of the account but `keep_session`; returns how many ended."""
    from theke.accounts.customer_auth import end_sessions

    tenant = account.tenant
    with tenant_scope(tenant):
        rows = list(CustomerSession.objects.filter(account=account).exclude(pk=keep_session or 0))
        end_sessions(rows)
        CustomerSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
        if rows:
            record(
                tenant,
                customer_actor(account),
                "customer_account.signed_out_elsewhere",
                account,
                {"sessions_ended": len(rows)},
            )
    return len(rows)


def request_customer_password_reset(tenant_id: int, email: str) -> bool:
    """Queue the reset e-mail if this tenant has an active account with this e-mail.

    Runs in the worker (accounts.tasks), never in the request: the form answers the same
    for a known and an unknown address, in the same time.
    """
    tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
    if tenant is None:
        return False
    email = normalize_customer_email(email)
    with transaction.atomic(), tenant_scope(tenant):
        account = (
            CustomerAccount.objects.select_related("tenant")
            .filter(tenant=tenant, email=email, is_active=True)
            .first()
        )
        if account is None:
            return False
        emails.queue_customer_password_reset(account)
    return True
