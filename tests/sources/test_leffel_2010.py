"""Facts of Leffel (2010), "Sino-U.S. Sister City Relations", queried back with their quotes."""

from __future__ import annotations

import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import XSD

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ID = "leffel-2010"
TRIG = ROOT / "data" / "sources" / f"{SOURCE_ID}.trig"
SEEDS = Path(os.environ.get("PARADIPLO_SEEDS", "/work/shared/seeds"))
SEED = SEEDS / "003_b221d8c092996449.txt"

_ID = "https://w3id.org/paradiplo/id/"
_KINDS = (
    "country",
    "region",
    "city",
    "macroregion",
    "tie",
    "organization",
    "person",
    "post",
    "holding",
    "event",
    "series",
    "figure",
    "claim",
    "survey",
    "question",
    "response",
    "process",
    "step",
    "line",
    "policy",
    "programme",
    "area",
)
PREFIXES = "".join(
    [
        "PREFIX pd: <https://w3id.org/paradiplo/ontology#>\n",
        "PREFIX src: <https://w3id.org/paradiplo/source/>\n",
        f"PREFIX pda: <{_ID}assertion/>\n",
        "PREFIX prov: <http://www.w3.org/ns/prov#>\n",
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n",
        "PREFIX org: <http://www.w3.org/ns/org#>\n",
        "PREFIX time: <http://www.w3.org/2006/time#>\n",
        "PREFIX dct: <http://purl.org/dc/terms/>\n",
        "PREFIX schema: <https://schema.org/>\n",
        *(f"PREFIX {k}: <{_ID}{k}/>\n" for k in _KINDS),
    ]
)


@lru_cache(maxsize=1)
def dataset() -> Dataset:
    ds = Dataset(default_union=True)
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ds.parse(path, format="turtle")
    ds.parse(ROOT / "data" / "sources.ttl", format="turtle")
    ds.parse(TRIG, format="trig")
    return ds


def select(query: str) -> list:
    return list(dataset().query(PREFIXES + query))


def assert_quoted(rows: list, needle: str, var: str = "quote") -> None:
    assert rows, "fact not found"
    quotes = [str(r[var]) for r in rows]
    assert any(needle in q for q in quotes), f"no quote containing {needle!r}: {quotes}"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_quote_occurs_in_the_seed_text() -> None:
    if not SEED.exists():
        pytest.skip("seed text not available")
    seed = _norm(SEED.read_text(encoding="utf-8"))
    rows = select(
        "SELECT ?g ?quote WHERE { GRAPH ?g { "
        "?g prov:wasDerivedFrom src:leffel-2010 ; pd:quote ?quote } }"
    )
    assert len(rows) > 90
    missing = [(str(r.g), str(r.quote)) for r in rows if _norm(str(r.quote)) not in seed]
    assert not missing, missing


def test_all_eleven_sister_city_ties() -> None:
    rows = select(
        """SELECT ?tie ?a ?b WHERE {
             GRAPH ?g { ?tie a pd:TwinningTie ; pd:firstParty ?a ; pd:secondParty ?b ;
                             pd:level pd:CityLevel ; pd:tieKind pd:SisterTie }
             ?g prov:wasDerivedFrom src:leffel-2010 }"""
    )
    pairs = {(str(r.a).rsplit("/", 1)[1], str(r.b).rsplit("/", 1)[1]) for r in rows}
    assert pairs == {
        ("cn-nanjing", "us-st-louis"),
        ("cn-changsha-hn", "us-saint-paul"),
        ("cn-changzhou", "us-rockford"),
        ("cn-chengdu", "us-phoenix"),
        ("cn-liuzhou", "us-cincinnati"),
        ("cn-baoding-he", "us-charlotte"),
        ("cn-beijing", "us-new-york-city"),
        ("cn-chongqing", "us-seattle"),
        ("cn-lhasa", "us-boulder"),
        ("cn-hefei", "us-columbus-oh"),
        ("cn-harbin", "us-minneapolis"),
    }
    for r in rows:
        a, b = str(r.a).rsplit("/", 1)[1], str(r.b).rsplit("/", 1)[1]
        assert str(r.tie).endswith(f"/tie/{a}--{b}") and a < b


