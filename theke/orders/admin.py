"""Orders, invoices and quotes in the Django admin: read-only for platform operators.

The back office owns these rows and would overwrite any change made here with its next push.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from theke.orders.models import Invoice, Order, Quote


class ReadOnlyAdmin(admin.ModelAdmin):
    list_filter = ["tenant", "status"]
    search_fields = ["number", "external_id"]
    list_select_related = ["tenant", "customer"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "customer", "status", "planned_date", "tenant"]
    list_filter = ["tenant", "kind", "status"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "issue_date", "gross_total", "status", "tenant"]


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "date", "gross_total", "status", "tenant"]
