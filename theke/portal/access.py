"""The one guard of the portal: who of which customer sees which rows.

Every portal page, list, download and API answer reads its rows through the functions here,
never through the models' managers directly, so a user never sees another customer's data or
a location not granted to them: a row outside the user's reach is a 404 (not a 403, which
would tell that it exists).

`portal_page` wraps a customer view taking the tenant's slug: the tenant must have the portal
switched on, the customer login must belong to an active portal customer and have completed
its registration (else: to the registration's next step), and the view runs in the tenant's
scope with `request.portal_user`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from theke.accounts.customer_auth import customer_login_required
from theke.customers.models import Asset, Location
from theke.orders.models import Invoice, Order, Quote
from theke.portal.models import PortalUser, QuoteRequest

View = Callable[..., HttpResponseBase]


def portal_user_of(request: HttpRequest) -> PortalUser:
    user: PortalUser | None = getattr(request, "portal_user", None)
    if user is None:
        raise Http404
    return user


def load_portal_user(request: HttpRequest) -> PortalUser | None:
    """The logged-in account's portal user, if the tenant and the customer use the portal."""
    account = getattr(request, "customer_account", None)
    if account is None or not account.tenant.portal_enabled:
        return None
    return (
        PortalUser.objects.select_related("account", "customer", "contact", "customer__portal")
        .filter(account=account, customer__portal__is_active=True)
        .first()
    )


def portal_page(*, registered: bool = True) -> Callable[[View], View]:
    """Guard a portal page: logged in (else the login), a portal user of an active portal
    customer (else 404); with `registered`, also past the terms and the introduction."""

    def decorate(view: View) -> View:
        @customer_login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = load_portal_user(request)
            if user is None:
                raise Http404
            request.portal_user = user  # type: ignore[attr-defined]
            if registered:
                step = pending_step(user)
                if step is not None:
                    return redirect(step, slug)
            return view(request, slug, *args, **kwargs)

        return wrapped

    return decorate


def pending_step(user: PortalUser) -> str | None:
    """The URL name of what the user must do before the portal's pages, if anything: accept
    the current terms (new versions ask again), then the introduction (once)."""
    from theke.portal.services.consent import needs_consent

    if needs_consent(user):
        return "portal:consent"
    if user.introduction_seen_at is None:
        return "portal:introduction"
    return None


# --- what a user may see ---------------------------------------------------------------------


def locations_of(user: PortalUser) -> QuerySet[Location]:
    """The customer's delivery locations the user may see and order for."""
    rows = Location.objects.filter(customer_id=user.customer_id)
    if not user.all_locations:
        rows = rows.filter(pk__in=user.locations.values("pk"))
    return rows


def _location_rule(user: PortalUser, field: str) -> Q:
    """Rows of a granted location; rows without a location only for users of all locations."""
    if user.all_locations:
        return Q()
    return Q(**{f"{field}__in": user.locations.values("pk")})


def orders_of(user: PortalUser) -> QuerySet[Order]:
    return Order.objects.filter(customer_id=user.customer_id).filter(
        _location_rule(user, "location")
    )


def assets_of(user: PortalUser) -> QuerySet[Asset]:
    return Asset.objects.filter(customer_id=user.customer_id).filter(
        _location_rule(user, "location")
    )


def invoices_of(user: PortalUser) -> QuerySet[Invoice]:
    """Invoices, for users who may see them; restricted users those of their locations'
    orders."""
    if not user.sees_invoices:
        return Invoice.objects.none()
    return Invoice.objects.filter(customer_id=user.customer_id).filter(
        _location_rule(user, "order__location")
    )


def quotes_of(user: PortalUser) -> QuerySet[Quote]:
    return Quote.objects.filter(customer_id=user.customer_id).filter(
        _location_rule(user, "location")
    )


def quote_requests_of(user: PortalUser) -> QuerySet[QuoteRequest]:
    """The customer's quote requests: a restricted user's own and those of their locations."""
    rows = QuoteRequest.objects.filter(customer_id=user.customer_id)
    if not user.all_locations:
        rows = rows.filter(Q(requested_by=user) | Q(location__in=user.locations.values("pk")))
    return rows


def users_of(user: PortalUser) -> QuerySet[PortalUser]:
    """The colleagues a customer admin manages (nobody for other roles)."""
    if not user.is_admin:
        return PortalUser.objects.none()
    return PortalUser.objects.filter(customer_id=user.customer_id).select_related("account")


def one[M](rows: QuerySet[Any], pk: object) -> Any:
    """One row of a guarded queryset, else 404."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
