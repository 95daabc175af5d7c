"""The staff inbox: internal notes to one user or to a role (optionally of one branch).

A user sees the notes addressed to them, and the notes to their role in the tenant, where
a note for a branch reaches only members working there (a membership without branches
works everywhere). Read state is per user, so a role note read by one is still unread
for the others.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise

from theke.accounts.models import Membership, Role
from theke.messaging.models import InternalMessage, InternalMessageRead
from theke.tenants.models import Branch, Tenant


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _message(
    tenant: Tenant,
    subject: str,
    body: str,
    related: models.Model | None,
    url: str,
    sender: str,
    **recipient: Any,
) -> InternalMessage:
    message = InternalMessage(
        tenant=tenant,
        subject=_clip(str(subject), 300),
        body=str(body),
        url=url[:500],
        sender_label=sender[:200],
        **recipient,
    )
    message.relate_to(related)
    message.save()
    return message


@transaction.atomic
def notify_user(
    tenant: Tenant,
    user: Any,
    subject: str,
    body: str,
    related: models.Model | None = None,
    url: str = "",
    sender: str = "",
) -> InternalMessage:
    """Leave a note in one staff user's inbox, e.g. "Kostenvoranschlag 4711 angenommen"."""
    return _message(tenant, subject, body, related, url, sender, recipient_user=user)


@transaction.atomic
def notify_role(
    tenant: Tenant,
    role: Role | str,
    subject: str,
    body: str,
    branch: Branch | None = None,
    related: models.Model | None = None,
    url: str = "",
    sender: str = "",
) -> InternalMessage:
    """Leave a note for everyone with a role (given or by name), or only those of a branch."""
    if isinstance(role, str):
        role = Role.objects.get(tenant=tenant, name=role)
    return _message(tenant, subject, body, related, url, sender, recipient_role=role, branch=branch)


def visible_messages(user: Any, tenant: Tenant) -> models.QuerySet[InternalMessage]:
    """The user's notes in this tenant, as one query (branch rules run as subqueries)."""
    memberships = Membership.objects.filter(tenant=tenant, user_id=user.pk, is_active=True).values(
        "pk"
    )
    roles = Membership.objects.filter(tenant=tenant, user_id=user.pk, is_active=True).values(
        "role_id"
    )
    my_branches = Membership.branches.through.objects.filter(membership_id__in=memberships)
    everywhere = ~Exists(my_branches)
    in_my_branch = Exists(my_branches.filter(branch_id=OuterRef("branch_id")))
    to_my_role = Q(recipient_role_id__in=roles) & (
        Q(branch__isnull=True) | Q(everywhere) | Q(in_my_branch)
    )
    return InternalMessage.objects.filter(tenant=tenant).filter(
        Q(recipient_user_id=user.pk) | to_my_role
    )


def with_read_state(
    messages: models.QuerySet[InternalMessage], user: Any
) -> models.QuerySet[InternalMessage]:
    """Annotate `is_read` for the user."""
    return messages.annotate(
        is_read=Exists(InternalMessageRead.objects.filter(message=OuterRef("pk"), user_id=user.pk))
    )


def unread_messages(user: Any, tenant: Tenant) -> models.QuerySet[InternalMessage]:
    return visible_messages(user, tenant).exclude(
        Exists(InternalMessageRead.objects.filter(message=OuterRef("pk"), user_id=user.pk))
    )


def unread_count(user: Any, tenant: Tenant) -> int:
    """How many of the user's notes are unread: one COUNT query."""
    return unread_messages(user, tenant).count()


def mark_read(message: InternalMessage, user: Any) -> bool:
    """Mark one note read for the user; True when it was unread. Repeats change nothing."""
    if InternalMessageRead.objects.filter(message=message, user_id=user.pk).exists():
        return False
    try:
        with transaction.atomic():
            InternalMessageRead.objects.create(
                tenant_id=message.tenant_id, message=message, user_id=user.pk
            )
    except IntegrityError:  # a second tab marked it read at the same moment
        return False
    return True


@transaction.atomic
def mark_all_read(user: Any, tenant: Tenant) -> int:
    """Mark every unread note of the user read; returns how many were unread."""
    now = timezone.now()
    reads = [
        InternalMessageRead(tenant=tenant, message_id=pk, user_id=user.pk, read_at=now)
        for pk in unread_messages(user, tenant).values_list("pk", flat=True)
    ]
    InternalMessageRead.objects.bulk_create(reads, ignore_conflicts=True)
    return len(reads)


# Audit action code -> label, registered by MessagingConfig.ready(). Notes are side effects
# of audited business events and read marks are personal state, so the inbox records none.
ACTION_LABELS: dict[str, Promise] = {}
