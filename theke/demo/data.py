"""Deterministic demo data: plausible German customers, contacts, vehicles and locations.

Pure data, no database: the `seed_demo` command feeds it through the services.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannah",
    "Jonas",
    "Julia",
    "Karl",
    "Lea",
    "Lukas",
    "Marie",
    "Max",
    "Mia",
    "Noah",
    "Paul",
    "Sophie",
    "Tim",
    "Ursula",
    "Vera",
    "Werner",
    "Yvonne",
    "Zeynep",
    "Ahmet",
    "Olga",
    "Piotr",
    "Ingrid",
    "Moritz",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Yilmaz",
    "Kowalski",
]
COMPANIES = [
    "Bäckerei Sonnenschein GmbH",
    "Elektro Blitz KG",
    "Pflegedienst Lebensfreude",
    "Gartenbau Grünfink",
    "Taxi Hauptstadt GmbH",
    "Malerbetrieb Farbenfroh",
    "Kurierdienst Schnell & Sicher",
    "Sanitär Wassermann GmbH",
    "Fahrschule Vorfahrt",
    "Apotheke am Markt",
]
STREETS = [
    "Hauptstraße",
    "Bahnhofstraße",
    "Gartenweg",
    "Lindenallee",
    "Schillerstraße",
    "Goethestraße",
    "Am Markt",
    "Birkenweg",
    "Kastanienallee",
    "Mühlenweg",
]
# Postcode, city, number plate district, federal state.
CITIES = [
    ("10115", "Berlin", "B", "BE"),
    ("10243", "Berlin", "B", "BE"),
    ("12043", "Berlin", "B", "BE"),
    ("14467", "Potsdam", "P", "BB"),
    ("14482", "Potsdam", "P", "BB"),
    ("15344", "Strausberg", "MOL", "BB"),
    ("16515", "Oranienburg", "OHV", "BB"),
    ("14612", "Falkensee", "HVL", "BB"),
]
VEHICLES = [
    ("Volkswagen", "Golf", "WVW"),
    ("Volkswagen", "Passat Variant", "WVW"),
    ("BMW", "320d Touring", "WBA"),
    ("Audi", "A4 Avant", "WAU"),
    ("Skoda", "Octavia", "TMB"),
    ("Mercedes-Benz", "C 220 d", "WDD"),
    ("Volvo", "XC60", "YV1"),
    ("Opel", "Astra", "W0L"),
    ("Ford", "Focus", "WF0"),
    ("Seat", "Leon", "VSS"),
]
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
PLATE_LETTERS = "ABCDEFGHKLMNPRSTUVWXZ"


@dataclass
class DemoContact:
    first_name: str
    last_name: str
    email: str
    mobile_phone: str
    language: str
    consent_email: bool
    consent_sms: bool
    role: str = ""


@dataclass
class DemoVehicle:
    vin: str
    license_plate: str
    make: str
    model: str
    first_registration: datetime.date
    mileage_km: int


@dataclass
class DemoLocation:
    name: str
    street: str
    postal_code: str
    city: str
    is_billing: bool
    state: str = ""


@dataclass
class DemoCustomer:
    kind: str
    number: str
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    contacts: list[DemoContact] = field(default_factory=list)
    locations: list[DemoLocation] = field(default_factory=list)
    vehicles: list[DemoVehicle] = field(default_factory=list)


def _ascii(text: str) -> str:
    for umlaut, plain in {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "", "&": ""}.items():
        text = text.replace(umlaut, plain)
    return "".join(c for c in text.lower() if c.isalnum() or c in ".-")


def _vin(rng: random.Random, wmi: str) -> str:
    return wmi + "".join(rng.choice(VIN_ALPHABET) for _ in range(14))


def _plate(rng: random.Random, district: str) -> str:
    letters = "".join(rng.choice(PLATE_LETTERS) for _ in range(rng.randint(1, 2)))
    return f"{district}-{letters} {rng.randint(1, 9999)}"


def _mobile(rng: random.Random) -> str:
    prefix = rng.choice(["151", "152", "157", "160", "170", "171", "176"])
    return f"+49 {prefix} {rng.randint(10000000, 99999999)}"


def _vehicle(rng: random.Random, district: str) -> DemoVehicle:
    make, model, wmi = rng.choice(VEHICLES)
    year = rng.randint(2012, 2025)
    return DemoVehicle(
        vin=_vin(rng, wmi),
        license_plate=_plate(rng, district),
        make=make,
        model=model,
        first_registration=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
        mileage_km=rng.randint(5, 260) * 1000,
    )


def demo_customers(
    count: int = 50, seed: int = 2026, first_number: int = 10001
) -> list[DemoCustomer]:
    """`count` customers: about one in five a company with two contacts and a second site."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    customers: list[DemoCustomer] = []
    companies = iter(COMPANIES)
    for index in range(count):
        postal_code, city, district, state = rng.choice(CITIES)
        street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        number = str(first_number + index)
        company = next(companies, None) if index % 5 == 4 else None
        if company:
            customer = DemoCustomer(kind="company", number=number, company_name=company)
            domain = _ascii(company.split()[0]) + ".example.com"
            for role in ("Geschäftsführung", "Fuhrpark"):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                customer.contacts.append(
                    DemoContact(
                        first,
                        last,
                        f"{_ascii(first)}.{_ascii(last)}@{domain}",
                        _mobile(rng),
                        "de",
                        consent_email=True,
                        consent_sms=rng.random() < 0.6,
                        role=role,
                    )
                )
            customer.locations.append(
                DemoLocation("Firmensitz", street, postal_code, city, True, state)
            )
            other_code, other_city, _, other_state = rng.choice(CITIES)
            customer.locations.append(
                DemoLocation(
                    "Lager",
                    f"Gewerbepark {rng.randint(1, 30)}",
                    other_code,
                    other_city,
                    False,
                    other_state,
                )
            )
            customer.vehicles = [_vehicle(rng, district) for _ in range(rng.randint(2, 4))]
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            customer = DemoCustomer(kind="person", number=number, first_name=first, last_name=last)
            language = "en" if index % 11 == 7 else "de"
            customer.contacts.append(
                DemoContact(
                    first,
                    last,
                    f"{_ascii(first)}.{_ascii(last)}{index}@example.com",
                    _mobile(rng),
                    language,
                    consent_email=rng.random() < 0.9,
                    consent_sms=rng.random() < 0.7,
                )
            )
            customer.locations.append(DemoLocation("", street, postal_code, city, True, state))
            customer.vehicles = [_vehicle(rng, district) for _ in range(rng.choice([1, 1, 1, 2]))]
        customers.append(customer)
    return customers


