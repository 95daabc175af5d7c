"""State changes of tenants and branches."""

from __future__ import annotations

import datetime
import itertools
import re
import secrets
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from theke.audit.services import SYSTEM, Actor, record
from theke.core.errors import ServiceError
from theke.tenants.models import Branch, OpeningHours, Tenant, Weekday
from theke.tenants.scoping import tenant_scope
from theke.tenants.signals import tenant_created
from theke.tenants.validators import PreparedLogo, prepare_logo, validate_brand_color

# Master data a tenant admin may change (slug and active flag belong to the platform operator).
TENANT_FIELDS = (
    "name",
    "legal_name",
    "street",
    "postal_code",
    "city",
    "country",
    "phone",
    "email",
    "website",
    "brand_color",
    "default_language",
)
BRANCH_FIELDS = (
    "name",
    "street",
    "postal_code",
    "city",
    "phone",
    "email",
    "is_active",
    "external_id",
)
# Messaging settings a tenant admin may change; the SMS switch belongs to the platform operator.
MESSAGING_FIELDS = ("email_sender_name", "email_reply_to", "notification_email", "sms_sender")
# An alphanumeric SMS sender ID: up to 11 Latin letters, digits, spaces, dots or hyphens.
SMS_SENDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-]{0,10}")


class Interval(NamedTuple):
    """One opening interval of a branch: weekday (0 = Monday), opens, closes."""

    weekday: int
    opens: datetime.time
    closes: datetime.time

    def label(self) -> str:
        return f"{Weekday(self.weekday).label} {self.opens:%H:%M}–{self.closes:%H:%M}"


@transaction.atomic
def create_tenant(name: str, slug: str, actor: Actor = SYSTEM, **fields: Any) -> Tenant:
    """Create a tenant; accounts adds the default roles (Admin, Serviceberater, …)."""
    tenant = Tenant.objects.create(name=name, slug=slug, **fields)
    with tenant_scope(tenant):
        tenant_created.send(sender=Tenant, tenant=tenant, actor=actor)
        record(tenant, actor, "tenant.created", tenant, {"name": name, "slug": slug})
    return tenant


def _refuse(error: ValidationError) -> ServiceError:
    return ServiceError(error.message, code=error.code, params=error.params)


def update_tenant(
    tenant: Tenant,
    actor: Actor,
    *,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    **fields: Any,
) -> Tenant:
    """Change the tenant's master data and/or logo (PNG, JPEG or WebP up to 2 MB)."""
    unknown = set(fields) - set(TENANT_FIELDS)
    if unknown:
        raise TypeError(f"not tenant master data: {sorted(unknown)}")
    prepared = None
    if logo is not None:
        # Decoded before the transaction: the database's write lock is not held meanwhile.
        try:
            prepared = prepare_logo(logo)
        except ValidationError as error:
            raise _refuse(error) from error
    return _update_tenant(tenant, actor, prepared, remove_logo, fields)


@transaction.atomic
def _update_tenant(
    tenant: Tenant,
    actor: Actor,
    logo: PreparedLogo | None,
    remove_logo: bool,
    fields: dict[str, Any],
) -> Tenant:
    with tenant_scope(tenant):
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if "name" in fields and not str(fields["name"]).strip():
            raise ServiceError(_("Bitte geben Sie einen Namen an."))
        if "brand_color" in fields:
            try:
                validate_brand_color(fields["brand_color"])
            except ValidationError as error:
                raise _refuse(error) from error
            fields["brand_color"] = fields["brand_color"].lower()
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            if getattr(locked, name) != value:
                changes[name] = [getattr(locked, name), value]
                setattr(locked, name, value)
        old_logo = locked.logo.name or ""
        if logo is not None:
            # The stored name comes from the content, never from the upload's file name.
            name = f"{locked.slug}-{secrets.token_hex(8)}.{logo.extension}"
            locked.logo.save(name, ContentFile(logo.data), save=False)
            changes["logo"] = [old_logo, locked.logo.name]
        elif remove_logo and old_logo:
            locked.logo = ""
            changes["logo"] = [old_logo, ""]
        if not changes:
            return locked
        locked.save()
        record(tenant, actor, "tenant.updated", locked, {"changes": changes})
        if "logo" in changes and old_logo:
            storage = locked.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo), robust=True)
    return locked


@transaction.atomic
def update_messaging_settings(tenant: Tenant, actor: Actor, **fields: Any) -> Tenant:
    """Change the sender name, reply-to and notification addresses and the SMS sender."""
    unknown = set(fields) - set(MESSAGING_FIELDS)
    if unknown:
        raise TypeError(f"not messaging settings: {sorted(unknown)}")
    cleaned = {name: str(value or "").strip() for name, value in fields.items()}
    name = cleaned.get("email_sender_name", "")
    if "\n" in name or "\r" in name or len(name) > 100:
        raise ServiceError(
            _("Der Absendername darf höchstens 100 Zeichen in einer Zeile haben."),
            "email_sender_name",
        )
    for field in ("email_reply_to", "notification_email"):
        if cleaned.get(field):
            cleaned[field] = cleaned[field].lower()
            try:
                validate_email(cleaned[field])
            except ValidationError:
                raise ServiceError(
                    _("Bitte geben Sie eine gültige E-Mail-Adresse an."), field
                ) from None
    sender = cleaned.get("sms_sender", "")
    if sender and not SMS_SENDER.fullmatch(sender):
        raise ServiceError(
            _(
                "Der SMS-Absender darf höchstens 11 Zeichen haben: Buchstaben ohne Umlaute, "
                "Ziffern, Leerzeichen, Punkt oder Bindestrich."
            ),
            "sms_sender",
        )
    with tenant_scope(tenant):
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        changes: dict[str, Any] = {}
        for field, value in cleaned.items():
            if getattr(locked, field) != value:
                changes[field] = [getattr(locked, field), value]
                setattr(locked, field, value)
        if changes:
            locked.save(update_fields=list(changes))
            record(tenant, actor, "tenant.messaging_updated", locked, {"changes": changes})
    return locked


