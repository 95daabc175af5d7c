"""Staff URLs of the appointments domain (mounted under /staff/appointments/).

Each topic keeps its own block, so parallel work merges cleanly.
"""

from django.urls import path

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
