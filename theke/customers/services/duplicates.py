"""The duplicate search ("Dublettenabfrage", seed 001) over the precomputed match keys.

Six queries per lookup whatever the size of the customer master: the matching keys (one
indexed equality lookup per kind), the names and postcodes of the customers found (one
joined query, to score them), and the customers returned with their contacts, locations
and vehicles.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from theke.customers.duplicates import (
    EXACT_WEIGHTS,
    MIN_SCORE,
    DuplicateCandidate,
    DuplicateCriteria,
    DuplicateProbe,
    MatchKind,
    NameMatch,
    PersonFacts,
    Relation,
    probe_match_keys,
    score_names,
)
from theke.customers.models import Contact, Customer, CustomerMatchKey, Location, Vehicle
from theke.tenants.models import Tenant

__all__ = ["find_duplicate_customers"]

# How many customers found by keys are scored at most (best first by the kinds of keys they
# share): bounds the work for a very common name without losing a likely candidate.
MAX_SCORED = 60
# Rough worth of a key hit, only to choose which customers to score.
_HIT_WEIGHTS: dict[str, float] = {
    **EXACT_WEIGHTS,
    MatchKind.NAME_POSTCODE: 0.45,
    MatchKind.PHONETIC_POSTCODE: 0.4,
    MatchKind.PHONETIC_NAME: 0.35,
}


def _exact_reasons() -> dict[str, str]:
    return {
        MatchKind.PHONE: _("gleiche Telefonnummer"),
        MatchKind.EMAIL: _("gleiche E-Mail-Adresse"),
        MatchKind.PLATE: _("gleiches Kennzeichen"),
        MatchKind.VIN: _("gleiche FIN"),
    }


def _name_reason(match: NameMatch) -> str:
    if (
        match.same_postcode
        and match.last == Relation.SAME
        and match.first in (Relation.SAME, Relation.UNKNOWN)
    ):
        return _("gleicher Name und PLZ")
    if Relation.TYPO in (match.last, match.first):
        return _("ein Tippfehler")
    return _("klingt gleich")


def _key_hits(
    tenant: Tenant, probe: DuplicateProbe, criteria: DuplicateCriteria
) -> dict[int, set[str]]:
    """Customer id -> the kinds of keys it shares with the probe."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for kind, key in probe_match_keys(probe, criteria):
        wanted[kind].append(key)
    if not wanted:
        return {}
    # The tenant is in every branch of the OR, so each branch is a range of the (tenant,
    # kind, key) index; the plain manager leaves out the scope's bare outer `tenant_id = ?`,
    # which would make SQLite without statistics walk the tenant's index over all its keys.
    matching = Q()
    for kind, keys in sorted(wanted.items()):
        matching |= Q(tenant_id=tenant.pk, kind=kind, key__in=sorted(keys))
    rows = CustomerMatchKey._base_manager.filter(matching).values_list("customer_id", "kind")
    hits: dict[int, set[str]] = defaultdict(set)
    for customer_id, kind in rows:
        hits[customer_id].add(kind)
    return hits


def _facts_for_scoring(ids: list[int]) -> dict[int, PersonFacts]:
    """Names and postcodes of these customers and their contacts, in one joined query."""
    names: dict[int, dict[tuple[str, str], None]] = defaultdict(dict)
    postcodes: dict[int, set[str]] = defaultdict(set)
    # By id alone (the ids come from the tenant's keys), in one joined query.
    rows = Customer._base_manager.filter(pk__in=ids).values_list(
        "pk",
        "first_name",
        "last_name",
        "contacts__first_name",
        "contacts__last_name",
        "locations__postal_code",
    )
    for pk, first, last, contact_first, contact_last, postcode in rows:
        names[pk][(first, last)] = None
        if contact_last is not None:
            names[pk][(contact_first or "", contact_last)] = None
        if postcode:
            postcodes[pk].add(postcode)
    return {
        pk: PersonFacts(names=list(names[pk]), postal_codes=sorted(postcodes[pk])) for pk in names
    }


def find_duplicate_customers(
    tenant: Tenant, probe: DuplicateProbe, criteria: DuplicateCriteria, limit: int = 10
) -> list[DuplicateCandidate]:
    """The tenant's customers that may be the probe's person, best first, at most `limit`,
    each with its score and German reasons; only the criteria switched on count.

    `candidate.customer` comes with its contacts, locations and vehicles prefetched."""
    hits = _key_hits(tenant, probe, criteria)
    if not hits or limit <= 0:
        return []
    ranked = sorted(hits, key=lambda pk: (-sum(_HIT_WEIGHTS[k] for k in hits[pk]), pk))
    ranked = ranked[:MAX_SCORED]
    facts = _facts_for_scoring(ranked) if criteria.name_postcode else {}
    exact_reasons = _exact_reasons()
    scored: list[tuple[float, DuplicateCandidate]] = []
    for pk in ranked:
        exact = [kind for kind in EXACT_WEIGHTS if kind in hits[pk]]
        total = sum(EXACT_WEIGHTS[kind] for kind in exact)
        reasons = [exact_reasons[kind] for kind in exact]
        match = score_names(probe, facts[pk]) if pk in facts else None
        if match is not None and match.score > 0:
            total += match.score
            reasons.append(_name_reason(match))
        if total >= MIN_SCORE:
            candidate = DuplicateCandidate(customer_id=pk, score=round(min(total, 1.0), 3))
            candidate.reasons = reasons
            scored.append((total, candidate))
    scored.sort(key=lambda item: (-item[0], item[1].customer_id))
    candidates = [candidate for _total, candidate in scored[:limit]]
    if candidates:
        # The children by the customer ids alone (the customers are the tenant's).
        customers = Customer.objects.filter(
            tenant=tenant, pk__in=[c.customer_id for c in candidates]
        ).prefetch_related(
            Prefetch("contacts", Contact._base_manager.all()),
            Prefetch("locations", Location._base_manager.all()),
            Prefetch("vehicles", Vehicle._base_manager.all()),
        )
        by_id = {customer.pk: customer for customer in customers}
        for candidate in candidates:
            candidate.customer = by_id.get(candidate.customer_id)
    return candidates
