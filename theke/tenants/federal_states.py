"""German federal states (Bundesländer): the state of a postcode, and public holidays.

Pure computation, no database. The codes are those of the `holidays` library for Germany's
subdivisions (ISO 3166-2:DE without the "DE-"), so a stored state goes straight into
`public_holidays`.

The postcode mapping follows the Leitregionen (first two digits) and refines them by longer
prefixes where a region spans states. Postcode areas ignore state borders in places, so a few
villages come out wrong; the state stays editable wherever it is stored.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from types import MappingProxyType

import holidays
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class FederalState(models.TextChoices):
    BADEN_WUERTTEMBERG = "BW", _("Baden-Württemberg")
    BAVARIA = "BY", _("Bayern")
    BERLIN = "BE", _("Berlin")
    BRANDENBURG = "BB", _("Brandenburg")
    BREMEN = "HB", _("Bremen")
    HAMBURG = "HH", _("Hamburg")
    HESSE = "HE", _("Hessen")
    MECKLENBURG_VORPOMMERN = "MV", _("Mecklenburg-Vorpommern")
    LOWER_SAXONY = "NI", _("Niedersachsen")
    NORTH_RHINE_WESTPHALIA = "NW", _("Nordrhein-Westfalen")
    RHINELAND_PALATINATE = "RP", _("Rheinland-Pfalz")
    SAARLAND = "SL", _("Saarland")
    SAXONY = "SN", _("Sachsen")
    SAXONY_ANHALT = "ST", _("Sachsen-Anhalt")
    SCHLESWIG_HOLSTEIN = "SH", _("Schleswig-Holstein")
    THURINGIA = "TH", _("Thüringen")


# The state of each Leitregion (two digits) where most of its postcodes lie; a longer prefix
# wins over a shorter one. 05, 11, 43 and 62 are not in use.
_REGIONS = {
    "01": "SN", "02": "SN", "03": "BB", "04": "SN", "06": "ST", "07": "TH", "08": "SN",
    "09": "SN", "10": "BE", "12": "BE", "13": "BE", "14": "BB", "15": "BB", "16": "BB",
    "17": "MV", "18": "MV", "19": "MV", "20": "HH", "21": "NI", "22": "HH", "23": "SH",
    "24": "SH", "25": "SH", "26": "NI", "27": "NI", "28": "HB", "29": "NI", "30": "NI",
    "31": "NI", "32": "NW", "33": "NW", "34": "HE", "35": "HE", "36": "HE", "37": "NI",
    "38": "NI", "39": "ST", "40": "NW", "41": "NW", "42": "NW", "44": "NW", "45": "NW",
    "46": "NW", "47": "NW", "48": "NW", "49": "NI", "50": "NW", "51": "NW", "52": "NW",
    "53": "NW", "54": "RP", "55": "RP", "56": "RP", "57": "NW", "58": "NW", "59": "NW",
    "60": "HE", "61": "HE", "63": "HE", "64": "HE", "65": "HE", "66": "SL", "67": "RP",
    "68": "BW", "69": "BW", "70": "BW", "71": "BW", "72": "BW", "73": "BW", "74": "BW",
    "75": "BW", "76": "BW", "77": "BW", "78": "BW", "79": "BW", "80": "BY", "81": "BY",
    "82": "BY", "83": "BY", "84": "BY", "85": "BY", "86": "BY", "87": "BY", "88": "BW",
    "89": "BW", "90": "BY", "91": "BY", "92": "BY", "93": "BY", "94": "BY", "95": "BY",
    "96": "BY", "97": "BY", "98": "TH", "99": "TH",
}  # fmt: skip

# Parts of a Leitregion in another state.
_EXCEPTIONS = {
    # Elbe-Elster and Oberspreewald-Lausitz (Brandenburg) in the Dresden and Leipzig regions;
    # Altenburger Land (Thuringia) in the Leipzig region.
    "0194": "BB", "0195": "BB", "0196": "BB", "0197": "BB", "0198": "BB", "0199": "BB",
    "0460": "TH", "0461": "TH", "0462": "TH", "0463": "TH", "0489": "BB", "049": "BB",
    # Kyffhäuser (Thuringia) in the Halle region; Vogtland towns (Saxony) in the Gera region.
    "0655": "TH", "0656": "TH", "0657": "TH", "07952": "SN", "07985": "SN",
    # Berlin's south-west in the Potsdam region.
    "140": "BE", "141": "BE",
    # Uckermark (Brandenburg) in the Neubrandenburg region.
    "1726": "BB", "1727": "BB", "1729": "BB", "17337": "BB",
    # Prignitz (Brandenburg) and Amt Neuhaus (Lower Saxony) in the Schwerin region.
    "19309": "BB", "1932": "BB", "1933": "BB", "1934": "BB", "1935": "BB", "19273": "NI",
    # Hamburg's south-east and Lauenburg (Schleswig-Holstein) in the Lüneburg region.
    "210": "HH", "211": "HH", "2146": "SH", "2147": "SH", "2148": "SH", "2149": "SH",
    "2150": "SH", "2151": "SH", "2152": "SH",
    # Norderstedt, Wedel, Ahrensburg … (Schleswig-Holstein) in the Hamburg region.
    "228": "SH", "229": "SH",
    # North-west Mecklenburg and Wismar in the Lübeck region.
    "2392": "MV", "2393": "MV", "2394": "MV", "2395": "MV", "2396": "MV", "2397": "MV",
    "2398": "MV", "2399": "MV",
    # Bremerhaven (Bremen) in the Cuxhaven region; Bremen's surroundings (Lower Saxony).
    "2756": "HB", "2757": "HB", "27580": "HB", "2879": "NI", "288": "NI",
    # Altmark (Saxony-Anhalt) in the Celle region.
    "2941": "ST",
    # Hann. Münden (Lower Saxony) and Warburg (North Rhine-Westphalia) in the Kassel region.
    "34346": "NI", "34355": "NI", "3441": "NW", "3443": "NW",
    # Wartburgkreis (Thuringia) in the Fulda region.
    "364": "TH",
    # Werra-Meißner (Hesse), Eichsfeld (Thuringia), Höxter (North Rhine-Westphalia).
    "372": "HE", "373": "TH", "3767": "NW", "3768": "NW", "37696": "NW", "37697": "NW",
    # Halberstadt, Wernigerode, Klötze (Saxony-Anhalt) in the Braunschweig region.
    "3848": "ST", "388": "ST", "389": "ST",
    # Grafschaft Bentheim (Lower Saxony) in the Münster region.
    "4845": "NI", "4846": "NI", "48480": "NI", "48488": "NI", "48499": "NI", "485": "NI",
    # Tecklenburger Land (North Rhine-Westphalia) in the Osnabrück region.
    "4947": "NW", "4949": "NW", "4950": "NW", "4952": "NW", "4953": "NW", "4954": "NW",
    # Ahrweiler and Neuwied (Rhineland-Palatinate) in the Bonn region.
    "534": "RP", "535": "RP", "53619": "RP",
    # Altenkirchen and Westerwald (Rhineland-Palatinate) in the Siegen region.
    "575": "RP", "576": "RP",
    # Aschaffenburg and Miltenberg (Bavaria) in the Offenbach region.
    "637": "BY", "638": "BY", "639": "BY",
    # Rhein-Lahn (Rhineland-Palatinate) near Limburg.
    "65558": "RP", "65582": "RP", "6562": "RP",
    # Zweibrücken, Kusel, Pirmasens (Rhineland-Palatinate) in the Saarbrücken region.
    "6648": "RP", "6649": "RP", "6650": "RP", "66849": "RP", "6685": "RP", "6686": "RP",
    "6687": "RP", "6688": "RP", "6689": "RP", "669": "RP",
    # Viernheim and the Ried (Hesse) in the Mannheim and Heidelberg regions.
    "68519": "HE", "686": "HE", "69434": "HE", "6948": "HE", "69509": "HE", "6951": "HE",
    # Germersheim and Südliche Weinstraße (Rhineland-Palatinate) in the Karlsruhe region.
    "7672": "RP", "7673": "RP", "7674": "RP", "7675": "RP", "7676": "RP", "7677": "RP",
    "7678": "RP", "7679": "RP", "768": "RP",
    # Lindau (Bavaria) in the Friedrichshafen region.
    "881": "BY",
    # Neu-Ulm, Günzburg, Dillingen (Bavaria) in the Ulm region.
    "892": "BY", "893": "BY", "894": "BY",
    # Sonneberg (Thuringia) in the Bamberg region.
    "965": "TH",
    # Main-Tauber (Baden-Württemberg) in the Würzburg region.
    "97877": "BW", "979": "BW",
}  # fmt: skip

_PREFIXES = {**_REGIONS, **_EXCEPTIONS}
_LONGEST = max(len(prefix) for prefix in _PREFIXES)


def state_for_postcode(postal_code: str, country: str = "DE") -> str | None:
    """The federal state (code) of a German postcode; None when it is not one."""
    code = "".join(str(postal_code or "").split())
    if (country or "DE").upper() != "DE" or len(code) != 5 or not code.isascii():
        return None
    if not code.isdigit():  # after isascii(): no other scripts' digits
        return None
    for length in range(_LONGEST, 1, -1):
        state = _PREFIXES.get(code[:length])
        if state is not None:
            return state
    return None


def resolve_state(
    postal_code: str,
    state: str,
    *,
    country: str = "DE",
    stored_postal_code: str | None = None,
    stored_state: str | None = None,
) -> str:
    """The state to store with an address: the one given, unless it is empty or the postcode
    changed while the state did not (then the new postcode's, where known).

    A state chosen by hand survives saves that leave the postcode alone, and a move to another
    postcode is not held back by the old state still standing in the form.
    """
    state = (state or "").strip().upper()
    moved = stored_postal_code is not None and postal_code != stored_postal_code
    if state and not (moved and state == (stored_state or "")):
        return state
    return state_for_postcode(postal_code, country) or state


def _holiday_language() -> str:
    return "en_US" if (translation.get_language() or "de").startswith("en") else "de"


@functools.lru_cache(maxsize=256)
def _holidays(state: str, year: int, language: str) -> Mapping[datetime.date, str]:
    found = holidays.country_holidays("DE", subdiv=state or None, years=year, language=language)
    return MappingProxyType(dict(sorted(found.items())))


def public_holidays(state: str | None, year: int) -> Mapping[datetime.date, str]:
    """The public holidays of a federal state in a year, date → name in the active language
    (German unless English is active). Without a state: the nationwide holidays only."""
    if state and state not in FederalState.values:
        raise ValueError(f"unknown federal state: {state!r}")
    return _holidays(state or "", year, _holiday_language())


def is_public_holiday(state: str | None, day: datetime.date) -> bool:
    """Whether `day` is a public holiday in the state (nationwide ones without a state)."""
    return day in public_holidays(state, day.year)
