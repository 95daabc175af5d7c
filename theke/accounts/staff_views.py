"""Staff login, tenant switching, and the tenant admin's user and role management."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from theke.tenants.middleware import ACTIVE_TENANT_SESSION_KEY


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def switch_tenant(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    wanted = request.POST.get("tenant", "")
    memberships = getattr(request, "memberships", [])
    if any(str(m.tenant_id) == wanted for m in memberships):
        request.session[ACTIVE_TENANT_SESSION_KEY] = int(wanted)
    return redirect("core:dashboard")
