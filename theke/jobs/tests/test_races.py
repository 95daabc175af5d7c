"""Two clicks, two tabs, two workers on one job: one outcome (PostgreSQL: real row locks)."""

from __future__ import annotations

import pytest
from django.db import connection

from theke.core.errors import ServiceError
from theke.core.tests.concurrency import run_at_once
from theke.jobs.models import Job, JobChange
from theke.jobs.services.jobs import Who, activate_phase, start_job
from theke.jobs.tests.world import JobWorld
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_two_activations_of_the_next_phase_move_the_job_once(world: JobWorld, owner) -> None:
    job = world.start()

    def activate() -> None:
        with tenant_scope(world.tenant):
            activate_phase(job, "angebot", Who.staff(owner), expected_phase="rueckruf")

    errors = run_at_once(activate, activate)
    assert len(errors) == 1 and isinstance(errors[0], ServiceError)
    with scopes_disabled():
        assert JobChange.objects.filter(job=job, field_key="phase").count() == 2  # start + one
        offers = OutboundMessage.objects.filter(object_id=str(job.pk), subject__contains="Angebot")
        assert offers.count() == 1


def test_jobs_started_at_once_get_distinct_numbers(world: JobWorld) -> None:
    from theke.audit.services import SYSTEM
    from theke.jobs.services.jobs import NewJob

    def start() -> None:
        with tenant_scope(world.tenant):
            new = NewJob(customer=world.customer, origin="api", contact=world.contact)
            start_job(world.standard, new, Who(SYSTEM, "system", "System"))

    assert run_at_once(start, start, start) == []
    with scopes_disabled():
        numbers = list(Job.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 3
