""" "Neuer Job": choose the customer (search, or a new person with the duplicate check), then
contact, vehicle (the customer's or one in stock), workflow, title and assignee; the job
starts in its first due phase (services.jobs.start_job), whose message goes out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from theke.accounts.models import User
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.core.forms import BootstrapMixin
from theke.customers import services as customers
from theke.customers.duplicates import DuplicateCriteria, DuplicateProbe
from theke.customers.forms import NewCustomerForm
from theke.customers.models import Contact, Customer, Vehicle
from theke.jobs.forms import vehicle_label
from theke.jobs.models import Origin, Workflow
from theke.jobs.services.jobs import NewJob, start_job
from theke.jobs.staff_views.common import USE, jobs_page, staff_members, tenant_of, who
from theke.tenants.models import Tenant

MAX_FOUND = 10
MAX_STOCK = 200


def _chosen_customer(request: HttpRequest) -> Customer | None:
    raw = str(request.POST.get("customer") or request.GET.get("customer") or "")
    if not raw.isdigit() or len(raw) > 12:
        return None
    return Customer.objects.filter(tenant=tenant_of(request), pk=int(raw)).first()


def startable_workflows(tenant: Tenant) -> list[Workflow]:
    """Active, published workflows (the default first): what a new job may start with."""
    return list(
        Workflow.objects.filter(tenant=tenant, is_active=True, published__isnull=False).order_by(
            "-is_default", "name", "pk"
        )
    )


class NewJobForm(BootstrapMixin, forms.Form):
    """The job's start: who it is for, what it is about, which workflow it follows."""

    contact = forms.ChoiceField(label=gettext_lazy("Ansprechpartner"), required=False)
    vehicle = forms.ChoiceField(label=gettext_lazy("Fahrzeug"), required=False)
    workflow = forms.ChoiceField(label=gettext_lazy("Workflow"))
    title = forms.CharField(
        label=gettext_lazy("Betreff"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leer: das Fahrzeug, z. B. „VW Golf 8 Variant“."),
    )
    assignee = forms.ChoiceField(label=gettext_lazy("Bearbeiter"), required=False)

    def __init__(self, data: Any, *, tenant: Tenant, customer: Customer, user: User) -> None:
        self.contacts = {str(c.pk): c for c in Contact.objects.filter(customer=customer)}
        own = list(Vehicle.objects.filter(customer=customer))
        stock = list(
            Vehicle.objects.filter(tenant=tenant, customer__isnull=True).order_by(
                "make", "model", "license_plate", "pk"
            )[:MAX_STOCK]
        )
        self.vehicles = {str(v.pk): v for v in [*own, *stock]}
        self.workflows = {str(w.pk): w for w in startable_workflows(tenant)}
        self.staff = {str(u.pk): u for u in staff_members(tenant)}
        default_workflow = next(iter(self.workflows), "")
        initial = {
            "contact": next(iter(self.contacts), ""),
            "vehicle": str(own[0].pk) if len(own) == 1 else "",
            "workflow": default_workflow,
            "assignee": str(user.pk) if str(user.pk) in self.staff else "",
        }
        super().__init__(data, initial=initial)
        none = ("", "—")
        self.fields["contact"].choices = [  # type: ignore[attr-defined]
            none,
            *[(pk, _contact_label(c)) for pk, c in self.contacts.items()],
        ]
        vehicle_choices: list[Any] = [("", str(_("ohne Fahrzeug")))]
        if own:
            vehicle_choices.append(
                (str(_("Fahrzeuge des Kunden")), [(str(v.pk), vehicle_label(v)) for v in own])
            )
        if stock:
            vehicle_choices.append(
                (str(_("Fahrzeuge im Bestand")), [(str(v.pk), vehicle_label(v)) for v in stock])
            )
        self.fields["vehicle"].choices = vehicle_choices  # type: ignore[attr-defined]
        self.fields["workflow"].choices = [  # type: ignore[attr-defined]
            (pk, w.name) for pk, w in self.workflows.items()
        ]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", str(_("niemand"))),
            *[(pk, str(u)) for pk, u in self.staff.items()],
        ]

    def new_job(self, customer: Customer) -> NewJob:
        data = self.cleaned_data
        vehicle = self.vehicles.get(data.get("vehicle") or "")
        title = (data.get("title") or "").strip()
        if not title and vehicle is not None:
            title = f"{vehicle.make} {vehicle.model}".strip()
        return NewJob(
            customer=customer,
            origin=Origin.STAFF,
            contact=self.contacts.get(data.get("contact") or ""),
            vehicle=vehicle,
            title=title,
            assignee=self.staff.get(data.get("assignee") or ""),
        )

    def chosen_workflow(self) -> Workflow:
        return self.workflows[self.cleaned_data["workflow"]]


