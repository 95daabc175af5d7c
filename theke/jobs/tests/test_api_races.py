"""Two back-office requests on one job at the same moment: one outcome (PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from theke.api.services import create_api_key
from theke.audit.services import SYSTEM
from theke.core.tests.concurrency import run_at_once
from theke.customers import services as customers
from theke.jobs.models import Job, JobChange
from theke.jobs.tests.world import JobWorld
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

LEAD = {"customer_external_id": "K-4711", "title": "Börsenanfrage", "external_id": "B-1"}


@pytest.fixture
def key(world: JobWorld) -> str:
    with tenant_scope(world.tenant):
        customers.update_customer(world.customer, SYSTEM, external_id="K-4711")
        return create_api_key(world.tenant, SYSTEM, "ERP")[1]


def call(key: str, method: str, path: str, body: Any, answers: list[int]) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = getattr(client, method)(
        f"/api/v1{path}", json.dumps(body), content_type="application/json"
    )
    answers.append(response.status_code)


def test_the_same_lead_twice_at_once_makes_one_job(key: str) -> None:
    answers: list[int] = []
    errors = run_at_once(
        lambda: call(key, "post", "/jobs", LEAD, answers),
        lambda: call(key, "post", "/jobs", LEAD, answers),
    )
    assert errors == [] and sorted(answers) == [200, 201]
    with scopes_disabled():
        assert Job.objects.count() == 1


def test_two_status_changes_at_once_are_both_in_the_history(key: str, world: JobWorld) -> None:
    job = world.start()
    answers: list[int] = []
    errors = run_at_once(
        lambda: call(
            key, "patch", f"/jobs/{job.number}", {"values": {"jobstatus": "sold"}}, answers
        ),
        lambda: call(
            key, "patch", f"/jobs/{job.number}", {"values": {"interne_notiz": "x"}}, answers
        ),
    )
    assert errors == [] and answers == [200, 200]
    with scopes_disabled():
        job.refresh_from_db()
        changed = set(JobChange.objects.filter(job=job).values_list("field_key", flat=True))
    assert job.status == "sold" and job.values["interne_notiz"] == "x"
    assert {"jobstatus", "interne_notiz"} <= changed
