"""Quote requests ("Angebot anfordern") and their conversations with the tenant's sales."""

from __future__ import annotations

from theke.portal.models import PortalUser


def unread_count(user: PortalUser) -> int:
    """Answers of the tenant the user has not read yet (the red number at "Angebote")."""
    return 0
