"""Facts of the China Daily report of 2004-10-27 on the third China-Russia sister city
meeting, queried back from data/sources/china-daily-2004.trig with the quotes behind them."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from paradiplo.namespaces import sparql_prefixes

ROOT = Path(__file__).resolve().parents[2]
TRIG = ROOT / "data" / "sources" / "china-daily-2004.trig"
SOURCE = URIRef("https://w3id.org/paradiplo/source/china-daily-2004")
TEXT_FILE = "001_343c72da9774b139.txt"


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
    assert len(graphs) == 16
    for g in graphs:
        gq = [q for q in quads if q.graph_name == g and q.subject == g]
        derived = [q.object for q in gq if q.predicate.value.endswith("prov#wasDerivedFrom")]
        assert [d.value for d in derived] == [str(SOURCE)]
        quotes = [q.object.value for q in gq if q.predicate.value.endswith("#quote")]
        assert quotes, g
        for quote in quotes:
            assert norm(quote) in text, quote


def test_third_meeting_in_beijing_on_2004_10_26() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { event:cn-ru-sister-city-meeting-3 a pd:Meeting ;
                       pd:heldIn city:cn-beijing ; pd:date "2004-10-26"^^xsd:date . }
          ?g prov:wasDerivedFrom src:china-daily-2004 ; pd:quote ?quote .
        }""")
    assert "gathered in Beijing Tuesday" in str(quote)
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { event:cn-ru-sister-city-meeting-3
                       pd:inSeries series:cn-ru-sister-city-meetings ; pd:sequenceNumber ?n . }
          ?g pd:quote ?quote . FILTER(?n = 3)
        }""")
    assert "third China-Russia sister city meeting" in str(quote)


def test_more_than_30_cities_at_the_meeting() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure pd:CityCount ; pd:value ?v ;
                        pd:valueQualifier pd:MoreThan ; pd:about event:cn-ru-sister-city-meeting-3 ;
                        pd:scopeCountry country:cn, country:ru . }
          ?g pd:quote ?quote . FILTER(?v = 30)
        }""")
    assert "more than 30 Chinese and Russian cities" in str(quote)


def test_agreement_on_multilevel_exchanges_at_the_meeting() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?a a pd:Agreement ; pd:concludedAt event:cn-ru-sister-city-meeting-3 . }
          ?g pd:quote ?quote .
        }""")
    assert "agreed to promote multi- level exchanges" in str(quote)


def test_new_links_at_the_meeting_are_a_claim_without_invented_ties() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant organization:china-daily ;
                        pd:about event:cn-ru-sister-city-meeting-3, pd:TwinningTie . }
          ?g pd:quote ?quote .
        }""")
    assert "formally established sister city links" in str(quote)
    assert not rows("SELECT ?t WHERE { ?t pd:establishedAt event:cn-ru-sister-city-meeting-3 }")


def test_chen_haosu_president_of_cpaffc() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?h a pd:PostHolding ; pd:holder person:chen-haosu ;
                        pd:heldPost ?post ; pd:attestedOn "2004-10-26"^^xsd:date .
                     ?post a pd:AssociationPresident ; org:postIn organization:cpaffc .
                     organization:cpaffc a pd:FriendshipAssociation . }
          ?g pd:quote ?quote .
        }""")
    assert "Chen Haosu, president of the Chinese People's Association" in str(quote)


def test_66_china_russia_pairs_stated_by_chen() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure pd:TieCount ; pd:counts pd:TwinningTie ;
                        pd:value ?v ; pd:asOf "2004-10-26"^^xsd:date ;
                        pd:statedBy person:chen-haosu ;
                        pd:scopeCountry country:cn, country:ru . }
          ?g prov:wasDerivedFrom src:china-daily-2004 ; pd:quote ?quote . FILTER(?v = 66)
        }""")
    assert "66 pairs of sister cities" in str(quote)


def test_chen_lists_five_cooperation_areas() -> None:
    found = rows("""
        SELECT ?area ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant person:chen-haosu ;
                        pd:about figure:china-daily-2004-cn-ru-sister-city-pairs ;
                        pd:cooperationArea ?area . }
          ?g pd:quote ?quote .
        }""")
    areas = {str(a).rsplit("/", 1)[1] for a, _ in found}
    assert areas == {"economy", "science", "technology", "culture", "education"}
    assert all("economy, science, technology, culture and education" in str(q) for _, q in found)


