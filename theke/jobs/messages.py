"""The job manager's message purposes (registered with messaging's registry on import).

A phase sends a *named text* of the purpose `job_phase` when it is activated: the tenant
writes its texts in the template editor ("Nachrichten-Manager", seed 004) and picks one per
phase in the workflow editor. The standard workflow brings its own named texts
(theke.jobs.standard); the shipped text below is the fallback.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from theke.messaging.purposes import Texts, make_purpose, placeholders, register

JOB_PLACEHOLDERS = placeholders(
    job_number=_("Nummer des Jobs, z. B. J-2026-00012"),
    job_title=_("Betreff des Jobs, z. B. VW Golf 8 Variant"),
    phase=_("Name der aktivierten Phase"),
    vehicle=_("Fahrzeug des Jobs (Marke, Modell, Kennzeichen)"),
    link=_("Link zum Parkplatz des Kunden (die Seite des Jobs)"),
)

# Messages to staff link to the job's staff page instead of the customer's Parkplatz.
STAFF_LINK = _("Link zum Job in der Theke (für Mitarbeiter)")

JOB_SAMPLES = {
    "de": {
        "job_number": "J-2026-00012",
        "job_title": "VW Golf 8 Variant",
        "phase": "Angebot bereitgestellt",
        "vehicle": "VW Golf 8 Variant, B-TH 412",
        "link": "https://theke.example/parkplatz/Xy7pQ2/",
    },
    "en": {"phase": "Offer provided"},
}

JOB_PHASE = register(
    make_purpose(
        "job_phase",
        _("Jobmanager: Nachricht bei Aktivierung einer Phase"),
        _(
            "Geht an den Kunden, wenn eine Phase seines Jobs aktiviert wird. Legen Sie hier je "
            "Anlass einen eigenen Text an (z. B. „Angebot bereitgestellt“) und weisen Sie ihn im "
            "Workflow-Editor einer Phase zu. Nicht bei unterdrückten Nachrichten und nicht bei "
            "abgeschlossenen oder stornierten Jobs."
        ),
        placeholders=JOB_PLACEHOLDERS,
        de=Texts(
            "Neuigkeiten zu Ihrer Anfrage {job_number}",
            """
zu Ihrer Anfrage „{job_title}“ gibt es Neuigkeiten: {phase}.

Alle Einzelheiten finden Sie auf Ihrem Parkplatz:

{link}
""",
            button="Parkplatz öffnen",
            sms="{company_name}: Neuigkeiten zu Ihrer Anfrage {job_number}: {phase}. {link}",
        ),
        en=Texts(
            "News about your request {job_number}",
            """
there is news about your request “{job_title}”: {phase}.

You will find all details on your parking space:

{link}
""",
            button="Open parking space",
            sms="{company_name}: news about your request {job_number}: {phase}. {link}",
        ),
        samples=JOB_SAMPLES,
    )
)

JOB_CUSTOMER_SAVED = register(
    make_purpose(
        "job_customer_saved",
        _("Jobmanager: Kunde hat gespeichert"),
        _(
            "Geht an den Bearbeiter des Jobs (ohne Bearbeiter an die Firmen-E-Mail), wenn der "
            "Kunde auf seinem Parkplatz etwas gespeichert hat."
        ),
        placeholders=placeholders(
            JOB_PLACEHOLDERS,
            customer=_("Name des Kunden"),
            changes=_("Was der Kunde eingetragen hat, eine Zeile je Feld"),
            link=STAFF_LINK,
        ),
        de=Texts(
            "{customer} hat zu Job {job_number} gespeichert",
            """
{customer} hat in der Phase „{phase}“ des Jobs {job_number} ({job_title}) gespeichert:

{changes}

Zum Job in der Theke:

{link}
""",
            button="Job öffnen",
        ),
        en=Texts(
            "{customer} saved on job {job_number}",
            """
{customer} saved in the phase “{phase}” of job {job_number} ({job_title}):

{changes}

Open the job in Theke:

{link}
""",
            button="Open job",
        ),
        samples={
            "de": {
                **JOB_SAMPLES["de"],
                "customer": "Petra Neumann",
                "changes": "Angebot angenommen: ja",
                "link": "https://theke.example/staff/jobs/12/",
            },
            "en": {"changes": "Offer accepted: yes"},
        },
        to_company=True,
    )
)

# --- staff pages ---

JOB_LINK = register(
    make_purpose(
        "job_link",
        _("Jobmanager: Link zum Parkplatz"),
        _(
            "Geht an den Kunden, wenn ein Mitarbeiter auf der Seite des Jobs „Parkplatz-Link "
            "senden“ wählt, z. B. wenn der Kunde die letzte Nachricht nicht mehr findet."
        ),
        placeholders=JOB_PLACEHOLDERS,
        de=Texts(
            "Ihr Parkplatz zu Ihrer Anfrage {job_number}",
            "\nhier ist der Link zu Ihrem Parkplatz für Ihre Anfrage „{job_title}“. Dort finden "
            "Sie alle Einzelheiten und den aktuellen Stand: {phase}.\n\n{link}\n",
            button="Parkplatz öffnen",
        ),
        en=Texts(
            "Your parking space for your request {job_number}",
            "\nhere is the link to your parking space for your request “{job_title}”. You will "
            "find all details and the current state there: {phase}.\n\n{link}\n",
            button="Open parking space",
        ),
        samples=JOB_SAMPLES,
    )
)

# --- payments ---

JOB_PAYMENT_RECEIVED = register(
    make_purpose(
        "job_payment_received",
        _("Jobmanager: Zahlung eingegangen"),
        _(
            "Geht an den Bearbeiter des Jobs (ohne Bearbeiter an die Firmen-E-Mail), wenn der "
            "Zahlungsanbieter eine Zahlung des Kunden bestätigt hat."
        ),
        placeholders=placeholders(
            JOB_PLACEHOLDERS,
            customer=_("Name des Kunden"),
            amount=_("Bezahlter Betrag, z. B. 1.250,00 €"),
            payment_purpose=_("Verwendungszweck der Zahlung"),
            link=STAFF_LINK,
        ),
        de=Texts(
            "Zahlung eingegangen: {amount} zu Job {job_number}",
            """
{customer} hat {amount} für den Job {job_number} ({job_title}) bezahlt.

Verwendungszweck: {payment_purpose}

Zum Job in der Theke:

{link}
""",
            button="Job öffnen",
        ),
        en=Texts(
            "Payment received: {amount} for job {job_number}",
            """
{customer} paid {amount} for job {job_number} ({job_title}).

Purpose: {payment_purpose}

Open the job in Theke:

{link}
""",
            button="Open job",
        ),
        samples={
            "de": {
                **JOB_SAMPLES["de"],
                "customer": "Petra Neumann",
                "amount": "1.250,00 €",
                "payment_purpose": "Rechnung J-2026-00012",
                "link": "https://theke.example/staff/jobs/12/",
            },
            "en": {"amount": "€1,250.00", "payment_purpose": "Invoice J-2026-00012"},
        },
        to_company=True,
    )
)
