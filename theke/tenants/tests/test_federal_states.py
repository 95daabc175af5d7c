"""Federal states: postcode → state, the rule that keeps a chosen state, public holidays, and
branches that get their state from the service, the form and the data migration."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from theke.audit.services import SYSTEM
from theke.tenants.federal_states import (
    FederalState,
    is_public_holiday,
    public_holidays,
    resolve_state,
    state_for_postcode,
)
from theke.tenants.models import Branch
from theke.tenants.scoping import scopes_disabled, tenant_scope
from theke.tenants.services import create_branch, update_branch
from theke.tenants.tests.test_staff_views import branch_data

# One address in each state (the state capitals, Bremen and Hamburg in their centres).
SAMPLES = {
    "10115": "BE",
    "80331": "BY",
    "20095": "HH",
    "01067": "SN",
    "99084": "TH",
    "66111": "SL",
    "28195": "HB",
    "24103": "SH",
    "19053": "MV",
    "14467": "BB",
    "39104": "ST",
    "30159": "NI",
    "40213": "NW",
    "55116": "RP",
    "65183": "HE",
    "70173": "BW",
}


@pytest.mark.parametrize(("postal_code", "state"), SAMPLES.items())
def test_state_capitals_map_to_their_state(postal_code: str, state: str) -> None:
    assert state_for_postcode(postal_code) == state


def test_the_samples_cover_all_sixteen_states() -> None:
    assert set(SAMPLES.values()) == set(FederalState.values)
    assert len(FederalState.values) == 16


@pytest.mark.parametrize(
    ("postal_code", "state"),
    [
        ("14199", "BE"),  # Berlin-Grunewald in the Potsdam region
        ("14482", "BB"),  # Potsdam-Babelsberg
        ("22846", "SH"),  # Norderstedt in the Hamburg region
        ("22299", "HH"),  # Hamburg-Winterhude
        ("27570", "HB"),  # Bremerhaven
        ("27472", "NI"),  # Cuxhaven
        ("63739", "BY"),  # Aschaffenburg in the Offenbach region
        ("89231", "BY"),  # Neu-Ulm
        ("89073", "BW"),  # Ulm
        ("04600", "TH"),  # Altenburg in the Leipzig region
        ("04910", "BB"),  # Elsterwerda
        ("17291", "BB"),  # Prenzlau in the Neubrandenburg region
        ("23966", "MV"),  # Wismar in the Lübeck region
        ("21465", "SH"),  # Reinbek
        ("21073", "HH"),  # Hamburg-Harburg
        ("37308", "TH"),  # Heilbad Heiligenstadt
        ("38855", "ST"),  # Wernigerode
        ("53474", "RP"),  # Bad Neuenahr-Ahrweiler in the Bonn region
        ("66953", "RP"),  # Pirmasens in the Saarbrücken region
        ("76829", "RP"),  # Landau in the Karlsruhe region
        ("97980", "BW"),  # Bad Mergentheim in the Würzburg region
    ],
)
def test_regions_that_span_states_are_refined_by_longer_prefixes(
    postal_code: str, state: str
) -> None:
    assert state_for_postcode(postal_code) == state


@pytest.mark.parametrize("postal_code", ["", "1011", "101155", "ABCDE", "05000", "١٠١١٥", None])
def test_what_is_no_german_postcode_has_no_state(postal_code: str | None) -> None:
    assert state_for_postcode(postal_code) is None  # type: ignore[arg-type]


def test_a_postcode_abroad_has_no_state_and_spaces_are_ignored() -> None:
    assert state_for_postcode("1010", "AT") is None
    assert state_for_postcode("80331", "AT") is None
    assert state_for_postcode(" 80 331 ", "de") == "BY"


def test_resolve_state_fills_keeps_and_follows_a_move() -> None:
    # Empty: from the postcode; given: kept, even if it disagrees with the postcode.
    assert resolve_state("80331", "") == "BY"
    assert resolve_state("80331", "bw") == "BW"
    # Saved again without a move: a state chosen by hand stays.
    assert resolve_state("89073", "BY", stored_postal_code="89073", stored_state="BY") == "BY"
    # A move while the state stood still: the new postcode's state.
    assert resolve_state("10115", "BY", stored_postal_code="80331", stored_state="BY") == "BE"
    # A move with a new state given: the given one.
    assert resolve_state("10115", "BB", stored_postal_code="80331", stored_state="BY") == "BB"
    # Unknown postcode: whatever was given.
    assert resolve_state("99", "HE", stored_postal_code="80331", stored_state="HE") == "HE"
    assert resolve_state("", "") == ""


def test_public_holidays_differ_by_state() -> None:
    with translation.override("de"):
        bavaria = public_holidays("BY", 2026)
        berlin = public_holidays("BE", 2026)
        nationwide = public_holidays(None, 2026)
    assert bavaria[datetime.date(2026, 1, 6)] == "Heilige Drei Könige"
    assert datetime.date(2026, 1, 6) not in berlin
    assert datetime.date(2026, 3, 8) in berlin  # Internationaler Frauentag
    assert datetime.date(2026, 10, 3) in nationwide
    assert datetime.date(2026, 3, 8) not in nationwide
    assert list(bavaria) == sorted(bavaria)
    assert is_public_holiday("SN", datetime.date(2026, 11, 18))  # Buß- und Bettag
    assert not is_public_holiday("BY", datetime.date(2026, 11, 18))


def test_public_holidays_speak_the_active_language_and_refuse_unknown_states() -> None:
    with translation.override("en"):
        names = public_holidays("BE", 2026)
    assert names[datetime.date(2026, 12, 25)] == "Christmas Day"
    with pytest.raises(ValueError, match="unknown federal state"):
        public_holidays("XX", 2026)


# --- branches ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_branch_gets_its_state_from_the_postcode_and_keeps_a_chosen_one(tenant_a) -> None:
    branch = create_branch(tenant_a, SYSTEM, "Alpha Mitte", postal_code="10117", city="Berlin")
    assert branch.state == "BE"
    chosen = create_branch(tenant_a, SYSTEM, "Alpha Ulm", postal_code="89073", state="BY")
    assert chosen.state == "BY"
    assert update_branch(chosen, SYSTEM, city="Ulm").state == "BY"
    moved = update_branch(branch, SYSTEM, postal_code="80331", state="BE")
    assert moved.state == "BY"


@pytest.mark.django_db
def test_an_unknown_state_is_refused(tenant_a) -> None:
    from theke.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        create_branch(tenant_a, SYSTEM, "Alpha", postal_code="10117", state="XX")
    assert refused.value.field == "state"


@pytest.mark.django_db
def test_branch_form_shows_and_saves_the_state(owner_client, tenant_a) -> None:
    page = owner_client.get(reverse("tenants:branch_create")).content.decode()
    assert 'name="state"' in page and "Nordrhein-Westfalen" in page
    response = owner_client.post(
        reverse("tenants:branch_create"),
        branch_data("Alpha Ulm", postal_code="89073", city="Ulm", state="BY"),
    )
    assert response.status_code == 302
    response = owner_client.post(
        reverse("tenants:branch_create"), branch_data("Alpha Köln", postal_code="50667")
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        assert Branch.objects.get(name="Alpha Ulm").state == "BY"
        assert Branch.objects.get(name="Alpha Köln").state == "NW"
        branch = Branch.objects.get(name="Alpha Ulm")
    page = owner_client.get(reverse("tenants:branch_edit", args=[branch.pk])).content.decode()
    assert '<option value="BY" selected>' in page


@pytest.mark.django_db
def test_the_data_migration_fills_branches_from_their_postcode(tenant_a) -> None:
    create_branch(tenant_a, SYSTEM, "Alpha Mitte", postal_code="10117")
    create_branch(tenant_a, SYSTEM, "Alpha ohne PLZ")
    with tenant_scope(tenant_a):
        Branch.objects.update(state="")
    migration = importlib.import_module("theke.tenants.migrations.0009_fill_branch_state")
    with scopes_disabled():  # as in a migration, whose models know no scopes
        migration.fill_states(apps, None)
    with tenant_scope(tenant_a):
        states = dict(Branch.objects.values_list("name", "state"))
    assert states == {"Alpha Mitte": "BE", "Alpha ohne PLZ": ""}
