"""Verdicts: every finding judged against independent evidence, stored as EARL at build time."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from paradiplo.build import build
from paradiplo.judgement import MemoryStore
from paradiplo.namespaces import PD, PREFIXES
from paradiplo.query import run_query
from paradiplo.reproduce import Finding, VerdictSpec, discover_packs, reproduce
from paradiplo.store import DataDir, SelectResult, Term
from paradiplo.verdicts import Provenance, compare_values, dates_agree, judge

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries"
DOCS_QUERIES = REPO / "docs" / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
FINDINGS = [f for pack in discover_packs(QUERIES) for f in pack.findings]


@pytest.fixture(scope="module")
def repo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("verdicts") / "store"
    build(data_dir, REPO)
    return data_dir


@pytest.fixture(scope="module")
def verdicts(repo_store: Path) -> dict[str, str]:
    """``pack/id`` -> the verdict a repository build stored (its outcome's local name)."""
    rows = select(
        repo_store,
        """SELECT ?finding ?outcome WHERE { GRAPH pdg:verdicts {
             ?a earl:subject ?finding ; earl:test pd:IndependentEvidenceTest ;
                earl:result/earl:outcome ?outcome } }""",
    )
    return {_key(r[0]): r[1].value.rsplit("#", 1)[-1] for r in rows}


def select(data_dir: Path, sparql: str) -> list[tuple[Term, ...]]:
    with DataDir(data_dir).open() as store:
        result = run_query(store, sparql)
    assert isinstance(result, SelectResult)
    return [tuple(c for c in row if c is not None) for row in result.rows]


def _key(term: Term) -> str:
    slug = term.value.rsplit("/", 1)[-1]
    for f in FINDINGS:
        if slug == f"{f.pack}-{f.id}":
            return f"{f.pack}/{f.id}"
    return slug


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f"{f.pack}/{f.id}")
def test_every_repository_finding_says_how_it_is_judged(finding: Finding) -> None:
    spec = finding.verdict
    assert (spec.untestable, spec.evidence_query, spec.settled_by, spec.not_comparable) != (
        None,
        None,
        None,
        None,
    )
    if spec.evidence_query is not None:
        assert spec.evidence_query.is_file()


def test_every_finding_has_one_regression_and_one_verdict_in_the_graph(
    repo_store: Path, verdicts: dict[str, str]
) -> None:
    assert set(verdicts) == {f"{f.pack}/{f.id}" for f in FINDINGS}
    rows = select(
        repo_store,
        """SELECT ?test (COUNT(?a) AS ?n) (COUNT(DISTINCT ?f) AS ?findings) WHERE {
             GRAPH pdg:verdicts { ?a a earl:Assertion ; earl:test ?test ; earl:subject ?f } }
           GROUP BY ?test""",
    )
    counts = {r[0].value.rsplit("#", 1)[-1]: (int(r[1].value), int(r[2].value)) for r in rows}
    n = len(FINDINGS)
    assert counts == {"RegressionTest": (n, n), "IndependentEvidenceTest": (n, n)}


