from django.contrib.auth import views as auth_views
from django.urls import path

from theke.accounts import staff_views

app_name = "accounts"

urlpatterns = [
    path("login/", staff_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("switch-tenant/", staff_views.switch_tenant, name="switch_tenant"),
    path(
        "password/change/",
        staff_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        staff_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", staff_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        staff_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        staff_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        staff_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        staff_views.InvitationConfirmView.as_view(),
        name="invitation_confirm",
    ),
    path(
        "invitation/complete/",
        staff_views.InvitationCompleteView.as_view(),
        name="invitation_complete",
    ),
    # Tenant admin: users (memberships) and roles, under the settings section.
    path("settings/users/", staff_views.user_list, name="user_list"),
    path("settings/users/new/", staff_views.user_invite, name="user_invite"),
    path("settings/users/<int:pk>/", staff_views.user_edit, name="user_edit"),
    path(
        "settings/users/<int:pk>/invitation/",
        staff_views.user_resend_invitation,
        name="user_resend_invitation",
    ),
    path("settings/roles/", staff_views.role_list, name="role_list"),
    path("settings/roles/new/", staff_views.role_create, name="role_create"),
    path("settings/roles/<int:pk>/", staff_views.role_edit, name="role_edit"),
    path("settings/roles/<int:pk>/delete/", staff_views.role_delete, name="role_delete"),
    # --- customer logins: invitations from the staff customer page ---
    path(
        "customer-logins/<int:customer_pk>/invite/<int:contact_pk>/",
        staff_views.customer_login_invite,
        name="customer_login_invite",
    ),
    path(
        "customer-logins/<int:pk>/deactivate/",
        staff_views.customer_login_deactivate,
        name="customer_login_deactivate",
    ),
]
