"""Forms of login, password pages, and the tenant admin's user and role management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UsernameField,
)
from django.utils.translation import gettext_lazy as _

from theke.accounts import services, tasks
from theke.accounts.models import Role
from theke.accounts.permissions import all_codes, area_label, area_of, permission_choices
from theke.core.forms import BootstrapMixin
from theke.core.validators import validate_single_line
from theke.tenants.models import Branch, Tenant

# --- Login and passwords -------------------------------------------------------------------


class LoginForm(BootstrapMixin, AuthenticationForm):
    """Login by e-mail in any case; django-axes counts failures for the normalised address."""

    username = UsernameField(
        label=_("E-Mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "E-Mail-Adresse oder Passwort ist nicht korrekt. Bitte versuchen Sie es erneut."
        ),
        "inactive": _("Dieses Benutzerkonto ist deaktiviert."),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username") or "").strip().lower()


class ThekePasswordResetForm(BootstrapMixin, PasswordResetForm):
    """Django's reset form, but the request only queues a task: the worker looks the address
    up and queues the e-mail (an outbox row in the user's language; see
    services.request_password_resets). Known and unknown addresses do the same work in the
    request, so its timing reveals nothing.

    Invited users who never set a password may use it too: it is the same proof of mailbox.
    """

    email = forms.EmailField(
        label=_("E-Mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        tasks.send_password_reset.enqueue(self.cleaned_data["email"])


PASSWORD_MISMATCH = _("Die beiden Passwörter stimmen nicht überein.")


def _german_new_password_fields(form: forms.BaseForm) -> None:
    form.fields["new_password1"].label = _("Neues Passwort")
    form.fields["new_password2"].label = _("Neues Passwort bestätigen")
    form.fields["new_password2"].help_text = _(
        "Bitte geben Sie das neue Passwort zur Bestätigung noch einmal ein."
    )


class ThekeSetPasswordForm(BootstrapMixin, SetPasswordForm):
    """Sets the password through the service (audit event, login failures forgotten)."""

    reason: services.PasswordReason = "reset"
    error_messages = {"password_mismatch": PASSWORD_MISMATCH}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _german_new_password_fields(self)

    def save(self, commit: bool = True) -> Any:
        services.set_password(self.user, self.cleaned_data["new_password1"], reason=self.reason)
        return self.user


class InvitationSetPasswordForm(ThekeSetPasswordForm):
    reason: services.PasswordReason = "invitation"


class ThekePasswordChangeForm(BootstrapMixin, PasswordChangeForm):
    error_messages = {
        "password_mismatch": PASSWORD_MISMATCH,
        "password_incorrect": _(
            "Ihr bisheriges Passwort ist nicht korrekt. Bitte geben Sie es erneut ein."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Bisheriges Passwort")
        _german_new_password_fields(self)

    def save(self, commit: bool = True) -> Any:
        services.set_password(self.user, self.cleaned_data["new_password1"], reason="change")
        return self.user


# --- Users (memberships) -------------------------------------------------------------------


class _MembershipFields(BootstrapMixin, forms.Form):
    role = forms.ModelChoiceField(label=_("Rolle"), queryset=Role.objects.none())
    branches = forms.ModelMultipleChoiceField(
        label=_("Betriebe"),
        queryset=Branch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl: alle Betriebe."),
    )

    def __init__(self, tenant: Tenant, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        branch_field = self.fields["branches"]
        assert isinstance(role_field, forms.ModelChoiceField)
        assert isinstance(branch_field, forms.ModelMultipleChoiceField)
        role_field.queryset = Role.objects.filter(tenant=tenant).order_by("name")
        branch_field.queryset = Branch.objects.filter(tenant=tenant).order_by("name")


class InviteForm(_MembershipFields):
    email = forms.EmailField(
        label=_("E-Mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    full_name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
        help_text=_("Für neue Benutzer erforderlich. Bestehende Benutzer behalten ihren Namen."),
    )
    field_order = ["email", "full_name", "role", "branches"]


class MembershipForm(_MembershipFields):
    is_active = forms.BooleanField(
        label=_("Zugang aktiv"),
        required=False,
        help_text=_("Deaktivierte Benutzer können sich für diesen Mandanten nicht anmelden."),
    )


# --- Roles ---------------------------------------------------------------------------------


class RoleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    permissions = forms.MultipleChoiceField(
        label=_("Rechte"),
        # Only the rights some domain declares: a stored code of a product not built yet
        # is neither shown nor lost (the service keeps it).
        choices=permission_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, is_admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_admin = is_admin
        if is_admin:
            field = self.fields["permissions"]
            field.disabled = True
            field.initial = sorted(all_codes())
            field.help_text = _("Die Administratorrolle hat immer alle Rechte.")

    def permission_groups(self) -> list[tuple[str, list[Any]]]:
        """The permission checkboxes grouped by area, for the template."""
        groups: dict[str, list[Any]] = {}
        for checkbox in self["permissions"]:
            groups.setdefault(area_of(str(checkbox.data["value"])), []).append(checkbox)
        return [(area_label(area), boxes) for area, boxes in groups.items()]


# --- Customer logins -----------------------------------------------------------------------


class CustomerLoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data.get("email") or "").strip().lower()


class CustomerPasswordResetForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class CustomerSetPasswordForm(forms.Form):
    """A new password twice, checked by Django's validators against the account's data."""

    new_password1 = forms.CharField(
        label=_("Neues Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Mindestens 10 Zeichen; nicht nur Ziffern, kein gängiges Passwort und nicht Ihrem "
            "Namen oder Ihrer E-Mail-Adresse ähnlich."
        ),
    )
    new_password2 = forms.CharField(
        label=_("Neues Passwort bestätigen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, account: Any, *args: Any, **kwargs: Any) -> None:
        self.account = account
        super().__init__(*args, **kwargs)

    def clean_new_password2(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        first = self.cleaned_data.get("new_password1")
        second = str(self.cleaned_data.get("new_password2") or "")
        if first and second and first != second:
            raise forms.ValidationError(PASSWORD_MISMATCH, code="password_mismatch")
        if first:
            try:
                validate_password(first, user=self.account)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return second


class CustomerPasswordChangeForm(CustomerSetPasswordForm):
    old_password = forms.CharField(
        label=_("Bisheriges Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self) -> str:
        from django.contrib.auth.hashers import check_password

        old = str(self.cleaned_data.get("old_password") or "")
        if not check_password(old, self.account.password):
            raise forms.ValidationError(
                _("Das bisherige Passwort ist nicht korrekt."), code="password_incorrect"
            )
        return old


# --- customer logins: the invitation ---


class CustomerFirstPasswordForm(CustomerSetPasswordForm):
    """The first password of an invited customer login, twice."""

    def __init__(self, account: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(account, *args, **kwargs)
        self.fields["new_password1"].label = _("Passwort")
        self.fields["new_password2"].label = _("Passwort bestätigen")
