"""The "Kundenkonto" panel of the staff customer page: who of the customer logs in, when
last, and the invitations (its buttons post to theke.accounts.staff_views).

A module of its own: AccountsConfig.ready() registers the panel, and importing the staff views
there would import the forms and the tasks before the test settings choose the tasks backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from theke.accounts.models import CustomerAccount
from theke.accounts.services import customer_invitations as invitations
from theke.customers.models import Customer
from theke.tenants.scoping import tenant_scope

CUSTOMER_RIGHT = "customers.manage"


@dataclass(frozen=True)
class LoginRow:
    """A contact of the customer (or a login without one) and the state of its login."""

    name: str
    email: str
    contact_id: int | None
    account: CustomerAccount | None
    invitation: invitations.OpenInvitation | None

    @property
    def state(self) -> str:
        """none, invited, expired (invitation), active, inactive."""
        if self.account is None:
            return "none"
        if not self.account.is_active:
            return "inactive"
        if self.account.has_usable_password():
            return "active"
        if self.invitation is not None and self.invitation.expired:
            return "expired"
        return "invited"


def customer_logins(customer: Customer) -> list[LoginRow]:
    """The customer's contacts with their logins (matched by e-mail), then logins of the
    customer whose address no contact has."""
    with tenant_scope(customer.tenant):
        accounts = {a.email: a for a in CustomerAccount.objects.filter(customer=customer)}
        contacts = list(customer.contacts.order_by("last_name", "first_name", "pk"))
    rows = []
    for contact in contacts:
        email = (contact.email or "").strip().lower()
        account = accounts.pop(email, None) if email else None
        rows.append(
            LoginRow(
                str(contact),
                contact.email,
                contact.pk,
                account,
                invitations.open_invitation(account) if account else None,
            )
        )
    for account in accounts.values():
        rows.append(
            LoginRow(
                str(account), account.email, None, account, invitations.open_invitation(account)
            )
        )
    return rows


def customer_logins_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """Customer-page panel "Kundenkonto": who of the customer logs in, when last, and the
    invitations (actions with `customers.manage`)."""
    if not request.user.has_perm("customers.view"):
        return None
    return {
        "customer": customer,
        "rows": customer_logins(customer),
        "can_invite": request.user.has_perm(CUSTOMER_RIGHT),
    }
