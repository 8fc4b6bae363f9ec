"""Facts of the article on Sergey Lavrov's statements to the Russian-Chinese forum in
Khabarovsk, queried back from data/sources/lavrov-khabarovsk.trig with their quotes."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef

from paradiplo.namespaces import sparql_prefixes

ROOT = Path(__file__).resolve().parents[2]
TRIG = ROOT / "data" / "sources" / "lavrov-khabarovsk.trig"
SOURCE = URIRef("https://w3id.org/paradiplo/source/lavrov-khabarovsk")
TEXT_FILE = "004_e800822d32f61263.txt"


@cache
def dataset() -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(ROOT / "data" / "sources.ttl", format="turtle")
    ds.parse(TRIG, format="trig")
    for ttl in sorted((ROOT / "ontology").glob("*.ttl")):
        ds.parse(ttl, format="turtle")
    return ds


def rows(query: str) -> list[tuple]:
    return [tuple(r) for r in dataset().query(sparql_prefixes() + query)]


def one(query: str) -> tuple:
    found = rows(query)
    assert len(found) >= 1, "no match"
    return found[0]


def seed_text() -> str:
    candidates = [
        Path(os.environ.get("PARADIPLO_SEEDS", "/nonexistent")),
        ROOT / "data" / "texts",
        Path("/work/shared/seeds"),
    ]
    for folder in candidates:
        if (folder / TEXT_FILE).is_file():
            return (folder / TEXT_FILE).read_text(encoding="utf-8")
    pytest.skip(f"source text {TEXT_FILE} not available")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_graph_is_an_assertion_with_verbatim_quotes() -> None:
    quads = list(ox.parse(path=str(TRIG), format=ox.RdfFormat.TRIG))
    assert quads
    assert not [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    text = norm(seed_text())
    graphs = {q.graph_name for q in quads}
    assert len(graphs) == 26
    for g in graphs:
        gq = [q for q in quads if q.graph_name == g and q.subject == g]
        derived = [q.object for q in gq if q.predicate.value.endswith("prov#wasDerivedFrom")]
        assert [d.value for d in derived] == [str(SOURCE)]
        quotes = [q.object.value for q in gq if q.predicate.value.endswith("#quote")]
        assert quotes, g
        for quote in quotes:
            assert norm(quote) in text, quote
    # The closing advertisement and the "Further Reading" line are not encoded.
    assert not any(
        "Pivot To Asia" in q.object.value for q in quads if isinstance(q.object, ox.Literal)
    )


def test_lavrov_foreign_minister_at_undated_khabarovsk_forum() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?h a pd:PostHolding ; pd:holder person:sergey-lavrov ; pd:heldPost ?p .
                     ?p a pd:ForeignMinister ; pd:jurisdiction country:ru .
                     event:ru-cn-forum-khabarovsk a pd:Forum ; pd:heldIn city:ru-khabarovsk .
                     ?c a pd:Claim ; pd:claimant person:sergey-lavrov ;
                        prov:wasGeneratedBy event:ru-cn-forum-khabarovsk ;
                        pd:cooperationArea area:investment . }
          ?g prov:wasDerivedFrom src:lavrov-khabarovsk ; pd:quote ?quote .
        }""")
    assert "Russian-Chinese forum in Khabarovsk" in str(quote)
    assert "Russian Foreign Minister Sergey Lavrov" in str(quote)
    # The text gives no date: none may be invented.
    assert not rows("SELECT ?d WHERE { event:ru-cn-forum-khabarovsk pd:date ?d }")
    assert not rows("SELECT ?d WHERE { ?h pd:holder person:sergey-lavrov ; pd:attestedOn ?d }")


def test_lavrov_relations_are_a_model_and_border_ties_important() -> None:
    found = rows("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant person:sergey-lavrov ;
                        pd:claimKind pd:Assessment ; pd:about country:ru, country:cn . }
          ?g pd:quote ?quote .
        }""")
    quotes = " | ".join(str(q) for (q,) in found)
    assert "are a model of equal, mutually beneficial cooperation" in quotes
    assert "Borderline and interregional ties are their important elements." in quotes


def test_khabarovsk_krai_leading_and_implementing_agreements() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant person:sergey-lavrov ; pd:about region:ru-kha . }
          ?g pd:quote ?quote . FILTER(CONTAINS(?quote, "leading positions"))
        }""")
    assert "Khabarovsk Region" in str(quote)
    found = rows("""
        SELECT ?area ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant person:sergey-lavrov ; pd:about region:ru-kha ;
                        pd:cooperationArea ?area . }
          ?g pd:quote ?quote .
        }""")
    areas = {str(a).rsplit("/", 1)[1] for a, _ in found}
    assert areas == {"trade", "economy", "science", "technology", "humanitarian"}
    assert all("agreements are being implemented" in str(q) for _, q in found)


def test_joint_development_of_bolshoy_ussuriysky_island() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { place:bolshoy-ussuriysky-island a pd:Island .
                     ?p a pd:Programme ;
                        pd:covers place:bolshoy-ussuriysky-island, region:ru-kha .
                     ?c a pd:Claim ; pd:claimant person:sergey-lavrov ; pd:about ?p . }
          ?g pd:quote ?quote .
        }""")
    assert "joint development of the borderline Bolshoy Ussuriysky Island" in str(quote)


def test_author_89_russian_federal_subjects() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure pd:RegionCount ;
                        pd:counts pd:FederalSubject ; pd:about country:ru ; pd:value ?v .
                     FILTER NOT EXISTS { ?f pd:statedBy ?someone } }
          ?g prov:wasDerivedFrom src:lavrov-khabarovsk ; pd:quote ?quote . FILTER(?v = 89)
        }""")
    assert "Russia has 89 federal subjects" in str(quote)


