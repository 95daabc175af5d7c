#!/usr/bin/env python
"""The customer's estimate page (/k/<token>/) under concurrent load through gunicorn.

A fresh database gets a tenant with logo and brand colour, a customer with a contact, one
estimate with 10 positions and 4 defect photos (~100-300 KB each, through the services) and
a link. gunicorn (2 workers x 4 threads, as `manage.py serve` runs it) serves it; the first
GET records "viewed", a few more warm the workers up. Then 20 keep-alive clients (threads of
a separate client process, so the client's GIL is not the server's) fetch the page for N
seconds; requests/s, p50/p95/p99 latency and errors are printed, with the HTML's size and a
check that the page references nothing from another host, and the bytes of the page's first
view on a phone: Chromium at 390 × 844 CSS px (3x), counting every response it receives until
the network is idle (HTML, CSS, JS, logo, the photos' thumbnails it loads near the viewport),
bodies as transferred (static files gzip-compressed by whitenoise), headers included.

Baseline measured in the same run, by the same clients against the same gunicorn: a bare
Django view returning the page's bytes from memory (a URL that only the bench's own settings
module, written to the temporary directory, adds to the product's URLs).

    .venv/bin/python -P bench/estimate_page.py [--seconds 20] [--clients 20] [--rounds 2]
    THEKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -P bench/estimate_page.py

The PostgreSQL database is created when missing and flushed first: use one meant for
benchmarks.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import io
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the stdlib: bench/calendar.py is no stdlib calendar

from api_bulk import Server, ensure_postgres_database  # noqa: E402

from theke.core.tests.browser import FirstView  # noqa: E402

BARE_PATH = "/bench-bare/"
EXTERNAL_ID = "KV-BENCH"
MARKER = "KV-2026-0815"  # the estimate's number: a served page must contain it

# The bench's settings and URLs for gunicorn: the product's, plus the bare view.
SETTINGS_MODULE = """from theke.settings import *  # noqa: F403

ROOT_URLCONF = "bench_estimate_urls"
"""
URLS_MODULE = """import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from theke.urls import urlpatterns as product

BODY = []  # read once, on the first request: the bench writes the file after starting


def bare(request):
    if not BODY:
        BODY.append(Path(os.environ["BENCH_BARE_BODY"]).read_bytes())
    return HttpResponse(BODY[0], content_type="text/html; charset=utf-8")


urlpatterns = [path("bench-bare/", bare), *product]
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="load per measurement")
    parser.add_argument("--clients", type=int, default=20, help="concurrent keep-alive clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternations of page and baseline in the time"
    )
    return parser.parse_args()


def setup_django(var_dir: str) -> None:
    os.environ["THEKE_VAR_DIR"] = var_dir
    os.environ["THEKE_STATIC_ROOT"] = str(Path(var_dir) / "static")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    if "THEKE_DATABASE_URL" in os.environ:
        ensure_postgres_database(os.environ["THEKE_DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if "THEKE_DATABASE_URL" in os.environ:
        call_command("flush", "--no-input", verbosity=0)
    # Hashed, compressed static files as in production (whitenoise serves them).
    call_command("collectstatic", "--no-input", verbosity=0)


def image(kind: str, size: tuple[int, int], seed: int) -> bytes:
    """A photo-like image: a gradient with noise (compresses like a real photo)."""
    from PIL import Image

    rng = random.Random(seed)
    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.frombytes("RGB", size, rng.randbytes(width * height * 3))
    picture = Image.blend(base, noise, 0.35)
    out = io.BytesIO()
    if kind == "JPEG":
        picture.save(out, "JPEG", quality=85)
    else:
        picture.save(out, "PNG")
    return out.getvalue()


def fill() -> tuple[str, list[int]]:
    """Tenant, customer, estimate (10 positions, 4 photos) and a link; returns the token
    and the photos' sizes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from theke.audit.services import SYSTEM
    from theke.customers import services as customers
    from theke.estimates import services
    from theke.tenants.scoping import tenant_scope
    from theke.tenants.services import create_tenant, update_tenant

    tenant = create_tenant(
        "Handy-Werkstatt Alpha",
        f"alpha-{time.time_ns()}",
        email="info@alpha.test",
        phone="+49 30 1234567",
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
    )
    with tenant_scope(tenant):
        logo = SimpleUploadedFile("logo.png", image("PNG", (240, 80), 1), "image/png")
        tenant = update_tenant(tenant, SYSTEM, logo=logo, brand_color="#b0362c")
        customer = customers.create_customer(
            tenant, SYSTEM, kind="person", first_name="Eva", last_name="Berg", external_id="K-1"
        )
        customers.add_contact(
            customer,
            SYSTEM,
            salutation="Frau",
            first_name="Eva",
            last_name="Berg",
            email="eva@kunde.test",
            external_id="C-1",
        )
        positions = [
            {
                "text": f"Position {n}: Display-Einheit tauschen, Kleinteile und Prüfung",
                "quantity": str(1 + n % 3),
                "unit": "Stk" if n % 2 else "Std",
                "unit_price": f"{19.9 + 7.35 * n:.2f}",
                "discount_percent": "5" if n % 4 == 0 else "0",
                "vat_rate": "19" if n % 5 else "7",
                "is_optional": n in (8, 9),
            }
            for n in range(1, 11)
        ]
        values = {
            "number": MARKER,
            "customer": customer,
            "object_description": "Smartphone Galaxy S21, schwarz, IMEI 350000000000001",
            "defect_description": "Display gebrochen, Touch reagiert im unteren Drittel nicht. "
            * 3,
            "technician_name": "Tom Technik",
            "technician_email": "tom@alpha.test",
            "valid_until": datetime.date.today() + datetime.timedelta(days=30),
            "terms": "Preise gelten nur bei Auftragserteilung innerhalb der Gültigkeit. " * 4,
        }
        estimate, _created = services.save_estimate(tenant, SYSTEM, EXTERNAL_ID, values, positions)
        sizes = []
        for number, (kind, size) in enumerate(
            [("JPEG", (900, 675)), ("JPEG", (700, 525)), ("PNG", (320, 240)), ("JPEG", (800, 600))]
        ):
            data = image(kind, size, 10 + number)
            sizes.append(len(data))
            services.add_photo(estimate, SYSTEM, data=data, caption=f"Schaden {number + 1}")
        _link, token = services.create_link(tenant, SYSTEM, EXTERNAL_ID)
    return token, sizes


class References(HTMLParser):
    """Every URL the page makes the browser load or offers as a link."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.form_targets: set[str] = set()  # POST-only: checked for the host, not fetched

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "href", "action", "poster", "data", "formaction"):
                self.urls.append(value)
                if name in ("action", "formaction"):
                    self.form_targets.add(value)
            elif name in ("srcset", "imagesrcset"):
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]


