"""Who learns of a customer's answer, and what they read: steps (1) and (3) of the chain
after a decision (services/decision.py).

(1) The company e-mail goes to the tenant's notification address, else its main e-mail;
with neither, an audit event says the e-mail was skipped. (3) An inbox note goes to the
staff user who sent the estimate, its technician and every role that manages estimates,
each person once: a role's note reaches its members, so only those outside these roles get
a note of their own. Amounts are written in the tenant's language ("513,96 €").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from theke.accounts.models import Membership, Role
from theke.audit.services import SYSTEM, record
from theke.core.formatting import format_datetime, money
from theke.estimates.decline_choices import wording
from theke.estimates.messages import ESTIMATE_ANSWER_COMPANY
from theke.estimates.models import (
    DecisionAnswer,
    Estimate,
    EstimateDecision,
    EstimatePosition,
)
from theke.messaging.models import OutboundMessage
from theke.messaging.purposes import EMAIL
from theke.messaging.services import inbox
from theke.messaging.services import templates as message_templates
from theke.tenants.models import Tenant

# The staff page of an estimate, used while its named URL does not exist yet.
STAFF_ESTIMATE_PATH = "/staff/estimates/{pk}/"

MANAGE_PERMISSION = "estimates.manage"


def staff_path(estimate: Estimate) -> str:
    """The path of the estimate's staff page (inbox notes store a path: any host works)."""
    try:
        return reverse("estimates:detail", args=[estimate.pk])
    except NoReverseMatch:
        return STAFF_ESTIMATE_PATH.format(pk=estimate.pk)


def answer_label(decision: EstimateDecision) -> str:
    """The answer in a few words: "angenommen", "abgelehnt, Rücksendung", …"""
    if decision.answer == DecisionAnswer.ACCEPTED:
        return _("angenommen")
    chosen = wording(decision.choice)
    return str(chosen.answer) if chosen is not None else _("abgelehnt")


def summary(decision: EstimateDecision, positions: list[EstimatePosition]) -> str:
    """The details of the decision, one per line, for the company e-mail and the staff note.
    The answer itself (and the decline choice) is said by `answer_label`, not repeated here."""
    lines = []
    if decision.answer == DecisionAnswer.ACCEPTED:
        lines.append(
            _("Auftrag erteilt über %(gross)s brutto (%(net)s netto).")
            % {"gross": money(decision.gross_total), "net": money(decision.net_total)}
        )
        left_out = [
            p for p in positions if p.is_optional and p.pk not in decision.selected_positions
        ]
        if left_out:
            lines.append(
                _("Nicht gewählte optionale Positionen: %(positions)s")
                % {"positions": "; ".join(f"{p.position}. {p.text}" for p in left_out)}
            )
    else:
        lines.append(
            _("Abgelehnte Summe: %(gross)s brutto") % {"gross": money(decision.gross_total)}
        )
        if decision.fee_text:
            lines.append(
                _("Pauschale: %(text)s, %(gross)s brutto")
                % {"text": decision.fee_text, "gross": money(decision.fee_gross or Decimal("0"))}
            )
        if decision.address_street:
            label = (
                _("Rücksendeadresse (vom Kunden korrigiert)")
                if decision.address_corrected
                else _("Rücksendeadresse")
            )
            lines.append(f"{label}: {', '.join(decision.address_lines)}")
    lines.append(_("Bestätigt von: %(name)s") % {"name": decision.signed_name})
    return "\n".join(lines)


def tell_company(
    tenant: Tenant,
    estimate: Estimate,
    decision: EstimateDecision,
    positions: list[EstimatePosition],
    *,
    customer_name: str,
    staff_url: str,
    language: str,
) -> OutboundMessage | None:
    """(1) The answer by e-mail to the company's address, in the tenant's language; without
    any address an audit event on the estimate says so (None)."""
    recipient = tenant.notification_address
    if not recipient:
        record(
            tenant,
            SYSTEM,
            "estimate.answer_mail_skipped",
            estimate,
            {"decision": decision.pk, "reason": "no_company_address"},
        )
        return None
    with translation.override(language):
        context = {
            "customer_name": customer_name,
            "estimate_number": estimate.number or estimate.external_id,
            "item": estimate.item,
            "answer": answer_label(decision),
            "comment": summary(decision, positions),
            "answered_at": format_datetime(decision.decided_at, language),
            "link": staff_url,
        }
    return message_templates.send_templated(
        tenant,
        purpose=ESTIMATE_ANSWER_COMPANY.code,
        channel=EMAIL,
        contact=None,
        context=context,
        related=estimate,
        dedupe_key=f"estimate-decision:{decision.pk}:company",
        language=language,
        recipient=recipient,
        recipient_name=tenant.name,
    )


def managing_roles(tenant: Tenant) -> list[Role]:
    """The tenant's roles that manage estimates (admins included)."""
    return [
        role
        for role in Role.objects.filter(tenant=tenant).order_by("pk")
        if role.is_admin or MANAGE_PERMISSION in (role.permissions or [])
    ]


def personal_recipients(tenant: Tenant, estimate: Estimate, roles: list[Role]) -> list[Any]:
    """The sender and the technician, each once, when active here and not reached by the
    note of one of `roles`."""
    role_ids = {role.pk for role in roles}
    people: dict[int, Any] = {}
    for user in (estimate.sent_by, estimate.technician_user):
        if user is None or not user.is_active or user.pk in people:
            continue
        membership = Membership.objects.filter(tenant=tenant, user=user, is_active=True).first()
        if membership is not None and membership.role_id not in role_ids:
            people[user.pk] = user
    return list(people.values())


def tell_staff(
    tenant: Tenant,
    estimate: Estimate,
    subject: str,
    body: str,
) -> None:
    """(3) An inbox note with a link to the estimate for its sender, its technician and
    the roles that manage estimates; nobody gets two."""
    path = staff_path(estimate)
    roles = managing_roles(tenant)
    for user in personal_recipients(tenant, estimate, roles):
        inbox.notify_user(tenant, user, subject, body, related=estimate, url=path)
    for role in roles:
        inbox.notify_role(tenant, role, subject, body, related=estimate, url=path)
