"""Facts of Makeeva (2023) queried back from the graph, each with the quote behind it."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ID = "makeeva-2023"
TRIG = ROOT / "data" / "sources" / f"{SOURCE_ID}.trig"
SEEDS = Path(os.environ.get("PARADIPLO_SEEDS", "/work/shared/seeds"))

_ID = "https://w3id.org/paradiplo/id/"
_KINDS = (
    "country",
    "region",
    "macroregion",
    "organization",
    "person",
    "event",
    "figure",
    "claim",
    "process",
    "policy",
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
        "PREFIX dct: <http://purl.org/dc/terms/>\n",
        "PREFIX bibo: <http://purl.org/ontology/bibo/>\n",
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


def quotes_of(rows: list, var: int = -1) -> list[str]:
    return [str(r[var]) for r in rows]


def assert_quoted(rows: list, needle: str) -> None:
    assert rows, "fact not found"
    assert any(needle in q for q in quotes_of(rows)), f"no quote containing {needle!r}"


def test_every_quote_is_verbatim_and_graphs_are_well_formed() -> None:
    rows = select(f"""
        SELECT ?g (COUNT(DISTINCT ?src) AS ?n) WHERE {{
          GRAPH ?g {{ ?g a pd:Assertion ; prov:wasDerivedFrom ?src }}
          FILTER(STRSTARTS(STR(?g), STR(pda:{SOURCE_ID}-)))
        }} GROUP BY ?g""")
    assert len(rows) == 13
    assert all(int(r[1]) == 1 for r in rows)
    text_file = next(iter(select(f"SELECT ?f WHERE {{ src:{SOURCE_ID} pd:textFile ?f }}")))[0]
    seed = SEEDS / str(text_file)
    if not seed.exists():
        pytest.skip(f"source text {seed} not available")
    norm = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    text = norm(seed.read_text(encoding="utf-8"))
    quotes = [
        str(r[0])
        for r in select(f"""
        SELECT ?q WHERE {{ GRAPH ?g {{ ?g pd:quote ?q }}
          FILTER(STRSTARTS(STR(?g), STR(pda:{SOURCE_ID}-))) }}""")
    ]
    assert len(quotes) >= 13
    for q in quotes:
        assert norm(q) in text, q


def test_policy_adopted_by_china_since_1973() -> None:
    rows = select("""
        SELECT ?start ?quote WHERE {
          GRAPH ?g { policy:china-sister-city-cooperation a pd:Policy ;
                       pd:adoptedBy country:cn ; pd:periodStart ?start }
          ?g prov:wasDerivedFrom src:makeeva-2023 ; pd:quote ?quote }""")
    assert [str(r[0]) for r in rows] == ["1973"]
    assert_quoted(rows, "From 1973 to the present")


def test_policy_covers_provinces_and_autonomous_regions_not_tw_hk_mo() -> None:
    rows = select("""
        SELECT ?r ?quote WHERE {
          GRAPH ?g { policy:china-sister-city-cooperation pd:covers ?r }
          ?g prov:wasDerivedFrom src:makeeva-2023 ; pd:quote ?quote }""")
    covered = {str(r[0]).rsplit("/", 1)[1] for r in rows}
    assert len(covered) == 27  # 22 provinces without Taiwan + 5 autonomous regions
    assert {"cn-hl", "cn-ln", "cn-jl", "cn-xj", "cn-nm", "cn-gd"} <= covered
    assert not covered & {"cn-tw", "cn-hk", "cn-mo", "cn-bj", "cn-sh", "cn-tj", "cn-cq"}
    assert_quoted(rows, "all provinces, autonomous regions of the PRC")
    excluded = select("""
        SELECT ?r ?quote WHERE {
          GRAPH ?g { policy:china-sister-city-cooperation pd:excludes ?r }
          ?g pd:quote ?quote }""")
    assert {str(r[0]).rsplit("/", 1)[1] for r in excluded} == {"cn-tw", "cn-hk", "cn-mo"}
    assert_quoted(excluded, "excluding Taiwan Province")


def test_more_than_400_chinese_cities() -> None:
    rows = select("""
        SELECT ?v ?quote WHERE {
          GRAPH ?g { ?f a pd:PublishedFigure ; pd:measure pd:CityCount ; pd:value ?v ;
                        pd:valueQualifier pd:MoreThan ; pd:scopeCountry country:cn ;
                        pd:about policy:china-sister-city-cooperation ;
                        pd:periodStart "1973"^^xsd:gYear }
          ?g prov:wasDerivedFrom src:makeeva-2023 ; pd:quote ?quote }""")
    assert [int(r[0]) for r in rows] == [400]
    assert_quoted(rows, "more than 400 Chinese cities")


@pytest.mark.parametrize(
    ("level", "value", "needle"),
    [
        (None, 122, "122 agreements on the establishment of twinning ties"),
        ("RegionLevel", 31, "31 agreements between sister regions"),
        ("CityLevel", 91, "91 agreements between sister cities"),
    ],
)
def test_agreement_totals_1988_to_2023(level: str | None, value: int, needle: str) -> None:
    level_pattern = (
        f"?f pd:scopeLevel pd:{level} ." if level else "FILTER NOT EXISTS { ?f pd:scopeLevel ?any }"
    )
    rows = select(f"""
        SELECT ?v ?quote WHERE {{
          GRAPH ?g {{ ?f a pd:PublishedFigure ; pd:measure pd:AgreementCount ; pd:value ?v ;
                        pd:scopeCountry country:cn, country:ru ;
                        pd:periodStart "1988"^^xsd:gYear ; pd:asOf "2023"^^xsd:gYear .
                     {level_pattern} }}
          ?g prov:wasDerivedFrom src:makeeva-2023 ; pd:quote ?quote }}""")
    assert [int(r[0]) for r in rows] == [value]
    assert_quoted(rows, needle)


def test_parts_add_up_to_total() -> None:
    rows = select("""
        SELECT (SUM(?v) AS ?sum) ?total WHERE {
          ?part dct:isPartOf ?t ; pd:value ?v . ?t pd:value ?total .
          FILTER(STRSTARTS(STR(?t), STR(figure:makeeva-2023-)))
        } GROUP BY ?total""")
    assert [(int(r[0]), int(r[1])) for r in rows] == [(122, 122)]


def test_first_twinning_ties_in_1988() -> None:
    rows = select("""
        SELECT ?d ?quote WHERE {
          GRAPH ?g { event:first-china-russia-twinning-ties pd:date ?d ;
                       pd:participant country:cn, country:ru }
          ?g prov:wasDerivedFrom src:makeeva-2023 ; pd:quote ?quote }""")
    assert [r[0] for r in rows] == [
        Literal("1988", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))
    ]
    assert_quoted(rows, "the year of the establishment of the first twinning ties")


def test_trend_1990s_humanitarian_and_trade() -> None:
    rows = select("""
        SELECT ?s ?e ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimKind pd:Trend ; pd:claimant person:s-b-makeeva ;
                       pd:periodStart ?s ; pd:periodEnd ?e ;
                       pd:cooperationArea area:humanitarian, area:trade ;
                       pd:scopeCountry country:ru }
          ?g prov:wasDerivedFrom src:makeeva-2023 ; pd:quote ?quote }""")
    assert [(str(r[0]), str(r[1])) for r in rows] == [("1990", "1999")]
    assert_quoted(rows, "in the 1990s was humanitarian and trade and economic cooperation")


def test_trend_2000s_central_region_culture_education() -> None:
    rows = select("""
        SELECT ?s ?quote WHERE {
          GRAPH ?g { ?c pd:claimKind pd:Trend ; pd:claimant person:s-b-makeeva ;
                       pd:periodStart ?s ; pd:periodEnd "2009"^^xsd:gYear ;
                       pd:focusRegion macroregion:cn-central ;
                       pd:cooperationArea area:culture, area:education, area:trade }
          ?g pd:quote ?quote }""")
    assert [str(r[0]) for r in rows] == ["2000"]
    assert_quoted(rows, "Central region of the PRC")


def test_trend_2010s_eastern_region_tourism() -> None:
    rows = select("""
        SELECT ?s ?quote WHERE {
          GRAPH ?g { ?c pd:claimKind pd:Trend ; pd:claimant person:s-b-makeeva ;
                       pd:periodStart ?s ; pd:periodEnd "2019"^^xsd:gYear ;
                       pd:focusRegion macroregion:cn-east ; pd:cooperationArea area:tourism }
          ?g pd:quote ?quote }""")
    assert [str(r[0]) for r in rows] == ["2010"]
    assert_quoted(rows, "unprecedented tourism interaction expanded")


def test_policy_consistent_with_four_macroregions() -> None:
    rows = select("""
        SELECT (COUNT(DISTINCT ?m) AS ?n) (SAMPLE(?q) AS ?quote) WHERE {
          GRAPH ?g { claim:makeeva-2023-policy-fits-macroregion-goals pd:about ?m ;
                       pd:claimKind pd:Finding }
          FILTER(STRSTARTS(STR(?m), STR(macroregion:cn-)))
          ?g pd:quote ?q }""")
    assert int(rows[0][0]) == 4
    assert "North-Eastern, Eastern, Western and Central regions" in str(rows[0][1])


def test_selection_of_foreign_match_strictly_regulated() -> None:
    rows = select("""
        SELECT ?cond ?quote WHERE {
          GRAPH ?g { ?p a pd:ApprovalProcess ; pd:governs pd:TwinningTie ;
                       pd:supports policy:china-sister-city-cooperation ; pd:condition ?cond }
          ?g prov:wasDerivedFrom src:makeeva-2023 ; pd:quote ?quote }""")
    assert "strictly regulated" in {str(r[0]) for r in rows}
    assert_quoted(rows, "the selection of a match in a foreign country was strictly regulated")


def test_final_assessment_important_role() -> None:
    rows = select("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimKind pd:Assessment ;
                       pd:claimant person:s-b-makeeva ; pd:claimText ?t ;
                       pd:scopeCountry country:cn, country:ru }
          ?g pd:quote ?quote }""")
    assert len(rows) == 1
    assert_quoted(rows, "has played an important role in deepening mutual understanding")