def _contact_label(contact: Contact) -> str:
    reach = contact.email or str(contact.mobile_phone or "")
    return f"{contact} ({reach})" if reach else str(contact)


@jobs_page(USE)
@require_http_methods(["GET", "POST"])
def job_new(request: HttpRequest) -> HttpResponse:
    """ "Neuer Job": first the customer, then the job's start."""
    tenant = tenant_of(request)
    customer = _chosen_customer(request)
    form = None
    if customer is not None:
        user: User = request.user  # type: ignore[assignment]
        data = request.POST if request.method == "POST" else None
        form = NewJobForm(data, tenant=tenant, customer=customer, user=user)
        if request.method == "POST" and form.is_valid():
            try:
                job = start_job(form.chosen_workflow(), form.new_job(customer), who(request))
            except ServiceError as error:
                form.add_refusal(error)
            else:
                messages.success(
                    request, _("Der Job %(number)s wurde angelegt.") % {"number": job.number}
                )
                return redirect("jobs:job", pk=job.pk)
    query = (request.GET.get("q") or "")[:200].strip()
    found = list(customers.search_customers(query)[:MAX_FOUND]) if query and not customer else []
    context = {
        "customer": customer,
        "form": form,
        "query": query,
        "found": found,
        "workflows_missing": customer is not None and form is not None and not form.workflows,
    }
    status = 400 if request.method == "POST" and (customer is None or form is None) else 200
    return render(request, "jobs/staff/new.html", context, status=status)


def _probe(form: NewCustomerForm) -> DuplicateProbe:
    data = form.cleaned_data
    return DuplicateProbe(
        first_name=data.get("first_name") or "",
        last_name=data.get("last_name") or "",
        email=data.get("email") or "",
        phone=str(data.get("mobile_phone") or ""),
    )


@jobs_page(USE)
@require_http_methods(["GET", "POST"])
def job_new_customer(request: HttpRequest) -> HttpResponse:
    """ "Neuer Kunde" on the way to a new job: the customers' new-customer form, with the
    customer master's duplicate check first; saving goes on to the job with the customer."""
    if not request.user.has_perm("customers.manage"):
        raise PermissionDenied("customers.manage")
    tenant = tenant_of(request)
    form = NewCustomerForm(request.POST or None, initial={"kind": "person"})
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        if not request.POST.get("confirmed"):
            candidates = customers.find_duplicate_customers(
                tenant, _probe(form), DuplicateCriteria(), limit=5
            )
        if not candidates:
            customer = form.register(tenant, Actor.staff(request.user))
            if customer is not None:
                messages.success(request, _("Der Kunde wurde angelegt."))
                return redirect(reverse("jobs:new") + "?" + urlencode({"customer": customer.pk}))
    context = {
        "form": form,
        "title": _("Neuer Kunde für den Job"),
        "parents": [(_("Jobs"), reverse("jobs:list")), (_("Neuer Job"), reverse("jobs:new"))],
        "next_step": _("Nach dem Speichern geht es mit dem Job weiter."),
        "candidates": candidates,
        "cancel_url": reverse("jobs:new"),
        "form_extra_template": "jobs/staff/_duplicate_confirm.html" if candidates else "",
    }
    return render(request, "customers/staff/customer_new_on_the_way.html", context)