DEMO_ARTICLES = [
    ("AW-001", "Arbeitswert Mechanik (10 AW)", "AW", Decimal("14.50"), False),
    ("AW-002", "Arbeitswert Elektrik (10 AW)", "AW", Decimal("16.20"), False),
    ("OEL-5W30", "Motoröl 5W-30, 1 Liter", "l", Decimal("18.90"), False),
    ("FIL-OEL", "Ölfilter", "Stk", Decimal("12.40"), False),
    ("BREMS-VA", "Bremsbeläge Vorderachse (Satz)", "Satz", Decimal("89.00"), False),
    ("WISCH-01", "Wischerblätter (Paar)", "Paar", Decimal("34.90"), False),
    ("PA-RUECK", "Rückversand-Pauschale", "Stk", Decimal("9.90"), True),
    ("PA-ENTS", "Entsorgungs-Pauschale", "Stk", Decimal("5.00"), True),
    ("PA-KV", "Pauschale Kostenvoranschlag (bei Ablehnung)", "Stk", Decimal("25.00"), True),
    # A declined estimate of a vehicle: picked up unrepaired, or scrapped.
    (
        "PA-ABHOL",
        "Pauschale Fehlersuche (Fahrzeug unrepariert abgeholt)",
        "Stk",
        Decimal("39.00"),
        True,
    ),
    (
        "PA-VERSCHR",
        "Verschrottungs-Pauschale (Entsorgung, Verwertungsnachweis)",
        "Stk",
        Decimal("149.00"),
        True,
    ),
]

