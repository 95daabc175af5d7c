from django.urls import path

from theke.tenants import customer_views

app_name = "tenant_pages"

urlpatterns = [
    path("<slug:slug>/", customer_views.contact_page, name="contact"),
    path("<slug:slug>/logo", customer_views.logo, name="logo"),
]
