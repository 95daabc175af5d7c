"""A tenant's settings of online estimates: link validity, the reminder, the flat fees."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from theke.audit.services import Actor, record
from theke.customers.models import Article
from theke.estimates.models import EstimateSettings
from theke.estimates.services.common import EstimateError, plain
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

SETTING_FIELDS: tuple[str, ...]
SETTING_FIELDS = ("link_days", "reminder_days", "return_shipping_article", "disposal_article")
# The prefix of Theke's own estimate numbers ("KV" in "KV-2026-0001"; services.numbers).
SETTING_FIELDS += ("number_prefix",)


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
    for name in ("return_shipping_article", "disposal_article"):
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
        row.full_clean(exclude=["tenant"])
        row.save()
        record(tenant, actor, "estimate_settings.changed", row, {"changes": changes})
    return row


def set_fee_articles(
    tenant: Tenant, actor: Actor, *, return_shipping: Article | None, disposal: Article | None
) -> EstimateSettings:
    """Choose the special articles whose prices are the flat fees of a decline."""
    return save_settings(
        tenant, actor, return_shipping_article=return_shipping, disposal_article=disposal
    )
