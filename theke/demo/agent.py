"""A simulated back-office system ("agent") that talks to Theke only through its HTTP API.

It pushes a realistic working day of a car workshop (customers with vehicles, articles,
repair orders, an estimate with photo and link, an invoice with its PDF, appointments;
the flat fees are the shop's own special articles, kept in Theke) and then pulls the event
feed, printing every call, so a user can watch the round trip. Used by
`manage.py agent_demo`; deliberately written like an integrator would write it: plain
`requests`, an Idempotency-Key on every POST, the cursor kept.
"""

from __future__ import annotations

import datetime
import io
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests

from theke.demo.photos import demo_photo

Printer = Callable[[str], object]


class AgentError(RuntimeError):
    """The server answered something the agent cannot go on with."""


@dataclass
class Agent:
    base_url: str
    key: str
    out: Printer = print
    session: requests.Session = field(default_factory=requests.Session)
    cursor: str | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.session.headers["Authorization"] = f"Bearer {self.key}"
        self.session.headers["User-Agent"] = "Theke-Agent-Demo/1"

    # --- HTTP ---------------------------------------------------------------------------

    def call(self, method: str, path: str, expect: tuple[int, ...] = (200, 201), **kw: Any) -> Any:
        if method == "POST":
            kw.setdefault("headers", {})["Idempotency-Key"] = str(uuid.uuid4())
        try:
            response = self.session.request(method, f"{self.base_url}/api/v1{path}", **kw)
        except requests.ConnectionError as exc:
            raise AgentError(
                f"Theke is not reachable at {self.base_url} – is it running (make run)?"
            ) from exc
        self.out(f"  {method:6} {path:48} -> {response.status_code}")
        if response.status_code not in expect:
            raise AgentError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.call("PUT", path, json=body)

    def bulk(self, resource: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = self.call(
            "POST", f"/{resource}/bulk", expect=(200,), json={"items": items}
        )["results"]
        failed = [r for r in results if r["status"] == "error"]
        counts = {s: sum(r["status"] == s for r in results) for s in ("created", "updated")}
        self.out(
            f"         {counts['created']} created, {counts['updated']} updated, "
            f"{len(failed)} refused"
        )
        for result in failed:
            self.out(f"         ! {result['external_id']}: {result['errors']}")
        return results

    def upload(self, path: str, name: str, data: bytes, content_type: str, **form: str) -> Any:
        files = {"file": (name, data, content_type)}
        return self.call("POST", path, files=files, data=form)

    # --- the day --------------------------------------------------------------------------

    def push_day(self, today: datetime.date) -> dict[str, Any]:
        """Push one day of a workshop's data; returns what the user may want to open."""
        self.out("Stammdaten (customers, vehicles, articles):")
        for customer in CUSTOMERS:
            self.put(f"/customers/{customer['external_id']}", _without_id(customer))
        self.bulk("vehicles", VEHICLES)
        self.bulk("articles", ARTICLES)

        self.out("Aufträge (repair orders):")
        self.bulk("orders", _orders(today))

        self.out("Kostenvoranschlag (estimate with positions, photo and link):")
        link = self.call("POST", "/estimates/KV-24-0815/link", expect=(200, 201), json={})
        self.out(f"         link (before the data): {link['url']}")
        self.put("/estimates/KV-24-0815", _estimate(today))
        self.upload(
            "/estimates/KV-24-0815/photos",
            "bremsscheibe.png",
            demo_photo("Bremsscheibe VA links – Riefen"),
            "image/png",
            caption="Bremsscheibe vorne links",
            external_id="FOTO-1",
        )

        self.out("Rechnung (invoice with PDF):")
        self.put("/invoices/RE-24-1203", _invoice(today))
        self.call(
            "PUT",
            "/invoices/RE-24-1203/pdf",
            files={"file": ("RE-24-1203.pdf", _pdf("Rechnung RE-24-1203"), "application/pdf")},
        )

        self.out("Termine (appointments):")
        self.bulk("appointments", _appointments(today))
        return {"estimate_url": link["url"]}

    def pull_events(self) -> int:
        """Read the feed from the stored cursor to its end; returns how many were new."""
        seen = 0
        while True:
            params = {"limit": 100} | ({"after": self.cursor} if self.cursor else {})
            page = self.session.get(f"{self.base_url}/api/v1/events", params=params, timeout=30)
            if page.status_code != 200:
                raise AgentError(f"GET /events: {page.status_code} {page.text[:300]}")
            body = page.json()
            for event in body["events"]:
                seen += 1
                payload = ", ".join(f"{k}={v}" for k, v in list(event["payload"].items())[:4])
                self.out(
                    f"  {event['id']:>10}  {event['type']:28} {event['external_id']:14} {payload}"
                )
            self.cursor = body["next_cursor"]
            if not body["has_more"]:
                return seen

    def watch(self, seconds: float, interval: float = 2.0) -> None:
        """Poll the feed like an agent does in the background."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(interval)
            self.pull_events()


# --- the demo data (what a workshop's back office knows) -------------------------------------


def _without_id(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "external_id"}


def _contact(first: str, last: str, email: str, mobile: str, sms: bool) -> dict[str, Any]:
    return {
        "external_id": f"{email}",
        "first_name": first,
        "last_name": last,
        "email": email,
        "mobile_phone": mobile,
        "is_primary": True,
        "consent_email": True,
        "consent_sms": sms,
    }


CUSTOMERS: list[dict[str, Any]] = [
    {
        "external_id": "K-20001",
        "kind": "person",
        "number": "20001",
        "salutation": "Frau",
        "first_name": "Sabine",
        "last_name": "Krüger",
        "contacts": [_contact("Sabine", "Krüger", "s.krueger@example.com", "+4915112340001", True)],
    },
    {
        "external_id": "K-20002",
        "kind": "person",
        "number": "20002",
        "salutation": "Herr",
        "first_name": "Murat",
        "last_name": "Yılmaz",
        "contacts": [
            _contact("Murat", "Yılmaz", "murat.yilmaz@example.com", "+4917655500002", True)
        ],
    },
    {
        "external_id": "K-20003",
        "kind": "company",
        "number": "20003",
        "company_name": "Bäckerei Sonnenschein GmbH",
        "contacts": [
            _contact("Jonas", "Weber", "fuhrpark@sonnenschein.example", "+4916090000003", False)
        ],
    },
]

VEHICLES: list[dict[str, Any]] = [
    {
        "external_id": "FZ-501",
        "customer_external_id": "K-20001",
        "vin": "WVWZZZ1KZ8W123456",
        "license_plate": "B-SK 2401",
        "make": "Volkswagen",
        "model": "Golf VI",
        "mileage_km": 148200,
    },
    {
        "external_id": "FZ-502",
        "customer_external_id": "K-20002",
        "vin": "WBA3A5C55CF256987",
        "license_plate": "B-MY 77",
        "make": "BMW",
        "model": "320d",
        "mileage_km": 96400,
    },
    {
        "external_id": "FZ-503",
        "customer_external_id": "K-20003",
        "vin": "WDB9066331S678901",
        "license_plate": "B-BS 1090",
        "make": "Mercedes-Benz",
        "model": "Sprinter",
        "mileage_km": 211000,
    },
]

ARTICLES: list[dict[str, Any]] = [
    {
        "external_id": "ART-BS-VA",
        "number": "BS-VA",
        "text": "Bremsscheiben Vorderachse (Satz)",
        "unit": "Satz",
        "price": "149.00",
    },
    {
        "external_id": "ART-BB-VA",
        "number": "BB-VA",
        "text": "Bremsbeläge Vorderachse (Satz)",
        "unit": "Satz",
        "price": "89.00",
    },
    {
        "external_id": "ART-AW",
        "number": "AW",
        "text": "Arbeitswert Mechanik",
        "unit": "AW",
        "price": "14.50",
    },
    {
        "external_id": "ART-BFL",
        "number": "BFL-DOT4",
        "text": "Bremsflüssigkeit DOT 4, 1 Liter",
        "unit": "l",
        "price": "19.90",
    },
]


def _orders(today: datetime.date) -> list[dict[str, Any]]:
    jobs = [
        ("K-20001", "FZ-501", "Bremsen vorne quietschen", "open"),
        ("K-20002", "FZ-502", "Inspektion 90.000 km", "planned"),
        ("K-20003", "FZ-503", "Ölwechsel und HU-Vorbereitung", "in_progress"),
        ("K-20001", "FZ-501", "Klimaanlage prüfen", "planned"),
    ]
    return [
        {
            "external_id": f"AU-24-{100 + index}",
            "kind": "repair",
            "number": f"24-{100 + index}",
            "customer_external_id": customer,
            "vehicle_external_id": vehicle,
            "title": title,
            "status": status,
            "planned_date": (today + datetime.timedelta(days=index)).isoformat(),
        }
        for index, (customer, vehicle, title, status) in enumerate(jobs)
    ]


def _estimate(today: datetime.date) -> dict[str, Any]:
    return {
        "customer_external_id": "K-20001",
        # The Golf itself: a declining customer picks it up unrepaired or has it scrapped.
        "vehicle_external_id": "FZ-501",
        "order_external_id": "AU-24-100",
        "number": "KV-24-0815",
        "object_description": "VW Golf VI, B-SK 2401",
        "defect_description": "Bremsscheiben vorne unter Mindeststärke, Beläge verschlissen.",
        "technician": {"name": "Tobias Brandt", "email": "technik@autohaus-demo.de"},
        "valid_until": (today + datetime.timedelta(days=14)).isoformat(),
        "positions": [
            {
                "article_external_id": "ART-BS-VA",
                "text": "Bremsscheiben Vorderachse (Satz)",
                "quantity": "1",
                "unit": "Satz",
                "unit_price": "149.00",
                "vat_rate": "19.00",
            },
            {
                "article_external_id": "ART-BB-VA",
                "text": "Bremsbeläge Vorderachse (Satz)",
                "quantity": "1",
                "unit": "Satz",
                "unit_price": "89.00",
                "vat_rate": "19.00",
            },
            {
                "article_external_id": "ART-AW",
                "text": "Arbeitswerte Bremse VA",
                "quantity": "12",
                "unit": "AW",
                "unit_price": "14.50",
                "vat_rate": "19.00",
            },
            {
                "article_external_id": "ART-BFL",
                "text": "Bremsflüssigkeit erneuern (empfohlen)",
                "quantity": "1",
                "optional": True,
            },
        ],
    }


def _invoice(today: datetime.date) -> dict[str, Any]:
    net = Decimal("312.40")
    return {
        "customer_external_id": "K-20002",
        "order_external_id": "AU-24-101",
        "number": "RE-24-1203",
        "issue_date": today.isoformat(),
        "due_date": (today + datetime.timedelta(days=14)).isoformat(),
        "net_total": str(net),
        "gross_total": str((net * Decimal("1.19")).quantize(Decimal("0.01"))),
    }


def _appointments(today: datetime.date) -> list[dict[str, Any]]:
    tz = datetime.timezone(datetime.timedelta(hours=1))
    day = today + datetime.timedelta(days=1)
    slots = [
        ("TE-3001", "K-20001", "FZ-501", 8, "Bremsen vorne erneuern"),
        ("TE-3002", "K-20002", "FZ-502", 10, "Inspektion 90.000 km"),
        ("TE-3003", "K-20003", "FZ-503", 13, "Ölwechsel"),
    ]
    return [
        {
            "external_id": external_id,
            "customer_external_id": customer,
            "vehicle_external_id": vehicle,
            "start": datetime.datetime.combine(day, datetime.time(hour), tz).isoformat(),
            "end": datetime.datetime.combine(day, datetime.time(hour + 2), tz).isoformat(),
            "status": "planned",
            "work_description": work,
        }
        for external_id, customer, vehicle, hour, work in slots
    ]


def _pdf(title: str) -> bytes:
    """A small but valid one-page PDF (what a back office would attach)."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R"
        b" >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()
