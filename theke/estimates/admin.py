from django.contrib import admin

from theke.estimates.models import (
    Estimate,
    EstimatePhoto,
    EstimatePosition,
    EstimateSettings,
)
from theke.tenants.admin import TenantChildInline, TenantOwnedParentAdmin


class PositionInline(TenantChildInline):
    model = EstimatePosition
    fields = ["position", "text", "quantity", "unit", "unit_price", "discount_percent"]
    fields += ["vat_rate", "is_optional", "net_amount", "vat_amount", "gross_amount"]
    readonly_fields = ["net_amount", "vat_amount", "gross_amount"]


class PhotoInline(TenantChildInline):
    model = EstimatePhoto
    fields = ["external_id", "caption", "position", "content_type", "size", "created_at"]
    readonly_fields = ["content_type", "size", "created_at"]


@admin.register(Estimate)
class EstimateAdmin(TenantOwnedParentAdmin):
    """For platform operators; the back office and staff change estimates via the services."""

    list_display = ["__str__", "tenant", "customer", "status", "has_data", "gross_total"]
    list_filter = ["tenant", "status", "has_data"]
    search_fields = ["external_id", "number", "object_description"]
    raw_id_fields = ["customer", "contact", "vehicle", "technician_user", "sent_by"]
    readonly_fields = ["net_total", "vat_total", "gross_total", "first_viewed_at"]
    readonly_fields += ["last_viewed_at", "data_received_at", "sent_at", "created_at"]
    inlines = [PositionInline, PhotoInline]  # links: customers' CustomerLink admin


@admin.register(EstimateSettings)
class EstimateSettingsAdmin(admin.ModelAdmin):
    list_display = ["tenant", "link_days", "return_shipping_article", "disposal_article"]
    raw_id_fields = [
        "return_shipping_article",
        "disposal_article",
        "pickup_unrepaired_article",
        "scrapping_article",
    ]
