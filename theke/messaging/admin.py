from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from theke.messaging.models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Read-only: platform operators see every inbound mail, also those of no tenant."""

    list_display = ["received_at", "tenant", "status", "from_address", "subject", "reason"]
    list_filter = ["status", "source", ("tenant", admin.EmptyFieldListFilter), "tenant"]
    search_fields = ["from_address", "subject", "message_id", "to_addresses"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "tenant",
        "raw",
        "source",
        "status",
        "reason",
        "message_id",
        "from_address",
        "to_addresses",
        "subject",
        "conversation",
        "received_at",
        "processed_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
