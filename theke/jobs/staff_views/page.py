"""What the staff job page shows, read from the job: the staff view's rows with their files,
documents and payments, the hidden entries with their reasons, the phases (passed, current,
due or obsolete, and what activating one sends), the customer's view, and the timeline.

Reading only; the views (staff_views.jobs) call the services for every change.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.jobs import documents
from theke.jobs.definition import PhaseDef
from theke.jobs.forms import PhaseForm, Row, RowView
from theke.jobs.models import FieldType, Job, JobChange, JobFile, View
from theke.jobs.services import jobs as job_services
from theke.jobs.services.sending import phase_message_plan
from theke.messaging.models import Conversation, OutboundMessage
from theke.messaging.services.delivery import deliveries_for

MAX_CHANGES = 300
MAX_MESSAGES = 100

# Inputs whose change may show or hide other fields: the page asks for a fresh form (htmx).
LIVE_TYPES = frozenset(
    {
        FieldType.CHECKBOX,
        FieldType.SELECT,
        FieldType.JOB_STATUS,
        FieldType.LOCATION,
        FieldType.SUPPRESS_MESSAGES,
    }
)


def as_seen(job: Job, expected_phase: str) -> Job:
    """The job as the page that posted saw it: a second tab may have moved it on, and the
    typed input stays in the form of the phase it was typed into (not saved)."""
    if not expected_phase or expected_phase == job.phase_key:
        return job
    if job_services.compiled_of(job).definition.phase(expected_phase) is None:
        return job
    seen = copy.copy(job)
    seen.phase_key = expected_phase
    return seen


# --- the staff view ---------------------------------------------------------------------------


def _css_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


VEHICLE_PARTS = (
    gettext_lazy("Fahrzeug"),
    gettext_lazy("Extras, eines je Zeile"),
    gettext_lazy("Preis in €"),
)


def style_form(form: PhaseForm) -> None:
    """Bootstrap classes on the inputs the phase adds after the form's own set-up (a vehicle
    configuration's three inputs each, with their names for screen readers)."""
    for item in form.fields.values():
        widget = item.widget
        parts = getattr(widget, "widgets", None)
        if parts:
            # The parts' own classes (a select is no text input): none on the whole.
            widget.attrs.pop("class", None)
            for part, label in zip(parts, VEHICLE_PARTS, strict=False):
                part.attrs.setdefault("class", _css_class(part))
                part.attrs.setdefault("aria-label", str(label))
            continue
        css = widget.attrs.get("class", "")
        if _css_class(widget) not in css.split():
            widget.attrs["class"] = f"{_css_class(widget)} {css}".strip()
        if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
            widget.attrs["hx-preserve"] = "true"  # a preview keeps the chosen file


@dataclass
class StaffRow(RowView):
    """An entry of the staff view as the page renders it."""

    error: str = ""
    documents: list[tuple[str, str]] = field(default_factory=list)
    editable: bool = False

    @property
    def hide_label(self) -> bool:
        return self.row.shown.entry.hide_label

    @property
    def required(self) -> bool:
        return self.row.shown.required

    @property
    def newest(self) -> JobFile | None:
        return self.row.files[0] if self.row.files else None

    @property
    def older(self) -> list[JobFile]:
        return self.row.files[1:]

    @property
    def live(self) -> bool:
        return self.row.field is not None and self.type in LIVE_TYPES

    @property
    def anchor(self) -> str:
        return f"id_{self.key}" if self.row.field is not None else f"row-{self.key}"


def save_label(rows: list[Row]) -> str:
    """The save button's text: a visible save-button field's label (as form.save_label(),
    from the rows already made)."""
    labels = [row.shown.label for row in rows if row.type == FieldType.SAVE_BUTTON]
    return labels[0] if labels else _("Speichern")


def staff_rows(rows: list[Row], errors: dict[str, str], *, archived: bool) -> list[StaffRow]:
    result = []
    for row in rows:
        if row.type == FieldType.SAVE_BUTTON:
            continue  # the page's own save button carries its label (save_label())
        item = row.shown.field
        offered = [
            (code, str(documents.DOCUMENTS[code].label))
            for code in item.documents
            if code in documents.DOCUMENTS
        ]
        result.append(
            StaffRow(
                row=row,
                error=errors.get(row.key, ""),
                documents=offered,
                editable=row.shown.editable and not archived,
            )
        )
    return result


@dataclass(frozen=True)
class HiddenEntry:
    label: str
    reason: str


def hidden_entries(form: PhaseForm) -> list[HiddenEntry]:
    """The entries hidden right now, each with why ("ausgeblendet, weil …")."""
    lines = []
    for shown in form.hidden_entries():
        if shown.entry.after_send and shown.reason == str(_("erscheint nach dem Speichern")):
            reason = shown.reason
        elif shown.reason:
            reason = _("ausgeblendet, weil %(reason)s") % {"reason": shown.reason}
        else:
            reason = _("ausgeblendet")
        lines.append(HiddenEntry(shown.label, reason))
    return lines


