"""Customer logins in the browser: their own session keys, throttling and page guard.

A customer account is never Django's `request.user`: its id, a hash derived from its password
hash and the id of its CustomerSession row live under keys of their own in the session. A
staff login and a customer login in the same browser do not see each other; logging out of
one keeps the other.

* `login` / `logout` (the views call them after the service decided).
* `CustomerAccountMiddleware` sets `request.customer_account` (None when not logged in, the
  account was deactivated, its password changed since, or its session row was removed by
  "sign out elsewhere").
* `customer_login_required`: the guard of every customer page under `/konto/<tenant>/`.
* Throttling: failed logins counted per (tenant, e-mail) and per client address in the
  shared cache with the staff side's limits (AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from importlib import import_module
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django_scopes import scopes_disabled

from theke.accounts.models import CustomerAccount, CustomerSession
from theke.core.client import client_address
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

ACCOUNT_KEY = "theke_customer_account_id"
HASH_KEY = "theke_customer_account_hash"
ROW_KEY = "theke_customer_session_id"
CUSTOMER_KEYS = (ACCOUNT_KEY, HASH_KEY, ROW_KEY)
# A session row's last_seen_at is written at most this often.
TOUCH_SECONDS = 60
USER_AGENT_LENGTH = 200

View = Callable[..., HttpResponseBase]


# --- session -------------------------------------------------------------------------------


def session_hash(account: CustomerAccount) -> str:
    """Changes with the password hash: a new password ends every other session."""
    return salted_hmac(
        "theke.accounts.customer_auth.session_hash", account.password, algorithm="sha256"
    ).hexdigest()


def login(request: HttpRequest, account: CustomerAccount) -> CustomerSession:
    """Log the account in: a new session key, the customer keys, a row for the devices list.

    A staff login in the same browser stays (cycle_key keeps the session's data).
    """
    for key in CUSTOMER_KEYS:
        request.session.pop(key, None)
    request.session.cycle_key()
    now = timezone.now()
    row = CustomerSession.objects.create(
        account=account,
        session_key=request.session.session_key or "",
        last_seen_at=now,
        user_agent=str(request.headers.get("User-Agent", ""))[:USER_AGENT_LENGTH],
        client_address=client_address(request),
    )
    request.session[ACCOUNT_KEY] = account.pk
    request.session[HASH_KEY] = session_hash(account)
    request.session[ROW_KEY] = row.pk
    request.customer_account = account  # type: ignore[attr-defined]
    return row


def update_session_hash(request: HttpRequest, account: CustomerAccount) -> None:
    """After the account's own password change: this session stays, every other one ends."""
    request.session[HASH_KEY] = session_hash(account)


def current_row_id(request: HttpRequest) -> int | None:
    value = request.session.get(ROW_KEY)
    return int(value) if isinstance(value, int) else None


def logout(request: HttpRequest) -> None:
    """End the customer login of this browser only; a staff login here stays."""
    row_id = current_row_id(request)
    if row_id is not None:
        CustomerSession.objects.filter(pk=row_id).delete()
    for key in CUSTOMER_KEYS:
        request.session.pop(key, None)
    request.customer_account = None  # type: ignore[attr-defined]


def end_sessions(rows: list[CustomerSession]) -> None:
    """Remove the customer keys from these sessions in the session store (a session holding
    nothing else is deleted); the caller deletes the rows."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for row in rows:
        if not row.session_key:
            continue
        store = store_class(session_key=row.session_key)
        if store.get(ROW_KEY) != row.pk:
            continue  # the browser logged in again since, or the session is gone
        if "_auth_user_id" in store:
            for key in CUSTOMER_KEYS:
                store.pop(key, None)
            store.save()
        else:
            store.delete()


def _resolve(request: HttpRequest) -> CustomerAccount | None:
    account_id = request.session.get(ACCOUNT_KEY)
    if account_id is None:
        return None
    with scopes_disabled():
        account = (
            CustomerAccount.objects.select_related("tenant", "customer")
            .filter(pk=account_id, is_active=True, tenant__is_active=True)
            .first()
        )
        row = CustomerSession.objects.filter(
            pk=current_row_id(request) or 0, account_id=account_id
        ).first()
    stored_hash = str(request.session.get(HASH_KEY, ""))
    if (
        account is None
        or row is None
        or not constant_time_compare(stored_hash, session_hash(account))
    ):
        for key in CUSTOMER_KEYS:
            request.session.pop(key, None)
        return None
    _touch(request, row)
    return account


def _touch(request: HttpRequest, row: CustomerSession) -> None:
    now = timezone.now()
    session_key = request.session.session_key or ""
    stale = now - row.last_seen_at >= datetime.timedelta(seconds=TOUCH_SECONDS)
    if stale or row.session_key != session_key:
        CustomerSession.objects.filter(pk=row.pk).update(
            last_seen_at=now, session_key=session_key, client_address=client_address(request)
        )


class CustomerAccountMiddleware:
    """Sets request.customer_account (a CustomerAccount or None)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.customer_account = _resolve(request)  # type: ignore[attr-defined]
        return self.get_response(request)


def account_of(request: HttpRequest, tenant: Tenant) -> CustomerAccount | None:
    """The logged-in customer account if it belongs to `tenant`, else None."""
    account: CustomerAccount | None = getattr(request, "customer_account", None)
    if account is None or account.tenant_id != tenant.pk:
        return None
    return account


# --- pages ---------------------------------------------------------------------------------


def tenant_of(slug: str) -> Tenant:
    """The active tenant of a customer page's URL (404 for any other)."""
    return get_object_or_404(Tenant, slug=slug, is_active=True)


# --- homes: the products' start pages for a logged-in customer ------------------------------


@dataclass(frozen=True)
class CustomerHome:
    """A product's start page for this account (e.g. the portal's dashboard)."""

    label: str | Promise
    url: str


HomeOf = Callable[[CustomerAccount], "CustomerHome | None"]
_HOMES: list[HomeOf] = []


def register_home(home_of: HomeOf) -> None:
    """A product offers logged-in customers its start page (accounts imports no product):
    the login lands on the first one without `next`, and the account page links them all."""
    if home_of not in _HOMES:
        _HOMES.append(home_of)


def homes_of(account: CustomerAccount) -> list[CustomerHome]:
    return [home for home in (home_of(account) for home_of in _HOMES) if home is not None]


def safe_next(request: HttpRequest, wanted: str | None, tenant: Tenant) -> str:
    """Where to go after the login: `next` if it is a path on this host, else a product's
    start page for the account (register_home), else the account."""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    account = getattr(request, "customer_account", None)
    if account is not None:
        homes = homes_of(account)
        if homes:
            return homes[0].url
    return reverse("customer_accounts:account", args=[tenant.slug])


def customer_login_required(view: View) -> View:
    """Guard a customer page taking the tenant's `slug`: not logged in at this tenant goes
    to its login with `next`; the view runs in the tenant's scope with
    `request.customer_account` of that tenant."""

    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        tenant = tenant_of(slug)
        account = account_of(request, tenant)
        if account is None:
            login_url = reverse("customer_accounts:login", args=[tenant.slug])
            return redirect(f"{login_url}?next={quote(request.get_full_path())}")
        with tenant_scope(tenant):
            return view(request, slug, *args, **kwargs)

    return wrapped


# --- throttling ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    until: datetime.datetime


def _cooloff_seconds() -> int:
    cooloff: Any = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, datetime.timedelta):
        return max(1, int(cooloff.total_seconds()))
    return max(1, int(float(cooloff) * 3600))


