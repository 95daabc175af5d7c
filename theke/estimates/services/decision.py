"""The customer's answer to an estimate: accept (optional positions in or out) or decline
with one of the choices offered for its object (services/decline.py), and the chain that
follows in the same transaction.

Chain (seed 000): (1) e-mail to the tenant's company address (else its main e-mail; an
audit event when it has neither), (2) the estimate's status, (3) an inbox note to the user
who sent the estimate, the responsible technician and the roles that manage estimates
(services/answer_notices.py), (4) a journal entry (audit event) on the order, (5) a
history event on the estimate; plus the API event `estimate.accepted` / `.declined`. The
estimate row is locked first, so two tabs or two devices give exactly one decision; the
loser gets "already_decided".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.core.validators import validate_single_line
from theke.customers import links as customer_links
from theke.customers.links import LinkState
from theke.estimates.models import (
    DecisionAnswer,
    Estimate,
    EstimateDecision,
    EstimateLink,
    EstimatePosition,
    EstimateStatus,
)
from theke.estimates.services import answer_notices
from theke.estimates.services.amounts import Totals, compute_totals
from theke.estimates.services.answer_notices import staff_path
from theke.estimates.services.common import AnswerProblems, EstimateError, problems_of
from theke.estimates.services.decline import (
    DeclineOption,
    billing_address,
    chosen_option,
    clean_address,
)
from theke.messaging.services import templates as message_templates
from theke.tenants import services as legal
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope


@dataclass(frozen=True)
class LegalVersions:
    """The terms and privacy versions the answer page showed, as its hidden inputs sent them
    (0: the default text; None: not said, the current one counts)."""

    terms: Any = None
    privacy: Any = None


def staff_url(estimate: Estimate) -> str:
    """The absolute URL of the estimate's staff page (for the company e-mail)."""
    return settings.BASE_URL + staff_path(estimate)


def selected_positions(
    positions: Iterable[EstimatePosition], optional_position_ids: Iterable[Any] | None
) -> list[EstimatePosition]:
    """Every required position plus the optional ones chosen (None: all of them).

    An id that is not an optional position of these positions is refused.
    """
    positions = list(positions)
    if optional_position_ids is None:
        return positions
    optional = {p.pk: p for p in positions if p.is_optional}
    chosen: set[int] = set()
    for raw in optional_position_ids:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            pk = -1
        if pk not in optional:
            raise EstimateError(
                _("Diese Position gehört nicht zu den wählbaren Positionen."),
                "optional_positions",
                "unknown_position",
            )
        chosen.add(pk)
    return [p for p in positions if not p.is_optional or p.pk in chosen]


def selected_totals(estimate: Estimate, optional_position_ids: Iterable[Any] | None) -> Totals:
    """The totals with only the chosen optional positions (for the page's live total)."""
    with tenant_scope(estimate.tenant):
        positions = list(estimate.positions.all())
    return compute_totals(selected_positions(positions, optional_position_ids))


