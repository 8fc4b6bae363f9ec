"""Reconciliation of registry place names, on hand-made names and coordinates.

The expected IRIs are those of ``data/reference/places.ttl`` (and of the curated
China-Russia registry), so an imported tie joins the encoded sources.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from paradiplo.importers.reconcile import (
    COLOCATED_KM,
    CountryRef,
    PlaceName,
    Reconciler,
    name_keys,
    parse_name,
    resolve_country,
)
from paradiplo.namespaces import PD, WD, instance

from .conftest import REPO

CN, RU, US = CountryRef("CN"), CountryRef("RU"), CountryRef("US")


def city(slug: str) -> str:
    return str(instance("city", slug))


def region(slug: str) -> str:
    return str(instance("region", slug))


def place(slug: str) -> str:
    return str(instance("place", slug))


def described(rec: Reconciler) -> dict[str, dict[URIRef, set[object]]]:
    """The triples of the records the reconciler would write, by subject."""
    out: dict[str, dict[URIRef, set[object]]] = {}
    for record in rec.records():
        props = out.setdefault(str(record.subject), {})
        for predicate, values in record.props.items():
            props.setdefault(predicate, set()).update(values)
    return out


@pytest.fixture
def rec() -> Reconciler:
    """A fresh reconciler on the repository's reference places (GeoNames read once)."""
    return Reconciler(REPO)


# --- names and countries --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hailar (Hulunbuir)", ("Hailar", "Hulunbuir", None)),
        ("Hulunbuir \u2013 Hailar", ("Hailar", "Hulunbuir", None)),
        ("Kolpino (Saint Petersburg)", ("Kolpino", "Saint Petersburg", None)),
        ("Vienna 11 \u2013 Simmering", ("Simmering", "Vienna", None)),
        ("Taizhou, Zhejiang", ("Taizhou", "Zhejiang", None)),
        ("Roth (district)", ("Roth", None, "district")),
        ("  St.  Petersburg ", ("St. Petersburg", None, None)),
        (
            "B\u00e0 R\u1ecba\u2013V\u0169ng T\u00e0u",
            ("B\u00e0 R\u1ecba\u2013V\u0169ng T\u00e0u", None, None),
        ),
    ],
)
def test_parse_name_splits_annotations(
    raw: str, expected: tuple[str, str | None, str | None]
) -> None:
    name = parse_name(raw)
    assert (name.primary, name.context, name.descriptor) == expected


def test_parse_name_keeps_both_spellings_and_knows_districts() -> None:
    assert parse_name("Biel/Bienne").spellings == ("Biel", "Bienne")
    assert parse_name("Roth (district)").is_district
    assert parse_name("Maui County").is_district
    assert not parse_name("Jilin City").is_district
    assert parse_name("Amur Oblast").has_region_word
    assert parse_name("Hailar") == PlaceName("Hailar", "Hailar", spellings=("Hailar",))


def test_name_keys_try_saint_and_st_both_ways() -> None:
    assert name_keys("St. Petersburg")[:2] == ["st-petersburg", "saint-petersburg"]
    assert "st-louis" in name_keys("Saint Louis")
    assert "sault-sainte-marie" in name_keys("Sault Ste. Marie")
    assert name_keys("Jilin City")[-1] == "jilin"
    assert name_keys("\u5317\u4eac") == []  # no ASCII form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia", CountryRef("RU")),
        ("People's Republic of China", CountryRef("CN")),
        ("England, United Kingdom", CountryRef("GB", "GB-ENG")),
        ("Scotland", CountryRef("GB", "GB-SCT")),
        ("Hong Kong", CountryRef("CN", "CN-HK")),
        ("R\u00e9union, France", CountryRef("RE")),
        ("Brandenburg, Germany", CountryRef("DE", "DE-BB")),
        ("New York, United States", CountryRef("US", "US-NY")),
        ("Georgia (country)", CountryRef("GE")),
        ("Kosovo", CountryRef("XK")),
        ("israel\U0001f1ee\U0001f1f1", CountryRef("IL")),
        ("in Italy", CountryRef("IT")),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_resolve_country(text: str, expected: CountryRef | None) -> None:
    assert resolve_country(text) == expected


# --- cities -----------------------------------------------------------------------------


