"""The portal's customer pages: /portal/<tenant>/… behind the portal guard
(theke.portal.access), and the invitation link /portal/einladung/<token>/."""

from django.urls import path

from theke.portal.customer_views import analytics, pages, quotes, shop, signup

app_name = "portal"

urlpatterns = [
    # --- registration and users (signup) ---
    path("<slug:slug>/bedingungen/", signup.consent, name="consent"),
    path("<slug:slug>/einfuehrung/", signup.introduction, name="introduction"),
    path("<slug:slug>/benutzer/", signup.users, name="users"),
    path("<slug:slug>/benutzer/neu/", signup.user_invite, name="user_invite"),
    path("<slug:slug>/benutzer/<int:pk>/", signup.user_edit, name="user_edit"),
    path("<slug:slug>/benutzer/<int:pk>/einladung/", signup.user_resend, name="user_resend"),
    # --- dashboard, lists, downloads, analytics (pages) ---
    path("<slug:slug>/", pages.dashboard, name="dashboard"),
    path("<slug:slug>/manifest.webmanifest", pages.manifest, name="manifest"),
    path("<slug:slug>/app-icon-<int:size>.png", pages.app_icon, name="app_icon"),
    path("<slug:slug>/auftraege/", pages.orders, name="orders"),
    path("<slug:slug>/auftraege/<int:pk>/", pages.order, name="order"),
    path("<slug:slug>/rechnungen/", pages.invoices, name="invoices"),
    path("<slug:slug>/rechnungen/<int:pk>/pdf/", pages.invoice_pdf, name="invoice_pdf"),
    path("<slug:slug>/standorte/", pages.locations, name="locations"),
    path("<slug:slug>/standorte/<int:pk>/", pages.location, name="location"),
    path("<slug:slug>/auswertungen/", analytics.analytics, name="analytics"),
    path("<slug:slug>/auswertungen.csv", analytics.analytics_csv, name="analytics_csv"),
    # --- container shop and orders on placed containers (shop) ---
    path("<slug:slug>/container-bestellen/", shop.shop, name="shop"),
    path("<slug:slug>/container/<int:pk>/auftrag/", shop.container_order, name="container_order"),
    # --- quotes and quote requests (quotes) ---
    path("<slug:slug>/angebote/", quotes.quotes, name="quotes"),
    path("<slug:slug>/angebote/<int:pk>/pdf/", quotes.quote_pdf, name="quote_pdf"),
    path("<slug:slug>/angebote/anfordern/", quotes.request_new, name="quote_request_new"),
    path("<slug:slug>/angebote/anfragen/<int:pk>/", quotes.request_detail, name="quote_request"),
    path(
        "<slug:slug>/angebote/anfragen/<int:pk>/anhang/<int:attachment_pk>/",
        quotes.attachment,
        name="quote_attachment",
    ),
]

# The invitation is a customer link (kind "portal_invitation"): its page takes the token only.
invitation_patterns = [
    path("<str:token>/", signup.invitation, name="page"),
]
