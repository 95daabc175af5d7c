"""Staff views of the customer master.

Every object is looked up through the tenant-scoped manager, and children under their
customer, so another tenant's ids (or another customer's) answer 404. Views call the
services; they never save models themselves.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Model, Prefetch
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.panels import CUSTOMER_PAGE, panels_for
from theke.customers import services
from theke.customers.forms import (
    ArticleForm,
    AssetForm,
    ContactForm,
    CustomerForm,
    LocationForm,
    NewCustomerForm,
    VehicleForm,
)
from theke.customers.models import Article, Asset, Contact, Customer, Location, Vehicle

PAGE_SIZE = 25
SEARCH_ID_WINDOW = 1000


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _wants_partial(request: HtmxHttpRequest) -> bool:
    """An htmx request for the results only (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def _apply_service_error(form: ModelForm[Any], error: services.CustomerError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error)


def _form_page(
    request: HttpRequest,
    form: ModelForm[Any],
    *,
    title: str,
    cancel_url: str,
    customer: Customer | None = None,
    article_page: bool = False,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "customer": customer,
        "article_page": article_page,
    }
    return render(request, "customers/staff/form.html", context)


# --- customers ----------------------------------------------------------------------------


@staff_required("customers.view")
def customer_list(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    ordering = Customer._meta.ordering or []
    matches = services.search_customers(query).order_by(*ordering).values_list("pk", flat=True)
    # A search usually matches few customers: one LIKE scan fetches all their ids, and the
    # paginator counts and slices that list. Only large results pay for COUNT plus a slice.
    ids = list(matches[: SEARCH_ID_WINDOW + 1])
    page = Paginator(ids if len(ids) <= SEARCH_ID_WINDOW else matches, PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(
        Customer.objects.filter(pk__in=list(page.object_list))
        .select_related("branch")
        .annotate(vehicle_count=Count("vehicles"))
        .order_by(*ordering)
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.all()),
            Prefetch("locations", queryset=Location.objects.all()),
        )
    )
    context = {"page": page, "customers": rows, "query": query}
    template = (
        "customers/staff/_customer_results.html"
        if _wants_partial(request)
        else "customers/staff/customer_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def start_tile(request: HttpRequest, obj: None) -> dict[str, Any] | None:
    """Start-page tile: the number of customers and a search field."""
    if not request.user.has_perm("customers.view"):
        return None
    return {"customer_count": Customer.objects.count()}


@staff_required("customers.view")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.select_related("branch"), pk=pk)
    events = timeline_for(request, customer)
    context = {
        "customer": customer,
        "contacts": customer.contacts.all(),
        "locations": customer.locations.all(),
        "vehicles": customer.vehicles.all(),
        "assets": customer.assets.select_related("location", "container_type", "waste_type"),
        "events": events,
        # Other domains' panels (orders, sent messages, ...): customers imports none of them.
        "panels": panels_for(CUSTOMER_PAGE, request, customer),
        "can_manage": request.user.has_perm("customers.manage"),
    }
    return render(request, "customers/staff/customer_detail.html", context)


@staff_required("customers.manage")
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    """A new customer with the contact it is reached by (services.register_customer)."""
    form = NewCustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = form.register(request.tenant, _actor(request))  # type: ignore[attr-defined]
        if customer is not None:
            messages.success(request, _("Der Kunde wurde angelegt."))
            return redirect("customers:detail", pk=customer.pk)
    context = {"form": form, "title": _("Neuer Kunde"), "cancel_url": reverse("customers:list")}
    return render(request, "customers/staff/customer_new.html", context)


@staff_required("customers.manage")
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects, pk=pk)
    # The form writes into its instance while validating; the page header keeps the original.
    form = CustomerForm(request.POST or None, instance=copy.copy(customer))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(customer, _actor(request), **form.cleaned_data)
        except services.CustomerError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Die Änderungen wurden gespeichert."))
            return redirect("customers:detail", pk=customer.pk)
    return _form_page(
        request,
        form,
        title=_("Kunde bearbeiten"),
        cancel_url=reverse("customers:detail", args=[customer.pk]),
        customer=customer,
    )


@staff_required("customers.manage")
@require_http_methods(["GET", "POST"])
def customer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    detail_url = reverse("customers:detail", args=[customer.pk])
    if request.method == "POST":
        try:
            services.remove_customer(customer, _actor(request))
        except services.CustomerError as error:
            messages.error(request, error.messages[0])
            return HttpResponseRedirect(detail_url)
        messages.success(request, _("Der Kunde wurde gelöscht."))
        return redirect("customers:list")
    context = {
        "title": _("Kunden löschen"),
        "object": customer,
        "customer": customer,
        "warning": _("Ansprechpartner, Standorte und Objekte des Kunden werden mitgelöscht."),
        "cancel_url": detail_url,
    }
    return render(request, "customers/staff/confirm_remove.html", context)


# --- contacts, locations, vehicles, assets: one pattern for all four ----------------------


