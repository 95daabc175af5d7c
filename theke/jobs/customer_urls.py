"""The customer's side of the job manager.

`page_patterns` (namespace `job_pages`, mounted at /p/): a job's Parkplatz page behind its
customer link (theke.core.token_pages protections); short, because SMS carry it.
"""

from django.urls import path

from theke.jobs.customer_views import parking

page_patterns = [
    path("<str:token>/", parking.page, name="page"),
]
