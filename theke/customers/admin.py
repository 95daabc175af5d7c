from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from theke.customers.models import (
    Article,
    Asset,
    Contact,
    Customer,
    CustomerLink,
    Location,
    Vehicle,
)
from theke.tenants.admin import TenantChildInline, TenantOwnedParentAdmin


class ContactInline(TenantChildInline):
    model = Contact


@admin.register(Customer)
class CustomerAdmin(TenantOwnedParentAdmin):
    list_display = ["__str__", "number", "tenant", "kind"]
    list_filter = ["tenant", "kind"]
    search_fields = ["search_text"]
    inlines = [ContactInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Platform operators edit here without the services; keep the search working at least.
        from theke.customers.services import rebuild_search_text

        super().save_related(request, form, formsets, change)
        rebuild_search_text(form.instance)


for model in (Location, Vehicle, Asset, Article):
    admin.site.register(model, list_filter=["tenant"])


@admin.register(CustomerLink)
class CustomerLinkAdmin(admin.ModelAdmin):
    """Links are issued and revoked by the services; the token itself is never stored."""

    list_display = ["kind", "object_id", "tenant", "contact", "created_at", "expires_at"]
    list_display += ["revoked_at", "superseded_at", "last_viewed_at"]
    list_filter = ["tenant", "kind"]
    search_fields = ["object_id"]
    raw_id_fields = ["contact"]
    readonly_fields = ["kind", "object_id", "token_hash", "created_at", "first_viewed_at"]
    readonly_fields += ["last_viewed_at", "superseded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a link's token is shown once, by the API or the staff UI
