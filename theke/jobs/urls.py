"""Staff pages of the job manager (/staff/jobs/…)."""

from django.urls import path

from theke.jobs.staff_views import jobs

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", jobs.job_page, name="job"),
]