@dataclass(frozen=True)
class Part:
    """How the views handle one kind of a customer's child objects."""

    model: type[Model]
    form: type[ModelForm[Any]]
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]
    new_title: Promise
    edit_title: Promise
    remove_title: Promise
    added: Promise
    removed: Promise
    anchor: str


CONTACT = Part(
    Contact,
    ContactForm,
    services.add_contact,
    services.update_contact,
    services.remove_contact,
    gettext_lazy("Neuer Ansprechpartner"),
    gettext_lazy("Ansprechpartner bearbeiten"),
    gettext_lazy("Ansprechpartner entfernen"),
    gettext_lazy("Der Ansprechpartner wurde hinzugefügt."),
    gettext_lazy("Der Ansprechpartner wurde entfernt."),
    "contacts",
)
LOCATION = Part(
    Location,
    LocationForm,
    services.add_location,
    services.update_location,
    services.remove_location,
    gettext_lazy("Neuer Standort"),
    gettext_lazy("Standort bearbeiten"),
    gettext_lazy("Standort entfernen"),
    gettext_lazy("Der Standort wurde hinzugefügt."),
    gettext_lazy("Der Standort wurde entfernt."),
    "locations",
)
VEHICLE = Part(
    Vehicle,
    VehicleForm,
    services.add_vehicle,
    services.update_vehicle,
    services.remove_vehicle,
    gettext_lazy("Neues Fahrzeug"),
    gettext_lazy("Fahrzeug bearbeiten"),
    gettext_lazy("Fahrzeug entfernen"),
    gettext_lazy("Das Fahrzeug wurde hinzugefügt."),
    gettext_lazy("Das Fahrzeug wurde entfernt."),
    "vehicles",
)
ASSET = Part(
    Asset,
    AssetForm,
    services.add_asset,
    services.update_asset,
    services.remove_asset,
    gettext_lazy("Neues Objekt"),
    gettext_lazy("Objekt bearbeiten"),
    gettext_lazy("Objekt entfernen"),
    gettext_lazy("Das Objekt wurde hinzugefügt."),
    gettext_lazy("Das Objekt wurde entfernt."),
    "assets",
)


def _customer_or_404(pk: int) -> Customer:
    return get_object_or_404(Customer.objects, pk=pk)


def _child_or_404(part: Part, customer: Customer, child_pk: int) -> Any:
    return get_object_or_404(part.model._default_manager, pk=child_pk, customer=customer)


def _make_form(part: Part, request: HttpRequest, customer: Customer, **kwargs: Any) -> Any:
    data = request.POST if request.method == "POST" else None
    if part.form is AssetForm:
        kwargs["customer"] = customer
    return part.form(data, **kwargs)


def _detail_url(customer: Customer, part: Part) -> str:
    return f"{reverse('customers:detail', args=[customer.pk])}#{part.anchor}"


def _create_child(request: HttpRequest, pk: int, part: Part) -> HttpResponse:
    customer = _customer_or_404(pk)
    form = _make_form(part, request, customer)
    if request.method == "POST" and form.is_valid():
        try:
            part.add(customer, _actor(request), **form.cleaned_data)
        except services.CustomerError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, str(part.added))
            return HttpResponseRedirect(_detail_url(customer, part))
    return _form_page(
        request,
        form,
        title=str(part.new_title),
        cancel_url=_detail_url(customer, part),
        customer=customer,
    )


def _edit_child(request: HttpRequest, pk: int, child_pk: int, part: Part) -> HttpResponse:
    customer = _customer_or_404(pk)
    child = _child_or_404(part, customer, child_pk)
    form = _make_form(part, request, customer, instance=child)
    if request.method == "POST" and form.is_valid():
        try:
            part.update(child, _actor(request), **form.cleaned_data)
        except services.CustomerError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Die Änderungen wurden gespeichert."))
            return HttpResponseRedirect(_detail_url(customer, part))
    return _form_page(
        request,
        form,
        title=str(part.edit_title),
        cancel_url=_detail_url(customer, part),
        customer=customer,
    )


def _remove_child(request: HttpRequest, pk: int, child_pk: int, part: Part) -> HttpResponse:
    customer = _customer_or_404(pk)
    child = _child_or_404(part, customer, child_pk)
    if request.method == "POST":
        try:
            part.remove(child, _actor(request))
        except services.CustomerError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, str(part.removed))
        return HttpResponseRedirect(_detail_url(customer, part))
    context = {
        "title": part.remove_title,
        "object": child,
        "customer": customer,
        "cancel_url": _detail_url(customer, part),
    }
    return render(request, "customers/staff/confirm_remove.html", context)


@staff_required("customers.manage")
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create_child(request, pk, CONTACT)


@staff_required("customers.manage")
def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    return _edit_child(request, pk, contact_pk, CONTACT)


@staff_required("customers.manage")
@require_http_methods(["GET", "POST"])
def contact_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    return _remove_child(request, pk, contact_pk, CONTACT)


@staff_required("customers.manage")
def location_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create_child(request, pk, LOCATION)


@staff_required("customers.manage")
def location_edit(request: HttpRequest, pk: int, location_pk: int) -> HttpResponse:
    return _edit_child(request, pk, location_pk, LOCATION)


