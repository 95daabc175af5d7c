"""Staff URLs of the API: keys (later: webhooks)."""

from django.urls import path

from theke.api import staff_views as views

app_name = "api"

urlpatterns = [
    path("keys/", views.key_list, name="key_list"),
    path("keys/new/", views.key_create, name="key_create"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
]
