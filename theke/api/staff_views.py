"""Staff views of API keys: list, create (the key is shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from theke.api.models import ApiKey
from theke.api.services import create_api_key, revoke_api_key
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError

PERMISSION = "api.manage_keys"


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Bezeichnung"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
        help_text=gettext_lazy("Wofür der Schlüssel dient, z. B. „Warenwirtschaft Filiale Nord“."),
    )


@staff_required(PERMISSION)
def key_list(request: HttpRequest) -> HttpResponse:
    keys = ApiKey.objects.select_related("created_by")
    return render(request, "api/staff/key_list.html", {"keys": keys})


@staff_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def key_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, plaintext = create_api_key(
                request.tenant,  # type: ignore[attr-defined]
                Actor.staff(request.user),
                form.cleaned_data["name"],
            )
        except ServiceError as error:
            form.add_error("name", error)
        else:
            # Rendered, not redirected: the plaintext exists only in this one response.
            response = render(
                request, "api/staff/key_created.html", {"key": key, "plaintext": plaintext}
            )
            add_never_cache_headers(response)
            return response
    return render(request, "api/staff/key_form.html", {"form": form})


@staff_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    if request.method == "POST":
        if revoke_api_key(key, Actor.staff(request.user)):
            messages.success(
                request, _("Der API-Schlüssel „%(name)s“ wurde widerrufen.") % {"name": key.name}
            )
        return redirect("api:key_list")
    return render(request, "api/staff/key_revoke.html", {"key": key})
