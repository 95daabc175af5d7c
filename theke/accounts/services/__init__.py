"""State changes of staff users, memberships and roles.

Every function runs in one transaction, inside the tenant's scope, and writes its audit event
and its e-mails (outbox rows, sent by the worker after the commit) in that transaction.
Changes to a tenant's memberships and roles first lock the tenant row, so two admins demoting
each other cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from axes.utils import reset as reset_login_failures
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from theke.accounts import emails
from theke.accounts.models import Membership, Role, User
from theke.accounts.permissions import ADMIN_ROLE, all_codes, default_roles, unknown_codes
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import tenant_scope

LAST_ADMIN = _(
    "Diese Änderung ist nicht möglich: Der Mandant braucht mindestens ein aktives Mitglied "
    "mit der Administratorrolle."
)


def _lock_tenant(tenant: Tenant) -> None:
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()


def _active_admins(tenant: Tenant) -> int:
    return Membership.objects.filter(
        tenant=tenant, is_active=True, role__is_admin=True, user__is_active=True
    ).count()


def _is_active_admin(membership: Membership) -> bool:
    return membership.is_active and membership.role.is_admin and membership.user.is_active


def _current_role(tenant: Tenant, role: Role) -> Role:
    """The role as stored now (after the tenant lock): it may have been deleted meanwhile."""
    if role.tenant_id != tenant.pk:
        raise ServiceError(_("Diese Rolle gehört nicht zu diesem Mandanten."))
    current = Role.objects.filter(pk=role.pk, tenant=tenant).first()
    if current is None:
        raise ServiceError(_("Diese Rolle gibt es nicht mehr. Bitte wählen Sie eine andere."))
    return current


def _current_branches(tenant: Tenant, branches: Iterable[Branch]) -> list[Branch]:
    branches = list(branches)
    if any(branch.tenant_id != tenant.pk for branch in branches):
        raise ServiceError(_("Dieser Betrieb gehört nicht zu diesem Mandanten."))
    wanted = {branch.pk for branch in branches}
    current = list(Branch.objects.filter(tenant=tenant, pk__in=wanted))
    if len(current) != len(wanted):
        raise ServiceError(_("Einen der gewählten Betriebe gibt es nicht mehr."))
    return current


def _branch_names(branches: Iterable[Branch]) -> list[str]:
    return sorted(branch.name for branch in branches)


@transaction.atomic
def add_staff_member(
    tenant: Tenant,
    actor: Actor,
    *,
    email: str,
    role: Role,
    full_name: str = "",
    branches: Iterable[Branch] = (),
) -> Membership:
    """Give a person access to the tenant; a new user is invited to set a password by e-mail.

    An existing user (same e-mail, any case) keeps name and password and gets a notice.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise ServiceError(_("Bitte geben Sie eine E-Mail-Adresse an."))
    with tenant_scope(tenant):
        _lock_tenant(tenant)
        role = _current_role(tenant, role)
        branches = _current_branches(tenant, branches)
        user = User.objects.filter(email__iexact=email).first()
        is_new_user = user is None
        if user is None:
            if not full_name.strip():
                raise ServiceError(_("Bitte geben Sie den Namen der neuen Person an."))
            user = User.objects.create_user(
                email, None, full_name=full_name.strip(), language=tenant.default_language
            )
        elif Membership.objects.filter(tenant=tenant, user=user).exists():
            raise ServiceError(
                _("%(email)s hat bereits einen Zugang zu diesem Mandanten."),
                code="duplicate",
                params={"email": user.email},
            )
        membership = Membership.objects.create(tenant=tenant, user=user, role=role)
        membership.branches.set(branches)
        record(
            tenant,
            actor,
            "membership.created",
            membership,
            {
                "email": user.email,
                "role": role.name,
                "branches": _branch_names(branches),
                "new_user": is_new_user,
            },
        )
        if is_new_user:
            event = record(tenant, actor, "invitation.sent", membership, {"email": user.email})
            emails.queue_invitation(membership, event)
        else:
            emails.queue_membership_added(membership)
    return membership


