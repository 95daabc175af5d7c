from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """The job manager (seed 004): workflows of phases and fields, jobs, the Parkplatz."""

    name = "theke.jobs"
    verbose_name = _("Jobmanager")
    permissions: dict[str, object] = {
        "jobs.use": _("Jobmanager nutzen (Jobs anlegen und bearbeiten)"),
        "jobs.administer_workflows": _("Workflows und Felder des Jobmanagers verwalten"),
    }
    role_grants: dict[str, list[str]] = {
        "Vertrieb": ["jobs.use"],
        "Serviceberater": ["jobs.use"],
    }

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.jobs.models import Job, Workflow
        from theke.jobs.services import links  # noqa: F401  (registers the link kind "job")

        register_actions(
            {
                "job.created": _("Job angelegt"),
                "job.phase_activated": _("Phase aktiviert"),
                "job.saved": _("Job gespeichert"),
                "job.assigned": _("Job zugewiesen"),
                "workflow.installed": _("Standard-Workflow eingerichtet"),
                "workflow.published": _("Workflow veröffentlicht"),
                "workflow.copied": _("Workflow kopiert"),
                "jobs.enabled": _("Jobmanager freigeschaltet"),
                "jobs.disabled": _("Jobmanager abgeschaltet"),
            },
            {"job": Job, "workflow": Workflow},
            {"jobs": _("Jobmanager")},
        )
        # --- editor ---
        from theke.jobs.models import Field

        register_actions(
            {
                "job_field.created": _("Feld angelegt"),
                "job_field.updated": _("Feld geändert"),
                "job_field.deleted": _("Feld gelöscht"),
                "workflow.created": _("Workflow angelegt"),
                "workflow.draft_changed": _("Entwurf geändert"),
                "workflow.made_default": _("Standard für neue Jobs"),
                "workflow.activated": _("Workflow aktiviert"),
                "workflow.deactivated": _("Workflow deaktiviert"),
                "workflow.tested": _("Entwurf getestet"),
                "job.moved": _("Auf neue Workflow-Version verschoben"),
            },
            {"job_field": Field},
            {"job_field": _("Felder des Jobmanagers")},
        )

        # --- staff pages ---
        from theke.core.navigation import register_badge
        from theke.core.panels import CUSTOMER_PAGE, register_panel, register_tile
        from theke.jobs.staff_views import lists

        register_actions(
            {
                "job.document_created": _("Dokument erstellt"),
                "job.link_sent": _("Parkplatz-Link gesendet"),
                "job.link_issued": _("Parkplatz-Link erzeugt"),
            }
        )
        register_tile("jobs.waiting", lists.waiting_jobs_tile, order=25)
        register_badge("jobs:list", lists.waiting_jobs_badge)
        register_panel(
            CUSTOMER_PAGE,
            "jobs",
            template="jobs/staff/_customer_panel.html",
            context=lists.customer_jobs_panel,
            order=25,
        )

        # --- parking (customer side) ---
        from theke.accounts.customer_auth import register_home
        from theke.core.panels import PUBLIC_PAGE
        from theke.jobs.customer_views.account import parking_home
        from theke.jobs.customer_views.callback import callback_panel

        register_actions(
            {
                "job.callback_requested": _("Rückruf angefordert"),
                "job.parked": _("Anfrage geparkt"),
            },
            {"job": Job},
        )
        # A private customer's login lands on the Parkplatz; the account page links it.
        register_home(parking_home)
        register_panel(
            PUBLIC_PAGE,
            "jobs.callback",
            template="jobs/customer/_callback_panel.html",
            context=callback_panel,
            order=20,
        )

        # --- payments ---
        from theke.jobs import payments  # noqa: F401  (registers the test provider)

        register_actions(
            {
                "job.payment_created": _("Zahlungslink angelegt"),
                "job.payment_settled": _("Zahlung vom Zahlungsanbieter gemeldet"),
            }
        )
        # --- api ---
        register_actions({"job.api_request": _("Job über die Schnittstelle angelegt")})