def third_party(html: str, base: str) -> tuple[list[str], list[str]]:
    """(URLs to another host, URLs on the same host the browser fetches or may follow)."""
    parser = References()
    parser.feed(html)
    fetched = [url for url in parser.urls if url not in parser.form_targets]
    host = urlsplit(base).netloc
    foreign, own = [], []
    for url in parser.urls:
        parts = urlsplit(urljoin(base, url))
        if parts.scheme in ("mailto", "tel", "sms", "data"):
            continue
        if parts.scheme not in ("http", "https") or parts.netloc != host:
            foreign.append(url)
        elif url in fetched:
            own.append(url)
    return foreign, own


@dataclass
class Load:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    bytes: int = 0

    def add(self, other: Load) -> None:
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.errors += other.errors
        self.bytes += other.bytes


def drive(port: int, path: str, clients: int, seconds: float, marker: str) -> Load:
    """`clients` threads, one keep-alive connection each, GET `path` for `seconds`.

    Runs in its own process (see main). A request counts as an error unless it answers 200
    with a body containing `marker`.
    """
    ready = threading.Barrier(clients + 1)
    results: list[Load] = []
    lock = threading.Lock()
    needle = marker.encode()
    deadline = [0.0]

    def client() -> None:
        load = Load(0.0)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.connect()
        ready.wait()
        clock = time.perf_counter
        while True:
            start = clock()
            if start >= deadline[0]:
                break
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and needle in body
                load.bytes += len(body)
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            load.latencies.append(clock() - start)
            load.errors += not ok
        connection.close()
        with lock:
            results.append(load)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    ready.wait()
    begin = time.perf_counter()
    for thread in threads:
        thread.join()
    total = Load(time.perf_counter() - begin)
    for load in results:
        total.add(load)
    total.seconds = time.perf_counter() - begin
    return total


def report(label: str, load: Load) -> tuple[float, float]:
    """Print one line; returns (requests/s, p95 in ms)."""
    count = len(load.latencies)
    rate = count / load.seconds
    cuts = statistics.quantiles(load.latencies, n=100, method="inclusive")
    p50, p95, p99 = (cuts[q - 1] * 1000 for q in (50, 95, 99))
    print(
        f"  {label:<40} {rate:8.1f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
        f"p99 {p99:6.1f} ms   {count} requests, {load.errors} errors"
    )
    return rate, p95


def phone_first_view(url: str) -> FirstView | None:
    """What Chromium on a phone (390 × 844 CSS px, 3x) fetches to show the page at first,
    from gunicorn with the static files as production serves them (hashed, gzip by
    whitenoise); None without Chromium."""
    from playwright.sync_api import Error, sync_playwright

    from theke.core.tests.browser import CHROMIUM_ARGS, PHONE_DEVICE, first_view

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        return None
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        except Error:
            return None
        try:
            context = browser.new_context(**PHONE_DEVICE, locale="de-DE")
            return first_view(context.new_page(), url)
        finally:
            browser.close()


