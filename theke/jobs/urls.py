"""Staff pages of the job manager (/staff/jobs/…)."""

from django.urls import path

from theke.jobs.staff_views import jobs

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", jobs.job_page, name="job"),
]

# --- payments ---
from theke.jobs.staff_views import payments as payment_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/zahlung/<slug:key>/", payment_views.payment_create, name="payment_create"),
]
