"""The staff job page: the header, the current phase's staff view (saved through
services.jobs.save_view), the phases to activate, the customer's view, the timeline and the
conversation; and its actions: assign, activate a phase, send or copy the Parkplatz link,
write to the customer.

Every change goes through a service; its refusal is shown on the page with the typed input
kept, never as a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from theke.core.errors import ServiceError
from theke.jobs.forms import PhaseForm
from theke.jobs.models import Job, View
from theke.jobs.services import jobs as job_services
from theke.jobs.services import sending
from theke.jobs.services.jobs import FieldErrors
from theke.jobs.staff_views import page
from theke.jobs.staff_views.common import (
    ADMINISTER,
    USE,
    job_or_404,
    jobs_page,
    staff_members,
    who,
)

__all__ = [
    "ADMINISTER",
    "USE",
    "job_activate",
    "job_assign",
    "job_message",
    "job_page",
    "job_send_link",
]


def _job_url(job: Job, anchor: str = "") -> str:
    return reverse("jobs:job", args=[job.pk]) + (f"#{anchor}" if anchor else "")


def _version_label(job: Job) -> str:
    version = job.version
    if version.number:
        return f"{job.workflow.name} v{version.number}"
    return f"{job.workflow.name} · {_('Test')}"


def _form_context(
    job: Job, form: PhaseForm, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """The staff view's part of the page (also the htmx answer of a preview)."""
    page.style_form(form)
    made = form.rows()
    rows = page.staff_rows(made, errors or {}, archived=job.is_archived)
    return {
        "job": job,
        "form": form,
        "form_phase": form.phase,
        "rows": rows,
        "hidden_entries": page.hidden_entries(form),
        "save_label": page.save_label(made),
        "archived": job.is_archived,
        "moved": form.job.phase_key != job.phase_key,
        "error_summary": page.error_summary(form, rows) if form.is_bound else [],
    }


def _render(
    request: HttpRequest,
    job: Job,
    form: PhaseForm,
    *,
    errors: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    changes, sent = page.history(job)
    phases = page.phase_lines(job, changes)
    context = {
        **_form_context(job, form, errors),
        "phase": job_services.current_phase(job),
        "version_label": _version_label(job),
        "phases": phases,
        "next_line": page.next_line(phases),
        "customer_rows": page.customer_preview(job),
        "timeline": page.timeline(changes, sent),
        "staff": staff_members(job.tenant),
        **page.conversation_context(request, job),
        **(extra or {}),
    }
    return render(request, "jobs/staff/job.html", context, status=status)


@jobs_page(USE)
@require_http_methods(["GET", "POST"])
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The job page; its POST saves the staff view (`_preview=1`: only re-render the form
    from the submitted values, e.g. a box that reveals a field)."""
    job = job_or_404(request, pk)
    if request.method != "POST":
        return _render(request, job, PhaseForm(job, View.STAFF))
    expected = str(request.POST.get("expected_phase") or "")
    form = PhaseForm(
        page.as_seen(job, expected), View.STAFF, data=request.POST, files=request.FILES
    )
    if request.POST.get("_preview"):
        # Nothing was saved: no summary on top (it would take the focus from the input).
        preview = {**_form_context(job, form), "error_summary": []}
        return render(request, "jobs/staff/_staff_form.html", preview)
    errors: dict[str, str] = {}
    if form.is_valid():
        try:
            saved = job_services.save_view(
                job,
                view=View.STAFF,
                expected_phase=expected,
                submitted=form.submitted(),
                who=who(request),
            )
        except FieldErrors as error:
            errors = error.errors
            form.add_field_errors({k: v for k, v in errors.items() if k in form.fields})
        except ServiceError as error:
            form.add_refusal(error)
        else:
            if saved.changes:
                messages.success(request, _("Gespeichert."))
            else:
                messages.info(request, _("Gespeichert: es hat sich nichts geändert."))
            return redirect(_job_url(job))
    return _render(request, job, form, errors=errors)


@jobs_page(USE)
@require_POST
def job_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the job to a staff member, or to nobody."""
    job = job_or_404(request, pk)
    raw = str(request.POST.get("assignee") or "")
    people = {str(user.pk): user for user in staff_members(job.tenant)}
    if raw and raw not in people:
        messages.error(request, _("Diesen Mitarbeiter gibt es nicht."))
        return redirect(_job_url(job))
    job_services.assign(job, people.get(raw), who(request))
    assignee = people.get(raw)
    if assignee is None:
        messages.success(request, _("Der Job ist jetzt niemandem zugewiesen."))
    else:
        messages.success(request, _("Der Job ist jetzt %(name)s zugewiesen.") % {"name": assignee})
    return redirect(_job_url(job))


@jobs_page(USE)
@require_http_methods(["GET", "POST"])
def job_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """The phases of the job's version (GET), and activating one of them by hand (POST,
    naming the phase the page showed as current: a second tab's move is refused)."""
    job = job_or_404(request, pk)
    if request.method == "POST":
        target = str(request.POST.get("phase") or "")
        expected = str(request.POST.get("expected_phase") or "")
        try:
            job = job_services.activate_phase(job, target, who(request), expected_phase=expected)
        except ServiceError as error:
            messages.error(request, " ".join(error.messages))
        else:
            phase = job_services.current_phase(job)
            messages.success(
                request,
                _("Die Phase „%(phase)s“ ist jetzt aktiv.") % {"phase": phase.name},
            )
        return redirect(_job_url(job, "phases"))
    changes, _sent = page.history(job)
    context = {
        "job": job,
        "phase": job_services.current_phase(job),
        "version_label": _version_label(job),
        "phases": page.phase_lines(job, changes),
    }
    return render(request, "jobs/staff/phases.html", context)


@jobs_page(USE)
@require_POST
def job_send_link(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Parkplatz-Link senden" (by e-mail) or "kopieren" (shown once on the page)."""
    job = job_or_404(request, pk)
    if request.POST.get("action") == "copy":
        link = sending.copy_job_link(job, who(request))
        return _render(request, job, PhaseForm(job, View.STAFF), extra={"copied_link": link})
    try:
        message = sending.send_job_link(job, who(request))
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Der Link zum Parkplatz geht per E-Mail an %(to)s.") % {"to": message.recipient},
        )
    return redirect(_job_url(job))


@jobs_page(USE)
@require_POST
def job_message(request: HttpRequest, pk: int) -> HttpResponse:
    """The first message of the job's conversation (the thread's own page answers later
    ones); it goes to the customer by e-mail."""
    from theke.messaging.conversation_forms import ReplyForm
    from theke.messaging.services import conversations

    if not request.user.has_perm("messaging.use_conversations"):
        raise PermissionDenied("messaging.use_conversations")
    job = job_or_404(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            conversation = conversations.conversation_for(
                job,
                tenant=job.tenant,
                customer=job.customer,
                subject=str(job),
                actor=who(request).actor,
            )
            conversations.post_staff_message(
                conversation, request.user, form.cleaned_data["body"], form.attachment_list()
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error)
        else:
            messages.success(request, _("Ihre Nachricht wurde gespeichert."))
            return redirect(_job_url(job, "conversation"))
    return _render(
        request,
        job,
        PhaseForm(job, View.STAFF),
        extra=page.conversation_context(request, job, form),
    )
