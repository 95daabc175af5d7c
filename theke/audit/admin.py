from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from theke.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are append-only, in the admin too."""

    list_display = ["created_at", "tenant", "action", "actor_label", "object_label"]
    list_filter = ["tenant", "actor_type"]
    search_fields = ["action", "object_label", "actor_label"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
