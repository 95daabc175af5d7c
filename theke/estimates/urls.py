from django.urls import path

from theke.estimates import staff_editor, staff_views

app_name = "estimates"

urlpatterns = [
    path("", staff_views.estimate_list, name="list"),
    path("open/", staff_views.open_answers, name="open_answers"),
    path("decisions/", staff_views.new_decisions, name="new_decisions"),
    path("settings/", staff_views.estimate_settings, name="settings"),
    path("new/", staff_editor.estimate_new, name="new"),
    path("editor/totals/", staff_editor.running_totals, name="running_totals"),
    path("editor/articles/", staff_editor.article_search, name="article_search"),
    path("<int:pk>/edit/", staff_editor.estimate_edit, name="edit"),
    path("<int:pk>/", staff_views.estimate_detail, name="detail"),
    path("<int:pk>/send/", staff_views.send_link, name="send"),
    path("<int:pk>/revoke-links/", staff_views.revoke_links, name="revoke_links"),
    path("<int:pk>/revoke/", staff_views.revoke_estimate, name="revoke"),
    path("<int:pk>/handled/", staff_views.mark_handled, name="mark_handled"),
    path("<int:pk>/photos/<int:photo_pk>", staff_views.photo, name="photo"),
    path("<int:pk>/photos/add/", staff_views.add_photo, name="photo_add"),
    path("<int:pk>/photos/<int:photo_pk>/remove/", staff_views.remove_photo, name="photo_remove"),
    path("<int:pk>/pdf/", staff_views.estimate_pdf_view, name="pdf"),
    path("<int:pk>/decision.pdf", staff_views.decision_pdf_view, name="decision_pdf"),
]
