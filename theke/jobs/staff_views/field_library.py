"""The field library (/staff/jobs/felder/…): the tenant's fields, built-in ones marked and
read-only, own ones created, changed and deleted.

Saving a field that workflows use first lists those workflows and asks to confirm: the change
goes into their drafts and is live only after publishing them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.jobs.documents import DOCUMENTS
from theke.jobs.editor_forms import FieldForm
from theke.jobs.models import Field, FieldType
from theke.jobs.services import fields as field_services
from theke.jobs.services.fields import key_from_label
from theke.jobs.services.workflows import workflows_using
from theke.jobs.staff_views.common import editor_view, tenant_of


def _field_or_404(request: HttpRequest, pk: int) -> Field:
    return get_object_or_404(Field, pk=pk, tenant=tenant_of(request))


@editor_view
@require_GET
def field_list(request: HttpRequest) -> HttpResponse:
    rows = sorted(
        Field.objects.filter(tenant=tenant_of(request)).annotate(
            workflows=Count("entries__phase__workflow", distinct=True)
        ),
        key=lambda row: (key_from_label(row.label), row.pk),  # "Übergabe" after "Tür"
    )
    return render(
        request,
        "jobs/staff/editor/field_list.html",
        {
            "own": [r for r in rows if not r.is_builtin],
            "builtin": [r for r in rows if r.is_builtin],
        },
    )


def _names(request: HttpRequest) -> list[Any]:
    names = field_services.library_names(tenant_of(request))
    return sorted(names.values(), key=lambda n: n.key)


@editor_view
@require_http_methods(["GET", "POST"])
def field_new(request: HttpRequest) -> HttpResponse:
    form = FieldForm(request.POST or None, initial={"type": FieldType.TEXT})
    if request.method == "POST" and form.is_valid():
        try:
            row = field_services.create_field(
                tenant_of(request), Actor.staff(request.user), form.field_data()
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _("Das Feld „%(label)s“ (%(key)s) wurde angelegt.")
                % {"label": row.label, "key": row.key},
            )
            return redirect("jobs:fields")
    return render(
        request,
        "jobs/staff/editor/field_form.html",
        {"form": form, "field": None, "names": _names(request)},
    )


def _confirmed(request: HttpRequest) -> set[int]:
    raw = request.POST.get("confirmed", "")
    return {int(part) for part in raw.split(",") if part.strip().isdigit()}


@editor_view
@require_http_methods(["GET", "POST"])
def field_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An own field's form (a built-in one is shown read-only)."""
    row = _field_or_404(request, pk)
    usage = field_services.usage(row)
    context: dict[str, Any] = {
        "field": row,
        "usage": usage,
        "usage_words": field_services.usage_words(usage),
        "names": _names(request),
        "type_label": FieldType(row.type).label if row.type in FieldType.values else row.type,
        "document_labels": [str(DOCUMENTS[d].label) for d in row.documents if d in DOCUMENTS],
        "timeline": timeline_for(request, row),
    }
    if row.is_builtin:
        return render(request, "jobs/staff/editor/field_builtin.html", context)
    form = FieldForm(request.POST or None, initial=FieldForm.initial_of(row), key_fixed=usage.used)
    if request.method == "POST" and form.is_valid():
        using = workflows_using(row)
        ids = {w.pk for w in using}
        if using and _confirmed(request) != ids:
            # First save: say which drafts the change goes into, and ask.
            context.update(
                {
                    "form": form,
                    "confirm": using,
                    "confirm_ids": ",".join(str(i) for i in sorted(ids)),
                }
            )
            return render(request, "jobs/staff/editor/field_form.html", context)
        try:
            drafts = field_services.update_field(row, Actor.staff(request.user), form.field_data())
        except ServiceError as error:
            form.add_refusal(error)
        else:
            if drafts:
                messages.success(
                    request,
                    _(
                        "Das Feld wurde gespeichert. Die Änderung steht im Entwurf von "
                        "%(names)s und ist live, sobald Sie veröffentlichen."
                    )
                    % {"names": ", ".join(f"„{w.name}“" for w in drafts)},
                )
            else:
                messages.success(request, _("Das Feld wurde gespeichert."))
            return redirect("jobs:field", pk=row.pk)
    context["form"] = form
    return render(request, "jobs/staff/editor/field_form.html", context)


@editor_view
@require_http_methods(["GET", "POST"])
def field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = _field_or_404(request, pk)
    if request.method == "POST":
        try:
            field_services.delete_field(row, Actor.staff(request.user))
        except ServiceError as error:
            messages.error(request, error.messages[0])
            return redirect("jobs:field_delete", pk=row.pk)
        messages.success(request, _("Das Feld „%(label)s“ wurde gelöscht.") % {"label": row.label})
        return redirect("jobs:fields")
    usage = field_services.usage(row)
    return render(
        request,
        "jobs/staff/editor/field_delete.html",
        {"field": row, "usage_words": field_services.usage_words(usage)},
    )
