"""The public booking pages (/buchen/…) and the lead's page behind its link (/anfrage/…).

Three namespaces from one module: `booking` (no token, the tenant's public pages),
`lead_pages` and `appointment_pages` (/termin/…; behind a customer link,
theke.core.token_pages protections).
"""

from django.urls import path

from theke.appointments import appointment_pages, customer_views

booking_patterns = [
    path("<slug:slug>/", customer_views.branches, name="branches"),
    path("<slug:slug>/<int:branch_id>/", customer_views.wizard, name="start"),
    path("<slug:slug>/<int:branch_id>/danke/", customer_views.thanks, name="thanks"),
    path("<slug:slug>/<int:branch_id>/<slug:step>/", customer_views.wizard, name="step"),
]

lead_patterns = [
    path("<str:token>/", customer_views.lead_page, name="page"),
    path("<str:token>/stornieren", customer_views.lead_cancel, name="cancel"),
]

# The customer's appointment page (seed 002), namespace `appointment_pages`.
appointment_patterns = [
    path("<str:token>/", appointment_pages.page, name="page"),
    path("<str:token>/kalender.ics", appointment_pages.ics, name="ics"),
    path("<str:token>/bestaetigen", appointment_pages.accept, name="accept"),
    path("<str:token>/anderer-termin", appointment_pages.counter, name="counter"),
    path("<str:token>/verschieben", appointment_pages.other_time, name="other_time"),
    path("<str:token>/stornieren", appointment_pages.cancel, name="cancel"),
    path("<str:token>/erinnerungen", appointment_pages.reminders, name="reminders"),
]