def test_oblasts_within_krais_is_only_the_authors_claim() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant src:lavrov-khabarovsk ;
                        pd:about pd:Oblast, pd:Krai . }
          ?g pd:quote ?quote .
        }""")
    assert "oblasts, which are administrative regions within krais" in str(quote)
    assert not rows("SELECT ?a ?b WHERE { GRAPH ?g { ?a pd:locatedIn ?b } }")
    kinds = {
        str(k).rsplit("#", 1)[1]
        for (k,) in rows("""
        SELECT ?k WHERE { ?c pd:claimant src:lavrov-khabarovsk ; pd:about ?k ; pd:about country:ru .
                          FILTER(STRSTARTS(STR(?k), STR(pd:))) }""")
    }
    assert {"Republic", "Krai", "Oblast", "AutonomousOkrug", "FederalCity"} <= kinds


def test_chinese_regional_subjects_34_2_5_23_4() -> None:
    found = rows("""
        SELECT ?kind ?v ?quote WHERE {
          GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure pd:RegionCount ; pd:counts ?kind ;
                        pd:scopeCountry country:cn ; pd:value ?v . }
          ?g pd:quote ?quote .
        }""")
    got = {str(k).rsplit("#", 1)[1]: int(v) for k, v, _ in found}
    assert got == {
        "ChineseProvincialUnit": 34,
        "SpecialAdministrativeRegion": 2,
        "AutonomousRegion": 5,
        "Province": 23,
        "DirectAdministeredMunicipality": 4,
    }
    quotes = {str(k).rsplit("#", 1)[1]: str(q) for k, _, q in found}
    assert "34 effective regional subjects" in quotes["ChineseProvincialUnit"]
    assert "five autonomous regions" in quotes["AutonomousRegion"]
    assert "4 key regions, including Shanghai" in quotes["DirectAdministeredMunicipality"]
    examples = rows("""SELECT ?r WHERE { ?f pd:counts pd:SpecialAdministrativeRegion ;
                                           pd:about ?r . FILTER(?r != country:cn) }""")
    assert {str(r).rsplit("/", 1)[1] for (r,) in examples} == {"cn-hk", "cn-mo"}


def test_areas_and_populations() -> None:
    found = rows("""
        SELECT ?country ?measure ?v ?unit ?q ?quote WHERE {
          GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure ?measure ; pd:about ?country ;
                        pd:value ?v ; pd:unit ?unit ; pd:valueQualifier ?q .
                     FILTER(?measure IN (pd:Area, pd:Population)) }
          ?g pd:quote ?quote .
        }""")
    got = {
        (str(c).rsplit("/", 1)[1], str(m).rsplit("#", 1)[1]): (
            int(v),
            str(u),
            str(q).rsplit("#", 1)[1],
        )
        for c, m, v, u, q, _ in found
    }
    assert got == {
        ("ru", "Area"): (17098246, "km2", "Exactly"),
        ("ru", "Population"): (147000000, "persons", "Approximately"),
        ("cn", "Area"): (9596961, "km2", "Exactly"),
        ("cn", "Population"): (1400000000, "persons", "MoreThan"),
    }
    assert any("17,098,246 km²" in str(row[-1]) for row in found)
    assert any("in excess of 1.4 billion" in str(row[-1]) for row in found)


def test_china_russia_border_of_4209_3_km() -> None:
    (length, fig, quote) = one("""
        SELECT ?len ?v ?quote WHERE {
          GRAPH ?g { border:cn-ru a pd:Border ; pd:firstSide country:cn ;
                        pd:secondSide country:ru ; pd:borderLength ?len .
                     ?f a pd:PublishedFigure ; pd:measure pd:BorderLength ; pd:unit "km" ;
                        pd:about border:cn-ru ; pd:value ?v . }
          ?g pd:quote ?quote .
        }""")
    assert length.toPython() == Decimal("4209.3")
    assert fig.toPython() == Decimal("4209.3")
    assert "4,209.3 km border" in str(quote)


def test_70_river_border_sections_modernised() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure pd:RiverSectionCount ;
                        pd:about border:cn-ru ; pd:value ?v . }
          ?g pd:quote ?quote . FILTER(?v = 70)
        }""")
    assert "70 border sections of inland rivers are being modernized" in str(quote)


def test_manzhouli_zabaykalsk_visa_free_crossing() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { place:manzhouli-zabaykalsk-crossing a pd:BorderCrossing ;
                        pd:connects city:cn-manzhouli, city:ru-zabaykalsk ;
                        pd:visaFreePassage true .
                     place:bolshoy-ussuriysky-island pd:visaFreePassage true . }
          ?g pd:quote ?quote . FILTER(CONTAINS(?quote, "Manzhouli-Zabaykalsk"))
        }""")
    assert "Bolshoy Ussuri border Lavrov mentioned" in str(quote)


def test_border_areas_becoming_special_economic_zones() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant src:lavrov-khabarovsk ; pd:claimKind pd:Trend ;
                        pd:about place:manzhouli-zabaykalsk-crossing . }
          ?g pd:quote ?quote .
        }""")
    assert "special economic zones" in str(quote)
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant src:lavrov-khabarovsk ;
                        pd:about place:manzhouli-zabaykalsk-crossing ;
                        pd:cooperationArea area:transport-logistics . }
          ?g pd:quote ?quote . FILTER(CONTAINS(?quote, "warehousing"))
        }""")
    assert "sanitary inspections, labelling" in str(quote)
