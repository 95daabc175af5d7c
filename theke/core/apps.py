from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "theke.core"
    label = "core"
    verbose_name = _("Kern")

    def ready(self) -> None:
        from django.db.models import fields

        # Django 6.1's blank choice "- Select an option -" has no German translation yet.
        fields.BLANK_CHOICE_LABEL = _("– Bitte wählen –")

        from theke.core.panels import START_PAGE, register_panel
        from theke.core.views import tenant_tile

        register_panel(
            START_PAGE,
            "tenant",
            template="core/_tenant_tile.html",
            context=tenant_tile,
            order=20,
            css_class="col-12 col-lg-6",
        )
