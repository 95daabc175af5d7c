"""Staff pages of the job manager (/staff/jobs/…)."""

from django.urls import path

from theke.jobs.staff_views import create, files, jobs, lists

app_name = "jobs"

urlpatterns = [
    # --- staff pages ---
    path("", lists.job_list, name="list"),
    path("archiv/", lists.archive, name="archive"),
    path("neu/", create.job_new, name="new"),
    path("neu/kunde/", create.job_new_customer, name="new_customer"),
    path("<int:pk>/", jobs.job_page, name="job"),
    path("<int:pk>/phase/", jobs.job_activate, name="activate"),
    path("<int:pk>/bearbeiter/", jobs.job_assign, name="assign"),
    path("<int:pk>/link/", jobs.job_send_link, name="send_link"),
    path("<int:pk>/nachricht/", jobs.job_message, name="message"),
    path("<int:pk>/dokument/<slug:key>/", files.document_create, name="document_create"),
    path("<int:pk>/dokument/<slug:key>/<slug:code>.pdf", files.document_show, name="document_show"),
    path("<int:pk>/datei/<int:file_id>/", files.file_download, name="file"),
    path("<int:pk>/druck.pdf", files.job_print, name="print"),
]
