"""Customer login pages (/konto/<tenant>/…); the portal and the job manager build on them."""

from django.urls import path

from theke.accounts import customer_views

app_name = "customer_accounts"

urlpatterns = [
    path("<slug:slug>/", customer_views.account_page, name="account"),
    path("<slug:slug>/anmelden/", customer_views.login, name="login"),
    path("<slug:slug>/abmelden/", customer_views.logout, name="logout"),
    path("<slug:slug>/geraete/", customer_views.devices, name="devices"),
    path(
        "<slug:slug>/geraete/abmelden/",
        customer_views.sign_out_elsewhere,
        name="sign_out_elsewhere",
    ),
    path("<slug:slug>/passwort/", customer_views.password_change, name="password_change"),
    path("<slug:slug>/passwort-vergessen/", customer_views.password_reset, name="password_reset"),
    path(
        "<slug:slug>/passwort-vergessen/gesendet/",
        customer_views.password_reset_sent,
        name="password_reset_sent",
    ),
    path(
        "<slug:slug>/passwort/<uidb64>/<token>/",
        customer_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    # --- customer logins: the invitation (a token page; after the tenant's pages, so a tenant
    # named "zugang" keeps them) ---
    path("zugang/<str:token>/", customer_views.invitation, name="invitation"),
]