@transaction.atomic
def resend_invitation(membership: Membership, actor: Actor) -> None:
    """Send a fresh invitation link to a member who has not set a password yet."""
    tenant = membership.tenant
    with tenant_scope(tenant):
        membership = Membership.objects.select_related("user", "tenant").get(pk=membership.pk)
        if membership.user.has_usable_password():
            raise ServiceError(_("Diese Person hat ihr Passwort bereits festgelegt."))
        if not membership.is_active or not membership.user.is_active:
            raise ServiceError(_("Der Zugang ist deaktiviert; es wird keine Einladung gesendet."))
        event = record(
            tenant, actor, "invitation.sent", membership, {"email": membership.user.email}
        )
        emails.queue_invitation(membership, event)


@transaction.atomic
def update_membership(
    membership: Membership,
    actor: Actor,
    *,
    role: Role,
    branches: Iterable[Branch],
    is_active: bool,
) -> Membership:
    """Change a member's role, branches and active flag; the last active admin stays one."""
    tenant = membership.tenant
    with tenant_scope(tenant):
        _lock_tenant(tenant)
        membership = Membership.objects.select_related("user", "role").get(
            pk=membership.pk, tenant=tenant
        )
        role = _current_role(tenant, role)
        branches = _current_branches(tenant, branches)
        was_admin = _is_active_admin(membership)
        before = {
            "role": membership.role.name,
            "branches": _branch_names(membership.branches.all()),
            "is_active": membership.is_active,
        }
        after = {"role": role.name, "branches": _branch_names(branches), "is_active": is_active}
        membership.role = role
        membership.is_active = is_active
        membership.save(update_fields=["role", "is_active"])
        membership.branches.set(branches)
        if was_admin and _active_admins(tenant) == 0:
            raise ServiceError(LAST_ADMIN, code="last_admin")
        changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
        if changes:
            record(tenant, actor, "membership.updated", membership, {"changes": changes})
    return membership


def _clean_role_input(
    tenant: Tenant, name: str, permissions: Iterable[str], exclude_pk: int | None = None
) -> tuple[str, list[str]]:
    name = name.strip()
    if not name:
        raise ServiceError(_("Bitte geben Sie einen Namen für die Rolle an."))
    codes = sorted(set(permissions))
    unknown = unknown_codes(codes)
    if unknown:
        raise ServiceError(
            _("Unbekannte Rechte: %(codes)s"),
            code="unknown_permission",
            params={"codes": ", ".join(unknown)},
        )
    duplicates = Role.objects.filter(tenant=tenant, name__iexact=name)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise ServiceError(
            _("Es gibt bereits eine Rolle mit dem Namen „%(name)s“."),
            code="duplicate",
            params={"name": name},
        )
    return name, codes


def seed_default_roles(tenant: Tenant, actor: Actor) -> None:
    """Give a new tenant the default roles; called by `create_tenant` (tenant_created)."""
    with tenant_scope(tenant):
        for role_name, codes in default_roles().items():
            role = Role.objects.create(
                tenant=tenant,
                name=role_name,
                permissions=sorted(codes),
                is_admin=role_name == ADMIN_ROLE,
            )
            record(
                tenant,
                actor,
                "role.created",
                role,
                {"name": role_name, "permissions": role.permissions},
            )


@transaction.atomic
def create_role(tenant: Tenant, actor: Actor, *, name: str, permissions: Iterable[str]) -> Role:
    """Create a role granting the given permission codes (all must be known)."""
    with tenant_scope(tenant):
        _lock_tenant(tenant)
        name, codes = _clean_role_input(tenant, name, permissions)
        role = Role.objects.create(tenant=tenant, name=name, permissions=codes)
        record(tenant, actor, "role.created", role, {"name": name, "permissions": codes})
    return role