def test_hailar_variants_are_one_place_and_hulunbuir_is_flagged(rec: Reconciler) -> None:
    paren = rec.resolve("Hailar (Hulunbuir)", CN, 49.2347, 119.8245)
    dash = rec.resolve("Hulunbuir \u2013 Hailar", CN, 49.1646, 119.7672)
    plain = rec.resolve("Hailar", CN)
    assert paren.iri == dash.iri == plain.iri == city("cn-hailar")  # the curated registry's
    assert paren.method == "geonames" and paren.geonames_id == 2037078
    hulunbuir = rec.resolve("Hulunbuir", CN, 49.2072, 119.7711)
    assert hulunbuir.iri == city("cn-hulunbuir")
    assert [(f.first, f.second) for f in rec.flags] == [(city("cn-hailar"), city("cn-hulunbuir"))]
    assert rec.flags[0].km < COLOCATED_KM


def test_kolpino_is_not_saint_petersburg(rec: Reconciler) -> None:
    kolpino = rec.resolve("Kolpino (Saint Petersburg)", RU, 59.75, 30.59)
    assert kolpino.iri == city("ru-kolpino")
    assert rec.flags == []  # 25 km apart: a town of its own


@pytest.mark.parametrize("name", ["Saint Petersburg", "St. Petersburg", "St Petersburg"])
def test_saint_and_st_name_one_place(rec: Reconciler, name: str) -> None:
    assert rec.resolve(name, RU, 59.94, 30.31).iri == city("ru-saint-petersburg")


@pytest.mark.parametrize("name", ["St. Louis", "Saint Louis", "St Louis"])
def test_st_louis_under_every_spelling(rec: Reconciler, name: str) -> None:
    assert rec.resolve(name, US, 38.63, -90.2).iri == city("us-st-louis")


def test_two_blagoveshchensks_told_apart_by_coordinates(rec: Reconciler) -> None:
    amur = rec.resolve("Blagoveshchensk", RU, 50.2728, 127.5404)
    bashkortostan = rec.resolve("Blagoveshchensk", RU, 55.0333, 55.9833)
    assert amur.iri == city("ru-blagoveshchensk-amu")
    assert bashkortostan.iri == city("ru-blagoveshchensk-ba")
    assert bashkortostan.geonames_id == 576116
    # Without coordinates neither is ten times the other: the name stays unmatched.
    unknown = rec.resolve("Blagoveshchensk", RU)
    assert (unknown.method, unknown.kind) == ("unmatched", "place")


def test_coordinates_outside_the_country_fall_back_to_the_name(rec: Reconciler) -> None:
    # Geocoded into Australia: the coordinates are wrong, the Scottish Perth is meant.
    perth = rec.resolve("Perth", CountryRef("GB", "GB-SCT"), -31.95, 115.86)
    assert perth.iri == city("gb-perth")
    assert rec.notes["coordinates outside the country: matched by name"] == 1


def test_a_namesake_far_away_in_the_country_is_not_taken(rec: Reconciler) -> None:
    # Chaoyang District of Beijing is not Chaoyang, Liaoning (400 km away).
    chaoyang = rec.resolve("Chaoyang (Beijing)", CN, 39.92, 116.44)
    assert chaoyang.iri == place("cn-chaoyang-beijing")
    assert chaoyang.method == "unmatched"


def test_new_city_gets_a_geonames_record(rec: Reconciler) -> None:
    berat = rec.resolve("B\u00e9rat", CountryRef("FR"), 43.3786, 1.1767)
    assert berat.iri == city("fr-berat")
    records = described(rec)
    props = records[berat.iri]
    assert props[RDF.type] == {PD.City}
    assert props[PD.geonamesId] == {Literal(berat.geonames_id)}
    assert props[PD.locatedIn] == {URIRef(str(instance("country", "fr")))}
    assert str(instance("country", "fr")) in records  # places.ttl has no France


def test_places_in_the_reference_data_get_no_second_record(rec: Reconciler) -> None:
    rec.resolve("Harbin", CN, 45.75, 126.65)
    rec.resolve("Heilongjiang", CN)
    subjects = set(described(rec))
    assert city("cn-harbin") not in subjects
    assert region("cn-hl") not in subjects


# --- regions, districts, unmatched names ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "country", "code"),
    [
        ("Heilongjiang", CN, "cn-hl"),
        ("Jilin Province", CN, "cn-jl"),
        ("Inner Mongolia", CN, "cn-nm"),
        ("Primorsky Krai", RU, "ru-pri"),
        ("Amur Oblast", RU, "ru-amu"),
        ("Sverdlovsk Oblast", RU, "ru-sve"),
        ("Sakha (Yakutia)", RU, "ru-sa"),
        ("Ohio", US, "us-oh"),
    ],
)
def test_region_level_parties(rec: Reconciler, name: str, country: CountryRef, code: str) -> None:
    found = rec.resolve(name, country)
    assert (found.iri, found.kind, found.method) == (region(code), "region", "region")


