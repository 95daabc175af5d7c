"""The tenant as the sender of a PDF letter: its data for `theke.core.pdf.Letterhead`."""

from __future__ import annotations

import logging

from theke.core.pdf import Letterhead
from theke.tenants.models import Tenant

logger = logging.getLogger(__name__)


def _logo_bytes(tenant: Tenant) -> bytes | None:
    if not tenant.logo:
        return None
    try:
        with tenant.logo.open("rb") as handle:
            return bytes(handle.read())
    except OSError as error:
        # A lost logo file must not stop an estimate going out: the letter shows the name.
        logger.warning("Logo of tenant %s cannot be read: %s", tenant.pk, error)
        return None


def tenant_letterhead(tenant: Tenant) -> Letterhead:
    """Name, address, contact, register, VAT id, bank and logo of the tenant as the sender."""
    return Letterhead(
        name=tenant.name,
        legal_name=tenant.legal_name,
        street=tenant.street,
        postal_code=tenant.postal_code,
        city=tenant.city,
        phone=tenant.phone,
        email=tenant.email,
        website=tenant.website,
        register_court=tenant.register_court,
        register_number=tenant.register_number,
        vat_id=tenant.vat_id,
        managing_director=tenant.managing_director,
        bank_name=tenant.bank_name,
        iban=tenant.iban,
        bic=tenant.bic,
        logo=_logo_bytes(tenant),
        brand_color=tenant.brand_color,
    )
