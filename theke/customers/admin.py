from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from theke.customers.models import Article, Asset, Contact, Customer, Location, Vehicle
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
