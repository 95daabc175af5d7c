from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from theke.tenants.models import Branch, LegalText, OpeningHours, Tenant


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "city",
        "is_active",
        "online_booking_enabled",
        "portal_enabled",
        "sms_enabled",
    ]
    list_filter = ["is_active", "online_booking_enabled", "portal_enabled", "sms_enabled"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # Switching the job manager on installs its standard workflow, which a tick here would
    # not: `manage.py jobmanager on --tenant <slug>` does it (README, "Jobmanager").
    readonly_fields = ["jobs_enabled"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "city", "state", "is_active"]
    list_filter = ["tenant"]


@admin.register(LegalText)
class LegalTextAdmin(admin.ModelAdmin):
    """Read only: a published version is never changed (acceptances point at it)."""

    list_display = ["tenant", "kind", "version", "published_at", "published_by"]
    list_filter = ["tenant", "kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["branch", "weekday", "opens", "closes"]
    list_filter = ["tenant"]


class TenantChildInline(admin.TabularInline):
    """Inline of tenant-owned children; they take the tenant of their parent."""

    exclude = ["tenant"]
    extra = 0


class TenantOwnedParentAdmin(admin.ModelAdmin):
    """Admin of a tenant-owned model whose inlines are TenantChildInline."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for child in formset.save(commit=False):
            child.tenant_id = form.instance.tenant_id
            child.save()
        for child in formset.deleted_objects:
            child.delete()
        formset.save_m2m()
