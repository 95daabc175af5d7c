from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    """Online booking, leads, appointments, reminders and the calendar (seeds 001, 002)."""

    name = "theke.appointments"
    verbose_name = _("Termine")
    # Booking, leads and the calendar bring their own rights when they are built.
    permissions = {"appointments.manage": _("Termine verwalten")}
    role_grants = {
        "Serviceberater": ["appointments.manage"],
        "Disposition": ["appointments.manage"],
    }

    def ready(self) -> None:
        from theke.appointments.models import Appointment
        from theke.audit.presentation import register_actions

        register_actions(
            {
                "appointment.created": _("Termin angelegt"),
                "appointment.updated": _("Termin geändert"),
                "appointment.requested": _("Termin angefragt"),
                "appointment.proposed": _("Termin vorgeschlagen"),
                "appointment.planned": _("Termin geplant"),
                "appointment.confirmed": _("Termin bestätigt"),
                "appointment.finalized": _("Termin abgeschlossen"),
                "appointment.cancelled": _("Termin storniert"),
            },
            {"appointment": Appointment},
        )
