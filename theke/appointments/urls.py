"""Staff URLs of the appointments domain (under /staff/termine/). Each topic keeps its own
block, so the parts of the online booking merge without stepping on each other."""

from __future__ import annotations

from django.urls import URLPattern, path

from theke.appointments import staff_views

app_name = "appointments"

urlpatterns: list[URLPattern] = []

# --- lead manager ---
urlpatterns += [
    path("anfragen/", staff_views.lead_list, name="lead_list"),
    path("anfragen/zaehler/", staff_views.lead_badge_view, name="lead_badge"),
    path("anfragen/<int:pk>/", staff_views.lead_detail, name="lead_detail"),
    path("anfragen/<int:pk>/ablehnen/", staff_views.lead_reject, name="lead_reject"),
    path("anfragen/<int:pk>/wieder-oeffnen/", staff_views.lead_reopen, name="lead_reopen"),
    path("anfragen/<int:pk>/bearbeiten/", staff_views.lead_edit, name="lead_edit"),
]
