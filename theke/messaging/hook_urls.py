"""Endpoints called by providers (no login): the SMS gateway's delivery-status callback."""

from django.urls import URLPattern, path

from theke.messaging import hooks

app_name = "messaging_hooks"

urlpatterns: list[URLPattern] = [
    path("sms/status/<str:secret>/", hooks.sms_status, name="sms_status"),
]
