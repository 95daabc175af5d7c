"""The customer's side of the job manager.

* `page_patterns` (namespace `job_pages`, mounted at /p/): a job's Parkplatz page behind its
  customer link (theke.core.token_pages protections); short, because SMS carry it.
* `parking_patterns` (namespace `parking`, /parkplatz/): the logged-in Parkplatz.
* `callback_patterns` (namespace `callback`, /rueckruf/): the public callback request.
"""

from django.urls import path

from theke.jobs.customer_views import account, callback, parking

page_patterns = [
    path("<str:token>/", parking.page, name="page"),
    # --- parking (customer side) ---
    path("<str:token>/datei/<int:file_id>/", parking.file, name="file"),
    path("<str:token>/dokument/<slug:key>/<slug:code>.pdf", parking.document, name="document"),
    path("<str:token>/zugang/", parking.register, name="register"),
]

# --- parking: the logged-in Parkplatz ---
parking_patterns = [
    path("<slug:slug>/", account.job_list, name="list"),
    path("<slug:slug>/anfrage/", account.park, name="park"),
    path("<slug:slug>/<int:pk>/", account.job, name="job"),
    path("<slug:slug>/<int:pk>/datei/<int:file_id>/", account.file, name="file"),
    path(
        "<slug:slug>/<int:pk>/dokument/<slug:key>/<slug:code>.pdf",
        account.document,
        name="document",
    ),
    path("<slug:slug>/<int:pk>/bezahlen/<int:payment_id>/", account.pay, name="pay"),
]

# --- parking: the public callback request ---
callback_patterns = [
    path("<slug:slug>/", callback.callback_form, name="form"),
    path("<slug:slug>/danke/", callback.thanks, name="thanks"),
]

# --- payments ---
# `payment_patterns` (namespace `payments`, mounted at /bezahlen/): the test provider's checkout
# page and the providers' notifications; the pay button is a page pattern of the job's page.
from theke.jobs.customer_views import payments as payment_views  # noqa: E402

page_patterns += [
    path("<str:token>/bezahlen/<int:payment_id>/", payment_views.pay, name="pay"),
]
payment_patterns = [
    path("test/<str:reference>/", payment_views.test_checkout, name="test_checkout"),
    path("benachrichtigung/<slug:provider>/", payment_views.notification, name="notification"),
]