def test_programmes_of_ties_with_channels() -> None:
    rows = select(
        """SELECT ?channel ?quote WHERE {
             tie:cn-beijing--us-new-york-city pd:runsProgramme ?p .
             ?p pd:cooperationArea area:education, area:online-communication .
             GRAPH ?g { ?p pd:usesChannel ?channel } ?g pd:quote ?quote }"""
    )
    assert any("TakingITGlobal" in str(r.channel) for r in rows)
    assert_quoted(rows, "www.TakingitGlobal.com")
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { tie:cn-baoding-he--us-charlotte pd:runsProgramme ?p .
                        ?p pd:usesChannel "Skype" ; pd:cooperationArea area:education }
             ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "live virtual classroom")
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { tie:cn-lhasa--us-boulder pd:runsProgramme ?p .
                        ?p pd:cooperationArea area:environment ; rdfs:label ?l
                        FILTER(CONTAINS(?l, "Climate Action Plan")) }
             ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "vehicular emissions")
    # the Nanjing pilot was only discussed: planned, proposed by the Nanjing FAO, run by no tie
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { programme:nanjing-citizens-sister-cities-committee-pilot
                          a pd:PlannedProgramme ;
                          pd:proposedBy organization:nanjing-municipal-fao }
             ?g pd:quote ?quote
             FILTER NOT EXISTS { ?t pd:runsProgramme
                 programme:nanjing-citizens-sister-cities-committee-pilot } }"""
    )
    assert_quoted(rows, "discussed possible plans")


def test_sister_city_establishment_process() -> None:
    rows = select(
        """SELECT ?n ?to ?final ?quote WHERE {
             GRAPH ?g { process:leffel-2010-cn-sister-city-establishment pd:governs pd:SisterTie ;
                          pd:hasStep ?s . ?s pd:stepNumber ?n ; pd:proposedTo ?to .
                        OPTIONAL { ?s pd:finalApproval ?final } }
             ?g pd:quote ?quote } ORDER BY ?n"""
    )
    by_step = {int(r.n): str(r.to).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for r in rows}
    assert by_step == {
        1: "MunicipalPeoplesCongress",
        2: "ProvincialForeignAffairsOffice",
        3: "cpaffc",
    }
    assert any(int(r.n) == 3 and r.final == Literal(True) for r in rows)
    assert_quoted(rows, "for final approval")
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { process:leffel-2010-cn-sister-city-establishment pd:bypassedBy
                 pd:PartnerTie, pd:FriendshipTie }
             ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "\u2018partner\u2019 or \u2018friendship\u2019")


def test_activity_approval_mayor_final_unless_us_officials() -> None:
    rows = select(
        """SELECT ?cond2 ?cond3 ?quote WHERE {
             GRAPH ?g { process:leffel-2010-cn-sister-city-activity-approval pd:hasStep ?s2, ?s3 .
                        ?s2 pd:stepNumber ?n2 ; pd:approvedBy pd:Mayor ; pd:finalApproval true ;
                            pd:condition ?cond2 .
                        ?s3 pd:stepNumber ?n3 ; pd:approvedBy pd:ProvincialGovernment ;
                            pd:condition ?cond3 . }
             FILTER(?n2 = 2 && ?n3 = 3)
             ?g pd:quote ?quote }"""
    )
    assert rows and "American" in str(rows[0].cond3)
    assert_quoted(rows, "the buck stopped there")
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { claim:leffel-2010-mayor-final-arbiter pd:claimKind pd:Finding ;
                          pd:claimant person:benjamin-leffel } ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "final arbiter")


def test_provincial_reporting_counts_recomputed_from_responses() -> None:
    responses = select(
        """SELECT ?r (GROUP_CONCAT(STR(?a); separator=" ") AS ?answers)
                  (SAMPLE(?nr) AS ?non) WHERE {
             ?r a pd:SurveyResponse ; pd:question question:leffel-2010-provincial-reporting ;
                pd:respondent ?fao . ?fao a pd:MunicipalForeignAffairsOffice .
             OPTIONAL { ?r pd:answer ?a } OPTIONAL { ?r pd:nonResponse ?nr } } GROUP BY ?r"""
    )
    assert len(responses) == 14
    answer_sets = Counter(frozenset(str(r.answers).split()) for r in responses if str(r.answers))
    assert sum(1 for r in responses if r.non == Literal(True)) == 1
    figures = select(
        """SELECT ?f ?v (GROUP_CONCAT(STR(?a); separator=" ") AS ?answers) ?quote WHERE {
             GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure pd:ResponseCount ; pd:value ?v ;
                          pd:fromSurvey survey:leffel-2010-fao-interviews ; pd:countsAnswer ?a }
             ?g pd:quote ?quote } GROUP BY ?f ?v ?quote"""
    )
    assert len(figures) == 4
    for f in figures:
        assert answer_sets[frozenset(str(f.answers).split())] == int(f.v), f.f
    assert sorted(int(f.v) for f in figures) == [3, 3, 3, 4]
    assert_quoted(figures, "3 of the FAOs submitted only annual reports")
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { ?f pd:measure pd:RespondentCount ; pd:value 14 ;
                          pd:fromSurvey survey:leffel-2010-fao-interviews .
                        claim:leffel-2010-provincial-reporting-no-consensus
                          pd:claimKind pd:Finding }
             ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "only one FAO (out of 14) did not respond")


def test_reporting_lines_to_provincial_governments() -> None:
    rows = select(
        """SELECT ?line ?content WHERE {
             ?line a pd:ReportingLine ; pd:reporter ?fao ; pd:reportRecipient ?gov ;
                 pd:reportedContent ?content .
             ?fao a pd:MunicipalForeignAffairsOffice . ?gov a pd:ProvincialGovernment .
             FILTER(STRSTARTS(STR(?fao),
                 "https://w3id.org/paradiplo/id/organization/leffel-2010-fao-")) }"""
    )
    assert len({r.line for r in rows}) == 10
    contents = Counter(str(r.content).rsplit("#", 1)[1] for r in rows)
    assert contents == Counter(
        {"AnnualReport": 6, "EventsWithProvincialOfficials": 4, "MajorEvents": 3}
    )


def test_osu_revenue_and_student_counts() -> None:
    rows = select(
        """SELECT ?v ?start ?end ?quote WHERE {
             GRAPH ?g { ?f pd:measure pd:Revenue ; pd:value ?v ; pd:unit "USD" ;
                 pd:valueQualifier pd:Approximately ;
                          pd:periodStart ?start ; pd:periodEnd ?end ;
                              pd:about organization:ohio-state-university }
             ?g pd:quote ?quote }"""
    )
    assert rows and float(rows[0].v) == 1_200_000
    assert (rows[0].start, rows[0].end) == (
        Literal("2008", datatype=XSD.gYear),
        Literal("2009", datatype=XSD.gYear),
    )
    assert_quoted(rows, "$1.2Million")
    rows = select(
        """SELECT ?v WHERE {
             ?f pd:measure pd:StudentCount ; pd:value ?v ;
                pd:about organization:ohio-state-university }"""
    )
    assert sorted(int(r.v) for r in rows) == [10, 39]
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { organization:ohio-state-university pd:basedIn city:us-columbus-oh }
             ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "The Ohio State University (OSU)")


def test_pawlenty_trade_mission_2005() -> None:
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { ?e a pd:TradeMission ; pd:ledBy person:tim-pawlenty ;
                 pd:date "2005"^^xsd:gYear ;
                          pd:destination country:cn .
                        ?f pd:measure pd:DelegationSize ; pd:value 218 ; pd:about ?e .
                        ?h pd:holder person:tim-pawlenty ; pd:heldPost ?post .
                        ?post a pd:Governor ; pd:jurisdiction region:us-mn . }
             ?g pd:quote ?quote ; pd:evidence ?i .
             ?i a pd:Interview ; pd:date "2009-06-19"^^xsd:date ; pd:usesChannel "telephone" ;
                 pd:respondent ?rep .
             ?rep pd:represents tie:cn-harbin--us-minneapolis ; pd:representsSide country:us . }"""
    )
    assert_quoted(rows, "218-person delegation")


