"""Facts of Guo Li's summary (ERINA translation) queried back with the quote behind them."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import Dataset

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ID = "guo-li"
TRIG = ROOT / "data" / "sources" / f"{SOURCE_ID}.trig"
SEEDS = Path(os.environ.get("PARADIPLO_SEEDS", "/work/shared/seeds"))

_ID = "https://w3id.org/paradiplo/id/"
_KINDS = (
    "country",
    "macroregion",
    "organization",
    "person",
    "post",
    "holding",
    "claim",
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
        "PREFIX dct: <http://purl.org/dc/terms/>\n",
        "PREFIX bibo: <http://purl.org/ontology/bibo/>\n",
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
    assert len(rows) == 19
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
    assert len(quotes) >= 19
    for q in quotes:
        assert norm(q) in text, q


@pytest.mark.parametrize("post", ["director", "professor"])
def test_guo_li_posts_at_russian_institute(post: str) -> None:
    rows = select(f"""
        SELECT ?label ?quote WHERE {{
          GRAPH ?g {{ ?h a pd:PostHolding ; pd:holder person:guo-li ;
                        pd:heldPost post:heilongjiang-university-russian-institute-{post} .
                      post:heilongjiang-university-russian-institute-{post} a pd:AcademicPost ;
                        org:postIn ?inst .
                      ?inst org:subOrganizationOf organization:heilongjiang-university .
                      person:guo-li rdfs:label ?label }}
          ?g prov:wasDerivedFrom src:guo-li ; pd:quote ?quote }}""")
    assert {str(r[0]) for r in rows} == {"Guo Li"}
    assert_quoted(rows, "Director and Professor, Russian Institute, Heilongjiang University")


def test_translated_by_erina() -> None:
    rows = select("""
        SELECT ?label ?quote WHERE {
          GRAPH ?g { src:guo-li bibo:translator ?t . ?t rdfs:label ?label }
          ?g pd:quote ?quote }""")
    assert {str(r[0]) for r in rows} == {"ERINA"}
    assert_quoted(rows, "Translated by ERINA")


def test_ministry_of_education_project_11jjdgjw0004() -> None:
    rows = select("""
        SELECT ?title ?quote WHERE {
          GRAPH ?g { src:guo-li pd:fromProject ?p .
                     ?p a pd:ResearchProject ; dct:identifier "11JJDGJW0004" ; dct:title ?title ;
                        pd:adoptedBy ?base .
                     ?base schema:funder organization:china-ministry-of-education }
          ?g prov:wasDerivedFrom src:guo-li ; pd:quote ?quote }""")
    assert {str(r[0]) for r in rows} == {
        "The Development of Eastern Russia and New Realms in Sino-Russian Cooperation"
    }
    assert_quoted(rows, "Social Sciences Research Base Sponsored by the Ministry of Education")


def test_joint_innovation_center_project_2013() -> None:
    rows = select("""
        SELECT ?year ?quote WHERE {
          GRAPH ?g { src:guo-li pd:fromProject ?p .
                     ?p pd:date ?year ;
                        pd:adoptedBy organization:joint-sino-russian-innovation-center-humanities }
          ?g pd:quote ?quote }""")
    assert [str(r[0]) for r in rows] == ["2013"]
    assert_quoted(rows, "Innovation Center for Cooperation in the Humanities (2013)")


def test_eastern_russia_policy_adopted_by_russia_covers_far_east() -> None:
    rows = select("""
        SELECT ?quote WHERE {
          GRAPH ?g1 { policy:eastern-russia-development a pd:Policy ;
                        pd:covers macroregion:ru-far-east }
          GRAPH ?g2 { policy:eastern-russia-development pd:adoptedBy country:ru }
          ?g1 prov:wasDerivedFrom src:guo-li ; pd:quote ?quote }""")
    assert_quoted(rows, "development capabilities of eastern Russia")


def test_putin_president_and_most_crucial_issue() -> None:
    rows = select("""
        SELECT ?kind ?quote WHERE {
          GRAPH ?g { ?h pd:holder person:vladimir-putin ; pd:heldPost ?post .
                     ?post a pd:HeadOfState .
                     ?c a pd:Claim ; pd:claimKind ?kind ; pd:claimant person:guo-li ;
                        pd:about person:vladimir-putin, policy:eastern-russia-development }
          ?g pd:quote ?quote }""")
    assert {str(r[0]).rsplit("#", 1)[1] for r in rows} == {"Assessment"}
    assert_quoted(rows, "the most crucial issue that President Putin has faced")


@pytest.mark.parametrize(
    ("programme", "needle"),
    [
        ("russia-eastern-development-legislation", "enacting various bills"),
        ("russia-eastern-development-budget-oversight", "budget allocated to the eastern region"),
    ],
)
def test_state_departments_act_for_eastern_russia(programme: str, needle: str) -> None:
    rows = select(f"""
        SELECT ?quote WHERE {{
          GRAPH ?g {{ programme:{programme} a pd:Programme ;
                        pd:adoptedBy organization:russia-state-departments ;
                        pd:supports policy:eastern-russia-development }}
          ?g prov:wasDerivedFrom src:guo-li ; pd:quote ?quote }}""")
    assert_quoted(rows, needle)
    # stated as fact, so no claim rests on the same graph
    assert not select(f"""
        SELECT ?c WHERE {{
          GRAPH ?g {{ programme:{programme} a pd:Programme . ?c a pd:Claim }} }}""")


def test_top_priority_is_a_claim_not_a_fact() -> None:
    rows = select("""
        SELECT ?kind ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimKind ?kind ; pd:claimant person:guo-li ;
                       pd:about policy:eastern-russia-development, macroregion:ru-far-east }
          ?g pd:quote ?quote
          FILTER(CONTAINS(?quote, "top priority")) }""")
    assert [str(r[0]).rsplit("#", 1)[1] for r in rows] == ["Finding"]
    assert_quoted(rows, "currently positioned as the top priority for the growth of Russia")


def test_northeast_cooperation_is_indicator_for_community_of_interest() -> None:
    rows = select("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimKind pd:Assessment ; pd:claimant person:guo-li ;
                       pd:about macroregion:cn-northeast, macroregion:ru-far-east ;
                       pd:scopeCountry country:cn, country:ru }
          ?g pd:quote ?quote }""")
    assert len(rows) == 1
    assert_quoted(rows, "status of a community of interest")


