"""Staff URLs of the API: keys and webhooks."""

from django.urls import path

from theke.api import staff_views as views
from theke.api.webhooks import staff_views as webhooks

app_name = "api"

urlpatterns = [
    path("keys/", views.key_list, name="key_list"),
    path("keys/new/", views.key_create, name="key_create"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("webhooks/new/", webhooks.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/rotate/", webhooks.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:pk>/disable/", webhooks.webhook_disable, name="webhook_disable"),
    path("webhooks/<int:pk>/enable/", webhooks.webhook_enable, name="webhook_enable"),
    path("webhooks/<int:pk>/test/", webhooks.webhook_test, name="webhook_test"),
    path(
        "webhooks/deliveries/<int:pk>/",
        webhooks.webhook_delivery_detail,
        name="webhook_delivery_detail",
    ),
    path(
        "webhooks/deliveries/<int:pk>/resend/",
        webhooks.webhook_delivery_resend,
        name="webhook_delivery_resend",
    ),
]
