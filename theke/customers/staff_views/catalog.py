"""Staff pages of the container catalog: waste types ("Abfallarten") and container types
("Behältertypen"), listed for everyone who sees the customer master, kept by those with
`customers.manage_catalog`. Rows are deactivated, never deleted (containers name them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Prefetch, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.customers.forms import ContainerTypeForm, WasteTypeForm
from theke.customers.models import ContainerType, WasteType
from theke.customers.services import CustomerError, catalog

RIGHT = "customers.manage_catalog"


@dataclass(frozen=True)
class Kind:
    """How the pages handle one kind of catalog row."""

    model: type[Model]
    form: type[ModelForm[Any]]
    create: Callable[..., Any]
    update: Callable[..., Any]
    deactivate: Callable[..., Any]
    url_prefix: str  # "customers:waste_type" -> _list, _create, _edit, _deactivate
    list_title: Promise
    new_title: Promise
    edit_title: Promise
    deactivate_title: Promise
    created: Promise
    deactivated: Promise
    template: str

    def url(self, action: str, *args: Any) -> str:
        return reverse(f"{self.url_prefix}_{action}", args=args)


WASTE = Kind(
    WasteType,
    WasteTypeForm,
    catalog.create_waste_type,
    catalog.update_waste_type,
    catalog.deactivate_waste_type,
    "customers:waste_type",
    _("Abfallarten"),
    _("Neue Abfallart"),
    _("Abfallart bearbeiten"),
    _("Abfallart deaktivieren"),
    _("Die Abfallart wurde angelegt."),
    _("Die Abfallart wurde deaktiviert."),
    "customers/staff/waste_type_list.html",
)
CONTAINER = Kind(
    ContainerType,
    ContainerTypeForm,
    catalog.create_container_type,
    catalog.update_container_type,
    catalog.deactivate_container_type,
    "customers:container_type",
    _("Behältertypen"),
    _("Neuer Behältertyp"),
    _("Behältertyp bearbeiten"),
    _("Behältertyp deaktivieren"),
    _("Der Behältertyp wurde angelegt."),
    _("Der Behältertyp wurde deaktiviert."),
    "customers/staff/container_type_list.html",
)


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def _rows(kind: Kind) -> QuerySet[Any]:
    if kind is CONTAINER:
        active_waste = Prefetch("waste_types", queryset=WasteType.objects.filter(is_active=True))
        return ContainerType.objects.prefetch_related(active_waste)
    return WasteType.objects.all()


def _list(request: HttpRequest, kind: Kind) -> HttpResponse:
    user = request.user
    if not (user.has_perm("customers.view") or user.has_perm(RIGHT)):
        raise PermissionDenied("customers.view")
    context = {
        "title": kind.list_title,
        "rows": _rows(kind),
        "can_edit": user.has_perm(RIGHT),
        "catalog_list_url": kind.url("list"),
    }
    return render(request, kind.template, context)


def _form_page(request: HttpRequest, kind: Kind, form: Any, title: Promise) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "cancel_url": kind.url("list"),
        "catalog_list_url": kind.url("list"),
        "catalog_title": kind.list_title,
    }
    return render(request, "customers/staff/form.html", context)


def _apply_service_error(form: Any, error: CustomerError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error)


def _create(request: HttpRequest, kind: Kind) -> HttpResponse:
    form = kind.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind.create(request.tenant, _actor(request), **form.cleaned_data)  # type: ignore[attr-defined]
        except CustomerError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, str(kind.created))
            return redirect(kind.url("list"))
    return _form_page(request, kind, form, kind.new_title)


def _edit(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    row = get_object_or_404(kind.model._default_manager, pk=pk)
    form = kind.form(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            kind.update(row, _actor(request), **form.cleaned_data)
        except CustomerError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, str(_("Die Änderungen wurden gespeichert.")))
            return redirect(kind.url("list"))
    return _form_page(request, kind, form, kind.edit_title)


def _deactivate(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    row = get_object_or_404(kind.model._default_manager, pk=pk)
    if request.method == "POST":
        kind.deactivate(row, _actor(request))
        messages.success(request, str(kind.deactivated))
        return redirect(kind.url("list"))
    context = {
        "title": kind.deactivate_title,
        "object": row,
        "cancel_url": kind.url("list"),
        "catalog_list_url": kind.url("list"),
        "catalog_title": kind.list_title,
    }
    return render(request, "customers/staff/confirm_deactivate.html", context)


@staff_required()
def waste_type_list(request: HttpRequest) -> HttpResponse:
    return _list(request, WASTE)


@staff_required(RIGHT)
def waste_type_create(request: HttpRequest) -> HttpResponse:
    return _create(request, WASTE)


@staff_required(RIGHT)
def waste_type_edit(request: HttpRequest, waste_type_pk: int) -> HttpResponse:
    return _edit(request, WASTE, waste_type_pk)


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def waste_type_deactivate(request: HttpRequest, waste_type_pk: int) -> HttpResponse:
    return _deactivate(request, WASTE, waste_type_pk)


@staff_required()
def container_type_list(request: HttpRequest) -> HttpResponse:
    return _list(request, CONTAINER)


@staff_required(RIGHT)
def container_type_create(request: HttpRequest) -> HttpResponse:
    return _create(request, CONTAINER)


@staff_required(RIGHT)
def container_type_edit(request: HttpRequest, container_type_pk: int) -> HttpResponse:
    return _edit(request, CONTAINER, container_type_pk)


@staff_required(RIGHT)
@require_http_methods(["GET", "POST"])
def container_type_deactivate(request: HttpRequest, container_type_pk: int) -> HttpResponse:
    return _deactivate(request, CONTAINER, container_type_pk)
