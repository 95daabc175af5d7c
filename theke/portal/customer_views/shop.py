"""The container shop ("Container bestellen") and "Auftrag erstellen" on a placed container.

The shop is a wizard of five steps on one URL (`?schritt=`): waste type -> size -> delivery
location -> date, note and permit -> review. Its entries live in the session (per tenant),
so going back and forth keeps them; an uploaded permit waits as a draft file until the
binding order. Only users who may order reach these pages (others: 404); every row comes
through theke.portal.access.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.core.errors import ServiceError
from theke.customers.models import Asset, ContainerType, Location, WasteType
from theke.orders.models import OrderKind
from theke.portal import access
from theke.portal.models import PortalUser
from theke.portal.services import shop as service
from theke.portal.services.shop import NewLocation

STEPS = ("abfall", "groesse", "ort", "termin", "pruefen")
STEP_LABELS = {
    "abfall": gettext_lazy("Abfallart"),
    "groesse": gettext_lazy("Container"),
    "ort": gettext_lazy("Lieferort"),
    "termin": gettext_lazy("Termin"),
    "pruefen": gettext_lazy("Prüfen und bestellen"),
}
NEW = "neu"
PERMIT_UPLOAD = "upload"
PERMIT_SERVICE = "service"
DRAFTS = "portal/permit-drafts"


# --- forms -----------------------------------------------------------------------------------


class LocationForm(forms.Form):
    location = forms.CharField(required=False)
    name = forms.CharField(
        label=gettext_lazy("Bezeichnung (optional)"), max_length=200, required=False
    )
    street = forms.CharField(
        label=gettext_lazy("Straße und Hausnummer"), max_length=200, required=False
    )
    postal_code = forms.CharField(label=gettext_lazy("PLZ"), max_length=12, required=False)
    city = forms.CharField(label=gettext_lazy("Ort"), max_length=100, required=False)
    access_notes = forms.CharField(
        label=gettext_lazy("Zufahrtshinweise (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Zum Beispiel Tor, Durchfahrtshöhe, Ansprechpartner vor Ort."),
    )


class DateForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Wunschtermin"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Bitte wählen Sie einen Termin."),
            "invalid": gettext_lazy("Bitte geben Sie ein gültiges Datum an."),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("Hinweis (optional)"),
        required=False,
        max_length=service.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public_ground = forms.BooleanField(
        label=gettext_lazy("Der Container steht auf öffentlichem Grund (Straße, Gehweg)"),
        required=False,
    )
    permit_way = forms.ChoiceField(
        label=gettext_lazy("Genehmigung"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (PERMIT_UPLOAD, gettext_lazy("Genehmigung hochladen")),
            (PERMIT_SERVICE, gettext_lazy("Genehmigung durch den Entsorger beantragen")),
        ],
    )
    permit = forms.FileField(
        label=gettext_lazy("Genehmigung (PDF, JPG oder PNG, höchstens 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ContainerOrderForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Auftragsart"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Bitte wählen Sie die Auftragsart.")},
    )
    wish_date = forms.DateField(
        label=gettext_lazy("Wunschtermin (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Bitte geben Sie ein gültiges Datum an.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Hinweis (optional)"),
        required=False,
        max_length=service.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submission = forms.CharField(widget=forms.HiddenInput, required=False)


# --- wizard state ----------------------------------------------------------------------------


def _key(slug: str) -> str:
    return f"portal_shop:{slug}"


def _state(request: HttpRequest, slug: str) -> dict[str, Any]:
    state: dict[str, Any] = request.session.get(_key(slug)) or {}
    return state


def _save(request: HttpRequest, slug: str, state: dict[str, Any]) -> None:
    request.session[_key(slug)] = state


def _orderer(request: HttpRequest) -> PortalUser:
    user = access.portal_user_of(request)
    if not user.may_order:
        raise Http404
    return user


def _waste_type(user: PortalUser, state: dict[str, Any]) -> WasteType | None:
    wanted = state.get("waste_type")
    return next((w for w in service.waste_types(user.tenant) if w.pk == wanted), None)


def _container_type(waste_type: WasteType | None, state: dict[str, Any]) -> ContainerType | None:
    if waste_type is None:
        return None
    wanted = state.get("container_type")
    return next((c for c in service.container_types_for(waste_type) if c.pk == wanted), None)


def _location(user: PortalUser, state: dict[str, Any]) -> Location | None:
    wanted = state.get("location")
    if not isinstance(wanted, int):
        return None
    found: Location | None = access.locations_of(user).filter(pk=wanted).first()
    return found


def _new_location(state: dict[str, Any]) -> NewLocation | None:
    values = state.get("new_location")
    if state.get("location") != NEW or not isinstance(values, dict):
        return None
    return NewLocation(**{k: str(values.get(k, "")) for k in NewLocation.__dataclass_fields__})


def _first_missing(user: PortalUser, state: dict[str, Any]) -> str | None:
    """The first step whose entry is missing (or no longer valid)."""
    waste_type = _waste_type(user, state)
    if waste_type is None:
        return "abfall"
    if _container_type(waste_type, state) is None:
        return "groesse"
    if _location(user, state) is None and _new_location(state) is None:
        return "ort"
    if not state.get("date"):
        return "termin"
    return None


def _state_code(user: PortalUser, state: dict[str, Any]) -> str | None:
    location = _location(user, state)
    if location is not None:
        return service.state_of(location)
    new = _new_location(state)
    return service.state_of(None, new.postal_code) if new else None


def _step_url(slug: str, step: str) -> str:
    return reverse("portal:shop", args=[slug]) + f"?schritt={step}"


def _drop_draft(state: dict[str, Any]) -> None:
    name = state.pop("permit_draft", None)
    if name and name.startswith(DRAFTS):
        transaction.on_commit(lambda: default_storage.delete(name))


# --- the shop --------------------------------------------------------------------------------


@access.portal_page()
def shop(request: HttpRequest, slug: str) -> HttpResponse:
    """Container bestellen: the wizard (GET shows a step, POST stores it and moves on)."""
    user = _orderer(request)
    if request.GET.get("fertig"):
        return _done(request, slug, user)
    state = _state(request, slug)
    step = request.GET.get("schritt") or "abfall"
    if step not in STEPS:
        step = "abfall"
    missing = _first_missing(user, state)
    if missing is not None and STEPS.index(missing) < STEPS.index(step):
        return redirect(_step_url(slug, missing))
    handler = {
        "abfall": _step_waste,
        "groesse": _step_size,
        "ort": _step_location,
        "termin": _step_date,
        "pruefen": _step_review,
    }[step]
    return handler(request, slug, user, state)


def _page(
    request: HttpRequest, slug: str, user: PortalUser, step: str, **context: Any
) -> HttpResponse:
    index = STEPS.index(step)
    return render(
        request,
        "portal/customer/shop.html",
        {
            "tenant": user.tenant,
            "menu": "locations",
            "step": step,
            "step_number": index + 1,
            "step_count": len(STEPS),
            "step_label": STEP_LABELS[step],
            "back_url": _step_url(slug, STEPS[index - 1]) if index else None,
            "slug": slug,
            **context,
        },
        status=400 if context.get("errors") else 200,
    )


def _step_waste(
    request: HttpRequest, slug: str, user: PortalUser, state: dict[str, Any]
) -> HttpResponse:
    choices = service.waste_types(user.tenant)
    errors: dict[str, str] = {}
    if request.method == "POST":
        picked = _int(request.POST.get("waste_type"))
        if picked in {w.pk for w in choices}:
            if state.get("waste_type") != picked:
                state.pop("container_type", None)
            state["waste_type"] = picked
            _save(request, slug, state)
            return redirect(_step_url(slug, "groesse"))
        errors["waste_type"] = _("Bitte wählen Sie eine Abfallart.")
    return _page(
        request,
        slug,
        user,
        "abfall",
        waste_types=choices,
        chosen=state.get("waste_type"),
        errors=errors,
    )


def _step_size(
    request: HttpRequest, slug: str, user: PortalUser, state: dict[str, Any]
) -> HttpResponse:
    waste_type = _waste_type(user, state)
    assert waste_type is not None
    choices = service.container_types_for(waste_type)
    errors: dict[str, str] = {}
    if request.method == "POST":
        picked = _int(request.POST.get("container_type"))
        if picked in {c.pk for c in choices}:
            state["container_type"] = picked
            _save(request, slug, state)
            return redirect(_step_url(slug, "ort"))
        errors["container_type"] = _("Bitte wählen Sie einen Container.")
    return _page(
        request,
        slug,
        user,
        "groesse",
        waste_type=waste_type,
        container_types=choices,
        chosen=state.get("container_type"),
        show_prices=service.prices_visible(user),
        errors=errors,
    )


def _step_location(
    request: HttpRequest, slug: str, user: PortalUser, state: dict[str, Any]
) -> HttpResponse:
    locations = list(access.locations_of(user).order_by("name", "city", "id"))
    errors: dict[str, str] = {}
    initial = dict(state.get("new_location") or {})
    initial["location"] = str(state.get("location") or "")
    form = LocationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        picked = form.cleaned_data["location"]
        if picked == NEW:
            values = {k: form.cleaned_data[k] for k in NewLocation.__dataclass_fields__}
            try:
                service.check_new_location(NewLocation(**values))
            except ServiceError as exc:
                errors[exc.field or "location"] = exc.messages[0]
            else:
                state.update(location=NEW, new_location=values)
                _save(request, slug, state)
                return redirect(_step_url(slug, "termin"))
        elif _int(picked) in {location.pk for location in locations}:
            state["location"] = _int(picked)
            state.pop("new_location", None)
            _save(request, slug, state)
            return redirect(_step_url(slug, "termin"))
        else:
            errors["location"] = _("Bitte wählen Sie einen Lieferort.")
    return _page(
        request,
        slug,
        user,
        "ort",
        locations=locations,
        chosen=str(
            request.POST.get("location") if request.method == "POST" else initial["location"]
        ),
        form=form,
        new=NEW,
        errors=errors,
    )


def _step_date(
    request: HttpRequest, slug: str, user: PortalUser, state: dict[str, Any]
) -> HttpResponse:
    today = timezone.localdate()
    region = _state_code(user, state)
    earliest = service.earliest_date(user.tenant, region, today)
    initial = {
        "date": state.get("date") or earliest.isoformat(),
        "note": state.get("note", ""),
        "public_ground": state.get("public_ground", False),
        "permit_way": state.get("permit_way", ""),
    }
    errors: dict[str, str] = {}
    form = DateForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
    )
    form.fields["date"].widget.attrs["min"] = earliest.isoformat()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.check_date(user.tenant, region, data["date"], today)
            service.clean_note(data["note"])
            _take_permit(state, data)
        except ServiceError as exc:
            errors[exc.field or "date"] = exc.messages[0]
        else:
            state.update(
                date=data["date"].isoformat(),
                note=data["note"],
                public_ground=data["public_ground"],
                permit_way=data["permit_way"] if data["public_ground"] else "",
            )
            if not data["public_ground"]:
                _drop_draft(state)
            _save(request, slug, state)
            return redirect(_step_url(slug, "pruefen"))
    elif request.method == "POST":
        errors.update({name: str(error[0]) for name, error in form.errors.items()})
    return _page(
        request,
        slug,
        user,
        "termin",
        form=form,
        earliest=earliest,
        permit_name=state.get("permit_filename", ""),
        errors=errors,
    )


def _take_permit(state: dict[str, Any], data: dict[str, Any]) -> None:
    """Check the permit choice; an uploaded file waits as a draft until the order."""
    if not data["public_ground"]:
        return
    upload = data.get("permit")
    if data["permit_way"] == PERMIT_SERVICE:
        _drop_draft(state)
        state.pop("permit_filename", None)
        return
    if data["permit_way"] != PERMIT_UPLOAD:
        raise ServiceError(
            _("Bitte laden Sie die Genehmigung hoch oder lassen Sie sie von uns beantragen."),
            "permit_way",
            "permit_required",
        )
    if upload is None:
        if state.get("permit_draft"):
            return
        raise ServiceError(_("Bitte laden Sie die Genehmigung hoch."), "permit", "required")
    if upload.size > service.PERMIT_MAX_BYTES:
        raise ServiceError(
            _("Die Datei ist zu groß. Erlaubt sind höchstens 10 MB."), "permit", "too_large"
        )
    content = upload.read()
    extension = service.check_permit(content)
    _drop_draft(state)
    state["permit_draft"] = default_storage.save(
        f"{DRAFTS}/{secrets.token_urlsafe(24)}{extension}", ContentFile(content)
    )
    state["permit_filename"] = str(upload.name)[:100]


def _step_review(
    request: HttpRequest, slug: str, user: PortalUser, state: dict[str, Any]
) -> HttpResponse:
    waste_type = _waste_type(user, state)
    container_type = _container_type(waste_type, state)
    assert waste_type is not None and container_type is not None
    location = _location(user, state)
    new_location = _new_location(state)
    date = datetime.date.fromisoformat(state["date"])
    errors: dict[str, str] = {}
    if request.method == "POST":
        permit = _read_draft(state) if state.get("permit_way") == PERMIT_UPLOAD else None
        try:
            order = service.place_container_order(
                user,
                waste_type=waste_type,
                container_type=container_type,
                location=location,
                new_location=new_location,
                date=date,
                note=state.get("note", ""),
                public_ground=bool(state.get("public_ground")),
                permit=permit,
                permit_by_service=state.get("permit_way") == PERMIT_SERVICE,
                submission=str(request.POST.get("submission", ""))[:64],
            )
        except ServiceError as exc:
            errors[exc.field or "order"] = exc.messages[0]
        else:
            _drop_draft(state)
            request.session.pop(_key(slug), None)
            return redirect(reverse("portal:shop", args=[slug]) + f"?fertig={order.pk}")
    if not state.get("submission"):
        state["submission"] = secrets.token_urlsafe(16)
        _save(request, slug, state)
    return _page(
        request,
        slug,
        user,
        "pruefen",
        waste_type=waste_type,
        container_type=container_type,
        location=location,
        new_location=new_location,
        date=date,
        note=state.get("note", ""),
        public_ground=state.get("public_ground"),
        permit_way=state.get("permit_way"),
        permit_name=state.get("permit_filename", ""),
        show_prices=service.prices_visible(user),
        submission=state["submission"],
        errors=errors,
    )


def _read_draft(state: dict[str, Any]) -> bytes | None:
    name = state.get("permit_draft")
    if not name or not str(name).startswith(DRAFTS):
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data: bytes = handle.read()
            return data
    except FileNotFoundError:
        return None


def _done(request: HttpRequest, slug: str, user: PortalUser) -> HttpResponse:
    order = access.one(
        access.orders_of(user).select_related("location", "container_type", "waste_type"),
        _int(request.GET.get("fertig")),
    )
    return render(
        request,
        "portal/customer/shop_done.html",
        {"tenant": user.tenant, "menu": "locations", "order": order},
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- an order on a placed container ----------------------------------------------------------


@access.portal_page()
def container_order(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Auftrag erstellen: exchange, emptying or withdrawal of a placed container."""
    user = _orderer(request)
    asset: Asset = access.one(
        access.assets_of(user).select_related("location", "container_type", "waste_type"), pk
    )
    kinds = service.allowed_kinds(asset)
    labels = dict(OrderKind.choices)
    form = ContainerOrderForm(
        request.POST if request.method == "POST" else None,
        initial={"submission": secrets.token_urlsafe(16)},
    )
    kind_field: Any = form.fields["kind"]
    kind_field.choices = [(kind, labels[kind]) for kind in kinds]
    today = timezone.localdate()
    earliest = service.earliest_date(user.tenant, service.state_of(asset.location), today)
    form.fields["wish_date"].widget.attrs["min"] = earliest.isoformat()
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = service.order_on_container(
                user,
                asset,
                kind=data["kind"],
                wish_date=data["wish_date"],
                note=data["note"],
                submission=data["submission"][:64],
            )
        except ServiceError as exc:
            errors[exc.field or "kind"] = exc.messages[0]
        else:
            return redirect(reverse("portal:shop", args=[slug]) + f"?fertig={order.pk}")
    elif request.method == "POST":
        errors.update({name: str(error[0]) for name, error in form.errors.items()})
    return render(
        request,
        "portal/customer/container_order.html",
        {
            "tenant": user.tenant,
            "menu": "locations",
            "asset": asset,
            "form": form,
            "kinds": kinds,
            "earliest": earliest,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
