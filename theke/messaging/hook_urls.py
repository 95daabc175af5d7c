"""Endpoints called by providers (no login): the SMS gateway's delivery-status callback."""

from django.urls import URLPattern

app_name = "messaging_hooks"

urlpatterns: list[URLPattern] = []
