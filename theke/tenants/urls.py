from django.urls import path

from theke.tenants import customer_views, staff_views

app_name = "tenants"

urlpatterns = [
    path("settings/", staff_views.settings_overview, name="settings"),
    path("t/<slug:slug>/logo", customer_views.logo, name="logo"),
]
