from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from theke.audit.models import AuditEvent
from theke.jobs.models import Workflow
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("jobmanager", *args, stdout=out)
    return out.getvalue()


def test_operator_switches_the_job_manager_on_and_off(tenant_a, owner_client):
    tenant = tenant_a
    client = owner_client
    assert not tenant.jobs_enabled
    assert "job manager off, 0 workflow(s)" in run("status", "--tenant", tenant.slug)
    assert "is on, with the standard workflow" in run("on", "--tenant", tenant.slug)
    assert "was on already" in run("on", "--tenant", tenant.slug)
    tenant.refresh_from_db()
    assert tenant.jobs_enabled
    with tenant_scope(tenant):
        assert Workflow.objects.filter(tenant=tenant).count() == 1
    assert client.get("/staff/jobs/").status_code == 200

    assert "is off; its jobs are kept" in run("off", "--tenant", tenant.slug)
    assert "was off already" in run("off", "--tenant", tenant.slug)
    assert client.get("/staff/jobs/").status_code == 404
    with tenant_scope(tenant):
        actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("pk"))
    assert actions.count("jobs.enabled") == 1
    assert actions.count("jobs.disabled") == 1


def test_unknown_tenant_is_a_clear_error():
    with pytest.raises(CommandError, match="No tenant with slug 'nope'"):
        run("on", "--tenant", "nope")
