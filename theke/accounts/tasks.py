"""Background work of the accounts domain: e-mails, sent by the worker, never in a request.

Tasks take ids, not objects, and look at the state when they run: an invitation that was
accepted in the meantime is not sent again.
"""

from __future__ import annotations

from django.tasks import task

from theke.accounts import emails
from theke.accounts.models import Membership, User


@task
def send_invitation_email(membership_id: int) -> bool:
    membership = (
        Membership.objects.select_related("user", "tenant").filter(pk=membership_id).first()
    )
    if membership is None or not membership.is_active or not membership.user.is_active:
        return False
    if membership.user.has_usable_password():
        return False
    emails.invitation(membership.user, membership.tenant).send()
    return True


@task
def send_membership_added_email(membership_id: int) -> bool:
    membership = (
        Membership.objects.select_related("user", "tenant", "role").filter(pk=membership_id).first()
    )
    if membership is None or not membership.is_active or not membership.user.is_active:
        return False
    emails.membership_added(membership.user, membership.tenant, membership.role.name).send()
    return True


@task
def send_password_reset_email(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    emails.password_reset(user).send()
    return True
