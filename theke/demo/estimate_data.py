"""The demo's estimates, one row each: who, what, which positions, and what became of it.

Pure data, no database: `estimate_seed` plays every row through the real services on a
shifted clock (theke.demo.clock), oldest first, so the lists, tiles, deliveries and
histories look like a few weeks of a workshop's work. Together the rows cover every status
of an estimate, every decline choice and every delivery outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

# What becomes of a row (its final status, and "revised" for one answered with a version 2).
DRAFT = "draft"
SENT = "sent"
VIEWED = "viewed"
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"
REVOKED = "revoked"
REVISED = "revised"

# An accepted row takes every position, or leaves its optional ones out.
ALL_POSITIONS = "all"
WITHOUT_OPTIONAL = "without_optional"

# What became of the link e-mail: delivered, refused by the customer's mail server for good,
# or waiting for the next attempt after a temporary outage.
DELIVERED = "sent"
REFUSED = "failed"
RETRYING = "queued"

# The object of a row: the customer's (first) vehicle, or a device's description.
VEHICLE = "vehicle"

TECHNICIAN = ("Tom Technik", "technik@autohaus-demo.de")


@dataclass(frozen=True)
class DemoPosition:
    text: str
    quantity: str
    # An article number of DEMO_ARTICLES (fills unit and price), or "" with unit and price.
    article: str = ""
    unit: str = "Stk"
    unit_price: str = ""
    optional: bool = False


@dataclass(frozen=True)
class DemoEstimate:
    number: str  # the back office's number, also its id in Theke
    customer: str  # the demo customer's number (theke.demo.data.demo_customers)
    item: str  # VEHICLE, or what the customer brought in (a device)
    defect: str
    positions: tuple[DemoPosition, ...]
    outcome: str  # DRAFT … REVISED
    days_ago: float  # when the estimate was made
    decision: str = ""  # ALL_POSITIONS / WITHOUT_OPTIONAL, or the decline choice
    handled: bool = False  # staff have marked the customer's answer as done
    photos: tuple[str, ...] = ()  # captions of generated photos
    delivery: str = DELIVERED
    # The customer's question and the shop's answer on the estimate page, in order.
    conversation: tuple[tuple[str, str], ...] = ()
    # The positions of version 2 (REVISED rows).
    revised_positions: tuple[DemoPosition, ...] = ()
    technician: bool = True  # else the answer goes to the roles that manage estimates


CUSTOMER = "customer"
STAFF = "staff"

_BRAKES = (
    DemoPosition("Bremsbeläge Vorderachse (Satz)", "1", article="BREMS-VA"),
    DemoPosition("Bremsscheiben Vorderachse (Satz)", "1", unit="Satz", unit_price="149.00"),
    DemoPosition("Arbeitswerte Bremse VA", "12", article="AW-001"),
    DemoPosition(
        "Bremsflüssigkeit erneuern (empfohlen)", "1", unit="l", unit_price="19.90", optional=True
    ),
)
_SERVICE = (
    DemoPosition("Motoröl 5W-30", "5", article="OEL-5W30"),
    DemoPosition("Ölfilter", "1", article="FIL-OEL"),
    DemoPosition("Arbeitswerte Inspektion", "8", article="AW-001"),
    DemoPosition("Wischerblätter (Paar)", "1", article="WISCH-01", optional=True),
)
_AIRCON = (
    DemoPosition("Klimaservice inkl. Kältemittel R1234yf", "1", unit_price="129.00"),
    DemoPosition("Innenraumfilter (Aktivkohle)", "1", unit_price="32.50"),
    DemoPosition("Lecksuche mit UV-Kontrastmittel", "1", unit_price="45.00", optional=True),
)
_TIMING_BELT = (
    DemoPosition("Zahnriemensatz mit Wasserpumpe", "1", unit="Satz", unit_price="289.00"),
    DemoPosition("Kühlmittel G13", "4", unit="l", unit_price="8.90"),
    DemoPosition("Arbeitswerte Zahnriemen", "28", article="AW-001"),
)
_CLUTCH = (
    DemoPosition("Kupplungssatz mit Ausrücklager", "1", unit="Satz", unit_price="349.00"),
    DemoPosition("Zweimassenschwungrad", "1", unit_price="489.00"),
    DemoPosition("Arbeitswerte Kupplung", "45", article="AW-001"),
)
_HEATER = (
    DemoPosition("Fehlersuche Standheizung", "1", unit_price="59.00"),
    DemoPosition("Glühstift Standheizung", "1", unit_price="64.80"),
    DemoPosition("Arbeitswerte Elektrik", "6", article="AW-002"),
)
_NAVI = (
    DemoPosition("Display-Einheit Navigationsgerät", "1", unit_price="312.00"),
    DemoPosition("Arbeitswerte Elektrik", "4", article="AW-002"),
    DemoPosition("Software-Update Kartenmaterial", "1", unit_price="79.00", optional=True),
)
_KEY = (
    DemoPosition("Funkschlüssel mit Transponder", "1", unit_price="186.00"),
    DemoPosition("Schlüssel anlernen", "1", unit_price="49.00"),
)
_RADIO = (
    DemoPosition("Verstärkerplatine Radio", "1", unit_price="142.00"),
    DemoPosition("Arbeitswerte Elektrik", "5", article="AW-002"),
)

# Oldest first is not required: the seeder orders every step of every row by its time.
DEMO_ESTIMATES: tuple[DemoEstimate, ...] = (
    DemoEstimate(
        "KV-26-0101",
        "10001",
        VEHICLE,
        "Zahnriemenwechsel laut Herstellervorgabe fällig (120.000 km).",
        _TIMING_BELT,
        DRAFT,
        days_ago=0,
    ),
    DemoEstimate(
        "KV-26-0102",
        "10002",
        VEHICLE,
        "Bremsen vorne quietschen, Scheiben unter Mindeststärke.",
        _BRAKES,
        SENT,
        days_ago=1,
        photos=("Bremsscheibe vorne links – Riefen",),
    ),
    DemoEstimate(
        "KV-26-0103",
        "10003",
        "Navigationsgerät (ausgebaut), Display ohne Bild",
        "Display bleibt schwarz, Gerät startet nicht mehr.",
        _NAVI,
        SENT,
        days_ago=5,
        delivery=REFUSED,
    ),
    DemoEstimate(
        "KV-26-0104",
        "10004",
        VEHICLE,
        "Klimaanlage kühlt nicht mehr ausreichend.",
        _AIRCON,
        VIEWED,
        days_ago=2,
        conversation=(
            (CUSTOMER, "Muss der Innenraumfilter wirklich mit? Der wurde im Frühjahr getauscht."),
        ),
    ),
    DemoEstimate(
        "KV-26-0105",
        "10006",
        VEHICLE,
        "Kupplung rutscht beim Beschleunigen, Geräusche beim Auskuppeln.",
        _CLUTCH,
        VIEWED,
        days_ago=6,
        photos=("Kupplungsscheibe – verschlissen", "Schwungrad – Hitzerisse"),
        technician=False,
    ),
    DemoEstimate(
        "KV-26-0106",
        "10007",
        VEHICLE,
        "Inspektion nach Serviceintervall.",
        _SERVICE,
        ACCEPTED,
        days_ago=9,
        decision=ALL_POSITIONS,
        handled=True,
    ),
    DemoEstimate(
        "KV-26-0107",
        "10008",
        VEHICLE,
        "Bremsbeläge vorne verschlissen, Scheiben unter Mindeststärke.",
        _BRAKES,
        ACCEPTED,
        days_ago=3,
        decision=WITHOUT_OPTIONAL,
        photos=("Bremsbeläge vorne – Restbelag 2 mm",),
    ),
    DemoEstimate(
        "KV-26-0108",
        "10009",
        "Standheizung Webasto (ausgebaut)",
        "Standheizung startet nicht, Fehlercode Glühstift.",
        _HEATER,
        DECLINED,
        days_ago=4,
        decision="return_shipping",
        photos=("Glühstift – verrußt",),
    ),
    DemoEstimate(
        "KV-26-0109",
        "10011",
        "Autoradio (ausgebaut), kein Ton",
        "Radio ohne Tonausgabe, Verstärker defekt.",
        _RADIO,
        DECLINED,
        days_ago=7,
        decision="disposal",
        handled=True,
    ),
    # A car's estimate declined: picked up unrepaired, or scrapped (estimates.decline_choices).
    DemoEstimate(
        "KV-26-0114",
        "10017",
        VEHICLE,
        "Bremsen vorne verschlissen; der Kunde lässt sie lieber woanders machen.",
        _BRAKES,
        DECLINED,
        days_ago=3,
        decision="pickup_unrepaired",
    ),
    DemoEstimate(
        "KV-26-0115",
        "10018",
        VEHICLE,
        "Inspektion fällig, Unterboden stark durchgerostet: die Reparatur lohnt kaum.",
        _SERVICE,
        DECLINED,
        days_ago=9,
        decision="scrapping",
        handled=True,
    ),
    DemoEstimate(
        "KV-26-0110",
        "10012",
        VEHICLE,
        "Inspektion und Wischerblätter.",
        _SERVICE,
        EXPIRED,
        days_ago=30,
    ),
    DemoEstimate(
        "KV-26-0111",
        "10013",
        VEHICLE,
        "Bremsen hinten und vorne verschlissen.",
        _BRAKES,
        REVISED,
        days_ago=4,
        photos=("Bremsscheibe hinten – Rost",),
        conversation=(
            (CUSTOMER, "Geht es auch ohne neue Scheiben? Die Beläge allein würden mir reichen."),
            (
                STAFF,
                "Die Scheiben sind unter Mindeststärke. Wir haben Ihnen eine günstigere "
                "Variante mit Scheiben aus dem Zubehör eingestellt.",
            ),
        ),
        revised_positions=(
            DemoPosition("Bremsbeläge Vorderachse (Satz)", "1", article="BREMS-VA"),
            DemoPosition(
                "Bremsscheiben Vorderachse, Zubehör (Satz)", "1", unit="Satz", unit_price="98.00"
            ),
            DemoPosition("Arbeitswerte Bremse VA", "12", article="AW-001"),
        ),
    ),
    DemoEstimate(
        "KV-26-0112",
        "10014",
        "Funkschlüssel (defekt)",
        "Schlüssel öffnet das Fahrzeug nicht mehr, Gehäuse gebrochen.",
        _KEY,
        REVOKED,
        days_ago=12,
    ),
    DemoEstimate(
        "KV-26-0113",
        "10016",
        VEHICLE,
        "Klimaanlage riecht muffig.",
        _AIRCON,
        SENT,
        days_ago=0.035,  # sent 40 minutes ago, the mail server down since
        delivery=RETRYING,
    ),
)

# A reply by e-mail to the thread of this estimate from an address the shop does not know:
# the quarantine's example (sender, subject, text).
QUARANTINED_REPLY = (
    "KV-26-0104",
    "m.neumann.privat@example.net",
    "AW: Kostenvoranschlag KV-26-0104",
    "Hallo, ich schreibe für meinen Mann: Bitte rufen Sie uns wegen des Filters an.",
)
