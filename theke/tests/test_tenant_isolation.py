"""A staff user of tenant B gets 404 for every object URL of tenant A.

The test walks the URL configuration, so an object URL added later without being known
here fails the test instead of going unchecked.
"""

from __future__ import annotations

import datetime
import io
from email.message import EmailMessage
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from theke.accounts.models import Membership, Role
from theke.api.services import create_api_key
from theke.api.webhooks.services import create_endpoint, send_test
from theke.appointments import services as appointments
from theke.appointments.models import AdvisorAbsence, BookableService, Lead, ServiceAdvisor
from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.services import catalog
from theke.estimates.services import add_photo, save_estimate
from theke.messaging.services import templates
from theke.messaging.services.conversations import (
    conversation_for,
    post_staff_message,
    reply_address,
)
from theke.messaging.services.inbound import receive_message
from theke.messaging.services.inbox import notify_user
from theke.messaging.services.outbox import Attachment, queue_message
from theke.orders import services as orders
from theke.portal.tests.world import make_portal_user
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

pytestmark = pytest.mark.django_db

# Which object a URL's plain `pk` means, by URL name prefix.
PK_OWNERS = {
    "customers:": "customer",
    "accounts:user_": "membership",
    "accounts:role_": "role",
    "tenants:branch_": "branch",
    "messaging:delivery_": "outbound_message",
    "messaging:inbox_": "internal_message",
    "messaging:conversation_": "conversation",
    "messaging:quarantine_": "inbound_email",
    "messaging:compose_to_customer": "customer",
    "messaging:template_": "message_template",
    "api:key_": "api_key",
    "api:webhook_delivery_": "webhook_delivery",
    "api:webhook_": "webhook_endpoint",
    "orders:invoice_": "invoice",
    "orders:quote_": "quote",
    "estimates:": "estimate",
    # --- appointments (lead conversion, the staff appointment page) ---
    "appointments:lead_": "lead",
    "appointments:appointment_": "appointment",
    # --- appointments (OSB settings) ---
    "appointments:branch_settings": "branch",
    "appointments:advisor_": "service_advisor",
    "appointments:absence_": "advisor_absence",
    "appointments:service_": "bookable_service",
    # --- staff (issue 13): "Werkstattkunde" switches ---
    "appointments:preferred_customer": "customer",
    "appointments:preferred_vehicle": "vehicle",
    # --- hist: a vehicle's appointments ---
    "appointments:vehicle_appointments": "vehicle",
    # --- portal (staff side) ---
    "portal_staff:user_": "portal_user",
    "portal_staff:resend": "portal_user",
    "portal_staff:confirm_location": "location",
    "portal_staff:": "customer",
    # --- jobs (staff pages): a job's page and its actions ---
    "jobs:job": "job",
    "jobs:activate": "job",
    "jobs:assign": "job",
    "jobs:send_link": "job",
    "jobs:message": "job",
    "jobs:document_": "job",
    "jobs:file": "job",
    "jobs:print": "job",
    "jobs:payment_create": "job",
    # --- jobs (editor): the field library and a workflow's draft ---
    "jobs:field": "job_field",
    "jobs:": "workflow",
    # --- accounts: customer logins on the customer page ---
    "accounts:customer_login_deactivate": "customer_account",
    "accounts:customer_login_invite": "customer",
}


# Public pages that name their tenant by slug (e.g. a version of the published terms): no
# login, nothing to isolate; tenants' tests check another tenant's slug answers 404.
PUBLIC_NAMESPACES = {"tenant_pages", "booking"}
# The portal's customer pages: theke/portal/tests/test_isolation.py walks them as users of
# another customer and of another location (a staff login is no portal login at all).
# --- parking: the job's pages behind its link (the token decides the job) and the logged-in
# Parkplatz (theke/jobs/tests/test_parking.py: another customer's job and file answer 404).
CUSTOMER_NAMESPACES = {"portal", "job_pages", "parking"}