# The container service's catalog: waste types (AVV code, the back office's id) and the
# container types with the order kinds they allow, net price and waste types.
DEMO_WASTE_TYPES = [
    ("AA-170107", "Bauschutt", "170107", "Beton, Ziegel, Fliesen und Keramik ohne Anhaftungen"),
    ("AA-170904", "Baumischabfall", "170904", "Gemischte Bau- und Abbruchabfälle"),
    ("AA-170201", "Holz A I–III", "170201", "Unbehandeltes bis beschichtetes Holz, kein A IV"),
    ("AA-200201", "Grünschnitt", "200201", "Rasen, Laub, Strauch- und Baumschnitt"),
    ("AA-200301", "Gewerbeabfall", "200301", "Gemischte gewerbliche Siedlungsabfälle"),
    ("AA-200101", "Pappe/Papier", "200101", "Kartonagen, Papier, Verpackungen aus Pappe"),
    ("AA-170504", "Erdaushub", "170504", "Boden und Steine, unbelastet"),
    ("AA-170605", "Asbest", "170605*", "Asbesthaltige Baustoffe, nur staubdicht verpackt"),
]

_HEAVY = ["AA-170107", "AA-170504", "AA-170904"]
_LIGHT = ["AA-170201", "AA-200201", "AA-200301", "AA-200101", "AA-170904"]
_SKIP_KINDS = ["placement", "exchange", "withdrawal"]
_ROLL_KINDS = ["placement", "exchange", "withdrawal"]
_PRESS_KINDS = ["placement", "emptying", "withdrawal"]

# external id, name, m³, variant, order kinds, net price, waste types
DEMO_CONTAINER_TYPES: list[tuple[str, str, str, str, list[str], Decimal, list[str]]] = [
    ("BT-AS3", "Absetzcontainer", "3", "offen", _SKIP_KINDS, Decimal("149.00"), _HEAVY + _LIGHT),
    ("BT-AS5", "Absetzcontainer", "5", "offen", _SKIP_KINDS, Decimal("169.00"), _HEAVY + _LIGHT),
    ("BT-AS5D", "Absetzcontainer", "5", "mit Deckel", _SKIP_KINDS, Decimal("199.00"), _LIGHT),
    ("BT-AS7", "Absetzcontainer", "7", "offen", _SKIP_KINDS, Decimal("189.00"), _HEAVY + _LIGHT),
    (
        "BT-AS7D",
        "Absetzcontainer",
        "7",
        "mit Deckel",
        _SKIP_KINDS,
        Decimal("219.00"),
        [*_LIGHT, "AA-170605"],
    ),
    ("BT-AS10", "Absetzcontainer", "10", "offen", _SKIP_KINDS, Decimal("229.00"), _LIGHT),
    ("BT-AR10", "Abrollcontainer", "10", "offen", _ROLL_KINDS, Decimal("259.00"), _HEAVY),
    ("BT-AR20", "Abrollcontainer", "20", "offen", _ROLL_KINDS, Decimal("320.00"), _LIGHT),
    ("BT-AR36", "Abrollcontainer", "36", "offen", _ROLL_KINDS, Decimal("390.00"), _LIGHT),
    (
        "BT-PC20",
        "Presscontainer",
        "20",
        "geschlossen",
        _PRESS_KINDS,
        Decimal("450.00"),
        ["AA-200301", "AA-200101"],
    ),
]