def test_footnote_evidence_of_bypass() -> None:
    rows = select(
        """SELECT ?fn ?quote WHERE {
             GRAPH ?g { process:leffel-2010-cn-sister-city-establishment pd:bypassedBy
                 pd:FriendshipTie }
             ?g pd:evidence ?i ; pd:quote ?quote .
             ?i a pd:Interview ; pd:date "2009-11-22"^^xsd:date ; pd:usesChannel "telephone" ;
                pd:footnoteNumber ?fn ; pd:respondent ?rep .
             ?rep pd:represents tie:cn-nanjing--us-st-louis ; pd:representsSide country:cn . }"""
    )
    assert {int(r.fn) for r in rows} == {2, 7}
    assert_quoted(rows, "[2]")


def test_world_urban_forum_2008() -> None:
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { event:world-urban-forum-2008 a pd:Forum ; pd:date "2008-11-03"^^xsd:date ;
                          pd:endDate "2008-11-06"^^xsd:date ; pd:heldIn city:cn-nanjing ;
                          pd:organizer organization:un-habitat ; pd:sequenceNumber ?seq }
             ?g pd:quote ?quote FILTER(?seq = 4) }"""
    )
    assert_quoted(rows, "November 03-06, 2008")
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { ?c prov:wasGeneratedBy event:world-urban-forum-2008 ;
                 pd:claimKind pd:Recommendation ;
                          pd:cooperationArea area:rural-development }
             ?g pd:quote ?quote ; pd:evidence src:world-urban-forum-2008-report }"""
    )
    assert_quoted(rows, "rural-urban partnership")


