"""Form helpers every domain's staff forms share: Bootstrap classes and service refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


def _css_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    if getattr(widget, "input_type", "") == "color":
        return "form-control form-control-color"
    return "form-control"


def style_widgets(fields: Any) -> None:
    """Bootstrap's class on each field's widget (for fields added after the form's __init__)."""
    for field in fields.values():
        widget = field.widget
        css = _css_class(widget)
        existing = widget.attrs.get("class", "")
        if css.split()[0] not in existing.split():
            widget.attrs["class"] = f"{existing} {css}".strip()


class BootstrapMixin(_FormBase):
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors.

    Render a field with ``{% include "accounts/_field.html" %}`` (the field template stays with
    the login pages it was made for; every domain includes it).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self.fields)

    def add_refusal(self, error: ValidationError) -> None:
        """Show a service's refusal on the field it names (marked invalid), else on top."""
        field = getattr(error, "field", None)
        self.add_error(field if field in self.fields else None, error)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
