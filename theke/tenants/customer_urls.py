from django.urls import path

from theke.tenants import customer_views

app_name = "tenant_pages"

urlpatterns = [
    path("<slug:slug>/", customer_views.contact_page, name="contact"),
    path("<slug:slug>/logo", customer_views.logo, name="logo"),
    # <kind> is a path of LEGAL_TEXT_PATHS ("agb", "datenschutz"); any other answers 404.
    path("<slug:slug>/<slug:kind>/", customer_views.legal_text_page, name="legal_text"),
    path(
        "<slug:slug>/<slug:kind>/<int:version>/",
        customer_views.legal_text_page,
        name="legal_text_version",
    ),
]
