"""A tenant's settings of online estimates: link validity, the reminder, the decline choices
offered and their flat fees."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from theke.audit.services import Actor, record
from theke.customers.models import Article
from theke.estimates.decline_choices import WORDINGS, DeclineObject, choices_for
from theke.estimates.models import EstimateSettings
from theke.estimates.services.common import EstimateError, plain
from theke.estimates.services.decline import article_field, enabled_field
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

FEE_ARTICLE_FIELDS = tuple(article_field(code) for code in WORDINGS)
CHOICE_FIELDS = tuple(enabled_field(code) for code in WORDINGS)
# The prefix of Theke's own estimate numbers ("KV" in "KV-2026-0001"; services.numbers).
SETTING_FIELDS = (
    "link_days",
    "reminder_days",
    *CHOICE_FIELDS,
    *FEE_ARTICLE_FIELDS,
    "number_prefix",
)


def current_settings(tenant: Tenant) -> EstimateSettings:
    """The tenant's settings row, or an unsaved one with the defaults."""
    with tenant_scope(tenant):
        row = EstimateSettings.objects.filter(tenant=tenant).first()
    return row or EstimateSettings(tenant=tenant)


@transaction.atomic
def save_settings(tenant: Tenant, actor: Actor, **values: Any) -> EstimateSettings:
    """Change some of the settings (keyword = field name); writes one audit event with
    what changed, none when nothing did."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValueError(f"unknown estimate settings: {sorted(unknown)}")
    for name in FEE_ARTICLE_FIELDS:
        article = values.get(name)
        if article is not None and (
            not isinstance(article, Article)
            or article.tenant_id != tenant.pk
            or not article.is_special
        ):
            raise EstimateError(_("Bitte wählen Sie einen Sonderartikel."), name, "not_special")
    with tenant_scope(tenant):
        row, _created = EstimateSettings.objects.select_for_update().get_or_create(tenant=tenant)
        changes = {
            name: [plain(getattr(row, name)), plain(value)]
            for name, value in values.items()
            if getattr(row, name) != value
        }
        if not changes:
            return row
        for name, value in values.items():
            setattr(row, name, value)
        _refuse_no_choice(row)
        row.full_clean(exclude=["tenant"])
        row.save()
        record(tenant, actor, "estimate_settings.changed", row, {"changes": changes})
    return row


def _refuse_no_choice(row: EstimateSettings) -> None:
    """A declining customer must have something to choose, for a device and for a vehicle."""
    for obj in DeclineObject:
        codes = [wording.code for wording in choices_for(obj)]
        if not any(getattr(row, enabled_field(code)) for code in codes):
            raise EstimateError(
                _("Bieten Sie für %(object)s mindestens eine Wahl bei Ablehnung an.")
                % {"object": _("Fahrzeuge") if obj == DeclineObject.VEHICLE else _("Geräte")},
                enabled_field(codes[0]),
                "no_choice",
            )


def set_fee_articles(tenant: Tenant, actor: Actor, **articles: Article | None) -> EstimateSettings:
    """Choose the special articles whose prices are the flat fees of the decline choices,
    by choice code (e.g. `return_shipping=…, scrapping=…`); choices not named keep theirs."""
    unknown = set(articles) - set(WORDINGS)
    if unknown:
        raise ValueError(f"unknown decline choices: {sorted(unknown)}")
    return save_settings(
        tenant, actor, **{article_field(code): article for code, article in articles.items()}
    )
