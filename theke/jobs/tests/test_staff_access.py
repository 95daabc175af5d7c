"""Who may open the staff job pages: another tenant's staff get 404 on every job URL (even
with the job manager on), staff without `jobs.use` get 403, and every page is 404 while the
tenant's job manager is off."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import make_staff
from theke.jobs.models import FileKind, Job
from theke.jobs.services.files import store_file
from theke.jobs.tests.world import JobWorld, make_job_world
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def _job_urls(job: Job, file_id: int) -> list[tuple[str, str]]:
    """(method, url) of every `jobs:` URL of this area that names a job."""
    pk = job.pk
    return [
        ("get", reverse("jobs:job", args=[pk])),
        ("post", reverse("jobs:job", args=[pk])),
        ("get", reverse("jobs:activate", args=[pk])),
        ("post", reverse("jobs:activate", args=[pk])),
        ("post", reverse("jobs:assign", args=[pk])),
        ("post", reverse("jobs:send_link", args=[pk])),
        ("post", reverse("jobs:message", args=[pk])),
        ("post", reverse("jobs:document_create", args=[pk, "angebot"])),
        ("get", reverse("jobs:document_show", args=[pk, "angebot", "offer"])),
        ("get", reverse("jobs:file", args=[pk, file_id])),
        ("get", reverse("jobs:print", args=[pk])),
        ("post", reverse("jobs:payment_create", args=[pk, "bezahlung"])),
    ]


def _a_file(job: Job) -> int:
    with tenant_scope(job.tenant):
        value = store_file(
            job,
            "unterlagen",
            kind=FileKind.UPLOAD,
            name="ausweis.pdf",
            data=b"%PDF-1.4 test",
            content_type="application/pdf",
            by="Petra",
        )
    return int(value["id"])


def test_the_outsider_gets_404_on_every_job_url(
    world: JobWorld, tenant_b: Any, outsider_client: Any
) -> None:
    make_job_world(tenant_b)  # the outsider's tenant has the job manager on as well
    job = world.start()
    file_id = _a_file(job)
    for method, url in _job_urls(job, file_id):
        response = getattr(outsider_client, method)(url)
        assert response.status_code == 404, (method, url)
    # Their own lists do not show the other tenant's job.
    listed = outsider_client.get(reverse("jobs:list"), {"q": job.number})
    assert listed.status_code == 200
    assert job.pk not in {row.job.pk for row in listed.context["rows"]}


def test_a_file_of_another_job_is_404(world: JobWorld, owner_client: Any) -> None:
    job = world.start()
    other = world.start()
    file_id = _a_file(other)
    assert owner_client.get(reverse("jobs:file", args=[job.pk, file_id])).status_code == 404
    assert owner_client.get(reverse("jobs:file", args=[other.pk, file_id])).status_code == 200


def test_a_techniker_without_jobs_use_gets_403(world: JobWorld, tenant_a: Any, client: Any) -> None:
    job = world.start()
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker"))
    for url in (
        reverse("jobs:list"),
        reverse("jobs:archive"),
        reverse("jobs:new"),
        reverse("jobs:job", args=[job.pk]),
        reverse("jobs:print", args=[job.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("jobs:assign", args=[job.pk])).status_code == 403
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert f'href="{reverse("jobs:list")}"' not in dashboard


def test_every_page_is_404_while_the_job_manager_is_off(world: JobWorld, owner_client: Any) -> None:
    job = world.start()
    file_id = _a_file(job)
    world.tenant.jobs_enabled = False
    world.tenant.save(update_fields=["jobs_enabled"])
    urls = [("get", reverse(name)) for name in ("jobs:list", "jobs:archive", "jobs:new")]
    for method, url in [*urls, *_job_urls(job, file_id)]:
        assert getattr(owner_client, method)(url).status_code == 404, (method, url)


def test_anonymous_visitors_go_to_the_login(world: JobWorld, client: Any) -> None:
    job = world.start()
    response = client.get(reverse("jobs:job", args=[job.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_colleague_with_the_role_serviceberater_may_work(
    world: JobWorld, colleague: Any, client: Any
) -> None:
    job = world.start()
    client.force_login(colleague)
    assert client.get(reverse("jobs:list")).status_code == 200
    assert client.get(reverse("jobs:job", args=[job.pk])).status_code == 200
