"""THE isolation test of the portal: a user never reaches another customer's rows, nor the
rows of a location not granted to them (404 each), for every URL and download.

The test walks the URL resolver's `portal` namespace, so a URL added later without being
taught here fails the test instead of going unchecked (`OBJECTS`, like PK_OWNERS in
theke/tests/test_tenant_isolation.py).

The objects all belong to Bau Berg's location 1 ("Lager Süd"): the admin of Abriss Adler
(another customer) and Bau Berg's orderer, who was granted location 0 only, must get 404; the
owning admin reaches each one.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from theke.audit.services import SYSTEM
from theke.messaging.services.conversations import conversation_for, post_customer_message
from theke.messaging.services.outbox import Attachment
from theke.orders import services as orders
from theke.orders.models import OrderKind, OrderStatus
from theke.portal.models import PortalUser, QuoteRequest
from theke.portal.tests.world import World, portal_client
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

# Which object each URL parameter names, per URL name. None: the URL has a number that is no
# object (the home-screen icon's size): nothing to isolate.
OBJECTS: dict[str, dict[str, str] | None] = {
    "portal:user_edit": {"pk": "portal_user"},
    "portal:user_resend": {"pk": "portal_user"},
    "portal:order": {"pk": "order"},
    "portal:invoice_pdf": {"pk": "invoice"},
    "portal:location": {"pk": "location"},
    "portal:container_order": {"pk": "asset"},
    "portal:quote_pdf": {"pk": "quote"},
    "portal:quote_request": {"pk": "quote_request"},
    "portal:quote_attachment": {"pk": "quote_request", "attachment_pk": "attachment"},
    "portal:app_icon": None,
}

# Downloads: the owner's answer must be the file itself.
DOWNLOADS = {"portal:invoice_pdf", "portal:quote_pdf", "portal:quote_attachment"}

# Pages anyone may open (the home-screen app): no login, no customer data.
PUBLIC = {"portal:manifest", "portal:app_icon"}

# What the lists of an outsider and of the orderer must never show (rows of location 1).
SECRETS = ["ISO-L1-ORDER", "ISO-L1-INVOICE", "ISO-L1-QUOTE", "Lager Süd", "M10-003"]


def portal_urls() -> list[tuple[str, list[str]]]:
    """(namespaced name, parameter names) of every URL of the portal's customer pages."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "portal":
                found.append((f"portal:{pattern.name}", list(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, None)
    return found


def object_urls() -> list[str]:
    return [name for name, params in portal_urls() if set(params) - {"slug"}]


def plain_urls() -> list[str]:
    return [name for name, params in portal_urls() if params == ["slug"]]


@pytest.fixture
def objects(world: World, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Rows of Bau Berg's location 1, one of each kind a portal URL opens."""
    settings.MEDIA_ROOT = tmp_path / "media"
    tenant, location = world.tenant, world.locations[1]
    with tenant_scope(tenant):
        order = orders.create_order(
            tenant,
            SYSTEM,
            external_id="ISO-1",
            number="ISO-L1-ORDER",
            customer=world.customer,
            location=location,
            asset=world.assets[2],
            kind=OrderKind.EMPTYING,
            status=OrderStatus.COMPLETED,
        )
        invoice = orders.create_invoice(
            tenant,
            SYSTEM,
            external_id="ISO-I-1",
            number="ISO-L1-INVOICE",
            customer=world.customer,
            order=order,
            issue_date="2026-11-20",
        )
        quote = orders.create_quote(
            tenant,
            SYSTEM,
            external_id="ISO-Q-1",
            number="ISO-L1-QUOTE",
            customer=world.customer,
            location=location,
            date="2026-11-20",
        )
        request = QuoteRequest.objects.create(
            tenant=tenant,
            number="ISO-L1-REQUEST",
            customer=world.customer,
            requested_by=world.admin,
            location=location,
            subject="Isolation",
            description="Zwei Mulden",
        )
        conversation = conversation_for(
            request, tenant=tenant, customer=world.customer, subject="Isolation"
        )
        QuoteRequest.objects.filter(pk=request.pk).update(conversation=conversation)
        pdf = Attachment("plan.pdf", b"%PDF-1.4 isolation", "application/pdf")
        message = post_customer_message(conversation, world.admin.contact, "Plan", [pdf])
        return {
            "order": order,
            "invoice": orders.attach_pdf(invoice, SYSTEM, b"%PDF-1.4 isolation"),
            "quote": orders.attach_pdf(quote, SYSTEM, b"%PDF-1.4 isolation"),
            "quote_request": request,
            "attachment": message.attachments.get(),
            "location": location,
            "asset": world.assets[2],
            "portal_user": world.reader,
        }


def user_called(world: World, who: str) -> Any:
    """The user of a case; "orderer_invoices" is the orderer allowed invoices and prices, so
    the location rule, not the missing right, must hide location 1's invoice."""
    if who == "orderer_invoices":
        PortalUser.objects.filter(pk=world.orderer.pk).update(sees_invoices=True, sees_prices=True)
        return world.orderer
    return getattr(world, who)


WHO = ["other_admin", "orderer", "orderer_invoices"]


def address(world: World, name: str, objects: dict[str, Any]) -> str:
    kinds = OBJECTS[name]
    assert kinds is not None
    kwargs = {param: objects[kind].pk for param, kind in kinds.items()}
    return reverse(name, kwargs={"slug": world.tenant.slug, **kwargs})


def test_every_portal_url_with_a_number_is_known_to_this_test() -> None:
    names = object_urls()
    assert len(names) >= 9
    unknown = [name for name in names if name not in OBJECTS]
    assert not unknown, f"teach test_isolation.OBJECTS which object these URLs open: {unknown}"
    for name, params in portal_urls():
        if OBJECTS.get(name):
            assert set(params) - {"slug"} == set(OBJECTS[name] or {}), name


@pytest.mark.parametrize("who", WHO)
def test_users_without_the_customer_or_the_location_get_404_for_every_object(
    world: World, objects: dict[str, Any], who: str
) -> None:
    with tenant_scope(world.tenant):
        client = portal_client(user_called(world, who))
    checked = []
    for name in object_urls():
        if OBJECTS[name] is None:
            continue
        target = address(world, name, objects)
        # A POST-only action answers GET with 405 before any lookup: that reveals nothing.
        assert client.get(target).status_code in {404, 405}, (who, target)
        assert client.post(target, {"note": "x", "role": "admin"}).status_code == 404, (who, target)
        checked.append(name)
    assert set(checked) >= DOWNLOADS
    world.reader.refresh_from_db()
    assert world.reader.role == "read_only"


@pytest.mark.parametrize("who", WHO)
def test_lists_and_their_csv_show_no_row_of_another_customer_or_location(
    world: World, objects: dict[str, Any], who: str
) -> None:
    with tenant_scope(world.tenant):
        client = portal_client(user_called(world, who))
    for name in plain_urls():
        if name in PUBLIC:
            continue
        target = reverse(name, args=[world.tenant.slug])
        for query in ("", "?format=csv", f"?location={world.locations[1].pk}"):
            response = client.get(target + query)
            assert response.status_code in {200, 302, 404}, (who, target, query)
            body = response.getvalue()
            text = body.decode("utf-8", "replace")
            assert not [s for s in SECRETS if s in text], (who, target + query)


def _owner_cases() -> list[Any]:
    cases = []
    for name in sorted(OBJECTS):
        if OBJECTS[name] is None:
            continue
        cases.append(pytest.param(name, id=name))
    return cases


@pytest.mark.parametrize("name", _owner_cases())
def test_the_owning_admin_reaches_each_object(
    world: World, objects: dict[str, Any], name: str
) -> None:
    client = portal_client(world.admin)
    target = address(world, name, objects)
    response = client.get(target)
    assert response.status_code in {200, 302, 405}, target
    if name in DOWNLOADS:
        assert response.status_code == 200
        assert response.getvalue().startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")


def test_nobody_reaches_a_portal_page_without_logging_in(
    world: World, objects: dict[str, Any]
) -> None:
    client = Client()
    for name, _params in portal_urls():
        if name in PUBLIC:
            continue
        target = (
            address(world, name, objects)
            if OBJECTS.get(name)
            else reverse(name, args=[world.tenant.slug])
        )
        response = client.get(target)
        assert response.status_code in {302, 404, 405}, target
        if response.status_code == 302:
            assert response["Location"].startswith(
                reverse("customer_accounts:login", args=[world.tenant.slug])
            ), target
