"""Staff views: templates (Textbausteine), messaging settings, and composing a message.

Templates are addressed by purpose, channel and language (no ids); the compose page hangs
under a customer looked up through the tenant scope, so another tenant's id answers 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.customers.models import Customer
from theke.messaging import textformat
from theke.messaging.forms import (
    ComposeForm,
    ComposeSetup,
    MessagingSettingsForm,
    TemplateForm,
    TemplateNameForm,
)
from theke.messaging.messages import MESSAGE_TO_CUSTOMER
from theke.messaging.models import Channel
from theke.messaging.purposes import CHANNELS, LANGUAGES, PURPOSES, SMS, Purpose, manual_purposes
from theke.messaging.services import templates
from theke.tenants.models import Language, Tenant
from theke.tenants.services import MESSAGING_FIELDS, update_messaging_settings

# The editor's preview shows the e-mail as it is sent, and e-mail HTML carries its styles in
# style attributes (mail clients drop style sheets). The preview's srcdoc frame inherits the
# page's policy, so the editor's pages allow style attributes; still no <style> element, no
# script, no image from elsewhere.
_EDITOR_POLICY: dict[str, Any] = dict(settings.SECURE_CSP)
_EDITOR_POLICY["style-src-attr"] = [CSP.UNSAFE_INLINE]
editor_csp = csp_override(_EDITOR_POLICY)


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = getattr(request, "tenant")  # noqa: B009  # set by TenantMiddleware
    return tenant


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _language_label(code: str) -> str:
    return str(Language(code).label)


# --- templates ------------------------------------------------------------------------------


@staff_required("messaging.manage_templates")
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    """Every purpose with, per channel and language, how many own texts the tenant keeps.

    Stored texts of a purpose no domain registers (any more) are not listed.
    """
    custom = templates.custom_keys(_tenant(request))
    rows = []
    for purpose in PURPOSES.values():
        variants = [
            {
                "channel": channel,
                "channel_label": Channel(channel).label,
                "language": language,
                "language_label": _language_label(language),
                "custom": custom.get((purpose.code, channel, language), 0),
            }
            for channel in CHANNELS
            if channel in purpose.channels
            for language in LANGUAGES
        ]
        rows.append({"purpose": purpose, "variants": variants})
    return render(request, "messaging/staff/template_list.html", {"rows": rows})


def _purpose_or_404(purpose: str, channel: str, language: str) -> Purpose:
    found = PURPOSES.get(purpose)
    if found is None or channel not in found.channels or language not in LANGUAGES:
        raise Http404("unknown template")
    return found


def _preview_context(
    request: HttpRequest, purpose: Purpose, channel: str, language: str, texts: dict[str, str]
) -> dict[str, Any]:
    """Render the texts on sample data; a refusal is shown instead of the preview."""
    tenant = _tenant(request)
    try:
        rendered = templates.render_text(
            tenant,
            purpose.code,
            channel,
            language,
            subject=texts["subject"],
            text=texts["text"],
            html=texts["html"],
            context=templates.sample_context(tenant, purpose.code, language),
            preview=True,
        )
    except ServiceError as error:
        return {"preview_error": error.messages[0], "channel": channel}
    length = textformat.sms_length(rendered.text) if channel == SMS else None
    return {"rendered": rendered, "sms": length, "channel": channel}


def _variants(purpose: Purpose) -> list[dict[str, str]]:
    return [
        {
            "channel": channel,
            "language": language,
            "label": f"{Channel(channel).label} · {_language_label(language)}",
        }
        for channel in CHANNELS
        if channel in purpose.channels
        for language in LANGUAGES
    ]


def _editor(
    request: HttpRequest,
    found: Purpose,
    channel: str,
    language: str,
    pk: int | None = None,
    *,
    form: TemplateForm | None = None,
    create_form: TemplateNameForm | None = None,
    rename_form: TemplateNameForm | None = None,
    delete_error: tuple[int, str] | None = None,
) -> HttpResponse:
    """The editor of one named text (`pk`), else of the default or shipped text.

    Beside the text: the tenant's named texts of this purpose, channel and language, with
    forms to add, rename, make default and delete. Refused forms come in bound.
    """
    tenant = _tenant(request)
    purpose = found.code
    named = templates.named_templates(tenant, purpose, channel, language)
    if pk is not None and all(row.pk != pk for row in named):
        raise Http404("unknown text")
    current = templates.get_template(tenant, purpose, channel, language, pk)
    derived = templates.html_is_derived(purpose, language, current.text, current.html)
    initial = {
        "subject": current.subject,
        "text": current.text,
        "html": "" if derived else current.html,
    }
    form = form or TemplateForm(initial=initial, channel=channel)
    # The preview shows what is in the form: after a refusal, the refused input.
    texts = (
        {name: request.POST.get(name, "") for name in ("subject", "text", "html")}
        if form.is_bound
        else initial
    )
    if rename_form is None and current.template is not None:
        rename_form = TemplateNameForm(renaming=True, initial={"name": current.template.name})
    samples = templates.sample_context(tenant, purpose, language)
    context = {
        "purpose": found,
        "channel": channel,
        "channel_label": Channel(channel).label,
        "language": language,
        "language_label": _language_label(language),
        "form": form,
        "current": current,
        "named": named,
        "create_form": create_form or TemplateNameForm(),
        "rename_form": rename_form,
        "delete_error": delete_error,
        "default": found.default(channel, language),
        "variants": _variants(found),
        "placeholders": [
            (name, description, samples.get(name, ""))
            for name, description in found.placeholders.items()
        ],
        **_preview_context(request, found, channel, language, texts),
    }
    return render(request, "messaging/staff/template_edit.html", context)


def _edit_url(purpose: str, channel: str, language: str, pk: int | None = None) -> str:
    if pk is None:
        return reverse("messaging:template_edit", args=[purpose, channel, language])
    return reverse("messaging:template_text_edit", args=[purpose, channel, language, pk])


@staff_required("messaging.manage_templates")
@require_http_methods(["GET", "POST"])
@editor_csp
def template_edit(
    request: HttpRequest, purpose: str, channel: str, language: str, pk: int | None = None
) -> HttpResponse:
    """Edit a named text (`pk`), else the default; saving the shipped text makes it own."""
    found = _purpose_or_404(purpose, channel, language)
    if request.method != "POST":
        return _editor(request, found, channel, language, pk)
    tenant = _tenant(request)
    if pk is not None and all(
        row.pk != pk for row in templates.named_templates(tenant, purpose, channel, language)
    ):
        raise Http404("unknown text")
    form = TemplateForm(request.POST, channel=channel)
    if form.is_valid():
        try:
            templates.save_template(
                tenant,
                Actor.staff(request.user),
                purpose,
                channel,
                language,
                **form.texts(),
                template_id=pk,
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Der Textbaustein wurde gespeichert."))
            return redirect(request.path)
    return _editor(request, found, channel, language, pk, form=form)


@staff_required("messaging.manage_templates")
@require_POST
@editor_csp
def template_preview(
    request: HttpRequest, purpose: str, channel: str, language: str
) -> HttpResponse:
    """The live preview (htmx): the posted texts rendered on sample data."""
    found = _purpose_or_404(purpose, channel, language)
    texts = {name: request.POST.get(name, "") for name in ("subject", "text", "html")}
    context = _preview_context(request, found, channel, language, texts)
    return render(request, "messaging/staff/_template_preview.html", context)


@staff_required("messaging.manage_templates")
@require_POST
def template_reset(request: HttpRequest, purpose: str, channel: str, language: str) -> HttpResponse:
    _purpose_or_404(purpose, channel, language)
    done = templates.reset_template(
        _tenant(request), Actor.staff(request.user), purpose, channel, language
    )
    if done:
        messages.success(request, _("Der Textbaustein wurde auf den Standard zurückgesetzt."))
    else:
        messages.info(request, _("Der Textbaustein entsprach bereits dem Standard."))
    return redirect("messaging:template_edit", purpose=purpose, channel=channel, language=language)


@staff_required("messaging.manage_templates")
@require_POST
@editor_csp
def template_create(
    request: HttpRequest, purpose: str, channel: str, language: str
) -> HttpResponse:
    """Add another named text (a copy of the default) and open it."""
    found = _purpose_or_404(purpose, channel, language)
    form = TemplateNameForm(request.POST)
    if form.is_valid():
        try:
            row = templates.create_template(
                _tenant(request),
                Actor.staff(request.user),
                purpose,
                channel,
                language,
                form.cleaned_data["name"],
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Der Text „%(name)s“ wurde angelegt.") % {"name": row.name})
            return redirect(_edit_url(purpose, channel, language, row.pk))
    return _editor(request, found, channel, language, create_form=form)


def _text_action(
    request: HttpRequest, purpose: str, channel: str, language: str, pk: int
) -> tuple[Purpose, Tenant, Actor]:
    """The checks every action on one named text shares; another tenant's text is a 404."""
    found = _purpose_or_404(purpose, channel, language)
    tenant = _tenant(request)
    if all(row.pk != pk for row in templates.named_templates(tenant, purpose, channel, language)):
        raise Http404("unknown text")
    return found, tenant, Actor.staff(request.user)


