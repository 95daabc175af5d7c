"""The customer's side of the job manager.

`page_patterns` (namespace `job_pages`, mounted at /p/): a job's Parkplatz page behind its
customer link (theke.core.token_pages protections); short, because SMS carry it.
"""

from django.urls import path

from theke.jobs.customer_views import parking

page_patterns = [
    path("<str:token>/", parking.page, name="page"),
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