def error_summary(form: PhaseForm, rows: list[StaffRow]) -> list[dict[str, str]]:
    """Every problem of the last save, each linking to its field (refusals on top)."""
    summary = [{"id": "", "message": str(m)} for m in form.non_field_errors()]
    seen = set()
    for row in rows:
        messages = [str(m) for m in form.errors.get(row.key, [])] if row.row.field else []
        if row.error and row.error not in messages:
            messages.append(row.error)
        for message in messages:
            summary.append({"id": row.anchor, "message": message})
        seen.add(row.key)
    for key, errors in form.errors.items():
        if key != "__all__" and key not in seen:
            summary += [{"id": f"id_{key}", "message": str(m)} for m in errors]
    return summary


# --- the phases -------------------------------------------------------------------------------


PASSED, SKIPPED, CURRENT, DUE, OBSOLETE = "passed", "skipped", "current", "due", "obsolete"


@dataclass(frozen=True)
class PhaseLine:
    phase: PhaseDef
    state: str
    reason: str = ""
    entered_at: datetime.datetime | None = None
    message: str = ""
    can_activate: bool = False


def phase_lines(job: Job, changes: list[JobChange]) -> list[PhaseLine]:
    """Every phase of the job's version in order: passed (or skipped), the current one, and
    the next ones, due or obsolete with the reason."""
    made = job_services.compiled_of(job)
    values = job_services.values_for_rules(job, logged_in=False)
    entered: dict[str, datetime.datetime] = {}
    for change in changes:  # newest first: keep the first entry seen, the latest
        if change.field_key == "phase" and change.phase_key not in entered:
            entered[change.phase_key] = change.at
    current = made.definition.index(job.phase_key)
    open_job = not job.is_archived
    lines = []
    for index, phase in enumerate(made.definition.phases):
        reason = made.why_skipped(phase, values)
        due = not reason
        if index == current:
            lines.append(PhaseLine(phase, CURRENT, entered_at=job.phase_activated_at))
            continue
        if index < current:
            state = PASSED if phase.key in entered else SKIPPED
        else:
            state = DUE if due else OBSOLETE
        lines.append(
            PhaseLine(
                phase,
                state,
                reason=reason,
                entered_at=entered.get(phase.key),
                message=phase_message_plan(job, phase) if due and open_job else "",
                can_activate=due and open_job,
            )
        )
    return lines


def next_line(lines: list[PhaseLine]) -> PhaseLine | None:
    """The first due phase after the current one (the header's "Weiter: …")."""
    after = False
    for line in lines:
        if line.state == CURRENT:
            after = True
        elif after and line.state == DUE and line.can_activate:
            return line
    return None


# --- the customer's view ----------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    label: str
    hide_label: bool
    type: str
    text: str
    input: bool
    files: list[JobFile]


def customer_preview(job: Job) -> list[PreviewRow]:
    """The current phase's customer view as the customer sees it now (not logged in)."""
    form = PhaseForm(job, View.CUSTOMER)
    return [
        PreviewRow(
            label=row.shown.label,
            hide_label=row.shown.entry.hide_label,
            type=row.type,
            text=row.text,
            input=row.field is not None,
            files=row.files[:1],
        )
        for row in form.rows()
    ]


# --- the timeline -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    at: datetime.datetime
    change: JobChange | None = None
    message: OutboundMessage | None = None


def timeline(changes: list[JobChange], messages: list[OutboundMessage]) -> list[TimelineItem]:
    """The job's history, newest first: every change, and every message about the job."""
    items = [TimelineItem(c.at, change=c) for c in changes]
    items += [TimelineItem(m.created_at, message=m) for m in messages]
    return sorted(items, key=lambda item: item.at, reverse=True)


def history(job: Job) -> tuple[list[JobChange], list[OutboundMessage]]:
    changes = list(JobChange.objects.filter(job=job).order_by("-at", "-pk")[:MAX_CHANGES])
    messages = list(deliveries_for(job).order_by("-created_at", "-pk")[:MAX_MESSAGES])
    return changes, messages


# --- the conversation -------------------------------------------------------------------------


def job_conversation(job: Job) -> Conversation | None:
    """The job's thread, if one was started (the page never starts one by looking)."""
    return Conversation.objects.filter(
        tenant=job.tenant,
        content_type=ContentType.objects.get_for_model(Job),
        object_id=str(job.pk),
    ).first()


def conversation_context(request: HttpRequest, job: Job, form: Any = None) -> dict[str, Any]:
    """The conversation section: the thread with its reply form, or the form that starts it."""
    from theke.messaging.conversation_forms import ReplyForm
    from theke.messaging.services import conversations
    from theke.messaging.staff_views.conversations import thread_context

    if not request.user.has_perm("messaging.use_conversations"):
        return {"conversation_allowed": False}
    next_url = reverse("jobs:job", args=[job.pk]) + "#conversation"
    found = job_conversation(job)
    if found is None:
        contact = job.contact if job.contact is not None and job.contact.email else None
        return {
            "conversation_allowed": True,
            "conversation": None,
            "thread_messages": [],
            "reply_form": form or ReplyForm(),
            "reply_contact": contact,
            "reply_action": reverse("jobs:message", args=[job.pk]),
        }
    unread_since = conversations.EPOCH
    state = found.read_states.filter(user_id=cast(int, request.user.pk)).first()
    if state is not None:
        unread_since = state.last_read_at
    conversations.mark_conversation_read(found, user=request.user)
    return {
        "conversation_allowed": True,
        **thread_context(request, found, form=form, next_url=next_url, unread_since=unread_since),
    }