def _clean_intervals(intervals: Iterable[Interval | tuple[int, Any, Any]]) -> list[Interval]:
    """Sorted intervals; refuses an end not after its start and overlaps on one weekday."""
    cleaned = sorted(Interval(*interval) for interval in intervals)
    for interval in cleaned:
        if interval.weekday not in Weekday.values:
            raise ServiceError(_("Unbekannter Wochentag."))
        if interval.closes <= interval.opens:
            raise ServiceError(
                _("%(interval)s: Das Ende muss nach dem Beginn liegen."),
                code="closes_before_opens",
                params={"interval": interval.label()},
            )
    for previous, current in itertools.pairwise(cleaned):
        if previous.weekday == current.weekday and current.opens < previous.closes:
            raise ServiceError(
                _("Die Öffnungszeiten %(first)s und %(second)s überschneiden sich."),
                code="overlap",
                params={"first": previous.label(), "second": current.label()},
            )
    return cleaned


def _check_branch_name(tenant: Tenant, name: str, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ServiceError(_("Bitte geben Sie einen Namen für den Betrieb an."))
    others = Branch.objects.filter(tenant=tenant, name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ServiceError(
            _("Es gibt bereits einen Betrieb mit dem Namen „%(name)s“."),
            code="duplicate",
            params={"name": name},
        )
    return name


def _check_branch_external_id(tenant: Tenant, value: Any, exclude_pk: int | None = None) -> str:
    external_id = str(value or "").strip()
    if not external_id:
        return ""
    others = Branch.objects.filter(tenant=tenant, external_id=external_id)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ServiceError(
            _("Es gibt bereits einen Betrieb mit der ID „%(external_id)s“."),
            field="external_id",
            code="duplicate",
            params={"external_id": external_id},
        )
    return external_id


def _replace_opening_hours(
    branch: Branch, intervals: list[Interval]
) -> tuple[list[str], list[str]]:
    before = [
        Interval(h.weekday, h.opens, h.closes).label()
        for h in OpeningHours.objects.filter(branch=branch).order_by("weekday", "opens")
    ]
    OpeningHours.objects.filter(branch=branch).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(
            tenant_id=branch.tenant_id,
            branch=branch,
            weekday=i.weekday,
            opens=i.opens,
            closes=i.closes,
        )
        for i in intervals
    )
    return before, [i.label() for i in intervals]


@transaction.atomic
def create_branch(
    tenant: Tenant,
    actor: Actor,
    name: str,
    opening_hours: Iterable[Interval | tuple[int, Any, Any]] = (),
    **fields: Any,
) -> Branch:
    """Create a branch, optionally with its opening hours."""
    with tenant_scope(tenant):
        _lock(tenant)
        name = _check_branch_name(tenant, name)
        if "external_id" in fields:
            fields["external_id"] = _check_branch_external_id(tenant, fields["external_id"])
        intervals = _clean_intervals(opening_hours)
        branch = Branch.objects.create(tenant=tenant, name=name, **fields)
        _, hours = _replace_opening_hours(branch, intervals)
        data: dict[str, Any] = {"name": name}
        if hours:
            data["opening_hours"] = hours
        record(tenant, actor, "branch.created", branch, data)
    return branch


@transaction.atomic
def update_branch(
    branch: Branch,
    actor: Actor,
    *,
    opening_hours: Iterable[Interval | tuple[int, Any, Any]] | None = None,
    **fields: Any,
) -> Branch:
    """Change a branch's data; given opening hours replace the old ones as a whole."""
    unknown = set(fields) - set(BRANCH_FIELDS)
    if unknown:
        raise TypeError(f"not branch data: {sorted(unknown)}")
    tenant = branch.tenant
    with tenant_scope(tenant):
        _lock(tenant)
        locked = Branch.objects.select_for_update().get(pk=branch.pk)
        if "name" in fields:
            fields["name"] = _check_branch_name(tenant, fields["name"], exclude_pk=locked.pk)
        if "external_id" in fields:
            fields["external_id"] = _check_branch_external_id(
                tenant, fields["external_id"], exclude_pk=locked.pk
            )
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            if getattr(locked, name) != value:
                changes[name] = [getattr(locked, name), value]
                setattr(locked, name, value)
        if changes:
            locked.save()
        if opening_hours is not None:
            before, after = _replace_opening_hours(locked, _clean_intervals(opening_hours))
            if before != after:
                changes["opening_hours"] = [before, after]
        if changes:
            record(tenant, actor, "branch.updated", locked, {"changes": changes})
    return locked


def _lock(tenant: Tenant) -> None:
    """Serialise changes of one tenant's branches (names are unique per tenant)."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