# Verdicts that follow from the records in the repository (each explained in its manifest).
EXPECTED = {
    "china-daily-2004/pairs-66": "PartlySupported",  # 46 registry ties <= 66 (lower bound)
    "china-daily-2004/beijing-moscow-1995": "Supported",  # 1995-05-16 and 1995-05 agree
    "lavrov-khabarovsk/federal-subjects-89": "Contradicted",  # ISO 3166-2:RU: 83
    "lavrov-khabarovsk/oblasts-within-krais": "Contradicted",
    "lavrov-khabarovsk/cn-units-34": "Supported",
    "lavrov-khabarovsk/cn-autonomous-regions-5": "Supported",
    "lavrov-khabarovsk/cn-provinces-municipalities": "Supported",
    "lavrov-khabarovsk/russia-more-regions": "Supported",
    "makeeva-2023/trend-2000s-central": "Contradicted",  # 1 Central tie against 5 North-East
    "makeeva-2023/trend-2010s-east": "Contradicted",
    "makeeva-2023/first-ties-1988": "Supported",
    "makeeva-2023/agreements-122-31-91": "PartlySupported",
    "leffel-2010/recommendations": "Untestable",
    "guo-li/crucial-issue": "Untestable",
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_verdicts_follow_from_the_records(verdicts: dict[str, str], key: str) -> None:
    assert verdicts[key] == EXPECTED[key]


CIRCULAR = [
    "leffel-2010/mayor-final-arbiter",
    "leffel-2010/establishment-approval-order",
    "leffel-2010/activity-approval-order",
    "leffel-2010/reporting-respondents",
    "leffel-2010/reporting-counts",
    "leffel-2010/reporting-no-consensus",
    "leffel-2010/reporting-lines",
]


@pytest.mark.parametrize("key", CIRCULAR)
def test_checks_resting_on_the_encoding_are_consistency_checks_never_evidence(
    repo_store: Path, verdicts: dict[str, str], key: str
) -> None:
    assert verdicts[key] == "Unchecked"
    pack, finding = key.split("/")
    rows = select(
        repo_store,
        f"""SELECT ?consistency ?used ?settled WHERE {{ GRAPH pdg:verdicts {{
              ?a earl:subject finding:{pack}-{finding} ; earl:test pd:IndependentEvidenceTest ;
                 earl:result ?r .
              BIND(EXISTS {{ ?r a pd:ConsistencyCheck }} AS ?consistency)
              BIND(EXISTS {{ ?r prov:used ?any }} AS ?used)
              ?r pd:settledBy ?settled }} }}""",
    )
    assert [(r[0].value, r[1].value) for r in rows] == [("true", "false")]


def test_unchecked_name_the_record_and_untestable_say_which_kind(repo_store: Path) -> None:
    rows = select(
        repo_store,
        """SELECT ?f WHERE { GRAPH pdg:verdicts {
             ?a earl:subject ?f ; earl:test pd:IndependentEvidenceTest ; earl:result ?r .
             { ?r earl:outcome pd:Unchecked FILTER NOT EXISTS { ?r pd:settledBy ?s } }
             UNION
             { ?r earl:outcome pd:Untestable FILTER NOT EXISTS { ?r pd:untestableKind ?k } }
             UNION
             { ?r earl:outcome pd:NotComparable FILTER NOT EXISTS { ?r dct:description ?d } }
           } }""",
    )
    assert rows == []


def test_evidence_is_independent_of_the_claiming_source(repo_store: Path) -> None:
    """No record used as evidence is derived from a source of the finding it judges."""
    rows = select(
        repo_store,
        """SELECT ?f ?record WHERE {
             GRAPH pdg:verdicts { ?a earl:subject ?f ; earl:result ?r . ?r prov:used ?record .
                                  ?f dct:source ?source }
             { ?record prov:wasDerivedFrom+ ?source } UNION { ?record a pd:EncoderReading }
           }""",
    )
    assert rows == []


def test_dates_agree_at_the_coarser_precision() -> None:
    assert dates_agree("1995-05", "1995-05-16")
    assert dates_agree("1995", "1995-05-16")
    assert not dates_agree("1990-08-12", "1992-08-12")
    assert not dates_agree("1994-09-01", "1998")


def _int(n: int) -> Term:
    return Term("literal", str(n), XSD + "integer")


def test_lower_bound_comparison() -> None:
    assert compare_values(_int(66), _int(46), "LowerBound") == "partial"
    assert compare_values(_int(66), _int(66), "LowerBound") == "agrees"
    assert compare_values(_int(66), _int(70), "LowerBound") == "disagrees"
    assert compare_values(_int(66), _int(46), "SameValue") == "disagrees"
    year = Term("literal", "1988", XSD + "gYear")
    day = Term("literal", "1988-12-15", XSD + "date")
    assert compare_values(year, day, "SameValue") == "agrees"


# --- independence from provenance, on a store made for the test -----------------------

SRC = PREFIXES["src"]
ID = PREFIXES["id"]
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _store(record_source: str, reading: bool) -> MemoryStore:
    """A claim of src:claimer (66) and one evidence record (66) derived via a page."""
    g_claim = ox.NamedNode(ID + "assertion/claimer-001")
    g_record = ox.NamedNode(ID + "assertion/record-001")
    page = ox.NamedNode(SRC + "page")
    quads = [
        ox.Quad(g_claim, ox.NamedNode(PROV), ox.NamedNode(SRC + "claimer"), g_claim),
        ox.Quad(g_record, ox.NamedNode(PROV), page, g_record),
        ox.Quad(page, ox.NamedNode(PROV), ox.NamedNode(SRC + record_source), g_record),
        ox.Quad(
            ox.NamedNode(ID + "figure/x"), ox.NamedNode(str(PD.value)), ox.Literal("66"), g_claim
        ),
    ]
    if reading:
        quads.append(
            ox.Quad(g_record, ox.NamedNode(TYPE), ox.NamedNode(str(PD.EncoderReading)), g_record)
        )
    return MemoryStore(quads)


EVIDENCE = f"""SELECT ?stated ?evidence ?record WHERE {{
  BIND(66 AS ?stated) BIND(66 AS ?evidence)
  BIND(<{ID}assertion/record-001> AS ?record) }}"""


@pytest.mark.parametrize(
    ("record_source", "reading", "verdict"),
    [
        ("other", False, "supported"),
        ("claimer", False, "unchecked"),  # the page the record rests on copies the claimer
        ("other", True, "unchecked"),  # the encoder's reading never counts
    ],
)
def test_independence_is_decided_from_provenance(
    tmp_path: Path, record_source: str, reading: bool, verdict: str
) -> None:
    query = tmp_path / "001-x.evidence.rq"
    query.write_text(EVIDENCE, encoding="utf-8")
    finding = Finding(
        pack="claimer",
        id="x",
        name="x",
        sources=("claimer",),
        tier="Recomputed",
        query=None,
        result=None,
        verdict=VerdictSpec(evidence_query=query, settled_by="another record"),
    )
    store = _store(record_source, reading)
    judgement = judge(store, finding, Provenance(store))
    assert judgement.verdict == verdict
    if verdict == "unchecked":
        assert judgement.consistency_only and "consistency check" in judgement.explanation


# --- the SPARQL queries in docs/ ----------------------------------------------------------


def test_docs_query_lists_a_sources_findings_with_verdicts(repo_store: Path) -> None:
    rows = select(repo_store, (DOCS_QUERIES / "source-verdicts.rq").read_text())
    assert len(rows) >= 12
    text = " ".join(c.value for row in rows for c in row)
    for expected in ("contradicted", "supported", "registry-china-russia", "1988", "122"):
        assert expected in text


def test_docs_query_lists_every_stored_disagreement(repo_store: Path) -> None:
    sparql = (DOCS_QUERIES / "disagreements.rq").read_text()
    with DataDir(repo_store).open() as store:
        result = run_query(store, sparql)
    assert isinstance(result, SelectResult)
    index = {v: i for i, v in enumerate(result.variables)}
    stored = select(
        repo_store, "SELECT ?d WHERE { GRAPH pdg:disagreements { ?d a pd:Disagreement } }"
    )
    assert len(result.rows) == len(stored) > 0
    quoted = [r for r in result.rows if r[index["quoteA"]] and r[index["quoteB"]]]
    assert quoted, "both sides of a disagreement carry their quotes"


def test_reproduce_reports_verdicts_and_evidence(repo_store: Path) -> None:
    with DataDir(repo_store).open() as store:
        report = reproduce(store, QUERIES, "makeeva-2023")
    judged = {j.finding.id: j for j in report.judgements}
    central = judged["trend-2000s-central"]
    assert central.verdict == "contradicted"
    assert (central.stated, central.evidence) == ("cn-central", "cn-northeast")
    assert f"{SRC}registry-china-russia" in central.evidence_sources