def test_a_city_named_like_its_province_stays_a_city(rec: Reconciler) -> None:
    assert rec.resolve("Jilin", CN, 43.85, 126.56).iri == city("cn-jilin")
    assert rec.resolve("Moscow", RU, 55.75, 37.62).iri == city("ru-moscow")
    assert rec.resolve("Moscow Oblast", RU).iri == region("ru-mos")


def test_districts_of_the_reference_data(rec: Reconciler) -> None:
    daoli = rec.resolve("Harbin \u2013 Daoli", CN, 45.76, 126.6)
    assert (daoli.iri, daoli.method) == (str(instance("district", "cn-daoli")), "district")


def test_unmatched_names_are_kept_as_places(rec: Reconciler) -> None:
    yanbian_like = rec.resolve("Chaoyang (Beijing)", CN, 39.92, 116.44)
    county = rec.resolve("Maui County", US, 20.8, -156.33)
    assert county.iri == place("us-maui-county")
    records = described(rec)
    first = records[yanbian_like.iri]
    assert first[RDF.type] == {PD.City}
    assert first[RDFS.label] == {Literal("Chaoyang (Beijing)")}
    assert first[PD.reconciliation] == {Literal("unmatched")}
    # The annotation names a first-level unit (Beijing municipality): the place lies in it.
    assert first[PD.locatedIn] == {URIRef(region("cn-bj"))}
    assert records[county.iri][RDF.type] == {PD.District}
    assert records[county.iri][PD.locatedIn] == {URIRef(str(instance("country", "us")))}


def test_a_place_never_takes_a_slug_a_city_could_have(rec: Reconciler) -> None:
    # Far from Moscow, so not the city; the place must not be place:ru-moscow, or the
    # tie IRI (which drops the kind) of a tie with it would clash with Moscow's.
    elsewhere = rec.resolve_item("Q999999999", "Moscow", RU, 43.0, 45.0)
    assert elsewhere.iri == place("ru-moscow-q999999999")
    unmatched = rec.resolve("Moscow (somewhere)", RU, 43.0, 45.0)
    assert unmatched.iri == place("ru-moscow-somewhere")


# --- Wikidata items ---------------------------------------------------------------------


def test_wikidata_item_joins_the_geonames_city_and_keeps_its_id(rec: Reconciler) -> None:
    beijing = rec.resolve_item("Q956", "Beijing", CN, 39.9042, 116.4074)
    assert (beijing.iri, beijing.method) == (city("cn-beijing"), "geonames")
    props = described(rec)[beijing.iri]
    assert props[PD.wikidataId] == {Literal("Q956")}
    assert WD["Q956"] in props[SKOS.exactMatch]


def test_wikidata_item_without_geonames_place_is_a_place_of_its_own(rec: Reconciler) -> None:
    item = rec.resolve_item("Q123456789", "Nowhere Town", US, 40.0, -100.0)
    assert (item.iri, item.method) == (place("us-nowhere-town"), "wikidata")
    props = described(rec)[item.iri]
    assert props[PD.reconciliation] == {Literal("wikidata")}
    assert props[PD.wikidataId] == {Literal("Q123456789")}


def test_wikidata_region_item(rec: Reconciler) -> None:
    arizona = rec.resolve_item("Q816", "Arizona", US, 34.5, -111.5)
    assert (arizona.iri, arizona.method) == (region("us-az"), "region")


def test_a_city_and_a_place_of_one_slug_give_two_ties() -> None:
    """city:fr-vienne and place:fr-vienne (an unplaced "Vienne") twinned with Udine."""
    from paradiplo.importers.reconcile import Resolution
    from paradiplo.importers.registry_import import tie_iri

    udine = Resolution(city("it-udine"), "city", "it-udine", "IT", "geonames")
    town = Resolution(city("fr-vienne"), "city", "fr-vienne", "FR", "geonames")
    unplaced = Resolution(place("fr-vienne"), "place", "fr-vienne", "FR", "unmatched")
    with_town, with_unplaced = tie_iri(udine, town), tie_iri(unplaced, udine)
    assert with_town[0] != with_unplaced[0]
    assert with_town[0].endswith("/tie/fr-vienne--it-udine")
    assert with_unplaced[0].endswith("/tie/it-udine--place-fr-vienne")
    assert (with_unplaced[1], with_unplaced[2]) == (udine, unplaced)
