"""Portal activation, invitations, registration and the users of a portal customer."""

from __future__ import annotations

from theke.accounts.services.customer_accounts import customer_actor
from theke.audit.services import Actor
from theke.portal.models import PortalUser


def portal_actor(user: PortalUser) -> Actor:
    """A portal user as the actor of their own changes."""
    return customer_actor(user.account)
