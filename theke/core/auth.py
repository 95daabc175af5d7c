"""Guards for staff views: logged in, member of a tenant, and (optionally) a permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

View = Callable[..., HttpResponseBase]


def staff_required(permission: str | None = None) -> Callable[[View], View]:
    """Decorate a staff view; anonymous users go to the login, others need the permission."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "tenant", None) is None:
                return render(request, "core/no_tenant.html", status=403)
            if permission and not request.user.has_perm(permission):
                raise PermissionDenied(permission)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