@staff_required("messaging.manage_templates")
@require_POST
@editor_csp
def template_rename(
    request: HttpRequest, purpose: str, channel: str, language: str, pk: int
) -> HttpResponse:
    found, tenant, actor = _text_action(request, purpose, channel, language, pk)
    form = TemplateNameForm(request.POST, renaming=True)
    if form.is_valid():
        try:
            templates.rename_template(tenant, actor, pk, form.cleaned_data["name"])
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Der Text wurde umbenannt."))
            return redirect(_edit_url(purpose, channel, language, pk))
    return _editor(request, found, channel, language, pk, rename_form=form)


@staff_required("messaging.manage_templates")
@require_POST
def template_make_default(
    request: HttpRequest, purpose: str, channel: str, language: str, pk: int
) -> HttpResponse:
    _found, tenant, actor = _text_action(request, purpose, channel, language, pk)
    row = templates.make_default(tenant, actor, pk)
    messages.success(
        request,
        _("„%(name)s“ ist jetzt der Standardtext, der gesendet wird.") % {"name": row.name},
    )
    return redirect(_edit_url(purpose, channel, language, pk))


@staff_required("messaging.manage_templates")
@require_POST
@editor_csp
def template_delete(
    request: HttpRequest, purpose: str, channel: str, language: str, pk: int
) -> HttpResponse:
    found, tenant, actor = _text_action(request, purpose, channel, language, pk)
    try:
        templates.delete_template(tenant, actor, pk)
    except ServiceError as error:
        return _editor(request, found, channel, language, pk, delete_error=(pk, error.messages[0]))
    messages.success(request, _("Der Text wurde gelöscht."))
    return redirect(_edit_url(purpose, channel, language))


