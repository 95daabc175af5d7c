from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    """Online booking, leads, appointments, reminders and the calendar (seeds 001, 002)."""

    name = "theke.appointments"
    verbose_name = _("Termine")
    permissions = {
        "appointments.manage": _("Termine verwalten"),
        "appointments.use_lead_manager": _("Servicetermin Leadmanager"),
        "appointments.administer_online_booking": _("Administration Online Service Booking"),
        "appointments.edit_cancelled_leads": _("Stornierte Terminleads bearbeiten"),
    }
    role_grants = {
        "Serviceberater": ["appointments.manage", "appointments.use_lead_manager"],
        "Disposition": ["appointments.manage"],
    }

    def ready(self) -> None:
        from theke.appointments.models import Appointment, Lead
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
                "lead.created": _("Terminanfrage eingegangen"),
                "lead.updated": _("Terminanfrage geändert"),
                "lead.rejected": _("Terminanfrage abgelehnt"),
                "lead.reopened": _("Terminanfrage wieder geöffnet"),
                "lead.converted": _("Terminanfrage als Termin angelegt"),
                "lead.cancelled": _("Termin der Terminanfrage storniert"),
                "lead.cancelled_by_customer": _("Terminanfrage vom Kunden storniert"),
                # --- booking ---
                "lead.company_mail_skipped": _(
                    "Benachrichtigung nicht gesendet (keine Firmen-E-Mail-Adresse)"
                ),
            },
            {"appointment": Appointment, "lead": Lead},
        )
        # --- booking ---
        # Registers the customer-link kind "lead" (its page: lead_pages:page).
        from theke.appointments.services import booking  # noqa: F401

        # --- conversion ---
        register_actions({"appointment.confirmation_sent": _("Terminbestätigung gesendet")})

        # --- lead manager ---
        from theke.appointments import staff_views
        from theke.core.navigation import register_badge
        from theke.core.panels import CUSTOMER_PAGE, register_panel, register_tile

        register_badge("appointments:lead_list", staff_views.lead_badge)
        register_tile("appointments.new_leads", staff_views.new_leads_tile, order=15)
        register_panel(
            CUSTOMER_PAGE,
            "appointments.leads",
            template="appointments/staff/_customer_leads.html",
            context=staff_views.customer_leads_panel,
            order=15,
        )

        # --- OSB settings (helper "osb") ---
        from theke.appointments.models import (
            BookableService,
            BookingSettings,
            BranchBooking,
            ServiceAdvisor,
        )

        register_actions(
            {
                "booking_settings.changed": _("Einstellungen der Online-Terminbuchung geändert"),
                "branch_booking.changed": _("Online-Terminbuchung des Betriebs geändert"),
                "advisor.added": _("Annehmer hinzugefügt"),
                "advisor.activated": _("Annehmer aktiviert"),
                "advisor.deactivated": _("Annehmer deaktiviert"),
                "advisor.removed": _("Annehmer entfernt"),
                "advisor.hours_changed": _("Arbeitszeiten des Annehmers geändert"),
                "advisor.absence_added": _("Abwesenheit eingetragen"),
                "advisor.absence_removed": _("Abwesenheit gelöscht"),
                "booking_service.created": _("Buchbare Leistung angelegt"),
                "booking_service.changed": _("Buchbare Leistung geändert"),
                "booking_service.activated": _("Buchbare Leistung wieder buchbar"),
                "booking_service.deactivated": _("Buchbare Leistung nicht mehr buchbar"),
            },
            {
                "booking_settings": BookingSettings,
                "branch_booking": BranchBooking,
                "advisor": ServiceAdvisor,
                "booking_service": BookableService,
            },
        )

        # --- life: workshop appointments (service layer) ---
        # Registers the customer-link kind "appointment" (its page: appointment_pages:page).
        from theke.appointments.services import links  # noqa: F401

        register_actions(
            {
                "appointment.accepted": _("Terminvorschlag vom Kunden angenommen"),
                "appointment.counter_proposed": _("Kunde wünscht einen anderen Termin"),
                "appointment.proposal_expired": _("Vorschlag abgelaufen"),
                "appointment.rescheduled": _("Termin verschoben"),
                "appointment.checklist_changed": _("Checkliste des Termins geändert"),
                "appointment.no_show": _("Kunde nicht erschienen"),
                "appointment.cancellation_not_sent": _(
                    "Terminabsage nicht gesendet (keine Adresse)"
                ),
            }
        )