def test_urgent_systematic_promotion_is_a_recommendation() -> None:
    rows = select("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimKind pd:Recommendation ; pd:claimant person:guo-li ;
                       pd:claimText ?t ; pd:scopeCountry country:cn, country:ru }
          ?g prov:wasDerivedFrom src:guo-li ; pd:quote ?quote }""")
    assert len(rows) == 1
    assert_quoted(rows, "is a matter of urgency at present")


def test_new_aspects_for_interregional_cooperation() -> None:
    rows = select("""
        SELECT ?quote WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimKind pd:Assessment ; pd:claimant person:guo-li ;
                       pd:about policy:eastern-russia-development ;
                       pd:scopeCountry country:cn, country:ru }
          ?g pd:quote ?quote }""")
    assert_quoted(rows, "has opened up new aspects in inter-regional cooperation")


def test_all_author_claims_counted_by_kind() -> None:
    rows = select("""
        SELECT ?kind (COUNT(DISTINCT ?c) AS ?n) WHERE {
          GRAPH ?g { ?c a pd:Claim ; pd:claimant person:guo-li ; pd:claimKind ?kind }
          ?g prov:wasDerivedFrom src:guo-li
        } GROUP BY ?kind""")
    counts = {str(r[0]).rsplit("#", 1)[1]: int(r[1]) for r in rows}
    assert counts == {"Assessment": 10, "Finding": 2, "Recommendation": 1}
