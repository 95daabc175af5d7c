"""Staff views: templates."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
