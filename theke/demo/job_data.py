"""The job manager's demo (seed 004) as data: the car dealer's private customers, vehicles in
stock and the jobs of the standard workflow, one row per job with its steps.

Data only (no queries): `theke.demo.job_seed` plays it through the job services.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from theke.jobs.models import FieldType
from theke.jobs.standard import FieldSpec

# Steps of a job (played in order, each at its time).
NOTE = "note"  # staff save the staff view: values
CUSTOMER = "customer"  # the customer saves the customer view: values
PHASE = "phase"  # staff activate a phase: key
DOCUMENT = "document"  # staff create and save documents: ((field key, document code), …)
OFFER = "offer"  # staff create the offer, configure the vehicle, create it again: price
PAY = "pay"  # staff send a payment link; the customer pays online: paid (bool)
ASSIGN = "assign"  # the job goes to a staff member: e-mail


@dataclass(frozen=True)
class JobCustomer:
    number: str
    first_name: str
    last_name: str
    email: str
    mobile: str
    street: str
    postal_code: str
    city: str


JOB_CUSTOMERS = (
    JobCustomer(
        "40001",
        "Petra",
        "Neumann",
        "petra.neumann@example.org",
        "+49 170 12345670",
        "Lindenallee 5",
        "14467",
        "Potsdam",
    ),
    JobCustomer(
        "40002",
        "Jonas",
        "Becker",
        "jonas.becker@example.org",
        "+49 151 23456780",
        "Schillerstraße 12",
        "10625",
        "Berlin",
    ),
    JobCustomer(
        "40003",
        "Sabine",
        "Krüger",
        "sabine.krueger@example.org",
        "+49 160 34567890",
        "Am Markt 3",
        "15344",
        "Strausberg",
    ),
    JobCustomer(
        "40004",
        "Mehmet",
        "Aydin",
        "mehmet.aydin@example.org",
        "+49 176 45678900",
        "Kastanienallee 44",
        "10435",
        "Berlin",
    ),
    JobCustomer(
        "40005",
        "Laura",
        "Schulz",
        "laura.schulz@example.org",
        "+49 157 56789010",
        "Birkenweg 8",
        "16515",
        "Oranienburg",
    ),
    JobCustomer(
        "40006",
        "Thomas",
        "Richter",
        "thomas.richter@example.org",
        "+49 171 67890120",
        "Goethestraße 27",
        "14482",
        "Potsdam",
    ),
    JobCustomer(
        "40007",
        "Katharina",
        "Vogel",
        "katharina.vogel@example.org",
        "+49 152 78901230",
        "Mühlenweg 2",
        "14612",
        "Falkensee",
    ),
    JobCustomer(
        "40008",
        "Frank",
        "Hoffmann",
        "frank.hoffmann@example.org",
        "+49 170 89012340",
        "Bahnhofstraße 19",
        "12043",
        "Berlin",
    ),
    JobCustomer(
        "40009",
        "Lena",
        "Wolf",
        "lena.wolf@example.org",
        "+49 176 90123450",
        "Gartenweg 6",
        "14467",
        "Potsdam",
    ),
    JobCustomer(
        "40010",
        "Daniel",
        "Braun",
        "daniel.braun@example.org",
        "+49 151 01234560",
        "Hauptstraße 101",
        "10827",
        "Berlin",
    ),
    JobCustomer(
        "40011",
        "Monika",
        "Lange",
        "monika.lange@example.org",
        "+49 160 13579130",
        "Lindenallee 21",
        "15344",
        "Strausberg",
    ),
    JobCustomer(
        "40012",
        "Stefan",
        "Krause",
        "stefan.krause@example.org",
        "+49 157 24680240",
        "Am Markt 9",
        "16515",
        "Oranienburg",
    ),
)
# The customer with a customer login (password theke-demo): her Parkplatz shows her jobs.
LOGIN_CUSTOMER = 0


@dataclass(frozen=True)
class StockVehicle:
    """A vehicle in stock (no holder) at a branch (index into the demo's two branches)."""

    vin: str
    make: str
    model: str
    license_plate: str
    first_registration: datetime.date | None
    mileage_km: int | None
    branch: int


STOCK = (
    StockVehicle("WVWZZZCDZPW100001", "Volkswagen", "Golf 8 Variant 1.5 eTSI", "", None, 10, 0),
    StockVehicle(
        "WVGZZZ5NZPW100002",
        "Volkswagen",
        "Tiguan 2.0 TDI",
        "B-AH 2231",
        datetime.date(2023, 4, 1),
        31500,
        1,
    ),
    StockVehicle(
        "TMBJR7NX0PY100003",
        "Skoda",
        "Octavia Combi 2.0 TDI",
        "B-AH 2240",
        datetime.date(2022, 9, 1),
        48200,
        0,
    ),
    StockVehicle("WAUZZZGY0PA100004", "Audi", "A3 Sportback 35 TFSI", "", None, 15, 1),
    StockVehicle(
        "WBA8K11000B100005",
        "BMW",
        "320d Touring",
        "B-AH 1987",
        datetime.date(2021, 6, 1),
        62400,
        0,
    ),
    StockVehicle(
        "W0VPC6EB0P1100006", "Opel", "Corsa 1.2", "B-AH 3105", datetime.date(2023, 2, 1), 18900, 1
    ),
    StockVehicle(
        "WDD1770841J100007",
        "Mercedes-Benz",
        "A 180 Progressive",
        "B-AH 2718",
        datetime.date(2022, 3, 1),
        27600,
        0,
    ),
    StockVehicle("YV1XZEFV0P2100008", "Volvo", "XC40 Recharge", "", None, 25, 1),
    StockVehicle(
        "VSSZZZKJZPR100009",
        "Seat",
        "Leon Sportstourer 1.5 TSI",
        "B-AH 3344",
        datetime.date(2023, 7, 1),
        12800,
        0,
    ),
    StockVehicle(
        "W0L0ZZZ1ZP1100010", "Opel", "Astra 1.2", "B-AH 1120", datetime.date(2020, 5, 1), 74100, 1
    ),
)

BERATER = "berater@autohaus-demo.de"
VERTRIEB = "vertrieb@autohaus-demo.de"

DELIVERY = {"auslieferung_gewuenscht": True, "lieferadresse": "Lindenallee 5, 14467 Potsdam"}
PICKUP = {"auslieferung_gewuenscht": False}


@dataclass(frozen=True)
class DemoJob:
    """One job: `customer` and `vehicle` index JOB_CUSTOMERS and STOCK (staff and API jobs;
    a callback request or a parked request names its vehicle in words: the title); `started`
    is how long ago it started; each step is (hours after the start, kind, argument)."""

    title: str
    customer: int
    vehicle: int | None
    origin: str
    started: datetime.timedelta
    steps: tuple[tuple[float, str, Any], ...] = ()
    callback_phone: str = ""
    message: str = ""
    external_id: str = ""
    by: str = VERTRIEB


def _days(days: float) -> datetime.timedelta:
    return datetime.timedelta(days=days)


def _sale(
    *,
    price: str,
    accept_after: float,
    delivery: dict[str, Any],
    more: tuple[tuple[float, str, Any], ...] = (),
) -> tuple[tuple[float, str, Any], ...]:
    """Callback answered, offer made, offer accepted, delivery or pickup chosen."""
    return (
        (0.5, ASSIGN, VERTRIEB),
        (1, NOTE, {"interne_notiz": "Kunde telefonisch erreicht, Angebot zugesagt."}),
        (2, PHASE, "angebot"),
        (2.5, OFFER, price),
        (accept_after, CUSTOMER, {"angebot_angenommen": True}),
        (accept_after + 1, PHASE, "angenommen"),
        (accept_after + 2, NOTE, {"jobstatus": "sold"}),
        (accept_after + 20, CUSTOMER, delivery),
        *more,
    )


def _invoiced(at: float) -> tuple[tuple[float, str, Any], ...]:
    return (
        (at, PHASE, "bestellung"),
        (
            at + 0.5,
            DOCUMENT,
            (("auftragsbestaetigung", "order_confirmation"), ("rechnung", "invoice")),
        ),
    )


def _paid(at: float) -> tuple[tuple[float, str, Any], ...]:
    return (
        (at, PAY, True),
        (at + 2, PHASE, "zahlung"),
        (at + 3, NOTE, {"zahlung_geprueft": True}),
    )


DEMO_JOBS = (
    # --- the archive: closed and canceled ---
    DemoJob(
        "VW Golf 8 Variant – Neuwagen",
        LOGIN_CUSTOMER,
        None,
        "staff",
        _days(42),
        _sale(price="32490.00", accept_after=30, delivery=PICKUP)
        + _invoiced(60)
        + _paid(80)
        + (
            (100, PHASE, "abholung"),
            (101, NOTE, {"uebergabetermin": "Samstag, 10:00 Uhr"}),
            (170, DOCUMENT, (("uebergabeprotokoll", "handover"),)),
            (171, PHASE, "meinung"),
            (
                200,
                CUSTOMER,
                {
                    "bewertung": "sehr zufrieden",
                    "kommentar": "Alles bestens, sehr freundliche Beratung!",
                },
            ),
            (210, NOTE, {"jobstatus": "closed"}),
        ),
        by=VERTRIEB,
    ),
    DemoJob(
        "Opel Astra – Übergabe ohne Bewertung",
        11,
        9,
        "staff",
        _days(30),
        _sale(price="11900.00", accept_after=20, delivery=PICKUP)
        + _invoiced(40)
        + _paid(55)
        + (
            (70, PHASE, "abholung"),
            (71, NOTE, {"uebergabetermin": "Dienstag, 16:30 Uhr"}),
            (140, NOTE, {"jobstatus": "closed"}),
        ),
    ),
    DemoJob(
        "Leasing-Rückläufer (Kombi)",
        10,
        None,
        "callback",
        _days(21),
        (
            (3, NOTE, {"interne_notiz": "Kundin hat inzwischen anderswo gekauft."}),
            (4, NOTE, {"jobstatus": "canceled"}),
        ),
        callback_phone="+4916013579130",
        message="Haben Sie kurzfristig einen Leasing-Rückläufer als Kombi?",
    ),
    DemoJob(
        "BMW 320d Touring – Angebot abgelehnt",
        5,
        4,
        "staff",
        _days(14),
        (
            (1, PHASE, "angebot"),
            (1.5, OFFER, "27900.00"),
            (30, CUSTOMER, {"rueckfragen": "Leider zu teuer für uns, trotzdem danke."}),
            (32, NOTE, {"jobstatus": "canceled"}),
        ),
    ),
    # --- running: in the standard workflow's phases ---
    DemoJob(
        "Volvo XC40 Recharge – Neuwagen",
        8,
        7,
        "staff",
        _days(12),
        _sale(price="46990.00", accept_after=24, delivery=DELIVERY) + _invoiced(60) + _paid(100),
    ),
    DemoJob(
        "Mercedes-Benz A 180 – Jahreswagen",
        7,
        6,
        "staff",
        _days(9),
        _sale(price="24750.00", accept_after=20, delivery=PICKUP)
        + _invoiced(50)
        + ((51, PAY, False),),
    ),
    DemoJob(
        "Audi A3 Sportback – Auslieferung",
        6,
        3,
        "staff",
        _days(6),
        _sale(
            price="36480.00",
            accept_after=26,
            delivery={
                "auslieferung_gewuenscht": True,
                "lieferadresse": "Mühlenweg 2, 14612 Falkensee (bitte nach 16 Uhr)",
            },
        ),
    ),
    DemoJob(
        "Seat Leon Sportstourer – Ihre Meinung",
        9,
        8,
        "staff",
        _days(20),
        _sale(price="21990.00", accept_after=20, delivery=PICKUP)
        + _invoiced(40)
        + _paid(60)
        + (
            (80, PHASE, "abholung"),
            (81, NOTE, {"uebergabetermin": "Montag, 9:00 Uhr"}),
            (300, PHASE, "meinung"),
        ),
    ),
    DemoJob(
        "VW Golf 8 Variant – Angebot",
        LOGIN_CUSTOMER,
        0,
        "staff",
        _days(4),
        (
            (0.5, ASSIGN, VERTRIEB),
            (2, NOTE, {"interne_notiz": "Möchte ihren Golf VII in Zahlung geben."}),
            (70, PHASE, "angebot"),
            (71, OFFER, "31990.00"),
        ),
    ),
    DemoJob(
        "BMW 320d Touring – Rückfrage zum Angebot",
        5,
        4,
        "staff",
        _days(3),
        (
            (1, PHASE, "angebot"),
            (2, OFFER, "26900.00"),
            (
                40,
                CUSTOMER,
                {"rueckfragen": "Ist eine Anhängerkupplung nachrüstbar? Was würde das kosten?"},
            ),
        ),
        by=BERATER,
    ),
    DemoJob(
        "Opel Corsa 1.2",
        4,
        5,
        "callback",
        _days(2),
        (
            (
                1,
                NOTE,
                {
                    "interne_notiz": "Kundin wünscht keine E-Mails und SMS, nur Anrufe.",
                    "nachrichten_unterdruecken": True,
                },
            ),
            (1.1, ASSIGN, BERATER),
            (20, PHASE, "angebot"),
            (20.5, OFFER, "15490.00"),
        ),
        callback_phone="+4915756789010",
        message="Ist der Corsa noch da? Ich könnte am Wochenende vorbeikommen.",
    ),
    # --- new: waiting for a callback ---
    DemoJob(
        "Finanzierung Jahreswagen",
        2,
        None,
        "callback",
        _days(1),
        callback_phone="+4916034567890",
        message="Welche Finanzierung bieten Sie für einen Jahreswagen an? Anzahlung etwa 5.000 €.",
    ),
    DemoJob(
        "VW Tiguan 2.0 TDI",
        1,
        1,
        "callback",
        datetime.timedelta(hours=5),
        callback_phone="+4915123456780",
        message="Ich interessiere mich für den Tiguan. Bitte rufen Sie mich nach 17 Uhr an.",
    ),
    DemoJob(
        "Anfrage Fahrzeugbörse: Skoda Octavia Combi",
        3,
        2,
        "api",
        datetime.timedelta(hours=3),
        callback_phone="+4917645678900",
        message="Guten Tag, ist der Octavia noch verfügbar? Ist eine Probefahrt am Samstag "
        "möglich? Inzahlungnahme meines Passat (2015) gewünscht.",
        external_id="BOERSE-2026-118842",
    ),
    DemoJob(
        "Audi A3 Sportback",
        LOGIN_CUSTOMER,
        3,
        "parking",
        datetime.timedelta(hours=2),
        message="Den A3 würde ich gern Probe fahren – geht das diese Woche?",
    ),
)


# --- the copied workflow "Werkstatt-Auftrag" ---

WORKSHOP_NAME = "Werkstatt-Auftrag"
# The tenant's own fields: a replacement car (checkbox) and its class (select list, shown
# only when a replacement car is wanted); v2 drops the class and adds a pick-up service.
WORKSHOP_FIELDS = (
    FieldSpec("ersatzwagen", "Ersatzwagen gewünscht", FieldType.CHECKBOX),
    FieldSpec(
        "ersatzwagen_klasse",
        "Ersatzwagen-Klasse",
        FieldType.SELECT,
        options=("Kleinwagen", "Kompaktklasse", "Kombi"),
    ),
    FieldSpec("hol_und_bring", "Hol- und Bringservice", FieldType.CHECKBOX),
)
WORKSHOP_CONDITION = "ersatzwagen = ja"
# Jobs still on v1 when v2 is published (customer, title, values, phase to activate).
WORKSHOP_JOBS: tuple[tuple[int, str, dict[str, Any], str], ...] = (
    (
        5,
        "Werkstatt: Inspektion mit Ersatzwagen",
        {"ersatzwagen": True, "ersatzwagen_klasse": "Kombi"},
        "",
    ),
    (2, "Werkstatt: Bremsen vorne", {"ersatzwagen": False}, "angebot"),
)
