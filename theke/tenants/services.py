"""State changes of tenants and branches."""

from __future__ import annotations

import datetime
import itertools
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from theke.audit.services import SYSTEM, Actor, record
from theke.core.errors import ServiceError
from theke.tenants.federal_states import FederalState, resolve_state
from theke.tenants.models import (
    LEGAL_TEXT_PATHS,
    Branch,
    LegalText,
    LegalTextKind,
    OpeningHours,
    Tenant,
    Weekday,
)
from theke.tenants.scoping import tenant_scope
from theke.tenants.signals import tenant_created
from theke.tenants.validators import (
    PreparedLogo,
    compact,
    prepare_logo,
    validate_bic,
    validate_brand_color,
    validate_iban,
    validate_vat_id,
)

# Legal and bank details, printed in the letterhead and footer of the PDFs.
LEGAL_FIELDS = (
    "register_court",
    "register_number",
    "vat_id",
    "managing_director",
    "bank_name",
    "iban",
    "bic",
)
# Stored compact (upper case, no spaces), checked by these validators.
_CODED_FIELDS = {"vat_id": validate_vat_id, "iban": validate_iban, "bic": validate_bic}

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
    *LEGAL_FIELDS,
)
BRANCH_FIELDS = (
    "name",
    "street",
    "postal_code",
    "city",
    "state",
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


def _refuse(error: ValidationError, field: str | None = None) -> ServiceError:
    return ServiceError(error.message, field=field, code=error.code, params=error.params)


def _clean_legal(fields: dict[str, Any]) -> None:
    """Trim the legal and bank details, store VAT id, IBAN and BIC compact and checked."""
    for name in LEGAL_FIELDS:
        if name in fields:
            fields[name] = str(fields[name] or "").strip()
    for name, validate in _CODED_FIELDS.items():
        if fields.get(name):
            fields[name] = compact(fields[name])
            try:
                validate(fields[name])
            except ValidationError as error:
                raise _refuse(error, name) from error
    if (
        fields.get("register_number")
        and "register_court" in fields
        and not fields["register_court"]
    ):
        raise ServiceError(
            _("Bitte geben Sie zur Registernummer auch das Registergericht an."),
            field="register_court",
            code="register_court_required",
        )


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
        _clean_legal(fields)
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


def _branch_state(tenant: Tenant, fields: dict[str, Any], stored: Branch | None = None) -> str:
    """The branch's federal state: as given, else (or after a move) from its postcode."""
    state = resolve_state(
        str(fields.get("postal_code", stored.postal_code if stored else "") or "").strip(),
        str(fields.get("state", stored.state if stored else "") or ""),
        country=tenant.country,
        stored_postal_code=stored.postal_code if stored else None,
        stored_state=stored.state if stored else None,
    )
    if state and state not in FederalState.values:
        raise ServiceError(
            _("Unbekanntes Bundesland „%(state)s“."),
            field="state",
            code="invalid",
            params={"state": state},
        )
    return state


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
        fields["state"] = _branch_state(tenant, fields)
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
        fields["state"] = _branch_state(tenant, fields, stored=locked)
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


# --- legal texts: terms and privacy policy, versioned ---------------------------------------

# Longer than any real set of terms; keeps a paste accident out of the database.
LEGAL_TEXT_MAX_LENGTH = 100_000


def _check_kind(kind: str) -> LegalTextKind:
    if kind not in LegalTextKind.values:
        raise ValueError(f"unknown kind of legal text: {kind!r}")
    return LegalTextKind(kind)


def current_version(tenant: Tenant, kind: str) -> LegalText | None:
    """The tenant's current text of a kind (the highest version), None before the first."""
    with tenant_scope(tenant):
        return _latest(tenant, _check_kind(kind))


def legal_text_version(tenant: Tenant, kind: str, version: int) -> LegalText | None:
    """One version of the tenant's text of a kind, None when there is no such version."""
    with tenant_scope(tenant):
        return LegalText.objects.filter(
            tenant=tenant, kind=_check_kind(kind), version=version
        ).first()


def legal_text_history(tenant: Tenant, kind: str) -> list[LegalText]:
    """Every version of a kind, newest first, without their bodies."""
    with tenant_scope(tenant):
        return list(
            LegalText.objects.filter(tenant=tenant, kind=_check_kind(kind))
            .select_related("published_by")
            .defer("body")
            .order_by("-version")
        )


def legal_text_url(tenant: Tenant, kind: str, version: int | None = None) -> str:
    """The public page of the tenant's text of a kind: one version, or always the current."""
    path = LEGAL_TEXT_PATHS[_check_kind(kind)]
    if version is None:
        return reverse("tenant_pages:legal_text", args=[tenant.slug, path])
    return reverse("tenant_pages:legal_text_version", args=[tenant.slug, path, version])


def _latest(tenant: Tenant, kind: LegalTextKind) -> LegalText | None:
    return LegalText.objects.filter(tenant=tenant, kind=kind).order_by("-version").first()


@transaction.atomic
def publish_legal_text(
    tenant: Tenant, actor: Actor, kind: str, body: str, *, based_on: int | None = None
) -> LegalText:
    """Publish a new version of the terms or privacy policy: a new row with the next number;
    earlier versions stay as they are.

    `based_on`: the version the editor started from (0: none); when another version was
    published meanwhile the text is refused (code "stale") instead of silently replacing it.
    Refuses an empty text and one unchanged from the current version.
    """
    kind = _check_kind(kind)
    body = normalize_newlines(body or "").strip()
    if not body:
        raise ServiceError(_("Bitte geben Sie einen Text ein."), "body", "required")
    if len(body) > LEGAL_TEXT_MAX_LENGTH:
        raise ServiceError(
            _("Der Text ist zu lang (höchstens %(limit)s Zeichen)."),
            "body",
            "too_long",
            params={"limit": LEGAL_TEXT_MAX_LENGTH},
        )
    with tenant_scope(tenant):
        # Serialises publishing per tenant: two editors get two numbers, one after the other.
        _lock(tenant)
        current = _latest(tenant, kind)
        number = current.version if current is not None else 0
        if based_on is not None and based_on != number:
            raise ServiceError(
                _(
                    "Inzwischen wurde Fassung %(version)s veröffentlicht. Bitte prüfen Sie diese "
                    "und übernehmen Sie Ihre Änderungen dort."
                ),
                "body",
                "stale",
                params={"version": number},
            )
        if current is not None and current.body == body:
            raise ServiceError(
                _("Der Text ist unverändert; es wurde keine neue Fassung angelegt."),
                "body",
                "unchanged",
            )
        text = LegalText(
            tenant=tenant,
            kind=kind,
            version=number + 1,
            body=body,
            published_at=timezone.now(),
            published_by_id=actor.user_id,
        )
        try:
            # The unique constraint is the last guard should the lock not serialise.
            with transaction.atomic():
                text.save(force_insert=True)
        except IntegrityError as error:
            raise ServiceError(
                _("Gleichzeitig wurde eine andere Fassung veröffentlicht. Bitte erneut versuchen."),
                "body",
                "concurrent",
            ) from error
        record(
            tenant,
            actor,
            "legal_text.published",
            text,
            {"kind": kind.value, "version": text.version, "length": len(body)},
        )
    return text


@dataclass(frozen=True)
class ShownLegalText:
    """A text as a page shows it: a published version, or (text None) Theke's default."""

    tenant: Tenant
    kind: str
    text: LegalText | None

    @property
    def version(self) -> int | None:
        return self.text.version if self.text is not None else None

    @property
    def url(self) -> str:
        return legal_text_url(self.tenant, self.kind, self.version)


@dataclass(frozen=True)
class ConsentOffer:
    """What a consent checkbox links to: the current terms and privacy policy."""

    terms: ShownLegalText
    privacy: ShownLegalText


def consent_offer(tenant: Tenant) -> ConsentOffer:
    """The texts a customer is asked to accept now (render `tenants/_consent.html` with it)."""
    return ConsentOffer(
        ShownLegalText(tenant, LegalTextKind.TERMS, current_version(tenant, LegalTextKind.TERMS)),
        ShownLegalText(
            tenant, LegalTextKind.PRIVACY, current_version(tenant, LegalTextKind.PRIVACY)
        ),
    )


@dataclass(frozen=True)
class Consent:
    """An acceptance, to be stored on the row it belongs to (a `LegalConsentRecord`)."""

    terms_text: LegalText | None
    privacy_text: LegalText | None
    consented_at: datetime.datetime

    def apply_to(self, row: models.Model) -> None:
        """Set the consent fields of a row with the `LegalConsentRecord` fields (not saved)."""
        row.terms_text = self.terms_text  # type: ignore[attr-defined]
        row.privacy_text = self.privacy_text  # type: ignore[attr-defined]
        row.consented_at = self.consented_at  # type: ignore[attr-defined]


def _shown_number(value: Any) -> int | None:
    """The version number a form says it showed; None when it does not say (0: the default)."""
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return -1  # a number no version has: refused as changed


_CHANGED = {
    LegalTextKind.TERMS: _(
        "Die Bedingungen wurden inzwischen geändert. Bitte lesen Sie die neue Fassung und "
        "bestätigen Sie erneut."
    ),
    LegalTextKind.PRIVACY: _(
        "Die Datenschutzerklärung wurde inzwischen geändert. Bitte lesen Sie die neue Fassung "
        "und bestätigen Sie erneut."
    ),
}


def check_consent(
    tenant: Tenant,
    *,
    accepted: bool,
    terms_version: Any = None,
    privacy_version: Any = None,
    field: str = "legal_consent",
) -> Consent:
    """The customer's acceptance of the current terms (and notice of the privacy policy), with
    the time; call it inside the transaction that stores the row it belongs to.

    `terms_version`/`privacy_version`: what the page showed (its hidden inputs; 0 for the
    default text). When a newer version was published meanwhile the acceptance is refused
    (code "legal_text_changed"): nobody agrees to a text they have not seen. Unchecked box:
    code "terms_required".
    """
    if not accepted:
        raise ServiceError(_("Bitte bestätigen Sie die Bedingungen."), field, "terms_required")
    texts: dict[str, LegalText | None] = {}
    for kind, shown in (
        (LegalTextKind.TERMS, terms_version),
        (LegalTextKind.PRIVACY, privacy_version),
    ):
        current = current_version(tenant, kind)
        number = _shown_number(shown)
        if number is not None and number != (current.version if current is not None else 0):
            raise ServiceError(_CHANGED[kind], field, "legal_text_changed")
        texts[kind] = current
    return Consent(texts[LegalTextKind.TERMS], texts[LegalTextKind.PRIVACY], timezone.now())
