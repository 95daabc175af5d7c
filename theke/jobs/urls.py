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

# --- editor ---
from theke.jobs.staff_views import editor, field_library, publish  # noqa: E402

urlpatterns += [
    path("workflows/", editor.workflow_list, name="workflows"),
    path("workflows/neu/", editor.workflow_new, name="workflow_new"),
    path("workflows/<int:pk>/", editor.workflow_page, name="workflow"),
    path("workflows/<int:pk>/kopieren/", editor.workflow_copy, name="workflow_copy"),
    path("workflows/<int:pk>/standard/", editor.workflow_default, name="workflow_default"),
    path("workflows/<int:pk>/aktiv/", editor.workflow_active, name="workflow_active"),
    path("workflows/<int:pk>/phasen/neu/", editor.phase_add, name="phase_add"),
    path("workflows/<int:pk>/phasen/<int:phase_id>/", editor.phase_page, name="phase"),
    path(
        "workflows/<int:pk>/phasen/<int:phase_id>/verschieben/",
        editor.phase_move,
        name="phase_move",
    ),
    path(
        "workflows/<int:pk>/phasen/<int:phase_id>/loeschen/",
        editor.phase_delete,
        name="phase_delete",
    ),
    path(
        "workflows/<int:pk>/phasen/<int:phase_id>/felder/<str:view>/",
        editor.entry_add,
        name="entry_add",
    ),
    path("workflows/<int:pk>/felder/<int:entry_id>/", editor.entry_update, name="entry"),
    path(
        "workflows/<int:pk>/felder/<int:entry_id>/verschieben/",
        editor.entry_move,
        name="entry_move",
    ),
    path(
        "workflows/<int:pk>/felder/<int:entry_id>/entfernen/",
        editor.entry_remove,
        name="entry_remove",
    ),
    path("workflows/<int:pk>/erklaeren/", editor.explain, name="explain"),
    path("workflows/<int:pk>/testen/", editor.test_start, name="test"),
    path(
        "workflows/<int:pk>/testen/<int:job_id>/kunde/",
        editor.test_customer,
        name="test_customer",
    ),
    path("workflows/<int:pk>/veroeffentlichen/", publish.publish_page, name="publish"),
    path("felder/", field_library.field_list, name="fields"),
    path("felder/neu/", field_library.field_new, name="field_new"),
    path("felder/<int:pk>/", field_library.field_page, name="field"),
    path("felder/<int:pk>/loeschen/", field_library.field_delete, name="field_delete"),
]

# --- payments ---
from theke.jobs.staff_views import payments as payment_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/zahlung/<slug:key>/", payment_views.payment_create, name="payment_create"),
]