def print_first_view(view: FirstView | None) -> None:
    if view is None:
        print("  first view on a phone: not measured (no Chromium)")
        return
    by_kind: dict[str, int] = {}
    for transfer in view.transfers:
        kind = transfer.content_type.split("/")[-1].replace("javascript", "js")
        by_kind[kind] = by_kind.get(kind, 0) + transfer.body
    parts = ", ".join(f"{kind} {size / 1024:.0f}" for kind, size in sorted(by_kind.items()))
    print(
        f"  first view on a phone (Chromium 390×844 @3x, {len(view.transfers)} responses, "
        f"bodies as transferred, static gzip, headers included): "
        f"{view.total_bytes / 1024:.0f} KB (target < 300 KB; {parts} KB)"
    )


def estimate_row() -> tuple[Any, Any, str]:
    from theke.estimates.models import Estimate
    from theke.tenants.scoping import scopes_disabled

    with scopes_disabled():
        row = Estimate.objects.get(external_id=EXTERNAL_ID)
    return row.first_viewed_at, row.last_viewed_at, row.status


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as var_dir:
        setup_django(var_dir)
        from django.db import connection

        start = time.perf_counter()
        token, photo_sizes = fill()
        vendor = connection.vendor
        connection.close()  # the server processes open their own
        Path(var_dir, "bench_estimate_settings.py").write_text(SETTINGS_MODULE)
        Path(var_dir, "bench_estimate_urls.py").write_text(URLS_MODULE)
        body_file = Path(var_dir, "page.html")
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench_estimate_settings"
        os.environ["PYTHONPATH"] = os.pathsep.join([var_dir, str(ROOT)])
        os.environ["BENCH_BARE_BODY"] = str(body_file)
        photos = ", ".join(f"{size / 1024:.0f}" for size in photo_sizes)
        print(
            f"estimate page: 10 positions, 4 photos ({photos} KB), {vendor}, "
            f"gunicorn {args.workers} workers × 4 threads, {args.clients} clients × "
            f"{args.seconds:g} s, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} "
            f"(setup {time.perf_counter() - start:.1f} s)"
        )
        page_path = f"/k/{token}/"
        server = Server(var_dir, args.workers)
        try:
            # The first GET records the view; its bytes are the baseline's answer.
            first = requests.get(server.url + page_path, timeout=30)
            assert first.status_code == 200 and MARKER in first.text, first.status_code
            body_file.write_bytes(first.content)
            viewed = estimate_row()
            connection.close()
            foreign, own = third_party(first.text, server.url + page_path)
            with requests.Session() as session:
                for url in sorted(set(own)):
                    target = urljoin(server.url + page_path, url)
                    if urlsplit(target).path == page_path:
                        continue
                    answer = session.get(target, timeout=30)
                    assert answer.status_code == 200, (url, answer.status_code)
                for path in [page_path, BARE_PATH] * 10 * args.workers:  # warm up every worker
                    answer = session.get(server.url + path, timeout=30)
                    assert answer.status_code == 200 and MARKER in answer.text, path
            view = phone_first_view(server.url + page_path)
            # Page and baseline alternate (`--rounds`), so a change in the machine's load
            # during the run falls on both.
            page, bare = Load(0.0), Load(0.0)
            slice_seconds = args.seconds / args.rounds
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                for _round in range(args.rounds):
                    for total, path in ((page, page_path), (bare, BARE_PATH)):
                        part = pool.submit(
                            drive, server.port, path, args.clients, slice_seconds, MARKER
                        ).result()
                        total.add(part)
        finally:
            server.stop()
        after = estimate_row()
        page_rate, page_p95 = report("GET /k/<token>/ (estimate page)", page)
        bare_rate, _bare_p95 = report("bare Django view, same bytes (baseline)", bare)
        print(
            f"  ratio page / baseline: {page_rate / bare_rate:.2f} (target ≥ 0.3); "
            f"p95 {page_p95:.1f} ms (target < 100 ms)"
        )
        size_kb = len(first.content) / 1024
        print(f"  HTML {size_kb:.1f} KB (target < 50 KB)")
        print_first_view(view)
        if foreign:
            print(f"  third-party URLs: {len(foreign)}: {', '.join(foreign[:5])}")
        else:
            print(f"  third-party URLs: none ({len(own)} URLs, all on the same host)")
        writes = "none"
        if after != viewed:  # allowed once a minute (VIEW_TOUCH_INTERVAL)
            writes = f"last view time moved to {after[1]:%H:%M:%S}"
        print(
            f"  first GET: status {viewed[2]}, first view {viewed[0]:%H:%M:%S}; "
            f"writes by the {len(page.latencies)} GETs under load: {writes}"
        )


if __name__ == "__main__":
    main()
