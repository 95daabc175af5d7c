"""The terms and privacy policy a portal user accepted, and when a new version asks again."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from theke.audit.services import record
from theke.portal.models import PortalUser
from theke.tenants.models import LegalTextKind
from theke.tenants.services import check_consent, current_version


def needs_consent(user: PortalUser) -> bool:
    """True before the first acceptance and whenever the tenant published a newer version
    of the terms or the privacy policy than the one the user accepted."""
    if user.consented_at is None:
        return True
    for kind, accepted_id in (
        (LegalTextKind.TERMS, user.terms_text_id),
        (LegalTextKind.PRIVACY, user.privacy_text_id),
    ):
        current = current_version(user.tenant, kind)
        if current is not None and current.pk != accepted_id:
            return True
    return False


@transaction.atomic
def accept_terms(
    user: PortalUser, *, accepted: bool, terms_version: Any, privacy_version: Any
) -> PortalUser:
    """Store the acceptance of the versions the page showed (refused when a newer one was
    published meanwhile, or the box is not ticked)."""
    from theke.portal.services.users import portal_actor

    consent = check_consent(
        user.tenant,
        accepted=accepted,
        terms_version=terms_version,
        privacy_version=privacy_version,
    )
    locked = PortalUser.objects.select_for_update().get(pk=user.pk)
    consent.apply_to(locked)
    locked.save(update_fields=["terms_text", "privacy_text", "consented_at"])
    record(
        locked.tenant,
        portal_actor(locked),
        "portal_user.consented",
        locked,
        {
            "terms": consent.terms_text.version if consent.terms_text else 0,
            "privacy": consent.privacy_text.version if consent.privacy_text else 0,
        },
    )
    consent.apply_to(user)
    return user
