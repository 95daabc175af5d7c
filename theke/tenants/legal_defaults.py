"""Theke's default terms and privacy policy, for a tenant that has published none yet.

Customers must always find something behind the links (a German business owes its customers
the privacy information of Art. 13 GDPR), so until the tenant publishes its own version the
pages show these texts, filled with the tenant's master data, in the page's language. They
say only what holds for every business using Theke; the staff editor starts from them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from theke.tenants.models import LegalTextKind, Tenant


def _contact(tenant: Tenant) -> str:
    parts = [tenant.legal_name or tenant.name, tenant.street]
    parts.append(f"{tenant.postal_code} {tenant.city}".strip())
    if tenant.phone:
        parts.append(_("Telefon: %(phone)s") % {"phone": tenant.phone})
    if tenant.email:
        parts.append(_("E-Mail: %(email)s") % {"email": tenant.email})
    return "\n".join(part for part in parts if part)


def _terms(tenant: Tenant) -> list[str]:
    name = tenant.legal_name or tenant.name
    return [
        "## " + _("Vertragspartner"),
        _contact(tenant),
        "## " + _("Geltung"),
        _(
            "Für Kostenvoranschläge, Aufträge, Termine und Bestellungen, die Sie über diese "
            "Seiten mit %(name)s vereinbaren, gelten die gesetzlichen Bestimmungen sowie die "
            "Angaben und Bedingungen im jeweiligen Kostenvoranschlag, Angebot oder Auftrag."
        )
        % {"name": name},
        "## " + _("Verbindliche Antworten"),
        _(
            "Wenn Sie einen Kostenvoranschlag online annehmen, erteilen Sie den Auftrag zu den "
            "darin genannten Leistungen und Preisen. Lehnen Sie ihn ab, gilt Ihre Wahl "
            "(Rücksendung oder Entsorgung) mit der dort genannten Pauschale."
        ),
        _(
            "Zu jeder verbindlichen Antwort speichern wir Ihren Namen, den Zeitpunkt und die "
            "Fassung dieser Bedingungen, die Sie bestätigt haben."
        ),
        "## " + _("Fragen"),
        _("Bei Fragen sprechen Sie uns gern an; unsere Kontaktdaten finden Sie oben."),
    ]


def _privacy(tenant: Tenant) -> list[str]:
    return [
        "## " + _("Verantwortlicher"),
        _contact(tenant),
        "## " + _("Welche Daten wir verarbeiten"),
        _(
            "Auf diesen Seiten verarbeiten wir die Daten, die wir für Ihren Auftrag brauchen: "
            "Name und Kontaktdaten, Angaben zu Ihrem Fahrzeug oder Gerät, Kostenvoranschläge, "
            "Termine und Nachrichten, Ihre Antworten mit Zeitpunkt sowie bei einer "
            "verbindlichen Antwort die IP-Adresse und den Browser Ihres Geräts."
        ),
        "## " + _("Zwecke und Rechtsgrundlagen"),
        _(
            "Wir verarbeiten diese Daten, um Ihren Auftrag vorzubereiten und auszuführen "
            "(Art. 6 Abs. 1 lit. b DSGVO), um gesetzliche Aufbewahrungspflichten zu erfüllen "
            "(Art. 6 Abs. 1 lit. c DSGVO) und um nachweisen zu können, was Sie wann "
            "beantwortet haben (Art. 6 Abs. 1 lit. f DSGVO)."
        ),
        "## " + _("Cookies und Inhalte Dritter"),
        _(
            "Diese Seiten setzen nur technisch notwendige Cookies, die Ihre Eingaben in "
            "Formularen schützen. Sie laden nichts von Dritten: keine Schriftarten, Karten, "
            "Werbung oder Analysewerkzeuge."
        ),
        "## " + _("Empfänger Ihrer Daten"),
        _(
            "Die Seiten betreibt in unserem Auftrag ein Dienstleister, der die Daten nur nach "
            "unserer Weisung verarbeitet (Art. 28 DSGVO). E-Mails und SMS an Sie versenden wir "
            "über Versanddienstleister."
        ),
        "## " + _("Speicherdauer"),
        _(
            "Wir löschen Ihre Daten, sobald wir sie für diese Zwecke nicht mehr brauchen und "
            "keine gesetzlichen Aufbewahrungsfristen, etwa nach Handels- und Steuerrecht, "
            "entgegenstehen."
        ),
        "## " + _("Ihre Rechte"),
        _(
            "Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der "
            "Verarbeitung, Datenübertragbarkeit und Widerspruch sowie das Recht, sich bei einer "
            "Datenschutz-Aufsichtsbehörde zu beschweren. Wenden Sie sich dazu an die oben "
            "genannten Kontaktdaten."
        ),
    ]


def default_body(tenant: Tenant, kind: str) -> str:
    """The default text of a kind for this tenant, in the active language."""
    paragraphs = _terms(tenant) if kind == LegalTextKind.TERMS else _privacy(tenant)
    return "\n\n".join(paragraphs)
