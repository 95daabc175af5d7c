from django.contrib import admin

from theke.appointments.models import Appointment


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """For platform operators; edits here bypass the services and are not audited."""

    list_display = ["__str__", "tenant", "status", "external_id", "branch", "start"]
    list_filter = ["tenant", "status", "source"]
    search_fields = ["external_id", "customer__search_text", "work_description"]
    raw_id_fields = ["customer", "vehicle", "branch", "advisor"]
    readonly_fields = ["uid", "version", "created_at", "updated_at"]
    date_hierarchy = "start"
    list_select_related = ["tenant", "customer", "branch"]
