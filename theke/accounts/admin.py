from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from theke.accounts.models import CustomerAccount, CustomerSession, Membership, Role, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profil", {"fields": ("full_name", "language")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ["is_active", "is_staff", "is_superuser"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "is_admin"]
    list_filter = ["tenant"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "is_active"]
    list_filter = ["tenant", "is_active"]


class CustomerSessionInline(admin.TabularInline):
    model = CustomerSession
    extra = 0
    can_delete = True
    fields = ["created_at", "last_seen_at", "user_agent", "client_address"]
    readonly_fields = ["created_at", "last_seen_at", "user_agent", "client_address"]


@admin.register(CustomerAccount)
class CustomerAccountAdmin(admin.ModelAdmin):
    """Read-mostly: the password hash is never shown; only the active flag can be changed."""

    list_display = ["email", "first_name", "last_name", "customer", "tenant", "is_active"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fields = [
        "tenant",
        "customer",
        "email",
        "first_name",
        "last_name",
        "phone",
        "is_active",
        "last_login",
        "created_at",
        "password_changed_at",
    ]
    readonly_fields = [
        "tenant",
        "customer",
        "email",
        "first_name",
        "last_name",
        "phone",
        "last_login",
        "created_at",
        "password_changed_at",
    ]
    inlines = [CustomerSessionInline]

    def has_add_permission(self, request: Any) -> bool:
        return False  # accounts come from the services (invitation), with their audit events
