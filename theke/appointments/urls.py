"""Staff URLs of the appointments domain (mounted under /staff/appointments/).

Each topic keeps its own block, so parallel work merges cleanly.
"""

from django.urls import path

from theke.appointments import staff_settings_views
from theke.appointments import staff_views as views

app_name = "appointments"

urlpatterns = [
    # --- conversion: "Als Termin anlegen" and the staff appointment page ---
    path("leads/<int:pk>/convert/", views.lead_convert, name="lead_convert"),
    path(
        "leads/<int:pk>/convert/new-customer/",
        views.lead_convert_new_customer,
        name="lead_convert_new_customer",
    ),
    path("<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("<int:pk>/edit/", views.appointment_edit, name="appointment_edit"),
    path("<int:pk>/master-data/", views.appointment_master_data, name="appointment_master_data"),
    path("<int:pk>/add-vehicle/", views.appointment_add_vehicle, name="appointment_add_vehicle"),
    path(
        "<int:pk>/confirmation/",
        views.appointment_send_confirmation,
        name="appointment_send_confirmation",
    ),
    path("<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    # --- OSB settings (helper "osb") ---
    path("settings/", staff_settings_views.osb_settings, name="settings"),
    path(
        "settings/branches/<int:branch_id>/",
        staff_settings_views.branch_settings,
        name="branch_settings",
    ),
    path(
        "settings/branches/<int:branch_id>/advisors/add/",
        staff_settings_views.advisor_add,
        name="advisor_add",
    ),
    path(
        "settings/advisors/<int:pk>/",
        staff_settings_views.advisor_settings,
        name="advisor_settings",
    ),
    path(
        "settings/advisors/<int:pk>/active/",
        staff_settings_views.advisor_toggle,
        name="advisor_toggle",
    ),
    path(
        "settings/advisors/<int:pk>/remove/",
        staff_settings_views.advisor_remove,
        name="advisor_remove",
    ),
    path(
        "settings/advisors/<int:pk>/absences/",
        staff_settings_views.absence_add,
        name="absence_add",
    ),
    path(
        "settings/absences/<int:pk>/delete/",
        staff_settings_views.absence_delete,
        name="absence_delete",
    ),
    path("settings/services/", staff_settings_views.service_list, name="service_list"),
    path("settings/services/new/", staff_settings_views.service_create, name="service_create"),
    path("settings/services/<int:pk>/", staff_settings_views.service_edit, name="service_edit"),
    path(
        "settings/services/<int:pk>/active/",
        staff_settings_views.service_toggle,
        name="service_toggle",
    ),
    path("leads/preferences/", staff_settings_views.lead_preferences, name="lead_preferences"),
    # --- end OSB settings ---
]

# --- lead manager ---
urlpatterns += [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/count/", views.lead_badge_view, name="lead_badge"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/reject/", views.lead_reject, name="lead_reject"),
    path("leads/<int:pk>/reopen/", views.lead_reopen, name="lead_reopen"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
]

# --- staff (issue 13): workshop appointments ---
urlpatterns += [
    path("", views.appointment_list, name="appointment_list"),
    path("new/", views.appointment_create, name="appointment_create"),
    path("new/customer/", views.appointment_create_customer, name="appointment_create_customer"),
    path("<int:pk>/propose/", views.appointment_propose, name="appointment_propose"),
    path("<int:pk>/plan/", views.appointment_plan, name="appointment_plan"),
    path("<int:pk>/checklist/", views.appointment_checklist, name="appointment_checklist"),
    path("<int:pk>/finalize/", views.appointment_finalize, name="appointment_finalize"),
    path("<int:pk>/no-show/", views.appointment_no_show, name="appointment_no_show"),
    path("workshop-customers/", views.workshop_customers, name="workshop_customers"),
    path(
        "workshop-customers/customer/<int:pk>/",
        views.preferred_customer,
        name="preferred_customer",
    ),
    path("workshop-customers/vehicle/<int:pk>/", views.preferred_vehicle, name="preferred_vehicle"),
]

# --- cal ---
urlpatterns += [
    path("calendar/", views.calendar, name="calendar"),
    path("<int:pk>/move/", views.appointment_move, name="appointment_move"),
]

# --- hist: history "as it looked then" ---
urlpatterns += [
    path("<int:pk>/history/", views.appointment_history, name="appointment_history"),
    path("<int:pk>/history/<int:version>/", views.appointment_version, name="appointment_version"),
    path("vehicles/<int:pk>/", views.vehicle_appointments, name="vehicle_appointments"),
]
