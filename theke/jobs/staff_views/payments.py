"""Staff make a payment link for a job's payment field (POST /staff/jobs/<pk>/zahlung/<key>/).

The job page shows the form (`PaymentForm`, template `jobs/staff/_payment_form.html`) beside
the field; a refused input comes back on a page of its own with the message at the field and
what was typed, a made link goes back to the job page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from theke.core.errors import ServiceError
from theke.core.formatting import money
from theke.core.forms import BootstrapMixin
from theke.jobs.services import payments as services
from theke.jobs.services.jobs import Who
from theke.jobs.staff_views.common import USE, job_or_404, jobs_page


class PaymentForm(BootstrapMixin, forms.Form):
    """Amount and purpose of a new payment link."""

    amount = forms.CharField(
        label=gettext_lazy("Betrag in €"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy("z. B. 1250,00"),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Verwendungszweck"),
        max_length=services.PURPOSE_LENGTH,
        required=False,
        help_text=gettext_lazy("Leer: Jobnummer und Betreff."),
    )

    def __init__(self, *args: Any, prefix: str = "payment", **kwargs: Any) -> None:
        super().__init__(*args, prefix=prefix, **kwargs)

    def clean_amount(self) -> Any:
        try:
            return services.check_amount(services.parse_amount(self.cleaned_data["amount"]))
        except ServiceError as error:
            raise ValidationError(error.messages) from error


@require_POST
@jobs_page(USE)  # 404 while the tenant's job manager is off, as every job page
def payment_create(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    job = job_or_404(request, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = services.create_payment(
                job,
                key,
                form.cleaned_data["amount"],
                form.cleaned_data["purpose"],
                Who.staff(request.user),  # type: ignore[arg-type]
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _(
                    "Der Zahlungslink über %(amount)s ist angelegt; der Kunde sieht ihn auf "
                    "seinem Parkplatz."
                )
                % {"amount": money(payment.amount)},
            )
            return redirect("jobs:job", job.pk)
    return render(
        request,
        "jobs/staff/payment_create.html",
        {"job": job, "key": key, "form": form},
        status=400,
    )
