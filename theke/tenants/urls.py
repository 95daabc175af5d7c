from django.urls import path

from theke.tenants import staff_views

app_name = "tenants"

urlpatterns = [
    path("settings/", staff_views.settings_overview, name="settings"),
    path("settings/tenant/", staff_views.tenant_edit, name="tenant_edit"),
    path("settings/branches/", staff_views.branch_list, name="branch_list"),
    path("settings/branches/new/", staff_views.branch_create, name="branch_create"),
    path("settings/branches/<int:pk>/", staff_views.branch_edit, name="branch_edit"),
    path("settings/legal/", staff_views.legal_texts, name="legal_texts"),
    path("settings/legal/<slug:kind>/", staff_views.legal_text_edit, name="legal_text_edit"),
]