# Legal and bank details of the demo tenants, for the letterhead and footer of their PDFs.
# The VAT ids and IBANs carry valid check digits but are made up.
DEMO_TENANT_DETAILS: dict[str, dict[str, Any]] = {
    "autohaus-demo": {
        # Customers' answers to estimates go here (the company e-mail of seed 000).
        "notification_email": "werkstatt@autohaus-demo.de",
        "register_court": "Amtsgericht Berlin-Charlottenburg",
        "register_number": "HRA 58213 B",
        "vat_id": "DE812391444",
        "managing_director": "Katrin Sommer, Jens Albrecht",
        "bank_name": "Berliner Sparkasse",
        "iban": "DE05100500000190123456",
        "bic": "BELADEBEXXX",
    },
    "containerdienst-demo": {
        "notification_email": "auftraege@containerdienst-demo.de",
        "register_court": "Amtsgericht Potsdam",
        "register_number": "HRB 31877 P",
        "vat_id": "DE275894111",
        "managing_director": "Michael Krüger",
        "bank_name": "Mittelbrandenburgische Sparkasse",
        "iban": "DE34160500003502048173",
        "bic": "WELADED1PMB",
    },
}

# Branches of the demo tenants: name suffix, street, postcode, city, federal state.
DEMO_BRANCHES = {
    "autohaus-demo": [
        ("Berlin Mitte", "Friedrichstraße 120", "10117", "Berlin", "BE"),
        ("Potsdam", "Zeppelinstraße 45", "14471", "Potsdam", "BB"),
    ],
    "containerdienst-demo": [
        ("Potsdam", "Industriestraße 7", "14482", "Potsdam", "BB"),
    ],
}

_AUTOHAUS_TERMS_V1 = """## 1. Geltungsbereich
Diese Bedingungen gelten für Reparatur-, Wartungs- und Serviceaufträge an Kraftfahrzeugen, die Sie der Autohaus Demo GmbH & Co. KG (im Folgenden „wir“) online oder vor Ort erteilen.

## 2. Kostenvoranschlag
Ein Kostenvoranschlag ist unverbindlich, soweit er nicht ausdrücklich als Festpreis bezeichnet ist. Ergibt sich bei der Arbeit, dass die Kosten um mehr als 15 % steigen, holen wir vorher Ihre Zustimmung ein.

## 3. Auftragserteilung
Mit der Annahme eines Kostenvoranschlags auf unserer Kundenseite erteilen Sie den Auftrag zu den darin genannten Leistungen und Preisen. Optionale Positionen gehören nur dazu, wenn Sie sie gewählt haben.

## 4. Abholung und Zahlung
Der Rechnungsbetrag ist bei Abholung des Fahrzeugs fällig. Holen Sie das Fahrzeug nicht innerhalb von einer Woche nach Fertigstellungsmeldung ab, können wir ein Standgeld berechnen.

## 5. Gewährleistung
Es gelten die gesetzlichen Gewährleistungsrechte."""  # noqa: E501 - paragraphs are lines of the text

_AUTOHAUS_TERMS_V2 = _AUTOHAUS_TERMS_V1.replace(
    "## 5. Gewährleistung",
    """## 5. Ablehnung eines Kostenvoranschlags
Lehnen Sie einen Kostenvoranschlag ab, berechnen wir die im Kostenvoranschlag genannte Pauschale für Rücksendung oder Entsorgung. Die Fehlersuche bis zur Erstellung des Kostenvoranschlags ist darin enthalten.

## 6. Gewährleistung""",  # noqa: E501 - paragraphs are lines of the text
)