def test_recommendations_of_the_author() -> None:
    rows = select(
        """SELECT ?c ?area ?quote WHERE {
             GRAPH ?g { ?c a pd:Claim ; pd:claimKind pd:Recommendation ;
                 pd:claimant person:benjamin-leffel ;
                          pd:cooperationArea ?area } ?g pd:quote ?quote }"""
    )
    areas = {str(r.area).rsplit("/", 1)[1] for r in rows}
    assert {
        "online-communication",
        "youth",
        "capacity-building",
        "rural-development",
        "conflict-resolution",
    } <= areas
    assert_quoted(
        rows,
        "forming sister city relationships with smaller Chinese cities within the WDP target areas",
    )
    rows = select(
        """SELECT ?c WHERE {
             ?c pd:claimKind pd:Recommendation ; pd:about policy:china-western-development ;
                               pd:focusRegion macroregion:cn-west }"""
    )
    assert {str(r.c).rsplit("/", 1)[1] for r in rows} == {
        "leffel-2010-rec-wdp-smaller-cities",
        "leffel-2010-rec-wdp-rural-urban",
    }


def test_western_cities_claims_and_evidence() -> None:
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { claim:leffel-2010-prc-expedites-western-partnerships pd:claimant
                 person:benjamin-leffel ;
                          pd:focusRegion macroregion:cn-west ;
                              pd:about policy:china-western-development }
             ?g pd:quote ?quote ; pd:evidence ?i . ?i pd:date "2010-04-21"^^xsd:date ;
                 pd:usesChannel "email" . }"""
    )
    assert_quoted(rows, "expedite U.S. partnerships with smaller, western cities")
    rows = select(
        """SELECT ?org ?quote WHERE {
             GRAPH ?g { claim:leffel-2010-western-cities-interest pd:claimKind pd:Finding }
             ?g pd:quote ?quote ; pd:evidence ?i . ?i pd:respondent ?org . }"""
    )
    assert {str(r.org).rsplit("/", 1)[1] for r in rows} == {
        "guangzhou-municipal-fao",
        "lanzhou-municipal-fao",
    }
    rows = select(
        """SELECT ?quote WHERE { GRAPH ?g { claim:leffel-2010-westward-trend pd:claimKind pd:Trend ;
                                              pd:focusRegion macroregion:cn-west } ?g pd:quote
                                                  ?quote }"""
    )
    assert_quoted(rows, "moving further into Western Chinese areas")


def test_nzcfs_three_rural_projects() -> None:
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { ?f pd:measure pd:ProjectCount ; pd:value 3 ; pd:about ?p .
                        ?p pd:adoptedBy organization:new-zealand-china-friendship-society ;
                           pd:supports policy:china-western-development ;
                               pd:cooperationArea area:rural-development }
             ?g pd:quote ?quote ; pd:evidence ?i . ?i pd:date "2010-05-11"^^xsd:date ;
                 pd:usesChannel "email" . }"""
    )
    assert_quoted(rows, "three rural development projects")


def test_author_bio_and_blogger_roles_over_time() -> None:
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { ?m org:member person:benjamin-leffel ;
                 org:organization organization:icma-china ;
                          pd:attestedOn "2010-08-01"^^xsd:date .
                        ?n org:member person:benjamin-leffel ;
                            org:organization organization:hunan-normal-university }
             ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "studying Mandarin at Hunan Normal University")
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { person:benjamin-leffel schema:alumniOf organization:otterbein-college }
                                 ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "BA in Political Science")
    rows = select(
        """SELECT ?quote WHERE {
             GRAPH ?g { ?past pd:holder person:kai-pan ;
                 pd:heldPost post:cnreviews-lead-writer-editor ;
                          org:memberDuring [ time:before [ time:inXSDDate "2010-08-01"^^xsd:date ]
                              ] .
                        ?now pd:holder person:kai-pan ; pd:heldPost post:china-divide-head ;
                          pd:attestedOn "2010-08-01"^^xsd:date }
             ?g pd:quote ?quote }"""
    )
    assert_quoted(rows, "Kai Pan was the lead writer and editor of CNReviews")