def test_putin_and_wu_yi_cochair_symposium_during_state_visit() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?s a pd:Symposium ; pd:chairedBy person:vladimir-putin, person:wu-yi ;
                        pd:partOfEvent event:putin-state-visit-china-2004-10 .
                     event:putin-state-visit-china-2004-10 a pd:StateVisit ;
                        pd:date "2004-10"^^xsd:gYearMonth ; pd:destination country:cn .
                     ?hp pd:holder person:vladimir-putin ; pd:heldPost ?pp . ?pp a pd:HeadOfState .
                     ?hw pd:holder person:wu-yi ; pd:heldPost ?pw . ?pw a pd:VicePremier . }
          ?g pd:quote ?quote .
        }""")
    assert "co-chaired a symposium with Chinese Vice-Premier Wu Yi" in str(quote)


def test_chen_on_western_development_and_northeast_revitalization() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant person:chen-haosu ;
                        pd:about policy:china-western-development, policy:northeast-revitalization .
                     policy:china-western-development a pd:Policy ;
                        pd:focusRegion macroregion:cn-west .
                     policy:northeast-revitalization a pd:Policy ;
                        pd:focusRegion macroregion:cn-northeast . }
          ?g pd:quote ?quote .
        }""")
    assert "provided new possibilities" in str(quote)


def test_rogachev_more_than_60_russian_localities() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure pd:LocalityCount ; pd:value ?v ;
                        pd:valueQualifier pd:MoreThan ; pd:statedBy person:igor-rogachev ;
                        pd:about event:putin-state-visit-china-2004-10 .
                     ?h pd:holder person:igor-rogachev ; pd:heldPost ?post .
                     ?post a pd:Ambassador ; pd:represents country:ru . }
          ?g pd:quote ?quote . FILTER(?v = 60)
        }""")
    assert "more than 60 Russian localities" in str(quote)


def test_beijing_moscow_capitals_and_tie_of_may_1995() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { tie:cn-beijing--ru-moscow a pd:TwinningTie ;
                        pd:firstParty city:cn-beijing ; pd:secondParty city:ru-moscow ;
                        pd:level pd:CityLevel ; pd:tieKind pd:SisterTie ;
                        pd:established ?d .
                     city:cn-beijing pd:capitalOf country:cn .
                     city:ru-moscow pd:capitalOf country:ru . }
          ?g pd:quote ?quote .
        }""")
    assert "May 1995" in str(quote)
    dates = rows("SELECT ?d WHERE { tie:cn-beijing--ru-moscow pd:established ?d }")
    assert dates == [(Literal("1995-05", datatype=XSD.gYearMonth),)]


def test_beijing_moscow_areas_from_zhang_mao() -> None:
    found = rows("""
        SELECT ?area ?quote WHERE {
          GRAPH ?g { tie:cn-beijing--ru-moscow pd:cooperationArea ?area .
                     ?c a pd:Claim ; pd:claimant person:zhang-mao ;
                        pd:about tie:cn-beijing--ru-moscow . }
          ?g pd:quote ?quote .
        }""")
    by_area = {str(a).rsplit("/", 1)[1]: str(q) for a, q in found}
    assert set(by_area) == {
        "culture",
        "education",
        "public-health",
        "economy",
        "trade",
        "urban-planning",
        "sport",
    }
    assert "city construction" in by_area["urban-planning"]
    assert "Olympic Games" in by_area["sport"]
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?h pd:holder person:zhang-mao ; pd:heldPost ?p .
                     ?p a pd:ViceMayor ; pd:jurisdiction city:cn-beijing . }
          ?g pd:quote ?quote .
        }""")
    assert "Beijing Vice-Mayor Zhang Mao" in str(quote)


def test_men_moscow_vice_mayor_claims_priority_of_chinese_cities() -> None:
    (quote,) = one("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant person:m-men ; pd:about city:ru-moscow .
                     ?h pd:holder person:m-men ; pd:heldPost ?p ;
                        pd:attestedOn "2004-10-26"^^xsd:date .
                     ?p a pd:ViceMayor ; pd:jurisdiction city:ru-moscow . }
          ?g pd:quote ?quote .
        }""")
    assert "priority of Moscow's international exchanges" in str(quote)


def test_first_and_second_meetings_in_moscow() -> None:
    found = rows("""
        SELECT ?n ?d ?quote WHERE {
          GRAPH ?g { ?e pd:inSeries series:cn-ru-sister-city-meetings ;
                        pd:sequenceNumber ?n ; pd:date ?d ; pd:heldIn city:ru-moscow . }
          ?g pd:quote ?quote .
        }""")
    got = {(int(n), str(d), d.datatype) for n, d, _ in found}
    assert got == {(1, "1997", XSD.gYear), (2, "2002", XSD.gYear)}
    assert all("held in Moscow in 1997 and 2002" in str(q) for _, _, q in found)


def test_the_66_pairs_are_not_tagged_city_level() -> None:
    """'66 pairs of sister cities' counts region pairs too, so the figure has no level."""
    found = rows(
        "SELECT ?l WHERE { GRAPH ?g { figure:china-daily-2004-cn-ru-sister-city-pairs "
        "pd:scopeLevel ?l } }"
    )
    assert found == []
