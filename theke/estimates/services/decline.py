"""The choices a declining customer has, their flat fees, and the return address.

Which choices fit is decided by the estimate's object (theke.estimates.decline_choices: a
device is sent back or disposed of, a vehicle picked up unrepaired or scrapped); which of
them the tenant offers, and at which fee, by its estimate settings: each choice is switched
on or off, and its fee is the price of a special article of the article master.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from theke.core.errors import ServiceError
from theke.customers.models import Article, Location
from theke.estimates.decline_choices import (
    WORDINGS,
    ChoiceWording,
    DeclineObject,
    choices_for,
    object_of,
)
from theke.estimates.models import Estimate, EstimateSettings
from theke.estimates.services.amounts import position_amounts
from theke.estimates.services.common import AnswerProblems, EstimateError
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

ADDRESS_FIELDS = ("name", "street", "postal_code", "city", "country")


def enabled_field(code: str) -> str:
    """The settings field that switches a choice on or off."""
    return f"{code}_enabled"


def article_field(code: str) -> str:
    """The settings field of a choice's flat-fee article."""
    return f"{code}_article"


@dataclass(frozen=True)
class Fee:
    article: Article
    text: str
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class DeclineOption:
    """A choice the customer is offered, with its flat fee (None: the shop charges none)."""

    wording: ChoiceWording
    fee: Fee | None

    @property
    def code(self) -> str:
        return self.wording.code

    @property
    def needs_address(self) -> bool:
        return self.wording.needs_address


def _settings_row(tenant: Tenant) -> EstimateSettings | None:
    with tenant_scope(tenant):
        return (
            EstimateSettings.objects.filter(tenant=tenant)
            .select_related(*(article_field(code) for code in WORDINGS))
            .first()
        )


def _fee_article(tenant: Tenant, code: str, row: EstimateSettings | None) -> Article | None:
    chosen = getattr(row, article_field(code)) if row is not None else None
    if chosen is not None and chosen.is_active:
        return chosen
    wording = WORDINGS[code]
    with tenant_scope(tenant):
        specials = Article.objects.filter(tenant=tenant, is_special=True, is_active=True)
        return (
            specials.filter(number__iexact=wording.fee_number).first()
            or specials.filter(text__icontains=wording.fee_word).order_by("number").first()
        )


def _fee(article: Article | None) -> Fee | None:
    if article is None:
        return None
    net, vat, gross = position_amounts(Decimal("1"), article.price, Decimal("0"), article.vat_rate)
    return Fee(article, article.text, net, vat, gross)


def fee_article(tenant: Tenant, choice: str) -> Article | None:
    """The special article whose price is the flat fee of a decline choice.

    The tenant's setting, else an active special article numbered or named like the fee.
    """
    return _fee_article(tenant, choice, _settings_row(tenant))


def fee_for(tenant: Tenant, choice: str) -> Fee | None:
    """The flat fee of a decline choice with its amounts, None when the shop has none."""
    return _fee(fee_article(tenant, choice))


def decline_object(estimate: Estimate) -> DeclineObject:
    """What a decline of this estimate is about: its vehicle, else a device."""
    return object_of(estimate.vehicle_id is not None)


def is_enabled(row: EstimateSettings | None, code: str) -> bool:
    return row is None or bool(getattr(row, enabled_field(code)))


def decline_options(estimate: Estimate) -> list[DeclineOption]:
    """The choices offered to a customer declining this estimate, with their flat fees:
    those of its object (vehicle or device) the tenant has switched on."""
    tenant = estimate.tenant
    row = _settings_row(tenant)
    return [
        DeclineOption(wording, _fee(_fee_article(tenant, wording.code, row)))
        for wording in choices_for(decline_object(estimate))
        if is_enabled(row, wording.code)
    ]


def chosen_option(estimate: Estimate, choice: str) -> DeclineOption:
    """The offered option of `choice`; refuses an empty, unknown or not offered one, naming
    the options there are."""
    options = decline_options(estimate)
    for option in options:
        if option.code == choice:
            return option
    offered = " " + _("oder") + " "
    message = _("Bitte wählen Sie: %(options)s.") % {
        "options": offered.join(str(o.wording.option) for o in options)
    }
    code = "not_offered" if choice in WORDINGS else "required"
    raise EstimateError(message, "choice", code)


def billing_address(estimate: Estimate) -> dict[str, str]:
    """The customer's billing location (else first location) as the return address."""
    values = dict.fromkeys(ADDRESS_FIELDS, "")
    if estimate.customer is None:
        return values
    with tenant_scope(estimate.tenant):
        location = Location.objects.filter(customer=estimate.customer).first()
    values["name"] = estimate.customer.display_name
    if location is not None:
        values.update(
            street=location.street,
            postal_code=location.postal_code,
            city=location.city,
            country=location.country,
        )
    values["country"] = values["country"] or "DE"
    return values


def clean_address(address: Mapping[str, Any] | None) -> dict[str, str]:
    """The return address, cleaned; refuses with every missing or too long field at once."""
    values = {key: " ".join(str((address or {}).get(key) or "").split()) for key in ADDRESS_FIELDS}
    values["country"] = (values["country"] or "DE").upper()
    limits = {"name": 200, "street": 200, "postal_code": 12, "city": 100}
    labels = {
        "name": _("Name"),
        "street": _("Straße"),
        "postal_code": _("PLZ"),
        "city": _("Ort"),
    }
    problems: list[ServiceError] = []
    for key, limit in limits.items():
        if not values[key]:
            problems.append(
                EstimateError(
                    _("Bitte geben Sie %(field)s an.") % {"field": labels[key]},
                    f"address.{key}",
                    "required",
                )
            )
        elif len(values[key]) > limit:
            problems.append(
                EstimateError(
                    _("%(field)s ist zu lang.") % {"field": labels[key]},
                    f"address.{key}",
                    "too_long",
                )
            )
    if len(values["country"]) != 2 or not values["country"].isalpha():
        problems.append(
            EstimateError(
                _("Bitte geben Sie das Land als Kürzel an, z. B. DE."), "address.country", "invalid"
            )
        )
    if problems:
        raise AnswerProblems(problems)
    return values