def test_author_institution_and_journal() -> None:
    rows = select("""
        SELECT ?label ?inst ?quote WHERE {
          GRAPH ?g1 { person:s-b-makeeva a pd:Person ; rdfs:label ?label }
          GRAPH ?g2 { ?i org:subOrganizationOf/org:subOrganizationOf
                         organization:russian-academy-of-sciences ; skos:prefLabel ?inst }
          ?g2 pd:quote ?quote }""")
    assert rows and str(rows[0][0]) == "S. B. Makeeva"
    assert str(rows[0][1]).startswith("Institute of Sociology")
    assert_quoted(rows, "Federal Center of Theoretical and Applied Sociology")
    journal = select("""
        SELECT ?issn ?quote WHERE {
          GRAPH ?g { src:makeeva-2023 dct:isPartOf ?j . ?j a pd:MediaOutlet ; bibo:issn ?issn ;
                       rdfs:label "Bulletin of Tomsk State University"@en }
          ?g pd:quote ?quote }""")
    assert {str(r[0]) for r in journal} == {"1561-7793"}
    assert_quoted(journal, "Bulletin of Tomsk State University. 2023. No. 487")


def test_no_affiliation_is_read_from_the_page_header() -> None:
    """The header names the hosting site's institution, not the author's (issue 13)."""
    rows = select("SELECT ?o WHERE { GRAPH ?g { person:s-b-makeeva org:memberOf ?o } }")
    assert rows == []
