from typing import Any

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "theke.accounts"
    label = "accounts"
    verbose_name = _("Benutzer")
    permissions = {"accounts.manage_users": _("Benutzer und Rollen verwalten")}

    def ready(self) -> None:
        from theke.accounts import emails, permissions
        from theke.accounts.models import CustomerAccount, Membership, Role, User
        from theke.audit.presentation import register_actions
        from theke.tenants.signals import tenant_created

        tenant_created.connect(_seed_default_roles, dispatch_uid="accounts.default_roles")

        emails.register()

        # --- customer logins: invitations and the customer-page panel ---
        from theke.accounts import customer_logins
        from theke.core.panels import CUSTOMER_PAGE, register_panel

        register_panel(
            CUSTOMER_PAGE,
            "accounts.customer_logins",
            template="accounts/staff/_customer_logins_panel.html",
            context=customer_logins.customer_logins_panel,
            order=25,
        )

        # Every app is configured before any ready() runs: the rights of all are there.
        permissions.collect(apps.get_app_configs())

        register_actions(
            {
                "membership.created": _("Zugang angelegt"),
                "membership.updated": _("Zugang geändert"),
                "invitation.sent": _("Einladung gesendet"),
                "invitation.accepted": _("Einladung angenommen"),
                "user.password_reset": _("Passwort zurückgesetzt"),
                "user.password_changed": _("Passwort geändert"),
                "role.created": _("Rolle angelegt"),
                "role.updated": _("Rolle geändert"),
                "role.deleted": _("Rolle gelöscht"),
                "customer_account.created": _("Kundenzugang angelegt"),
                "customer_account.password_set": _("Kundenzugang: Passwort festgelegt"),
                "customer_account.password_reset": _("Kundenzugang: Passwort zurückgesetzt"),
                "customer_account.password_changed": _("Kundenzugang: Passwort geändert"),
                "customer_account.deactivated": _("Kundenzugang deaktiviert"),
                "customer_account.locked": _("Kundenzugang wegen Fehlversuchen gesperrt"),
                "customer_account.signed_out_elsewhere": _(
                    "Kundenzugang: überall sonst abgemeldet"
                ),
                "customer_account.invited": _("Zum Kundenkonto eingeladen"),
                "customer_account.invitation_accepted": _("Einladung zum Kundenkonto angenommen"),
            },
            {
                "membership": Membership,
                "role": Role,
                "user": User,
                "customer_account": CustomerAccount,
            },
            areas={"invitation": _("Einladungen")},
        )


def _seed_default_roles(sender: Any, *, tenant: Any, actor: Any, **kwargs: Any) -> None:
    from theke.accounts.services import seed_default_roles

    seed_default_roles(tenant, actor)
