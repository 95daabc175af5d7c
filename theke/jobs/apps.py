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
            },
            {"job": Job, "workflow": Workflow},
        )
        # --- api ---
        register_actions({"job.api_request": _("Job über die Schnittstelle angelegt")})
