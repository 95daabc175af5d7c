"""The job manager's demo: the standard workflow active, jobs in several phases and
statuses, one waiting for the customer, a customer login with jobs, a copied workflow with a
job left on its first version; a database from before the job manager gets it."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from theke.accounts.services.customer_accounts import authenticate_customer
from theke.audit.models import FeedEvent
from theke.demo import job_data
from theke.demo.job_seed import JOB_LOGIN, JobSeeder
from theke.jobs.definition import Definition
from theke.jobs.models import Job, JobChange, Origin, Payment, Workflow
from theke.jobs.services.workflows import default_mapping, impact, running_jobs
from theke.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_the_car_dealer_demo_has_jobs_in_every_phase_and_status() -> None:
    call_command("seed_demo", stdout=StringIO())
    with scopes_disabled():
        tenant = Tenant.objects.get(slug="autohaus-demo")
        assert tenant.jobs_enabled
        standard = Workflow.objects.get(tenant=tenant, is_builtin=True)
        jobs = list(Job.objects.filter(tenant=tenant, workflow=standard))
        assert len(jobs) == len(job_data.DEMO_JOBS) >= 15
        assert {job.status for job in jobs} == {"open", "sold", "closed", "canceled"}
        assert {job.phase_key for job in jobs} >= {
            "rueckruf",
            "angebot",
            "angenommen",
            "bestellung",
            "zahlung",
            "abholung",
            "meinung",
        }
        waiting = Counter((job.waiting_for, job.status) for job in jobs)
        assert waiting["customer", "open"] >= 2 and waiting["staff", "open"] >= 3
        callbacks = [j for j in jobs if j.origin == Origin.CALLBACK and j.status == "open"]
        assert len(callbacks) >= 2 and all(j.callback_phone for j in callbacks)
        lead = next(j for j in jobs if j.origin == Origin.API)
        assert lead.external_id and lead.values["kundenmitteilung"]
        assert sum(job.suppress_messages for job in jobs) == 1
        accepted = next(j for j in jobs if j.phase_key == "angenommen")
        assert accepted.values["auslieferung_gewuenscht"] is True
        offers = [j for j in jobs if j.phase_key == "angebot" and j.waiting_for == "customer"]
        assert all(job.values.get("angebot") for job in offers)
        assert all(job.closed_at for job in jobs if job.is_archived)
        payments = Counter(Payment.objects.filter(job__in=jobs).values_list("status", flat=True))
        assert payments["paid"] >= 3 and payments["open"] == 1
        assert FeedEvent.objects.filter(tenant=tenant, type="job.payment_received").exists()
        offer = next(j for j in jobs if j.phase_key == "angebot" and j.vehicle is not None)
        assert offer.files.filter(field_key="angebot").count() == 2  # the first one stays
        history = JobChange.objects.filter(job__in=jobs)
        assert {c.actor_kind for c in history} == {"staff", "customer", "api", "system"}

        petra = [j for j in jobs if j.customer.number == "40001"]
        assert len(petra) >= 2 and any(j.waiting_for == "customer" for j in petra)
    assert authenticate_customer(tenant, JOB_LOGIN, "theke-demo") is not None

    with scopes_disabled():
        workshop = Workflow.objects.get(tenant=tenant, name=job_data.WORKSHOP_NAME)
        assert workshop.published is not None and workshop.published.number == 2
        on_v1 = list(running_jobs(workshop, exclude=workshop.published).select_related("version"))
        assert len(on_v1) == len(job_data.WORKSHOP_JOBS)
        target = Definition.from_json(workshop.published.definition)
        old = Definition.from_json(on_v1[0].version.definition)
        preview = impact(on_v1, target, {on_v1[0].version_id: default_mapping(old, target)})
    assert preview.jobs == 2
    lost: Counter[str] = Counter()
    for row in preview.phases:
        lost += row.lost
    assert lost == {"Ersatzwagen-Klasse": 1}


def test_a_demo_database_from_before_the_job_manager_gets_it(monkeypatch: Any) -> None:
    monkeypatch.setattr(JobSeeder, "run", lambda self: 0)
    call_command("seed_demo", stdout=StringIO())
    with scopes_disabled():
        assert not Job.objects.exists()
    monkeypatch.undo()
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert "Demo-Jobs ergänzt" in output.getvalue()
    with scopes_disabled():
        assert Job.objects.count() == len(job_data.DEMO_JOBS) + len(job_data.WORKSHOP_JOBS)
