from django.contrib import admin

from theke.customers.models import Article, Asset, Contact, Customer, Location, Vehicle


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "number", "tenant", "kind"]
    list_filter = ["tenant", "kind"]
    search_fields = ["search_text"]
    inlines = [ContactInline]


for model in (Location, Vehicle, Asset, Article):
    admin.site.register(model, list_filter=["tenant"])
