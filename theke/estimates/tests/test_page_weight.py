"""What a phone loads to show the customer's estimate page at first: under 300 KB."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from theke.audit.services import SYSTEM
from theke.core.tests.browser import PHONE_DEVICE, first_view
from theke.core.tests.imagefiles import encoded
from theke.estimates import services
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import update_tenant

from .test_browser import photos_through_test_client, push_estimate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_VIEW_LIMIT = 300 * 1024


def test_first_view_on_a_phone_is_under_300_kb(
    browser: Any, production_static_server: Any, tenant_a: Any, customer: Any
) -> None:
    """Counted as the browser receives it: every response of the first view (page, styles,
    scripts, logo, the thumbnails Chromium loads near the viewport), bodies as transferred
    (static files gzip-compressed by whitenoise), headers included."""
    logo = Image.linear_gradient("L").resize((480, 160)).convert("RGB")
    upload = SimpleUploadedFile("logo.png", encoded(logo, "PNG"), content_type="image/png")
    update_tenant(tenant_a, SYSTEM, logo=upload, brand_color="#b0362c")
    with tenant_scope(tenant_a):
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    push_estimate(tenant_a, customer)
    context = browser.new_context(**PHONE_DEVICE, locale="de-DE")
    try:
        page = context.new_page()
        photos_through_test_client(page)
        view = first_view(page, f"{production_static_server.url}/k/{token}/")
    finally:
        context.close()
    report = view.table()
    kinds = {t.url.rsplit("/", 1)[-1].split(".")[0]: t for t in view.transfers}
    assert view.total_bytes < FIRST_VIEW_LIMIT, f"{view.total_bytes / 1024:.0f} KB:\n{report}"
    # The numbers are the real ones: CSS came compressed, Bootstrap's script not at all, and
    # the photos as thumbnails (WebP), never the 1600 px preview.
    assert kinds["bootstrap"].encoding == "gzip", report
    assert not any("bootstrap.bundle" in t.url for t in view.transfers), report
    photos = [t for t in view.transfers if "/fotos/" in t.url]
    assert len(photos) == 3 and all(t.url.endswith("/klein") for t in photos), report
    assert all(t.content_type == "image/webp" for t in photos), report
