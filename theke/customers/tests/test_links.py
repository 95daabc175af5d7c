"""The customer-link service: issue, resolve, the one state decision, revoke, re-issue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.core.errors import ServiceError
from theke.core.tests.concurrency import run_at_once
from theke.customers import links
from theke.customers.links import LinkKind, LinkState
from theke.customers.models import CustomerLink

pytestmark = pytest.mark.django_db

PROBE = links.register_kind(LinkKind("probe", "Probe", "estimate_pages:page"))


def issue(tenant: Any, object_id: str = "P-1", days: int = 7) -> tuple[CustomerLink, str]:
    return links.issue_link(
        tenant, PROBE.code, object_id, expires_at=timezone.now() + timedelta(days=days)
    )


def test_issued_link_resolves_to_itself_only_for_its_kind(tenant_a: Any) -> None:
    link, token = issue(tenant_a)
    found: links.ResolvedLink[CustomerLink] = links.resolve(token, PROBE.code)
    assert found.state == LinkState.VALID and found.link == link
    assert found.link is not None and found.link.tenant == tenant_a
    assert links.resolve(token, "estimate").state == LinkState.UNKNOWN
    assert links.resolve("", PROBE.code).state == LinkState.UNKNOWN
    assert links.resolve("x" * 101, PROBE.code).state == LinkState.UNKNOWN
    assert links.link_url(PROBE.code, token).endswith(f"/k/{token}/")


def test_tokens_are_long_random_and_distinct(tenant_a: Any) -> None:
    tokens = {issue(tenant_a)[1] for _ in range(20)}
    assert len(tokens) == 20 and all(len(token) == 32 for token in tokens)  # 192 bits


def test_unregistered_kind_is_refused(tenant_a: Any) -> None:
    with pytest.raises(KeyError):
        links.issue_link(tenant_a, "nothing", "1", expires_at=timezone.now())
    with pytest.raises(ValueError, match="already registered"):
        links.register_kind(LinkKind("probe", "Anders", "estimate_pages:page"))


def test_state_decision_revoked_before_superseded_before_expired(tenant_a: Any) -> None:
    link, _token = issue(tenant_a)
    now = timezone.now()
    assert links.state_of(link, now) == LinkState.VALID
    link.expires_at = now
    assert links.state_of(link, now) == LinkState.EXPIRED
    link.superseded_at = now
    assert links.state_of(link, now) == LinkState.SUPERSEDED
    link.revoked_at = now
    assert links.state_of(link, now) == LinkState.REVOKED
    assert not link.is_valid(now)


def test_revoke_counts_the_links_of_one_object_of_one_tenant(tenant_a: Any, tenant_b: Any) -> None:
    issue(tenant_a, "P-1")
    issue(tenant_a, "P-1")
    other_object = issue(tenant_a, "P-2")[1]
    other_tenant = issue(tenant_b, "P-1")[1]
    assert links.revoke_links(tenant_a, PROBE.code, "P-1") == 2
    assert links.revoke_links(tenant_a, PROBE.code, "P-1") == 0
    assert links.resolve(other_object, PROBE.code).state == LinkState.VALID
    assert links.resolve(other_tenant, PROBE.code).state == LinkState.VALID


def test_reissue_supersedes_and_keeps_object_and_recipient(tenant_a: Any) -> None:
    link, token = issue(tenant_a)
    new, new_token = links.reissue_link(link, expires_at=timezone.now() + timedelta(days=1))
    assert links.resolve(token, PROBE.code).state == LinkState.SUPERSEDED
    assert links.resolve(new_token, PROBE.code).state == LinkState.VALID
    assert (new.kind, new.object_id, new.tenant_id) == (PROBE.code, "P-1", tenant_a.pk)
    assert links.current_state(link) == LinkState.SUPERSEDED


def test_first_view_is_counted_once(tenant_a: Any) -> None:
    link, token = issue(tenant_a)
    found = links.resolve(token, PROBE.code).link
    again = links.resolve(token, PROBE.code).link
    assert found is not None and again is not None
    assert links.record_view(found) is True
    assert links.record_view(again) is False  # loaded before the first view: still one
    later = timezone.now() + links.VIEW_TOUCH_INTERVAL + timedelta(seconds=1)
    assert links.record_view(found, later) is False
    with scopes_disabled():
        stored = CustomerLink.objects.get(pk=link.pk)
    assert stored.last_viewed_at == later and stored.first_viewed_at is not None


def test_a_replaced_or_revoked_link_is_not_reissued(tenant_a: Any) -> None:
    link, _token = issue(tenant_a)
    links.reissue_link(link, expires_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ServiceError) as refused:
        links.reissue_link(link, expires_at=timezone.now() + timedelta(days=1))
    assert refused.value.code == "not_reissuable"
    revoked, _token = issue(tenant_a, "P-2")
    links.revoke_links(tenant_a, PROBE.code, "P-2")
    with pytest.raises(ServiceError):
        links.reissue_link(revoked, expires_at=timezone.now() + timedelta(days=1))


@pytest.mark.django_db(transaction=True)
def test_two_reissues_at_once_leave_one_valid_successor(tenant_a: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    link, _token = issue(tenant_a)

    def reissue() -> None:
        links.reissue_link(link, expires_at=timezone.now() + timedelta(days=1))

    errors = run_at_once(reissue, reissue)
    refused = [str(error.code) for error in errors if isinstance(error, ServiceError)]
    assert len(errors) == len(refused)
    with scopes_disabled():
        stored = CustomerLink.objects.filter(tenant=tenant_a, object_id="P-1")
        assert stored.count() == 2
        assert stored.filter(superseded_at__isnull=True).count() == 1
    assert refused == ["not_reissuable"]