@staff_required("customers.manage")
@require_http_methods(["GET", "POST"])
def location_remove(request: HttpRequest, pk: int, location_pk: int) -> HttpResponse:
    return _remove_child(request, pk, location_pk, LOCATION)


@staff_required("customers.manage")
def vehicle_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create_child(request, pk, VEHICLE)


@staff_required("customers.manage")
def vehicle_edit(request: HttpRequest, pk: int, vehicle_pk: int) -> HttpResponse:
    return _edit_child(request, pk, vehicle_pk, VEHICLE)


@staff_required("customers.manage")
@require_http_methods(["GET", "POST"])
def vehicle_remove(request: HttpRequest, pk: int, vehicle_pk: int) -> HttpResponse:
    return _remove_child(request, pk, vehicle_pk, VEHICLE)


@staff_required("customers.manage")
@require_http_methods(["GET", "POST"])
def vehicle_transfer(request: HttpRequest, pk: int, vehicle_pk: int) -> HttpResponse:
    """Find the new keeper by search, then POST their id."""
    customer = _customer_or_404(pk)
    vehicle = _child_or_404(VEHICLE, customer, vehicle_pk)
    if request.method == "POST":
        try:
            new_pk = int(request.POST.get("customer", ""))
        except ValueError:
            new_pk = 0
        new_customer = get_object_or_404(Customer.objects, pk=new_pk)
        try:
            services.transfer_vehicle(vehicle, _actor(request), new_customer)
        except services.CustomerError as error:
            messages.error(request, error.messages[0])
            return HttpResponseRedirect(_detail_url(customer, VEHICLE))
        messages.success(
            request,
            _("Das Fahrzeug gehört jetzt zu „%(name)s“.") % {"name": new_customer.display_name},
        )
        return HttpResponseRedirect(_detail_url(new_customer, VEHICLE))
    query = request.GET.get("q", "").strip()
    candidates: list[Customer] = []
    if query:
        candidates = list(services.search_customers(query).exclude(pk=customer.pk)[:10])
    context = {
        "customer": customer,
        "vehicle": vehicle,
        "query": query,
        "candidates": candidates,
        "cancel_url": _detail_url(customer, VEHICLE),
    }
    return render(request, "customers/staff/vehicle_transfer.html", context)


@staff_required("customers.manage")
def asset_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create_child(request, pk, ASSET)


@staff_required("customers.manage")
def asset_edit(request: HttpRequest, pk: int, asset_pk: int) -> HttpResponse:
    return _edit_child(request, pk, asset_pk, ASSET)


@staff_required("customers.manage")
@require_http_methods(["GET", "POST"])
def asset_remove(request: HttpRequest, pk: int, asset_pk: int) -> HttpResponse:
    return _remove_child(request, pk, asset_pk, ASSET)


# --- articles -----------------------------------------------------------------------------


@staff_required()
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm("customers.view") or user.has_perm("customers.manage_articles")):
        raise PermissionDenied("customers.view")
    query = request.GET.get("q", "").strip()
    show_inactive = request.GET.get("inactive") == "1"
    articles = services.search_articles(
        request.tenant,  # type: ignore[attr-defined]
        query,
        include_inactive=show_inactive,
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "show_inactive": show_inactive,
        "can_edit": user.has_perm("customers.manage_articles"),
    }
    template = (
        "customers/staff/_article_results.html"
        if _wants_partial(request)
        else "customers/staff/article_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required("customers.manage_articles")
def article_create(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_article(
                request.tenant,  # type: ignore[attr-defined]
                _actor(request),
                **form.cleaned_data,
            )
        except services.CustomerError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Der Artikel wurde angelegt."))
            return redirect("customers:article_list")
    return _form_page(
        request,
        form,
        title=_("Neuer Artikel"),
        cancel_url=reverse("customers:article_list"),
        article_page=True,
    )


@staff_required("customers.manage_articles")
def article_edit(request: HttpRequest, article_pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects, pk=article_pk)
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(article, _actor(request), **form.cleaned_data)
        except services.CustomerError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Die Änderungen wurden gespeichert."))
            return redirect("customers:article_list")
    return _form_page(
        request,
        form,
        title=_("Artikel bearbeiten"),
        cancel_url=reverse("customers:article_list"),
        article_page=True,
    )


@staff_required("customers.manage_articles")
@require_http_methods(["GET", "POST"])
def article_remove(request: HttpRequest, article_pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects, pk=article_pk)
    if request.method == "POST":
        if services.remove_article(article, _actor(request)):
            messages.success(request, _("Der Artikel wurde gelöscht."))
        else:
            messages.success(
                request,
                _("Der Artikel wird bereits verwendet und wurde deshalb nur deaktiviert."),
            )
        return redirect("customers:article_list")
    context = {
        "title": _("Artikel entfernen"),
        "object": article,
        "cancel_url": reverse("customers:article_list"),
        "article_page": True,
    }
    return render(request, "customers/staff/confirm_remove.html", context)