# --- messaging settings ---------------------------------------------------------------------


@staff_required("tenants.manage_settings")
@require_http_methods(["GET", "POST"])
def messaging_settings(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    instance = Tenant.objects.get(pk=tenant.pk)
    form = MessagingSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in MESSAGING_FIELDS}
        try:
            update_messaging_settings(tenant, Actor.staff(request.user), **values)
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Die Nachrichten-Einstellungen wurden gespeichert."))
            return redirect("messaging:settings")
    stored = Tenant.objects.get(pk=tenant.pk)
    context = {"form": form, "stored": stored, "events": timeline_for(request, stored)}
    return render(request, "messaging/staff/settings.html", context)


# --- composing a message to a customer ------------------------------------------------------


def customer_compose_setup(tenant: Tenant, customer: Customer) -> ComposeSetup:
    """Write to one of a customer's contacts, with any purpose staff may send by hand.

    What the customer page knows is filled in (the branch, a single vehicle); the rest of a
    template's placeholders stay for staff to replace.
    """
    context: dict[str, str] = {}
    if customer.branch is not None:
        context["branch_name"] = customer.branch.name
        context["branch_address"] = customer.branch.address_line
    vehicles = list(customer.vehicles.all()[:2])
    if len(vehicles) == 1:
        vehicle = vehicles[0]
        model = " ".join(p for p in (vehicle.make, vehicle.model) if p)
        context["vehicle"] = ", ".join(p for p in (vehicle.license_plate, model) if p)
    context = {name: value for name, value in context.items() if value}
    return ComposeSetup(
        tenant=tenant,
        contacts=list(customer.contacts.all()),
        # The free message first: it is what the form starts with.
        purposes=sorted(
            (p.code for p in manual_purposes()), key=lambda code: code != MESSAGE_TO_CUSTOMER.code
        ),
        context=context,
    )