def object_urls() -> list[tuple[str, list[str]]]:
    """(namespaced name, parameter names) of every URL with an int parameter."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace in (
                PUBLIC_NAMESPACES | CUSTOMER_NAMESPACES
            ):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                converters = pattern.pattern.converters
                ints = [name for name, conv in converters.items() if conv.regex == "[0-9]+"]
                if ints:
                    found.append((f"{namespace}:{pattern.name}", list(converters)))

    walk(get_resolver().url_patterns, None)
    return found


@pytest.fixture
def objects_of_tenant_a(
    tenant_a: Any, tenant_b: Any, owner: Any, settings: Any, tmp_path: Any
) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with tenant_scope(tenant_a):
        customer = customers.create_customer(tenant_a, SYSTEM, kind="person", last_name="Alpha")
        location = customers.add_location(
            customer, SYSTEM, street="Weg 1", postal_code="10115", city="Berlin"
        )
        conversation = conversation_for(
            customer, tenant=tenant_a, customer=customer, subject="Isolation"
        )
        pdf = Attachment("plan.pdf", b"%PDF-1.4 isolation", "application/pdf")
        posted = post_staff_message(conversation, owner, "Hallo", [pdf])
        objects: dict[str, Any] = {
            "customer": customer,
            "contact": customers.add_contact(customer, SYSTEM, last_name="Alpha"),
            "location": location,
            "vehicle": customers.add_vehicle(customer, SYSTEM, vin="WVWZZZ1JZXW000001"),
            "asset": customers.add_asset(customer, SYSTEM, kind="Container", location=location),
            "article": customers.create_article(tenant_a, SYSTEM, number="A-1", text="Öl"),
            "waste_type": catalog.create_waste_type(tenant_a, SYSTEM, name="Bauschutt"),
            "container_type": catalog.create_container_type(
                tenant_a, SYSTEM, name="Absetzcontainer", volume_m3="7"
            ),
            "branch": create_branch(tenant_a, SYSTEM, "Alpha Mitte"),
            "role": Role.objects.get(tenant=tenant_a, name="Techniker"),
            "membership": Membership.objects.get(tenant=tenant_a, user=owner),
            "outbound_message": queue_message(
                tenant_a,
                channel="email",
                purpose="test",
                recipient="alpha@kunde.test",
                dedupe_key="isolation",
            ),
            "conversation": conversation,
            "attachment": posted.attachments.get(),
            "internal_message": notify_user(tenant_a, owner, "Hinweis", "Text"),
            "api_key": create_api_key(tenant_a, SYSTEM, "ERP")[0],
            # A public address (no DNS needed); nothing is sent: commit hooks do not run here.
            "webhook_endpoint": create_endpoint(tenant_a, SYSTEM, url="https://93.184.216.34/h"),
        }
        objects["webhook_delivery"] = send_test(objects["webhook_endpoint"], SYSTEM)
        invoice = orders.create_invoice(
            tenant_a,
            SYSTEM,
            external_id="I-1",
            number="RE-1",
            customer=customer,
            issue_date="2026-11-20",
        )
        quote = orders.create_quote(
            tenant_a, SYSTEM, external_id="Q-1", number="AN-1", customer=customer, date="2026-11-20"
        )
        objects["invoice"] = orders.attach_pdf(invoice, SYSTEM, b"%PDF-1.4 isolation")
        objects["quote"] = orders.attach_pdf(quote, SYSTEM, b"%PDF-1.4 isolation")
        objects["estimate"] = save_estimate(
            tenant_a,
            SYSTEM,
            "KV-1",
            {"customer": customer, "number": "KV-1"},
            [{"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"}],
        )[0]
        objects["photo"] = add_photo(objects["estimate"], SYSTEM, data=_png())[0]
        objects["message_template"] = templates.save_template(
            tenant_a, SYSTEM, "estimate_link", "sms", "de", "", "Alpha {link}", ""
        )
        # --- appointments ---
        start = timezone.now() + datetime.timedelta(days=3)
        end = start + datetime.timedelta(hours=1)
        objects["appointment"] = appointments.create_appointment(
            tenant_a, SYSTEM, customer=customer, start=start, end=end
        )
        objects["lead"] = Lead.objects.create(
            tenant=tenant_a,
            branch=objects["branch"],
            start=start,
            end=end,
            last_name="Alpha",
            email="alpha@kunde.test",
        )
        advisor = ServiceAdvisor.objects.create(
            tenant=tenant_a, branch=objects["branch"], user=owner
        )
        objects["service_advisor"] = advisor
        objects["advisor_absence"] = AdvisorAbsence.objects.create(
            tenant=tenant_a, advisor=advisor, first_day=start.date(), last_day=start.date()
        )
        objects["bookable_service"] = BookableService.objects.create(
            tenant=tenant_a, name="Inspektion", duration_minutes=60
        )
    objects["portal_user"] = make_portal_user(customer, "portal@kunde.test")
    # --- jobs (staff pages): a job of the standard workflow with a file ---
    from types import SimpleNamespace

    from theke.jobs.services import setup as job_setup
    from theke.jobs.services.files import store_file
    from theke.jobs.services.jobs import NewJob, Who, start_job

    standard = job_setup.enable_job_manager(tenant_a, SYSTEM)
    with tenant_scope(tenant_a):
        job = start_job(standard, NewJob(customer=customer, origin="staff"), Who.staff(owner))
        stored = store_file(
            job,
            "unterlagen",
            kind="upload",
            name="a.pdf",
            data=b"%PDF-1.4",
            content_type="application/pdf",
            by="Alpha",
        )
    objects["job"] = job
    objects["file"] = SimpleNamespace(pk=stored["id"])
    objects["key"] = SimpleNamespace(pk="angebot")  # a document field and its document
    objects["code"] = SimpleNamespace(pk="offer")
    # --- jobs (editor): an own workflow's draft, its phase and entry, a library field ---
    from theke.accounts.services.customer_accounts import create_customer_account
    from theke.jobs.models import FieldType
    from theke.jobs.standard import FieldSpec

    own = job_setup.copy_workflow(standard, SYSTEM, "Eigener Workflow")
    with tenant_scope(tenant_a):
        objects["workflow"] = own
        objects["phase"] = own.phases.order_by("position").first()
        objects["entry"] = objects["phase"].entries.first()
        objects["view"] = SimpleNamespace(pk="staff")
        objects["job_field"] = job_setup.install_fields(
            tenant_a, [FieldSpec("probefahrt", "Probefahrt", FieldType.CHECKBOX)]
        )["probefahrt"]
        objects["customer_account"] = create_customer_account(
            customer, SYSTEM, email="alpha@kunde.test"
        )
    # The outsider's tenant has the job manager too: its pages answer, but not for our ids.
    job_setup.enable_job_manager(tenant_b, SYSTEM)
    stray = EmailMessage()
    stray["From"] = "fremd@example.org"
    stray["To"] = reply_address(conversation)
    stray["Subject"] = "Re: Isolation"
    stray.set_content("Hallo")
    objects["inbound_email"] = receive_message(stray)
    assert objects["inbound_email"].tenant_id == tenant_a.pk
    return objects


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#3a6ea5").save(buffer, format="PNG")
    return buffer.getvalue()


def url_kwargs(name: str, params: list[str], objects: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    owner = next((o for prefix, o in PK_OWNERS.items() if name.startswith(prefix)), None)
    for param in params:
        if param == "pk":
            assert owner, f"{name}: teach this test which object `pk` names (PK_OWNERS)"
            kwargs[param] = objects[owner].pk
        elif owner and hasattr(objects[owner], param):
            # Other parts of the address come from the object (e.g. a text's purpose).
            kwargs[param] = getattr(objects[owner], param)
        else:
            kind = param.removesuffix("_pk").removesuffix("_id")
            assert kind in objects, f"{name}: teach this test the object for `{param}`"
            kwargs[param] = objects[kind].pk
    return kwargs


def test_every_object_url_is_known_to_this_test():
    names = {name for name, _ in object_urls()}
    assert len(names) >= 20
    assert all(any(n.startswith(p) for p in PK_OWNERS) for n in names), names


def test_outsider_gets_404_for_every_object_url_of_tenant_a(
    outsider_client: Any, objects_of_tenant_a: dict[str, Any]
) -> None:
    checked = []
    for name, params in object_urls():
        url = reverse(name, kwargs=url_kwargs(name, params, objects_of_tenant_a))
        # POST-only actions answer GET with 405 before any lookup (and GET-only downloads
        # answer POST so): that reveals nothing; the method a URL takes must answer 404.
        codes = (
            outsider_client.get(url).status_code,
            outsider_client.post(url, {"name": "x", "last_name": "x"}).status_code,
        )
        assert 404 in codes and set(codes) <= {404, 405}, (url, codes)
        checked.append(url)
    with scopes_disabled():
        objects_of_tenant_a["customer"].refresh_from_db()
    assert objects_of_tenant_a["customer"].last_name == "Alpha"
    assert len(checked) >= 20


def test_owner_reaches_the_same_urls(owner_client: Any, objects_of_tenant_a: dict[str, Any]):
    """The 404s above come from isolation, not from broken URLs."""
    for name, params in object_urls():
        url = reverse(name, kwargs=url_kwargs(name, params, objects_of_tenant_a))
        response = owner_client.get(url)
        assert response.status_code in {200, 302, 405}, (url, response.status_code)
