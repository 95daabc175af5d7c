"""Staff pages of jobs (built by the staff-side work)."""

from django.http import Http404, HttpRequest, HttpResponse

from theke.core.auth import staff_required

USE = "jobs.use"
ADMINISTER = "jobs.administer_workflows"


@staff_required(USE)
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


@staff_required(ADMINISTER)
def workflows(request: HttpRequest) -> HttpResponse:
    raise Http404
