"""The portal's staff pages (/staff/portal/…)."""

from django.urls import path

from theke.portal.staff_views import dispatch, quotes, users

app_name = "portal_staff"

urlpatterns = [
    # --- activation, users, invitations, settings (users) ---
    path("kunden/<int:customer_pk>/", users.customer_portal, name="customer"),
    path("kunden/<int:customer_pk>/freischalten/", users.activate, name="activate"),
    path("kunden/<int:customer_pk>/abschalten/", users.deactivate, name="deactivate"),
    path("kunden/<int:customer_pk>/benutzer/neu/", users.invite, name="invite"),
    path("benutzer/<int:pk>/", users.user_edit, name="user_edit"),
    path("benutzer/<int:pk>/einladung/", users.resend, name="resend"),
    path("einstellungen/", users.portal_settings, name="settings"),
    # --- portal orders to dispatch, new delivery locations (dispatch) ---
    path("auftraege/", dispatch.orders, name="orders"),
    path("lieferorte/", dispatch.new_locations, name="new_locations"),
    path("lieferorte/<int:pk>/bestaetigen/", dispatch.confirm_location, name="confirm_location"),
    # --- quote requests (quotes) ---
    path("anfragen/", quotes.requests, name="quote_requests"),
]
