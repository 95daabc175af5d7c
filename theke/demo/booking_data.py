"""The demo's online booking (seed 001): services, advisors, and leads in every status.

A table, read by `theke.demo.booking_seed`, which plays it through the real services.
Times are relative: a lead's `day` counts working days from the seeding day (its slot is
the first free one from that day and hour on), `age` is how long ago it came in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

# name, description, minutes, price (None: "nach Aufwand").
SERVICES = [
    ("Inspektion", "Nach Herstellervorgabe, mit Serviceheft-Eintrag", 120, None),
    ("Ölwechsel", "Motoröl und Filter", 30, Decimal("89.00")),
    ("Räderwechsel", "Sommer-/Winterräder montieren, Luftdruck prüfen", 30, Decimal("39.00")),
    ("HU/AU", "Hauptuntersuchung mit Abgasuntersuchung", 60, Decimal("139.00")),
    ("Klimaservice", "Kältemittel absaugen, prüfen, neu befüllen", 60, Decimal("99.00")),
    ("Bremsen prüfen", "Sichtprüfung und Prüfstand", 30, Decimal("0.00")),
]

# The advisors (the demo's staff logins) and their week: Mon–Fri with a lunch break.
ADVISOR_EMAILS = ["berater@autohaus-demo.de", "admin@autohaus-demo.de"]
WORKING_HOURS = [
    (datetime.time(7, 30), datetime.time(12, 0)),
    (datetime.time(13, 0), datetime.time(17, 30)),
]
# Bernd Berater is away for a week, starting in ten days.
ABSENCE = ("berater@autohaus-demo.de", 10, 14, "Urlaub")

CASH_CUSTOMER_NUMBER = "99999"

NEW = "new"
PLANNED = "planned"
REJECTED = "rejected"
CANCELLED = "cancelled"
CANCELLED_BY_CUSTOMER = "cancelled_by_customer"


@dataclass(frozen=True)
class DemoLead:
    status: str
    first_name: str
    last_name: str
    email: str
    mobile: str
    postal_code: str
    services: tuple[str, ...]
    day: int
    hour: int
    age_hours: int
    license_plate: str = ""
    vin: str = ""
    make: str = ""
    model: str = ""
    mileage_km: int | None = None
    customer_number: str = ""
    note: str = ""
    city: str = "Berlin"
    street: str = ""


# Two customers in the master who look alike (typed twice years ago), and a lead that
# matches both: the duplicate screen has something to show.
NEAR_DUPLICATES = [
    ("Jürgen", "Müller", "juergen.mueller@example.org", "+49 171 5550101", "10115", "Berlin"),
    ("Jürgen", "Mueller", "j.mueller@example.net", "+49 30 5550102", "10115", "Berlin"),
]

# Eleven new leads (the badge shows "9+"), and every other status.
LEADS = [
    DemoLead(NEW, "Jürgen", "Müler", "juergen.mueller@example.org", "0171 5550101", "10115",
             ("Inspektion",), 2, 8, 3, "B-JM 1984", "", "VW", "Passat", 98500,
             note="Bitte auch die Scheibenwischer prüfen."),
    DemoLead(NEW, "Sabine", "Krause", "sabine.krause@example.org", "0172 5550201", "10247",
             ("Räderwechsel",), 1, 9, 1, "B-SK 220", "", "Opel", "Corsa", 41200),
    DemoLead(NEW, "Mehmet", "Yılmaz", "mehmet.yilmaz@example.org", "0157 5550301", "12043",
             ("HU/AU", "Bremsen prüfen"), 3, 10, 5, "B-MY 77", "WF0XXXGCDX1234567", "Ford",
             "Focus", 132000),
    DemoLead(NEW, "Claudia", "Weiß", "c.weiss@example.org", "0176 5550401", "14467",
             ("Ölwechsel",), 2, 14, 7, "P-CW 12", "", "Skoda", "Octavia", 76000),
    DemoLead(NEW, "Thomas", "Schröder", "t.schroeder@example.org", "0160 5550501", "10407",
             ("Klimaservice",), 4, 8, 20, "B-TS 501", "", "BMW", "320d", 61000),
    DemoLead(NEW, "Anja", "Becker", "anja.becker@example.org", "0170 5550601", "10585",
             ("Inspektion", "Ölwechsel"), 5, 9, 26, "B-AB 33", "", "Audi", "A4", 88000),
    DemoLead(NEW, "Lukas", "Hoffmann", "lukas.hoffmann@example.org", "0151 5550701", "13353",
             ("Räderwechsel",), 1, 15, 2, "B-LH 900", "", "Seat", "Leon", 23000),
    DemoLead(NEW, "Petra", "Schulze", "petra.schulze@example.org", "", "14469",
             ("HU/AU",), 6, 10, 30, "P-PS 4", "", "Toyota", "Yaris", 55000),
    DemoLead(NEW, "Stefan", "Koch", "stefan.koch@example.org", "0162 5550901", "10961",
             ("Bremsen prüfen",), 3, 13, 9, "B-SK 1", "", "Mercedes-Benz", "C 200", 102000,
             note="Quietscht beim Bremsen."),
    DemoLead(NEW, "Laura", "Richter", "laura.richter@example.org", "0173 5551001", "12203",
             ("Räderwechsel",), 2, 16, 4, "B-LR 8", "", "Renault", "Clio", 18000),
    DemoLead(NEW, "Frank", "Wolf", "frank.wolf@example.org", "0175 5551101", "10999",
             ("Inspektion",), 7, 8, 11, "B-FW 71", "", "VW", "Golf", 143000),
    DemoLead(PLANNED, "Eva", "Lange", "eva.lange@example.org", "0152 5551201", "10119",
             ("Ölwechsel",), 3, 11, 50, "B-EL 5", "", "Hyundai", "i30", 37000),
    DemoLead(PLANNED, "Michael", "Braun", "m.braun@example.org", "0177 5551301", "10435",
             ("HU/AU",), 4, 14, 70, "B-MB 66", "", "Kia", "Ceed", 64000),
    DemoLead(REJECTED, "Nina", "Zimmermann", "nina.z@example.org", "0159 5551401", "10243",
             ("Klimaservice",), 2, 10, 80, "B-NZ 3", "", "Fiat", "500", 29000),
    DemoLead(CANCELLED_BY_CUSTOMER, "Oliver", "Krüger", "oliver.krueger@example.org",
             "0178 5551501", "10827", ("Räderwechsel",), 5, 15, 60, "B-OK 12", "", "Mazda",
             "CX-5", 51000, note="Ich bin in der Woche leider verreist."),
    DemoLead(CANCELLED, "Julia", "Hartmann", "julia.hartmann@example.org", "0174 5551601",
             "14480", ("Inspektion",), 6, 8, 90, "P-JH 2", "", "Opel", "Astra", 87000),
]  # fmt: skip
