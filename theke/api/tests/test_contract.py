"""Contract test: schemathesis generates requests from /api/v1/openapi.json for every
operation and sends them with a valid key through the whole Django stack (WSGI,
middleware, ninja) against the real test database. All of its checks run, the positive and
the negative ones: no 5xx; status, content type, headers and body as documented; every
schema-valid request accepted (ST202) and every schema-violating one refused (ST201);
`Allow` of a 405 as documented; a fixed seed and a modest number of examples.

What the document cannot state is repaired in the generated *valid* requests before they
are sent (see `satisfy_rules_beyond_the_schema`): references must name existing objects,
a few rules relate two fields (end after start, gross not below net), and phone numbers
must be dialable. Everything else a request may carry is in the schema.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from theke.api.tests.conftest import make_key
from theke.appointments.models import (
    AdvisorWorkingHours,
    BookableService,
    BranchBooking,
    Lead,
    ServiceAdvisor,
)
from theke.appointments.services.availability import free_slots
from theke.audit.services import SYSTEM
from theke.jobs.services.setup import enable_job_manager
from theke.tenants.models import Branch, OpeningHours
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
# The API refuses NUL in any text (README: "Text"); JSON Schema has no word for that.
schema.config.generation.allow_x00 = False

# The document's date-times carry a pattern (years 1970 to 2199) besides their format;
# generate them in that range instead of filtering RFC 3339 values of years 0001 to 9999.
schemathesis.openapi.format(
    "date-time",
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2198, 12, 31)).map(
        lambda moment: moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    ),
)

# The objects the fixture creates, by the reference field that names them.
REFERENCES = {
    "customer_external_id": "K-1",
    "contact_external_id": "C-1",
    "location_external_id": "L-1",
    "vehicle_external_id": "V-1",
    "asset_external_id": "AS-1",
    "order_external_id": "O-1",
    "branch_external_id": "B-1",
    "article_external_id": "ART-1",
    "waste_type_external_id": "W-1",
    "container_type_external_id": "CT-1",
}
ARTICLE_NUMBERS = itertools.count(1)
PHONES = {"mobile_phone": "+491711234567", "phone": "+49301234567"}
# Online booking at B-1 (set by the fixture): a bookable service, a lead, a free slot.
BOOKING: dict[str, Any] = {}


def _open_for_booking(tenant: Any, colleague: Any) -> None:
    """B-1 takes online bookings every day 6–22 with one advisor; one service, one lead."""
    tenant.online_booking_enabled = True
    tenant.save(update_fields=["online_booking_enabled"])
    with tenant_scope(tenant):
        branch = Branch.objects.get(external_id="B-1")
        BranchBooking.objects.create(tenant=tenant, branch=branch, enabled=True, min_notice_hours=1)
        advisor = ServiceAdvisor.objects.create(tenant=tenant, branch=branch, user=colleague)
        for weekday in range(7):
            OpeningHours.objects.create(
                tenant=tenant, branch=branch, weekday=weekday, opens=time(6), closes=time(22)
            )
            AdvisorWorkingHours.objects.create(
                tenant=tenant, advisor=advisor, weekday=weekday, starts=time(6), ends=time(22)
            )
        service = BookableService.objects.create(
            tenant=tenant, name="Inspektion", duration_minutes=60
        )
        slot = free_slots(branch, 60)[0]
        lead = Lead.objects.create(
            tenant=tenant,
            branch=branch,
            start=slot.start + timedelta(days=1),
            end=slot.end + timedelta(days=1),
            last_name="Berg",
            email="eva@example.com",
        )
    BOOKING.update(service_id=service.pk, start=slot.start.isoformat(), lead_uid=str(lead.uid))


@pytest.fixture
def bearer(tenant_a: Any, colleague: Any) -> str:
    key = make_key(tenant_a)[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    create_branch(tenant_a, SYSTEM, "Mitte", external_id="B-1")
    for path, body in (
        (
            "customers/K-1",
            {"last_name": "Berg", "contacts": [{"external_id": "C-1", "last_name": "Berg"}]},
        ),
        (
            "locations/L-1",
            {
                "customer_external_id": "K-1",
                "street": "Hauptstr. 1",
                "postal_code": "10115",
                "city": "Berlin",
            },
        ),
        ("vehicles/V-1", {"customer_external_id": "K-1", "license_plate": "B-AB 123"}),
        ("assets/AS-1", {"customer_external_id": "K-1", "kind": "Container"}),
        ("articles/ART-1", {"number": "A-1", "text": "Ölwechsel", "price": "49.90"}),
        ("waste-types/W-1", {"name": "Bauschutt", "code": "170107"}),
        ("container-types/CT-1", {"name": "Absetzcontainer", "volume_m3": "7"}),
        ("orders/O-1", {"customer_external_id": "K-1", "number": "A-1"}),
    ):
        response = client.put(f"/api/v1/{path}", json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
    _open_for_booking(tenant_a, colleague)
    enable_job_manager(tenant_a, SYSTEM)  # --- jobs ---
    return f"Bearer {key}"


@pytest.fixture(autouse=True)
def keep_the_test_connection(bearer: str) -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction (on PostgreSQL: "the connection is closed"); Django's own test
    client switches this off the same way. After `bearer`: its test client reconnects the
    handler when it is done, so switching it off before would not last."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _later(moment: str, hours: int) -> str:
    return (datetime.fromisoformat(moment) + timedelta(hours=hours)).isoformat()


def _repair_references(body: dict[str, Any], advisor: str) -> None:
    """Name existing objects, dialable numbers and a staff user, at every depth."""
    for field, external_id in REFERENCES.items():
        if isinstance(body.get(field), str):
            body[field] = external_id
    for field, number in PHONES.items():
        if body.get(field):
            body[field] = number
    if body.get("email"):
        body["email"] = "eva@example.com"
    if body.get("advisor_email"):
        body["advisor_email"] = advisor
    for value in body.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                _repair_references(item, advisor)


def _repair_resource(resource: str, body: dict[str, Any]) -> None:
    """Rules between fields (or on stored state) of one resource's body."""
    if resource == "customers":  # a person needs a name, a company its company name
        if body.get("kind") == "company":
            body["company_name"] = str(body.get("company_name") or "").strip() or "Firma"
        else:
            body["last_name"] = str(body.get("last_name") or "").strip() or "Berg"
    elif resource == "container-types" and body.get("waste_type_external_ids"):
        body["waste_type_external_ids"] = ["W-1"]  # existing waste types only
    elif resource == "assets":  # without a container type, the free-text kind
        if not body.get("container_type_external_id") and not str(body.get("kind", "")).strip():
            body["kind"] = "Container"
    elif resource == "articles":  # an article number only once per tenant
        body["number"] = f"N-{next(ARTICLE_NUMBERS)}"
    elif resource == "vehicles":  # a plate or a VIN; a VIN only once per tenant
        body["vin"], body["license_plate"] = "", "B-XY 1"
    elif resource == "estimates":
        # A new estimate needs its customer (a rule beyond the schema; null is sent too).
        body["customer_external_id"] = body.get("customer_external_id") or "K-1"
        for position in body.get("positions") or []:  # amounts within the totals' columns
            position["quantity"] = "1"
            if position.get("unit_price") is not None:
                position["unit_price"] = "10.00"
            if not position.get("article_external_id"):  # without article: text and prices
                position["text"] = (position.get("text") or "").strip() or "Arbeit"
                position.setdefault("unit_price", "10.00")
                position["unit_price"] = position["unit_price"] or "10.00"
                position["vat_rate"] = position.get("vat_rate") or "19"
    elif resource == "appointments" and isinstance(body.get("start"), str):
        body["end"] = _later(body["start"], 1)
    elif resource == "leads":  # a booking: the branch's service, a free slot, a name
        body.update(branch="B-1", service_ids=[BOOKING["service_id"]], start=BOOKING["start"])
        body.update(email="eva@example.com", vin="", license_plate="B-EB 1")
        body["last_name"] = str(body.get("last_name") or "").strip() or "Berg"
    elif resource == "jobs":  # --- jobs --- values by field type: the tenant's workflow
        body["values"] = {}  # POST and PATCH
        body.pop("workflow", None)
        body.pop("vin", None)
        body.pop("external_id", None)
        if body.get("callback_phone"):
            body["callback_phone"] = PHONES["mobile_phone"]
    for earlier, later in (("issue_date", "due_date"), ("date", "valid_until")):
        if isinstance(body.get(earlier), str) and isinstance(body.get(later), str):
            body[later] = body[earlier]
    if "net_total" in body and "gross_total" in body:
        body["gross_total"] = body["net_total"]
    if body.get("paid_at"):
        body["status"] = "paid"