_AUTOHAUS_PRIVACY = """## Verantwortlicher
Autohaus Demo GmbH & Co. KG, Friedrichstraße 120, 10117 Berlin
E-Mail: datenschutz@autohaus-demo.de, Telefon: +49 30 1234567

## Datenschutzbeauftragter
Sie erreichen unseren Datenschutzbeauftragten unter dsb@autohaus-demo.de.

## Welche Daten wir verarbeiten
- Name, Anschrift, Telefonnummer und E-Mail-Adresse
- Fahrzeugdaten (Kennzeichen, Fahrgestellnummer, Kilometerstand)
- Kostenvoranschläge, Aufträge, Termine und Ihre Nachrichten an uns
- bei verbindlichen Antworten: Zeitpunkt, IP-Adresse und Browser

## Zwecke und Rechtsgrundlagen
Wir verarbeiten Ihre Daten zur Durchführung Ihres Auftrags (Art. 6 Abs. 1 lit. b DSGVO), zur Erfüllung gesetzlicher Aufbewahrungspflichten (Art. 6 Abs. 1 lit. c DSGVO) und zum Nachweis Ihrer Erklärungen (Art. 6 Abs. 1 lit. f DSGVO). Erinnerungen per SMS senden wir nur mit Ihrer Einwilligung (Art. 6 Abs. 1 lit. a DSGVO), die Sie jederzeit widerrufen können.

## Empfänger
Unsere Kundenseiten betreibt ein Dienstleister in unserem Auftrag (Art. 28 DSGVO). Die Seiten laden keine Inhalte von Dritten.

## Speicherdauer
Auftrags- und Rechnungsdaten bewahren wir zehn Jahre auf (§ 147 AO, § 257 HGB), alle übrigen Daten löschen wir, sobald sie nicht mehr erforderlich sind.

## Ihre Rechte
Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, Datenübertragbarkeit und Widerspruch. Beschweren können Sie sich bei der Berliner Beauftragten für Datenschutz und Informationsfreiheit, https://www.datenschutz-berlin.de."""  # noqa: E501 - paragraphs are lines of the text

_CONTAINER_TERMS = """## 1. Geltungsbereich
Diese Bedingungen gelten für die Gestellung von Containern und die Entsorgung der Abfälle durch die Containerdienst Demo GmbH.

## 2. Stellplatz
Sie sorgen für einen befahrbaren Stellplatz. Auf öffentlichem Grund holen Sie die Sondernutzungserlaubnis ein, sofern nichts anderes vereinbart ist.

## 3. Befüllung
- Der Container darf nur bis zur Ladekante befüllt werden.
- Nur die vereinbarte Abfallart gehört hinein; Fehlwürfe berechnen wir nach Aufwand.
- Gefährliche Abfälle (z. B. Asbest, Farben, Batterien) sind ausgeschlossen.

## 4. Standzeit
Die Miete schließt 14 Tage Standzeit ein; danach berechnen wir die Tagesmiete laut Preisliste.

## 5. Zahlung
Rechnungen sind innerhalb von 14 Tagen ohne Abzug fällig."""  # noqa: E501 - paragraphs are lines of the text

_CONTAINER_PRIVACY = """## Verantwortlicher
Containerdienst Demo GmbH, Industriestraße 7, 14482 Potsdam
E-Mail: dispo@containerdienst-demo.de, Telefon: +49 331 765432

## Welche Daten wir verarbeiten
Firmen- und Ansprechpartnerdaten, Stellplätze, Bestellungen, Wiegescheine und Rechnungen sowie die Nachrichten, die Sie uns über das Kundenportal senden.

## Zwecke und Rechtsgrundlagen
Wir verarbeiten die Daten zur Ausführung Ihrer Aufträge (Art. 6 Abs. 1 lit. b DSGVO) und zur Erfüllung gesetzlicher Nachweis- und Aufbewahrungspflichten, etwa nach dem Kreislaufwirtschaftsgesetz und der Abgabenordnung (Art. 6 Abs. 1 lit. c DSGVO).

## Speicherdauer
Nachweise und Rechnungen bewahren wir so lange auf, wie es das Gesetz verlangt, in der Regel zehn Jahre.

## Ihre Rechte
Auskunft, Berichtigung, Löschung, Einschränkung, Datenübertragbarkeit und Widerspruch; Beschwerde bei der Landesbeauftragten für den Datenschutz Brandenburg."""  # noqa: E501 - paragraphs are lines of the text

# Published versions per tenant and kind, oldest first (the Autohaus has a history).
DEMO_LEGAL_TEXTS = {
    "autohaus-demo": {
        "terms": [_AUTOHAUS_TERMS_V1, _AUTOHAUS_TERMS_V2],
        "privacy": [_AUTOHAUS_PRIVACY],
    },
    "containerdienst-demo": {
        "terms": [_CONTAINER_TERMS],
        "privacy": [_CONTAINER_PRIVACY],
    },
}
