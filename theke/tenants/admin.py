from django.contrib import admin

from theke.tenants.models import Branch, OpeningHours, Tenant


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "city", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "city", "is_active"]
    list_filter = ["tenant"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["branch", "weekday", "opens", "closes"]
    list_filter = ["tenant"]
