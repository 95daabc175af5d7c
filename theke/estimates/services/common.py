"""What the estimate services share: the error type, locking the live version, refusals."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from theke.core.errors import ServiceError
from theke.estimates.models import (
    Estimate,
    EstimateStatus,
)

logger = logging.getLogger(__name__)


class EstimateError(ServiceError):
    """A refused change of an estimate; `field` names the input at fault, or None."""


class AnswerProblems(EstimateError):
    """Every problem of one answer form at once (name, terms, choice, each address field), so
    the page marks them all after one submit. The first problem is its own message, field and
    code, which is what callers that show one problem (the API) take."""

    def __init__(self, problems: list[ServiceError]) -> None:
        first = problems[0]
        super().__init__(first.messages[0], first.field, first.code)
        self.problems = problems


def problems_of(error: ServiceError) -> list[ServiceError]:
    """The problems a refusal names: those of AnswerProblems, else the refusal itself."""
    return list(error.problems) if isinstance(error, AnswerProblems) else [error]


def plain(value: Any) -> Any:
    """A JSON-friendly, comparable form of a value for audit data."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def full_clean(obj: models.Model, prefix: str = "") -> None:
    """Model-level checks (lengths, choices); the first problem names its field."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        name = None if field == NON_FIELD_ERRORS else field
        path = ".".join(p for p in (prefix, name or "") if p) or None
        raise EstimateError(messages[0], path, "invalid") from exc


def lock_live(external_id: str) -> Estimate | None:
    """The live version of an estimate, locked (scoped to the current tenant)."""
    return (
        Estimate.objects.select_for_update(of=("self",))
        .exclude(status=EstimateStatus.SUPERSEDED)
        .filter(external_id=external_id)
        .order_by("-version")
        .first()
    )


def live_estimate(external_id: str) -> Estimate | None:
    """The live (not superseded) version of an estimate of the current tenant."""
    return (
        Estimate.objects.exclude(status=EstimateStatus.SUPERSEDED)
        .filter(external_id=external_id)
        .select_related("customer", "contact", "vehicle", "technician_user")
        .order_by("-version")
        .first()
    )


def refuse_final(estimate: Estimate) -> None:
    if estimate.status == EstimateStatus.REVOKED:
        raise EstimateError(
            _("Der Kostenvoranschlag wurde zurückgezogen und kann nicht mehr geändert werden."),
            None,
            "revoked",
        )
    if estimate.is_final:
        raise EstimateError(
            _("Der Kostenvoranschlag ist bereits beantwortet und kann nicht mehr geändert werden."),
            None,
            "answered",
        )


def delete_files_on_commit(*names: str | None) -> None:
    from django.core.files.storage import default_storage

    def delete() -> None:
        for name in names:
            if name:
                try:
                    default_storage.delete(name)
                except OSError:  # a file already gone is no reason to fail the request
                    logger.warning("Could not delete %s", name, exc_info=True)

    transaction.on_commit(delete)
