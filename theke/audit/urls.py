from django.urls import path

from theke.audit import staff_views

app_name = "audit"

urlpatterns = [
    path("", staff_views.audit_log, name="log"),
]
