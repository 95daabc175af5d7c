"""The staff job list and the archive: the default filter (running jobs), the archive split,
the filters and the search, test jobs never shown, a constant number of queries per page;
the start-page tile and the customer-page panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from theke.accounts.models import User
from theke.core.panels import CUSTOMER_PAGE, panels_for, tiles_for
from theke.jobs.models import Job, JobStatus, Waiting
from theke.jobs.services.jobs import NewJob, Who, activate_phase, start_job
from theke.jobs.tests.world import JobWorld, other_customer_job, set_status
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


def _numbers(response: Any) -> set[str]:
    return {row.job.number for row in response.context["rows"]}


def test_the_list_shows_running_jobs_by_default_and_the_archive_the_others(
    world: JobWorld, owner_client: Any
) -> None:
    open_job = world.start(title="Offen")
    sold = world.start(title="Verkauft")
    closed = world.start(title="Abgeschlossen")
    canceled = world.start(title="Storniert")
    set_status(sold, JobStatus.SOLD)
    set_status(closed, JobStatus.CLOSED)
    set_status(canceled, JobStatus.CANCELED)

    listed = owner_client.get(reverse("jobs:list"))
    assert listed.status_code == 200
    assert _numbers(listed) == {open_job.number, sold.number}
    assert "Jobstatus" in listed.content.decode()

    archived = owner_client.get(reverse("jobs:archive"))
    assert _numbers(archived) == {closed.number, canceled.number}
    only_canceled = owner_client.get(reverse("jobs:archive"), {"status": "canceled"})
    assert _numbers(only_canceled) == {canceled.number}
    only_sold = owner_client.get(reverse("jobs:list"), {"status": "sold"})
    assert _numbers(only_sold) == {sold.number}
    # A status of the other list is no filter of this one: the default holds.
    assert _numbers(owner_client.get(reverse("jobs:list"), {"status": "closed"})) == {
        open_job.number,
        sold.number,
    }


def test_search_finds_a_job_by_plate_number_title_and_customer(
    world: JobWorld, owner_client: Any
) -> None:
    golf = world.start(title="Golf mit Anhängerkupplung")
    other = other_customer_job(world, "Klaus", "Berger", plate="HH-KB 77", title="Passat")

    def found(query: str) -> set[str]:
        return _numbers(owner_client.get(reverse("jobs:list"), {"q": query}))

    assert found("B-TH 412") == {golf.number}
    assert found("hh-kb") == {other.number}
    assert found(other.number) == {other.number}
    assert found("anhängerkupplung") == {golf.number}
    assert found("berger") == {other.number}
    assert found("K-4711") == {golf.number}  # the customer number
    assert found("gibt es nicht") == set()


def test_filters_by_phase_assignee_workflow_and_waiting(
    world: JobWorld, owner: User, colleague: User, owner_client: Any
) -> None:
    mine = world.start(assignee=owner)
    theirs = world.start(assignee=colleague)
    nobodys = world.start()
    activate_phase(theirs, "angebot", Who.staff(owner), expected_phase="rueckruf")

    def listed(**params: Any) -> set[str]:
        return _numbers(owner_client.get(reverse("jobs:list"), params))

    assert listed(assignee="me") == {mine.number}
    assert listed(assignee="none") == {nobodys.number}
    assert listed(assignee=str(colleague.pk)) == {theirs.number}
    assert listed(phase="angebot") == {theirs.number}
    assert listed(phase="rueckruf") == {mine.number, nobodys.number}
    assert listed(waiting=Waiting.CUSTOMER) == {theirs.number}
    assert listed(waiting=Waiting.STAFF) == {mine.number, nobodys.number}
    assert listed(workflow=str(world.standard.pk)) == {mine.number, theirs.number, nobodys.number}
    # Nonsense in a filter is no filter, never an error.
    assert listed(phase="<script>", assignee="x", workflow="abc") == {
        mine.number,
        theirs.number,
        nobodys.number,
    }
    page = owner_client.get(reverse("jobs:list")).content.decode()
    assert "Angebot bereitgestellt" in page  # the phase's name, from the version
    assert "mir zugewiesen" in page


def test_test_jobs_never_appear(world: JobWorld, owner: User, owner_client: Any) -> None:
    real = world.start()
    with tenant_scope(world.tenant):
        test_job = start_job(
            world.standard,
            NewJob(customer=world.customer, origin="staff", title="Probe"),
            Who.staff(owner),
            test_owner=owner,
        )
    assert _numbers(owner_client.get(reverse("jobs:list"))) == {real.number}
    assert (
        test_job.number
        not in owner_client.get(reverse("jobs:list"), {"q": "Probe"}).content.decode()
    )
    set_status(test_job, JobStatus.CLOSED)
    assert _numbers(owner_client.get(reverse("jobs:archive"))) == set()


def _count_queries(client: Any, url: str) -> int:
    client.get(url)  # warm: compiled versions, sessions, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_5_and_50_jobs(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    for index in range(5):
        world.start(assignee=owner if index % 2 else None)
    few = _count_queries(owner_client, reverse("jobs:list"))
    for index in range(45):
        world.start(assignee=owner if index % 2 else None)
    many = _count_queries(owner_client, reverse("jobs:list"))
    assert many == few
    assert few <= 20


def test_the_archive_costs_the_same_queries_for_5_and_50_jobs(
    world: JobWorld, owner_client: Any
) -> None:
    for _index in range(5):
        set_status(world.start(), JobStatus.CLOSED)
    few = _count_queries(owner_client, reverse("jobs:archive"))
    for _index in range(45):
        set_status(world.start(), JobStatus.CANCELED)
    assert _count_queries(owner_client, reverse("jobs:archive")) == few


def test_htmx_asks_for_the_results_only(world: JobWorld, owner_client: Any) -> None:
    job = world.start()
    response = owner_client.get(reverse("jobs:list"), {"q": job.number}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert job.number in body
    assert "<html" not in body
    assert response["Vary"].count("HX-Request") == 1


def _request_for(user: User, tenant: Any) -> Any:
    from django.test import RequestFactory

    from theke.accounts.middleware import role_codes

    request = RequestFactory().get("/staff/")
    request.user = user
    request.tenant = tenant  # type: ignore[attr-defined]
    with scopes_disabled():
        membership = user.memberships.select_related("role").get(tenant=tenant)
    user._theke_permissions = role_codes(membership.role)  # type: ignore[attr-defined]
    return request


def test_the_start_tile_counts_running_jobs_waiting_for_us(world: JobWorld, owner: User) -> None:
    world.start()
    world.start()
    waiting_customer = world.start()
    activate_phase(waiting_customer, "angebot", Who.staff(owner), expected_phase="rueckruf")
    set_status(world.start(), JobStatus.CLOSED)  # archived: not waiting any more
    request = _request_for(owner, world.tenant)
    with tenant_scope(world.tenant):
        [tile] = [t for t in tiles_for(request) if t.label == "Jobs warten auf uns"]
    assert tile.count == 2
    assert tile.url == reverse("jobs:list") + "?waiting=staff"
    world.tenant.jobs_enabled = False
    with tenant_scope(world.tenant):
        assert not [t for t in tiles_for(request) if t.label == "Jobs warten auf uns"]


def test_the_nav_entry_counts_the_jobs_waiting_for_us(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    world.start()
    world.start()
    page = owner_client.get(reverse("core:dashboard")).content.decode()
    assert (
        '<span class="badge rounded-pill text-bg-danger ms-1" aria-hidden="true">2</span>' in page
    )
    assert "(2 Jobs warten auf uns)" in page
    world.tenant.jobs_enabled = False
    world.tenant.save(update_fields=["jobs_enabled"])
    assert "Jobs warten auf uns" not in owner_client.get(reverse("core:dashboard")).content.decode()


def test_the_customer_panel_shows_running_and_last_archived_jobs(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    running = [world.start(), world.start()]
    archived = [world.start() for _index in range(5)]
    for job in archived:
        set_status(job, JobStatus.CLOSED)
    request = _request_for(owner, world.tenant)
    with tenant_scope(world.tenant):
        [panel] = [
            p for p in panels_for(CUSTOMER_PAGE, request, world.customer) if p.name == "jobs"
        ]
    assert {row.job.pk for row in panel.context["running"]} == {j.pk for j in running}
    assert len(panel.context["archived"]) == 3
    assert panel.context["more_archived"] is True

    page = owner_client.get(reverse("customers:detail", args=[world.customer.pk])).content.decode()
    assert running[0].number in page
    assert reverse("jobs:new") + f"?customer={world.customer.pk}" in page

    world.tenant.jobs_enabled = False
    world.tenant.save(update_fields=["jobs_enabled"])
    page = owner_client.get(reverse("customers:detail", args=[world.customer.pk])).content.decode()
    assert running[0].number not in page


def test_the_navigation_shows_jobs_only_with_the_product_on(
    world: JobWorld, owner_client: Any
) -> None:
    url = reverse("jobs:list")
    assert f'href="{url}"' in owner_client.get(reverse("core:dashboard")).content.decode()
    world.tenant.jobs_enabled = False
    world.tenant.save(update_fields=["jobs_enabled"])
    assert f'href="{url}"' not in owner_client.get(reverse("core:dashboard")).content.decode()
    assert owner_client.get(url).status_code == 404
    with scopes_disabled():
        assert Job.objects.count() == 0