def satisfy_rules_beyond_the_schema(case: Any, advisor: str) -> None:
    """Make a generated valid request meet what no schema can state: references to existing
    objects, rules between fields, dialable numbers, a cursor issued by the server, data
    before a link is sent."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if isinstance(case.query, dict):
        case.query.pop("after", None)
        if "branch" in case.query:  # GET /booking/...: the branch open for booking
            case.query["branch"] = "B-1"
        if "services" in case.query:
            case.query["services"] = [BOOKING["service_id"]]
    if isinstance(case.path_parameters, dict) and "uid" in case.path_parameters:
        case.path_parameters["uid"] = BOOKING["lead_uid"]
    if not isinstance(case.body, dict):
        return
    resource = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    if case.operation.path.endswith("/link"):
        case.body.pop("send", None)
        resource = "links"
    if case.operation.path.endswith("/phase"):  # --- jobs ---
        resource = "job-phases"
    _repair_references(case.body, advisor)
    items = case.body.get("items") if case.operation.path.endswith("/bulk") else [case.body]
    for item in items or []:
        if isinstance(item, dict):
            _repair_resource(resource, item)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_documented(case: Any, bearer: str, colleague: Any) -> None:
    satisfy_rules_beyond_the_schema(case, colleague.email)
    case.call_and_validate(headers={"Authorization": bearer})