@transaction.atomic
def update_role(
    role: Role, actor: Actor, *, name: str, permissions: Iterable[str] | None = None
) -> Role:
    """Rename a role and/or change its codes; the admin role always keeps every right.

    Stored codes no domain declares (a product not built yet) are kept as they are: they
    are not offered, so not changed, and come back to life with their product.
    """
    tenant = role.tenant
    with tenant_scope(tenant):
        _lock_tenant(tenant)
        role = Role.objects.get(pk=role.pk)
        dormant = unknown_codes(role.permissions)
        before = sorted(set(role.permissions) - set(dormant))
        if role.is_admin:
            if permissions is not None and not set(permissions) >= all_codes():
                raise ServiceError(
                    _(
                        "Die Administratorrolle hat immer alle Rechte; sie können nicht "
                        "entzogen werden."
                    ),
                    code="admin_role",
                )
            permissions = all_codes()
        elif permissions is None:
            permissions = before
        name, codes = _clean_role_input(tenant, name, permissions, exclude_pk=role.pk)
        changes: dict[str, Any] = {}
        if name != role.name:
            changes["name"] = [role.name, name]
        if codes != before:
            changes["added"] = sorted(set(codes) - set(before))
            changes["removed"] = sorted(set(before) - set(codes))
        role.name = name
        role.permissions = sorted(set(codes) | set(dormant))
        role.save(update_fields=["name", "permissions"])
        if changes:
            record(tenant, actor, "role.updated", role, changes)
    return role


@transaction.atomic
def delete_role(role: Role, actor: Actor) -> None:
    """Delete a role nobody holds (not even in a deactivated membership); never the admin role."""
    tenant = role.tenant
    with tenant_scope(tenant):
        _lock_tenant(tenant)
        role = Role.objects.get(pk=role.pk)
        if role.is_admin:
            raise ServiceError(
                _("Die Administratorrolle kann nicht gelöscht werden."), code="admin_role"
            )
        holders = Membership.objects.filter(role=role).count()
        if holders:
            raise ServiceError(
                ngettext_lazy(
                    "Die Rolle „%(name)s“ ist noch %(count)s Zugang zugeordnet. Bitte ordnen "
                    "Sie diesem zuerst eine andere Rolle zu.",
                    "Die Rolle „%(name)s“ ist noch %(count)s Zugängen zugeordnet. Bitte ordnen "
                    "Sie diesen zuerst eine andere Rolle zu.",
                    "count",
                ),
                code="in_use",
                params={"name": role.name, "count": holders},
            )
        record(
            tenant,
            actor,
            "role.deleted",
            role,
            {"name": role.name, "permissions": role.permissions},
        )
        role.delete()


def request_password_resets(email: str) -> int:
    """A reset e-mail to every active user with this address (case-insensitive); the count.

    Runs in the worker (accounts.tasks.send_password_reset), never in the request: whether
    an address is known must not show in how long the form takes to answer.
    """
    users = User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk")
    return sum(request_password_reset(user) for user in users)


@transaction.atomic
def request_password_reset(user: User) -> bool:
    """Queue the reset e-mail in the tenant of the user's first active membership.

    An e-mail is an outbox row, and every row belongs to a tenant. A user without an active
    membership in an active tenant (a platform operator, or someone whose every access was
    withdrawn) therefore gets no e-mail: there is nothing for them to log in to, and the form
    answers exactly the same, so it reveals nothing. Operators use `manage.py changepassword`.
    Returns whether an e-mail was queued.
    """
    membership = (
        Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
        .select_related("user", "tenant")
        .order_by("pk")
        .first()
    )
    if membership is None or not user.is_active:
        return False
    with tenant_scope(membership.tenant):
        emails.queue_password_reset(membership)
    return True


PasswordReason = Literal["reset", "invitation", "change"]

_PASSWORD_ACTIONS: dict[str, str] = {
    "reset": "user.password_reset",
    "invitation": "invitation.accepted",
    "change": "user.password_changed",
}


@transaction.atomic
def set_password(user: User, password: str, *, reason: PasswordReason) -> None:
    """Set a user's password (already validated) and note it in each of their tenants.

    After a reset or an accepted invitation, the account's login failures are forgotten:
    the owner of the mailbox has just proven who they are.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("tenant")
    for membership in memberships:
        with tenant_scope(membership.tenant):
            record(membership.tenant, Actor.staff(user), _PASSWORD_ACTIONS[reason], user)
    if reason != "change":
        reset_login_failures(username=user.email)
