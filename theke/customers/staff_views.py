"""Staff views of the customer master."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from theke.audit.services import timeline
from theke.core.auth import staff_required
from theke.customers.models import Article, Customer


@staff_required("customers.view")
def customer_list(request: HttpRequest) -> HttpResponse:
    customers = Customer.objects.all()[:50]
    return render(request, "customers/staff/customer_list.html", {"customers": customers})


@staff_required("customers.view")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    return render(
        request,
        "customers/staff/customer_detail.html",
        {"customer": customer, "events": timeline(customer)},
    )


@staff_required("customers.view")
def article_list(request: HttpRequest) -> HttpResponse:
    return render(request, "customers/staff/article_list.html", {"articles": Article.objects.all()})