def compose_page(
    request: HttpRequest,
    setup: ComposeSetup,
    *,
    send: Any,
    done_url: str,
    compose_url: str,
    template: str = "messaging/staff/compose.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The compose flow for any page: GET shows the form, a POST with `refresh` re-renders
    it for other choices (htmx swaps the partial), any other POST sends via `send(form)`.
    The page posts to `compose_url` (the view calling this).

    `send` takes the valid ComposeForm and returns the queued message or raises ServiceError.
    """
    if request.method == "POST" and request.POST.get("refresh"):
        keep = {
            name: request.POST.get(name, "")
            for name in ("contact", "purpose", "channel", "token", "named_text")
        }
        keep["language"] = request.POST.get("language", "")
        if request.headers.get("HX-Trigger-Name") == "contact":
            keep.pop("language")  # a new recipient brings their own language
        form = ComposeForm(setup=setup, initial=keep)
    elif request.method == "POST":
        form = ComposeForm(request.POST, setup=setup)
        if form.is_valid():
            try:
                message = send(form)
            except ServiceError as error:
                form.add_refusal(error)
            else:
                messages.success(
                    request,
                    _("Die Nachricht an %(recipient)s wurde in den Versand gegeben.")
                    % {"recipient": message.recipient},
                )
                return redirect(done_url)
    else:
        # Links may preselect the choices, e.g. `?contact=3&purpose=…&named_text=12`.
        chosen = ("contact", "purpose", "channel", "language", "named_text")
        form = ComposeForm(
            setup=setup, initial={name: request.GET[name] for name in chosen if name in request.GET}
        )
    context = {
        "form": form,
        "compose_url": compose_url,
        "cancel_url": done_url,
        **(extra or {}),
    }
    if _is_htmx(request) and request.POST.get("refresh"):
        response = render(request, "messaging/staff/_compose_form.html", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required("customers.manage")
@require_http_methods(["GET", "POST"])
def compose_to_customer(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects, pk=customer_pk)
    tenant = _tenant(request)
    setup = customer_compose_setup(tenant, customer)

    def send(form: ComposeForm) -> Any:
        return templates.send_composed(
            tenant, Actor.staff(request.user), customer=customer, **form.service_kwargs()
        )

    detail = reverse("customers:detail", args=[customer.pk])
    return compose_page(
        request,
        setup,
        send=send,
        done_url=detail,
        compose_url=reverse("messaging:compose_to_customer", args=[customer.pk]),
        extra={"customer": customer, "detail_url": detail},
    )


@staff_required()
@require_POST
def sms_length(request: HttpRequest) -> HttpResponse:
    """The SMS length of a text (htmx, as staff type)."""
    if not (
        request.user.has_perm("customers.manage")
        or request.user.has_perm("messaging.manage_templates")
    ):
        raise PermissionDenied("customers.manage")
    length = textformat.sms_length(request.POST.get("text", ""))
    return render(request, "messaging/staff/_sms_length.html", {"sms": length})


urlpatterns: list[URLPattern] = [
    path("templates/", template_list, name="template_list"),
    path(
        "templates/<slug:purpose>/<slug:channel>/<slug:language>/",
        template_edit,
        name="template_edit",
    ),
    path(
        "templates/<slug:purpose>/<slug:channel>/<slug:language>/<int:pk>/",
        template_edit,
        name="template_text_edit",
    ),
    path(
        "templates/<slug:purpose>/<slug:channel>/<slug:language>/new/",
        template_create,
        name="template_create",
    ),
    path(
        "templates/<slug:purpose>/<slug:channel>/<slug:language>/<int:pk>/rename/",
        template_rename,
        name="template_rename",
    ),
    path(
        "templates/<slug:purpose>/<slug:channel>/<slug:language>/<int:pk>/default/",
        template_make_default,
        name="template_make_default",
    ),
    path(
        "templates/<slug:purpose>/<slug:channel>/<slug:language>/<int:pk>/delete/",
        template_delete,
        name="template_delete",
    ),
    path(
        "templates/<slug:purpose>/<slug:channel>/<slug:language>/preview/",
        template_preview,
        name="template_preview",
    ),
    path(
        "templates/<slug:purpose>/<slug:channel>/<slug:language>/reset/",
        template_reset,
        name="template_reset",
    ),
    path("settings/", messaging_settings, name="settings"),
    path("sms-length/", sms_length, name="sms_length"),
    path(
        "customers/<int:customer_pk>/compose/",
        compose_to_customer,
        name="compose_to_customer",
    ),
]
