"""State changes of online estimates: the back office's data, photos, links and views.

Every function runs in one transaction, locks the estimate it changes and writes its audit
events on the estimate (the estimate's history). The REST API and, later, staff views call
these. Refusals raise EstimateError, a ServiceError naming the input at fault.

One module per area: `data` (the back office's data, revoking), `photos`, `links` (create,
send, revoke, open, views), `decision` (the customer's answer and the chain after it),
`decline` (a declining customer's choices and their fees), `answer_notices` (who learns of
an answer), `lifecycle` (expiry and reminders), `settings`, `amounts` (rounding and
totals), `common` (shared helpers).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from theke.estimates.services.amounts import RateTotal, Totals, compute_totals, position_amounts
from theke.estimates.services.common import (
    AnswerProblems,
    EstimateError,
    live_estimate,
    problems_of,
)
from theke.estimates.services.data import draft_totals, revoke_estimate, save_estimate
from theke.estimates.services.decision import (
    LegalVersions,
    accept_estimate,
    decline_estimate,
    mark_decision_handled,
    selected_totals,
)
from theke.estimates.services.decline import (
    ADDRESS_FIELDS as ADDRESS_KEYS,
)
from theke.estimates.services.decline import (
    DeclineOption,
    Fee,
    billing_address,
    decline_object,
    decline_options,
    fee_for,
)
from theke.estimates.services.lifecycle import expire_overdue, remind_unanswered
from theke.estimates.services.links import (
    FoundLink,
    LinkState,
    create_link,
    find_link,
    hash_token,
    link_days,
    link_url,
    page_language,
    record_view,
    revoke_links,
    seen_before_change,
    send_link,
)
from theke.estimates.services.numbers import next_estimate_number
from theke.estimates.services.photos import add_photo, remove_photo
from theke.estimates.services.settings import current_settings, save_settings, set_fee_articles

__all__ = [
    "ACTION_LABELS",
    "ADDRESS_KEYS",
    "AnswerProblems",
    "DeclineOption",
    "EstimateError",
    "Fee",
    "FoundLink",
    "LegalVersions",
    "LinkState",
    "RateTotal",
    "Totals",
    "accept_estimate",
    "add_photo",
    "billing_address",
    "compute_totals",
    "create_link",
    "current_settings",
    "decline_estimate",
    "decline_object",
    "decline_options",
    "draft_totals",
    "expire_overdue",
    "fee_for",
    "find_link",
    "hash_token",
    "link_days",
    "link_url",
    "live_estimate",
    "mark_decision_handled",
    "next_estimate_number",
    "page_language",
    "position_amounts",
    "problems_of",
    "record_view",
    "remind_unanswered",
    "remove_photo",
    "revoke_estimate",
    "revoke_links",
    "save_estimate",
    "save_settings",
    "seen_before_change",
    "selected_totals",
    "send_link",
    "set_fee_articles",
]

# Audit action code -> label, registered by EstimatesConfig.ready().
ACTION_LABELS = {
    "estimate.placeholder_created": gettext_lazy("Kostenvoranschlag angelegt (Daten folgen)"),
    "estimate.data_received": gettext_lazy("Daten des Kostenvoranschlags erhalten"),
    "estimate.updated": gettext_lazy("Kostenvoranschlag geändert"),
    "estimate.new_version": gettext_lazy("Neue Version des Kostenvoranschlags"),
    "estimate.revoked": gettext_lazy("Kostenvoranschlag zurückgezogen"),
    "estimate.photo_added": gettext_lazy("Foto hinzugefügt"),
    "estimate.photo_replaced": gettext_lazy("Foto ersetzt"),
    "estimate.photo_removed": gettext_lazy("Foto entfernt"),
    "estimate.link_created": gettext_lazy("Link zum Kostenvoranschlag erstellt"),
    "estimate.link_sent": gettext_lazy("Link zum Kostenvoranschlag gesendet"),
    "estimate.links_revoked": gettext_lazy("Links zum Kostenvoranschlag widerrufen"),
    "estimate.viewed": gettext_lazy("Kostenvoranschlag vom Kunden angesehen"),
    "estimate.accepted": gettext_lazy("Kostenvoranschlag vom Kunden angenommen"),
    "estimate.declined": gettext_lazy("Kostenvoranschlag vom Kunden abgelehnt"),
    "estimate_settings.changed": gettext_lazy("Einstellungen der Kostenvoranschläge geändert"),
    "estimate.expired": gettext_lazy("Kostenvoranschlag abgelaufen"),
    "estimate.reminder_sent": gettext_lazy("Erinnerung an den Kunden gesendet"),
    "estimate.reminder_impossible": gettext_lazy("Erinnerung nicht möglich"),
    "order.estimate_answered": gettext_lazy("Antwort zum Kostenvoranschlag eingegangen"),
    "estimate.decision_handled": gettext_lazy("Antwort des Kunden als erledigt markiert"),
    "estimate.answer_mail_skipped": gettext_lazy(
        "Antwort nicht per E-Mail gemeldet: keine Firmen-E-Mail-Adresse"
    ),
}
