from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from theke.api.errors import unknown_path
from theke.api.main import api
from theke.appointments import customer_urls as appointment_pages
from theke.core import views as core_views
from theke.jobs import customer_urls as job_pages
from theke.portal import customer_urls as portal_pages

urlpatterns = [
    # The customer's estimate page first: it is the busiest page, and URLs are tried in order.
    path("k/", include("theke.estimates.customer_urls")),
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("staff/", include("theke.core.urls")),
    path("staff/", include("theke.accounts.urls")),
    path("staff/", include("theke.tenants.urls")),
    path("staff/customers/", include("theke.customers.urls")),
    path("staff/orders/", include("theke.orders.urls")),
    path("staff/estimates/", include("theke.estimates.urls")),
    path("staff/appointments/", include("theke.appointments.urls")),
    path("staff/portal/", include("theke.portal.urls")),
    path("staff/jobs/", include("theke.jobs.urls")),
    path("staff/audit/", include("theke.audit.urls")),
    path("staff/api/", include("theke.api.urls")),
    path("staff/messages/", include("theke.messaging.urls")),
    path("hooks/", include("theke.messaging.hook_urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", unknown_path),
    path("t/", include("theke.tenants.customer_urls")),
    # --- customer logins (accounts; the portal and the job manager build on them) ---
    path("konto/", include("theke.accounts.customer_urls")),
    # --- online booking (customer side) ---
    path("buchen/", include((appointment_pages.booking_patterns, "booking"))),
    path("anfrage/", include((appointment_pages.lead_patterns, "lead_pages"))),
    path("termin/", include((appointment_pages.appointment_patterns, "appointment_pages"))),
    # --- B2B customer portal ---
    path("portal/einladung/", include((portal_pages.invitation_patterns, "portal_invitation"))),
    path("portal/", include("theke.portal.customer_urls")),
    # --- job manager: the Parkplatz ---
    path("p/", include((job_pages.page_patterns, "job_pages"))),
    # --- parking: the logged-in Parkplatz and the public callback request ---
    path("parkplatz/", include((job_pages.parking_patterns, "parking"))),
    path("rueckruf/", include((job_pages.callback_patterns, "callback"))),
    # --- job manager: payments ---
    path("bezahlen/", include((job_pages.payment_patterns, "payments"))),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

# Our error pages in the layout of where they happen (theke.core.views.error_page); with DEBUG
# on, theke.core.middleware.ErrorPageMiddleware shows them instead of Django's technical 404.
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