def _keys(tenant: Tenant, email: str, address: str) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"customer-login:{tenant.pk}:{digest}", f"customer-login:ip:{address or 'unknown'}"]


def lock_of(tenant: Tenant, email: str, address: str) -> Lock | None:
    """The lock on this e-mail at this tenant or on this client address, if any."""
    found = [cache.get(f"{key}:until") for key in _keys(tenant, email, address)]
    until = [value for value in found if isinstance(value, datetime.datetime)]
    if not until:
        return None
    latest = max(until)
    return Lock(latest) if latest > timezone.now() else None


def count_failure(tenant: Tenant, email: str, address: str) -> Lock | None:
    """One more failed login; the lock if this failure reached the limit."""
    limit = int(settings.AXES_FAILURE_LIMIT)
    window = _cooloff_seconds()
    locked: Lock | None = None
    for key in _keys(tenant, email, address):
        cache.add(key, 0, window)
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        if count >= limit:
            until = timezone.now() + datetime.timedelta(seconds=window)
            cache.set(f"{key}:until", until, window)
            cache.delete(key)
            locked = Lock(until)
    return locked


def forget_failures(tenant: Tenant, email: str) -> None:
    """The account's counter and lock (not the address's): after a password reset."""
    key = _keys(tenant, email, "")[0]
    cache.delete_many([key, f"{key}:until"])