def _lock(link: EstimateLink) -> Estimate:
    """The live version behind the link, locked; refuses what cannot be answered now."""
    estimate = (
        Estimate.objects.select_for_update(of=("self",))
        .filter(tenant=link.tenant, external_id=link.object_id)
        .exclude(status=EstimateStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )
    if estimate is None:
        raise EstimateError(_("Dieser Kostenvoranschlag wurde ersetzt."), None, "superseded")
    return estimate


_WITHDRAWN = (LinkState.REVOKED, LinkState.SUPERSEDED)


def _refuse(link: EstimateLink, estimate: Estimate, version: int | None) -> None:
    if EstimateDecision.objects.filter(estimate=estimate).exists():
        raise EstimateError(
            _("Dieser Kostenvoranschlag wurde bereits beantwortet."), None, "already_decided"
        )
    if version is not None and version != estimate.version:
        raise EstimateError(
            _(
                "Der Kostenvoranschlag wurde inzwischen geändert. Bitte prüfen Sie die neue "
                "Fassung."
            ),
            None,
            "superseded",
        )
    # Read again under the estimate's lock: revoking takes that lock first, so this is current.
    link_state = customer_links.current_state(link)
    if estimate.status == EstimateStatus.REVOKED or link_state in _WITHDRAWN:
        raise EstimateError(_("Dieser Kostenvoranschlag wurde zurückgezogen."), None, "revoked")
    if estimate.status in (EstimateStatus.ACCEPTED, EstimateStatus.DECLINED):
        raise EstimateError(
            _("Dieser Kostenvoranschlag wurde bereits beantwortet."), None, "already_decided"
        )
    if not estimate.has_data:
        raise EstimateError(
            _("Der Kostenvoranschlag steht noch nicht zur Verfügung."), None, "no_data"
        )
    today = timezone.localdate()
    if (
        estimate.status == EstimateStatus.EXPIRED
        or link_state == LinkState.EXPIRED
        or (estimate.valid_until is not None and estimate.valid_until < today)
    ):
        raise EstimateError(_("Dieser Kostenvoranschlag ist abgelaufen."), None, "expired")


def _check_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise EstimateError(_("Bitte geben Sie Ihren Namen ein."), "name", "required")
    if len(name) > 200:
        raise EstimateError(_("Der Name ist zu lang."), "name", "too_long")
    try:
        validate_single_line(name)  # line breaks are folded above; other control characters
    except ValidationError as exc:
        raise EstimateError(exc.messages[0], "name", "control_characters") from exc
    return name


def _actor(link: EstimateLink, name: str) -> Actor:
    if link.contact is not None:
        return Actor(ActorType.CONTACT, id=str(link.contact.pk), label=name)
    return Actor(ActorType.CONTACT, label=name)


def _chain(
    tenant: Tenant,
    actor: Actor,
    estimate: Estimate,
    decision: EstimateDecision,
    positions: list[EstimatePosition],
) -> None:
    number = estimate.display_number
    customer_name = estimate.customer.display_name if estimate.customer else decision.signed_name
    language = message_templates.resolve_language(tenant, None)
    # (1) the company's address (else its main e-mail), in the tenant's language
    answer_notices.tell_company(
        tenant,
        estimate,
        decision,
        positions,
        customer_name=customer_name,
        staff_url=staff_url(estimate),
        language=language,
    )
    # (2) the status
    estimate.status = (
        EstimateStatus.ACCEPTED
        if decision.answer == DecisionAnswer.ACCEPTED
        else EstimateStatus.DECLINED
    )
    estimate.save(update_fields=["status", "updated_at"])
    # (3) the sender, the technician and the roles that manage estimates, each once
    with translation.override(language):
        subject = _("Kostenvoranschlag %(number)s %(answer)s") % {
            "number": number,
            "answer": answer_notices.answer_label(decision),
        }
        body = f"{customer_name}\n{answer_notices.summary(decision, positions)}"
    answer_notices.tell_staff(tenant, estimate, subject, body)
    data = {
        "estimate": number,
        "version": decision.version,
        "answer": decision.answer,
        "choice": decision.choice or None,
        "gross_total": str(decision.gross_total),
    }
    # (4) the journal of the order
    if estimate.order_id is not None:
        record(tenant, actor, "order.estimate_answered", estimate.order, data)
    # (5) the estimate's history
    record(
        tenant,
        actor,
        f"estimate.{decision.answer}",
        estimate,
        {**data, "decision": decision.pk, "label": subject},
    )
    emit_event(
        tenant,
        f"estimate.{decision.answer}",
        subject_type="estimate",
        external_id=estimate.external_id,
        payload=event_payload(estimate, decision),
    )


def event_payload(estimate: Estimate, decision: EstimateDecision) -> dict[str, Any]:
    """What the back office learns about a decision (API event and feed)."""
    fee = None
    if decision.fee_text:
        fee = {
            "article_number": decision.fee_article.number if decision.fee_article else None,
            "text": decision.fee_text,
            "net": str(decision.fee_net),
            "vat": str(decision.fee_vat),
            "gross": str(decision.fee_gross),
        }
    address = None
    if decision.address_street:
        address = {
            "name": decision.address_name,
            "street": decision.address_street,
            "postal_code": decision.address_postal_code,
            "city": decision.address_city,
            "country": decision.address_country,
            "corrected": decision.address_corrected,
        }
    return {
        "number": estimate.number,
        "version": decision.version,
        "order_external_id": estimate.order_external_id,
        "answer": decision.answer,
        "choice": decision.choice or None,
        # Position numbers as the back office sent them (1, 2, …), not Theke's row ids.
        "selected_positions": sorted(
            EstimatePosition.objects.filter(
                estimate=estimate, pk__in=decision.selected_positions
            ).values_list("position", flat=True)
        ),
        "totals": {
            "net": str(decision.net_total),
            "vat": str(decision.vat_total),
            "gross": str(decision.gross_total),
        },
        "fee": fee,
        "return_address": address,
        "name": decision.signed_name,
        "decided_at": decision.decided_at,
        # The tenant's terms and privacy versions confirmed (null: Theke's default text).
        "terms_version": decision.terms_text.version if decision.terms_text else None,
        "privacy_version": decision.privacy_text.version if decision.privacy_text else None,
        "consented_at": decision.consented_at,
    }


def _check_answer(
    tenant: Tenant,
    estimate: Estimate,
    answer: str,
    *,
    name: str,
    terms_accepted: bool,
    legal_versions: LegalVersions,
    choice: str,
    address: Mapping[str, Any] | None,
) -> tuple[str, legal.Consent, DeclineOption | None, dict[str, str] | None]:
    """The customer's input checked as a whole: the name, the consent (the terms and privacy
    versions the page showed, refused when replaced meanwhile), and on a decline the choice
    (one offered for the estimate's object) and, where it needs one, the return address.
    Refuses with AnswerProblems naming every problem."""
    problems: list[ServiceError] = []
    try:
        name = _check_name(name)
    except EstimateError as error:
        problems.append(error)
    consent = None
    try:
        consent = legal.check_consent(
            tenant,
            accepted=terms_accepted,
            terms_version=legal_versions.terms,
            privacy_version=legal_versions.privacy,
            field="terms_accepted",
        )
    except ServiceError as error:
        problems.append(error)
    option = clean = None
    if answer == DecisionAnswer.DECLINED:
        try:
            option = chosen_option(estimate, choice)
        except EstimateError as error:
            problems.append(error)
        if option is not None and option.needs_address:
            try:
                clean = clean_address(address)
            except EstimateError as error:
                problems.extend(problems_of(error))
    if problems or consent is None:
        raise AnswerProblems(problems)
    return name, consent, option, clean


def _decide(
    link: EstimateLink,
    *,
    answer: str,
    name: str,
    terms_accepted: bool,
    legal_versions: LegalVersions,
    ip: str | None,
    user_agent: str,
    version: int | None,
    optional_position_ids: Iterable[Any] | None = None,
    choice: str = "",
    address: Mapping[str, Any] | None = None,
) -> EstimateDecision:
    tenant = link.tenant
    with tenant_scope(tenant), transaction.atomic():
        estimate = _lock(link)
        _refuse(link, estimate, version)
        name, consent, option, clean = _check_answer(
            tenant,
            estimate,
            answer,
            name=name,
            terms_accepted=terms_accepted,
            legal_versions=legal_versions,
            choice=choice,
            address=address,
        )
        positions = list(estimate.positions.order_by("position"))
        if answer == DecisionAnswer.ACCEPTED:
            chosen = selected_positions(positions, optional_position_ids)
        else:
            chosen = positions
        totals = compute_totals(chosen)
        decision = EstimateDecision(
            tenant=tenant,
            estimate=estimate,
            link=link,
            answer=answer,
            version=estimate.version,
            selected_positions=[p.pk for p in chosen],
            net_total=totals.net,
            vat_total=totals.vat,
            gross_total=totals.gross,
            signed_name=name,
            terms_accepted=True,
            ip_address=ip or None,
            user_agent=(user_agent or "")[:500],
        )
        consent.apply_to(decision)
        if option is not None:
            decision.choice = option.code
            if option.fee is not None:
                fee = option.fee
                decision.fee_article = fee.article
                decision.fee_text = fee.text
                decision.fee_net, decision.fee_vat, decision.fee_gross = fee.net, fee.vat, fee.gross
            if clean is not None:
                decision.address_name = clean["name"]
                decision.address_street = clean["street"]
                decision.address_postal_code = clean["postal_code"]
                decision.address_city = clean["city"]
                decision.address_country = clean["country"]
                decision.address_corrected = clean != billing_address(estimate)
        decision.save()
        _chain(tenant, _actor(link, name), estimate, decision, positions)
    return decision


def accept_estimate(
    link: EstimateLink,
    *,
    name: str,
    terms_accepted: bool,
    optional_position_ids: Iterable[Any] | None = None,
    ip: str | None = None,
    user_agent: str = "",
    version: int | None = None,
    legal_versions: LegalVersions | None = None,
) -> EstimateDecision:
    """The customer accepts the live version behind the link, with the optional positions
    chosen (None: all); refuses with code already_decided, expired, revoked, superseded,
    no_data, required, terms_required, legal_text_changed or unknown_position.

    `legal_versions`: the terms and privacy versions the page showed (None: the current)."""
    return _decide(
        link,
        answer=DecisionAnswer.ACCEPTED,
        name=name,
        terms_accepted=terms_accepted,
        legal_versions=legal_versions or LegalVersions(),
        optional_position_ids=optional_position_ids,
        ip=ip,
        user_agent=user_agent,
        version=version,
    )


def decline_estimate(
    link: EstimateLink,
    *,
    choice: str,
    name: str,
    terms_accepted: bool,
    address: Mapping[str, Any] | None = None,
    ip: str | None = None,
    user_agent: str = "",
    version: int | None = None,
    legal_versions: LegalVersions | None = None,
) -> EstimateDecision:
    """The customer declines and wants the item back (to `address`) or disposed of; the
    flat fee of that choice is stored with the decision (with the terms version confirmed,
    as for accept_estimate)."""
    return _decide(
        link,
        answer=DecisionAnswer.DECLINED,
        name=name,
        terms_accepted=terms_accepted,
        legal_versions=legal_versions or LegalVersions(),
        ip=ip,
        user_agent=user_agent,
        version=version,
        choice=choice,
        address=address,
    )


def mark_decision_handled(estimate: Estimate, actor: Actor) -> bool:
    """Staff took care of the customer's answer: it leaves the start page's new decisions.
    A conditional update, so two clicks record it once; False when it was already handled."""
    with transaction.atomic():
        updated = EstimateDecision.objects.filter(
            estimate=estimate, handled_at__isnull=True
        ).update(handled_at=timezone.now(), handled_by_id=actor.user_id)
        if updated:
            record(estimate.tenant, actor, "estimate.decision_handled", estimate, {})
    return bool(updated)
