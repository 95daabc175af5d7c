"""Every kind of customer link behaves the same way: one suite, a row per kind (link_cases).

States (valid, expired, revoked, superseded, unknown), the token-page headers, throttling of
unknown tokens per client address (also behind a reverse proxy), the page's language, the
link's view times, and that staff pages show the link only shortened (never the token).
"""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.audit.services import SYSTEM
from theke.core import token_pages
from theke.customers import links
from theke.customers import services as customers
from theke.customers.models import CustomerLink
from theke.messaging.models import InternalMessage, OutboundMessage
from theke.messaging.services import conversations
from theke.tenants.scoping import tenant_scope
from theke.tests.link_cases import IssuedLink, LinkCase, cases

pytestmark = pytest.mark.django_db

CASES = cases()
PROXY = "10.0.0.2"  # the reverse proxy every request comes through in the proxy tests


@pytest.fixture(autouse=True)
def fresh_counters(settings: Any, tmp_path: Any) -> None:
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "https://theke.example"


@pytest.fixture(params=CASES, ids=[case.kind for case in CASES])
def case(request: pytest.FixtureRequest) -> LinkCase:
    case: LinkCase = request.param
    return case


@pytest.fixture
def customer(tenant_a: Any) -> Any:
    tenant_a.phone, tenant_a.email = "030 1234567", "info@alpha.test"
    tenant_a.save()
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Eva", last_name="Berg"
        )
        customers.add_contact(
            customer, SYSTEM, first_name="Eva", last_name="Berg", email="eva@kunde.test"
        )
    return customer


@pytest.fixture
def issued(case: LinkCase, tenant_a: Any, customer: Any) -> IssuedLink:
    return case.issue(tenant_a, customer)


def body(response: Any) -> str:
    return str(response.content.decode())


def update_link(issued: IssuedLink, **values: Any) -> None:
    with scopes_disabled():
        CustomerLink.objects.filter(pk=issued.link.pk).update(**values)


def assert_protected(response: Any) -> None:
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_valid_link_opens_its_page_with_the_protections(
    case: LinkCase, issued: IssuedLink, client: Client
) -> None:
    response = client.get(issued.path)
    assert response.status_code == 200
    assert case.shows in body(response)
    assert_protected(response)
    policy = response["Content-Security-Policy"]
    assert "'nonce-" in policy and "frame-ancestors 'none'" in policy
    assert "Autohaus Alpha" in body(response)  # the tenant's branding


def test_only_the_hash_of_the_token_is_stored(case: LinkCase, issued: IssuedLink) -> None:
    with scopes_disabled():
        stored = CustomerLink.objects.get(pk=issued.link.pk)
    assert stored.kind == case.kind
    assert stored.token_hash == links.hash_token(issued.token)
    assert issued.token not in stored.token_hash
    assert len(issued.token) >= 22  # >= 128 bits in URL-safe base64


@pytest.mark.parametrize(
    ("state", "change", "says"),
    [
        ("expired", {"expires_at": timezone.now() - timedelta(seconds=1)}, "abgelaufen"),
        ("revoked", {"revoked_at": timezone.now()}, "nicht mehr"),
        ("superseded", {"superseded_at": timezone.now()}, "neueren Link"),
    ],
)
def test_link_that_no_longer_opens_says_why_with_the_shops_contact(
    issued: IssuedLink, client: Client, state: str, change: dict[str, Any], says: str
) -> None:
    update_link(issued, **change)
    with scopes_disabled():
        assert links.state_of(CustomerLink.objects.get(pk=issued.link.pk)) == state
    response = client.get(issued.path)
    assert response.status_code == 410
    page = body(response)
    assert says in page
    assert 'href="tel:0301234567"' in page and "mailto:info@alpha.test" in page
    assert_protected(response)


def test_reissued_link_supersedes_the_old_one(issued: IssuedLink, client: Client) -> None:
    with scopes_disabled():
        old = CustomerLink.objects.get(pk=issued.link.pk)
    new, token = links.reissue_link(old, expires_at=timezone.now() + timedelta(days=3))
    assert new.kind == old.kind and new.object_id == old.object_id
    assert new.contact_id == old.contact_id
    assert client.get(issued.path).status_code == 410
    assert client.get(issued.path.replace(issued.token, token)).status_code == 200


