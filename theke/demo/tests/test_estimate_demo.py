"""`seed_demo` fills every estimate list: each status, decline choice and delivery outcome,
made through the services on a clock set to the past."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.estimates.models import (
    DecisionAnswer,
    DeclineChoice,
    Estimate,
    EstimateDecision,
    EstimatePhoto,
)
from theke.messaging.models import (
    ConversationMessage,
    InboundEmail,
    InboundStatus,
    OutboundMessage,
    OutboundStatus,
)

pytestmark = pytest.mark.django_db


def demo_estimates() -> list[Estimate]:
    with scopes_disabled():
        return list(
            Estimate.objects.filter(tenant__slug="autohaus-demo").select_related("decision")
        )


def test_demo_has_estimates_in_every_status(seeded: Path) -> None:
    statuses = Counter(e.status for e in demo_estimates())
    assert statuses["draft"] >= 1, "a draft"
    assert statuses["sent"] >= 1, "a sent estimate"
    assert statuses["viewed"] >= 1, "a viewed estimate"
    assert statuses["accepted"] >= 2, "accepted estimates"
    assert statuses["declined"] >= 2, "declined estimates"
    assert statuses["expired"] >= 1, "an expired estimate"
    assert statuses["revoked"] >= 1, "a revoked estimate"
    assert statuses["superseded"] >= 1, "a revised estimate's first version"

    # The revised one: version 2 waits for the customer, version 1 is superseded.
    versions = {(e.external_id, e.version): e for e in demo_estimates()}
    revised = [e for (_id, version), e in versions.items() if version == 2]
    assert revised, "an estimate in version 2"
    assert revised[0].status == "sent"
    assert versions[(revised[0].external_id, 1)].status == "superseded"

    # One customer accepted without the optional position.
    accepted = [e for e in demo_estimates() if e.status == "accepted"]
    with scopes_disabled():
        left_out = [
            e
            for e in accepted
            if e.positions.filter(is_optional=True)
            .exclude(pk__in=e.decision.selected_positions)
            .exists()
        ]
    assert left_out, "an accepted estimate with an optional position removed"
    assert left_out[0].decision.gross_total < left_out[0].gross_total


def test_demo_declines_with_every_decline_choice_at_past_times(seeded: Path) -> None:
    with scopes_disabled():
        choices = set(
            EstimateDecision.objects.filter(
                tenant__slug="autohaus-demo", answer=DecisionAnswer.DECLINED
            ).values_list("choice", flat=True)
        )
    for choice in DeclineChoice.values:
        assert choice in choices, f"a decline with {choice}"

    # The demo clock: everything in the past, in the order it happened.
    now = timezone.now()
    estimates = demo_estimates()
    assert min(e.created_at for e in estimates) < now - timedelta(days=14)
    for estimate in estimates:
        viewed = estimate.first_viewed_at
        if viewed is not None:
            assert estimate.sent_at is not None and estimate.sent_at < viewed <= now
        decision = getattr(estimate, "decision", None)
        if decision is not None:
            assert viewed is not None and viewed < decision.decided_at <= now
    expired = next(e for e in estimates if e.status == "expired")
    assert expired.valid_until is not None and expired.valid_until < timezone.localdate()


def test_demo_has_photos_conversations_deliveries_and_a_quarantined_reply(seeded: Path) -> None:
    with scopes_disabled():
        photos = EstimatePhoto.objects.filter(tenant__slug="autohaus-demo")
        assert photos.count() >= 3 and all(p.thumbnail and p.preview for p in photos)
        estimate_threads = ConversationMessage.objects.filter(
            conversation__content_type__model="estimate"
        )
        assert {m.author_type for m in estimate_threads} == {"customer", "staff"}
        deliveries = OutboundMessage.objects.filter(
            tenant__slug="autohaus-demo", purpose="estimate_link"
        )
        statuses = Counter(deliveries.values_list("status", flat=True))
        quarantined = InboundEmail.objects.filter(
            tenant__slug="autohaus-demo", status=InboundStatus.QUARANTINED
        )
        assert quarantined.count() == 1
    assert statuses[OutboundStatus.SENT] >= 5, "sent link e-mails"
    assert statuses[OutboundStatus.FAILED] == 1, "a link e-mail refused by the mail server"
    assert statuses[OutboundStatus.QUEUED] == 1, "a link e-mail waiting for the next attempt"
    with scopes_disabled():
        waiting = deliveries.get(status=OutboundStatus.QUEUED)
    assert waiting.attempts >= 2 and "421" in waiting.last_error


def test_a_database_from_before_the_demo_estimates_gets_them_once(monkeypatch) -> None:
    from theke.demo import estimate_seed

    with monkeypatch.context() as patched:
        patched.setattr(estimate_seed.EstimateSeeder, "run", lambda self: 0)
        call_command("seed_demo", stdout=StringIO())
    assert not demo_estimates()
    later = StringIO()
    call_command("seed_demo", stdout=later)
    assert "bereits vorhanden" in later.getvalue() and "ergänzt" in later.getvalue()
    count = len(demo_estimates())
    assert count >= 13
    call_command("seed_demo", stdout=StringIO())
    assert len(demo_estimates()) == count


def test_the_demo_clock_shifts_now_and_defaults_and_then_stops() -> None:
    from theke.demo.clock import clock_at
    from theke.messaging.models import InboundEmail as Row

    moment = timezone.now() - timedelta(days=30)
    with clock_at(moment):
        shifted = timezone.now()
        default = Row._meta.get_field("received_at").get_default()
        day = timezone.localdate()
    assert moment <= shifted < moment + timedelta(seconds=5)
    assert moment <= default < moment + timedelta(seconds=5)
    assert day == timezone.localdate(moment)
    assert timezone.now() > moment + timedelta(days=29)