def test_unknown_token_gets_the_neutral_page(issued: IssuedLink, client: Client) -> None:
    for wrong in ("x" * 32, issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")):
        response = client.get(issued.path.replace(issued.token, wrong))
        assert response.status_code == 404
        assert "Dieser Link ist nicht gültig" in body(response)
        assert "Autohaus Alpha" not in body(response)  # reveals nothing
        assert_protected(response)


def test_a_link_of_a_deactivated_tenant_is_unknown(
    issued: IssuedLink, client: Client, tenant_a: Any
) -> None:
    tenant_a.is_active = False
    tenant_a.save()
    assert client.get(issued.path).status_code == 404


def guess(client: Client, issued: IssuedLink, times: int, **headers: str) -> list[int]:
    statuses = []
    for number in range(times):
        wrong = f"guess{number:027d}"
        response = client.get(issued.path.replace(issued.token, wrong), headers=headers)
        statuses.append(response.status_code)
    return statuses


def test_too_many_unknown_tokens_get_429_but_never_block_a_valid_link(
    case: LinkCase, issued: IssuedLink
) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    statuses = guess(guesser, issued, token_pages.INVALID_LIMIT + 1)
    assert statuses[:-1] == [404] * token_pages.INVALID_LIMIT and statuses[-1] == 429
    throttled = guesser.get(issued.path.replace(issued.token, "y" * 32))
    assert throttled.status_code == 429 and "Zu viele Versuche" in body(throttled)
    assert throttled["Retry-After"] == str(token_pages.INVALID_WINDOW)
    assert_protected(throttled)
    # The same client with a valid link, and any other client, are not refused.
    assert guesser.get(issued.path).status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.7").get("/k/" + "z" * 32 + "/").status_code == 404


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_another_clients_guesses_block_nobody_else(
    case: LinkCase, issued: IssuedLink
) -> None:
    guesser = Client(REMOTE_ADDR=PROXY)
    statuses = guess(guesser, issued, token_pages.INVALID_LIMIT + 1, X_Forwarded_For="203.0.113.9")
    assert statuses[-1] == 429
    customer = Client(REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": "198.51.100.7"})
    assert customer.get(issued.path).status_code == 200
    assert customer.get("/k/" + "z" * 32 + "/").status_code == 404  # not 429
    # A client cannot escape its counter by writing its own X-Forwarded-For in front.
    spoofed = {"X-Forwarded-For": "192.0.2.1, 203.0.113.9"}
    assert Client(REMOTE_ADDR=PROXY, headers=spoofed).get("/k/" + "z" * 32 + "/").status_code == (
        429
    )


def test_page_speaks_the_recipients_language_else_the_browsers(
    issued: IssuedLink, client: Client, customer: Any, tenant_a: Any
) -> None:
    response = client.get(issued.path, headers={"Accept-Language": "en"})
    assert response["Content-Language"] == "de"  # the contact's language (default German)
    with tenant_scope(tenant_a):
        contact = customer.contacts.first()
        customers.update_contact(contact, SYSTEM, language="en")
    english = client.get(issued.path)
    assert english["Content-Language"] == "en" and '<html lang="en">' in body(english)


def test_unknown_token_page_follows_the_browsers_language(client: Client) -> None:
    response = client.get("/k/" + "q" * 32 + "/", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and '<html lang="en">' in body(response)


def test_opening_stamps_the_links_view_times(issued: IssuedLink, client: Client) -> None:
    client.get(issued.path)
    with scopes_disabled():
        first = CustomerLink.objects.get(pk=issued.link.pk)
    assert first.first_viewed_at is not None and first.last_viewed_at == first.first_viewed_at
    client.get(issued.path)  # within a minute: no write
    with scopes_disabled():
        assert CustomerLink.objects.get(pk=issued.link.pk).last_viewed_at == first.last_viewed_at


def test_link_before_the_data_says_available_shortly(
    case: LinkCase, tenant_a: Any, customer: Any, client: Client
) -> None:
    if not case.pending_shows:
        pytest.skip(f"{case.kind} links always open their object")
    pending = case.issue(tenant_a, customer, with_data=False)
    response = client.get(pending.path)
    assert response.status_code == 200 and case.pending_shows in body(response)
    assert 'hx-trigger="every' in body(response)
    assert_protected(response)
    poll = client.get(pending.path, headers={"HX-Request": "true"})
    assert poll.status_code == 204


# --- staff pages ----------------------------------------------------------------------------

HREF = re.compile(r'href="(/staff/[^"#?]*)')
# Enough to reach every list, detail and settings page from the start page.
CRAWL_LIMIT = 250


def staff_html_pages(client: Client, start: list[str]) -> dict[str, str]:
    """Every staff HTML page reachable by GET from `start` (same-site links only)."""
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < CRAWL_LIMIT:
        path = queue.popleft()
        if path in seen or "logout" in path:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            seen[path] = ""
            continue
        seen[path] = body(response)
        queue.extend(href for href in HREF.findall(seen[path]) if href not in seen)
    return seen


def test_no_staff_page_reveals_the_token(
    case: LinkCase, issued: IssuedLink, owner_client: Client, customer: Any, tenant_a: Any
) -> None:
    """A staff user with the delivery log (the owner has every right) sees the link as
    `/k/…RD3x` and nowhere whole: not on the object's page, not in the delivery log, not in
    a customer's reply that quotes it (thread and inbox note)."""
    with scopes_disabled():
        sent = list(OutboundMessage.objects.filter(tenant=issued.link.tenant))
    assert any(issued.token in m.body_text for m in sent)  # the link was sent
    with tenant_scope(tenant_a):
        thread = conversations.conversation_for(
            None, tenant=tenant_a, customer=customer, subject="Rückfrage"
        )
        quoted = f"Geht das auch später?\n> {settings.BASE_URL}{issued.path}"
        conversations.post_customer_message(thread, customer.contacts.first(), quoted)
    deliveries = [f"/staff/messages/deliveries/{m.pk}/" for m in sent]
    start = [case.staff_path(issued), "/staff/messages/deliveries/", *deliveries]
    with scopes_disabled():
        notes = [n.pk for n in InternalMessage.objects.filter(tenant=tenant_a)]
    start += [f"/staff/messages/conversations/{thread.pk}/", "/staff/messages/inbox/"]
    start += [reverse("messaging:inbox_open", args=[pk]) + "?show=1" for pk in notes]
    start += ["/staff/"]
    pages = staff_html_pages(owner_client, start)
    assert all(pages[path] for path in start[:-1])  # each page of the start opened
    leaks = [path for path, html in pages.items() if issued.token in html]
    assert leaks == []
    assert token_pages.shorten_token(issued.token) in pages[deliveries[0]]
