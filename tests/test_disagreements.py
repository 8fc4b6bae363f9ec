"""The disagreement detector: every cross-source disagreement, stored at build time."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from paradiplo.build import build
from paradiplo.disagreements import Disagreement, detect
from paradiplo.judgement import MemoryStore
from paradiplo.query import run_query
from paradiplo.store import DataDir, SelectResult

REPO = Path(__file__).resolve().parents[1]
CROSS = REPO / "queries" / "cross-source"


@pytest.fixture(scope="module")
def repo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("disagreements") / "store"
    build(data_dir, REPO)
    return data_dir


@pytest.fixture(scope="module")
def found(repo_store: Path) -> list[Disagreement]:
    with DataDir(repo_store).open() as store:
        return detect(store)


def _bindings(name: str) -> list[dict[str, str]]:
    document = json.loads((CROSS / name).read_text(encoding="utf-8"))
    return [{k: v["value"] for k, v in b.items()} for b in document["results"]["bindings"]]


def test_every_conflicting_tie_date_of_the_cross_source_pack_is_found(
    found: list[Disagreement],
) -> None:
    expected = {
        b["tie"] for b in _bindings("002-tie-dates-disagree.srj") if b["conflicting"] == "true"
    }
    dates = {d.thing for d in found if d.rule == "tie-date"}
    assert expected and expected <= dates


def test_the_unit_count_disagreement_with_iso_is_found(found: list[Disagreement]) -> None:
    expected = {
        b["figure"] for b in _bindings("004-unit-counts-vs-iso.srj") if b["agrees"] == "false"
    }
    counts = {d.thing for d in found if d.rule == "unit-count-vs-reference"}
    assert expected and expected == counts


def test_dates_that_differ_only_in_precision_agree(found: list[Disagreement]) -> None:
    agreeing = {
        b["tie"] for b in _bindings("002-tie-dates-disagree.srj") if b["conflicting"] == "false"
    }
    assert agreeing
    assert not agreeing & {d.thing for d in found if d.rule == "tie-date"}


def test_the_build_stores_them_with_both_sources_and_quotes(
    repo_store: Path, found: list[Disagreement]
) -> None:
    with DataDir(repo_store).open() as store:
        result = run_query(
            store,
            """SELECT ?d (COUNT(DISTINCT ?side) AS ?sides) (COUNT(DISTINCT ?source) AS ?sources)
               WHERE { GRAPH pdg:disagreements { ?d a pd:Disagreement ; pd:side ?side .
                       ?side prov:wasDerivedFrom ?source ; pd:statedIn ?g ; pd:statedValue ?v } }
               GROUP BY ?d""",
        )
    assert isinstance(result, SelectResult)
    assert len(result.rows) == len(found)
    assert all(r[1] is not None and r[1].value == "2" for r in result.rows)
    assert all(r[2] is not None and r[2].value == "2" for r in result.rows)


TWO_SOURCES = """
@prefix pd: <https://w3id.org/paradiplo/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix src: <https://w3id.org/paradiplo/source/> .
@prefix pda: <https://w3id.org/paradiplo/id/assertion/> .
@prefix tie: <https://w3id.org/paradiplo/id/tie/> .
pda:a-001 { pda:a-001 a pd:Assertion ; prov:wasDerivedFrom src:a ; pd:quote "a list dated 1994" .
            tie:x--y a pd:TwinningTie ; pd:established "1994-09-01"^^xsd:date . }
pda:b-001 { pda:b-001 a pd:Assertion ; prov:wasDerivedFrom src:b ; pd:quote "twinned since %s" .
            tie:x--y pd:established "%s"^^xsd:%s . }
"""


@pytest.mark.parametrize(
    ("value", "datatype", "disagree"),
    [("1998", "gYear", True), ("1994-09", "gYearMonth", False), ("1994", "gYear", False)],
)
def test_a_registry_date_against_another_sources_year(
    value: str, datatype: str, disagree: bool
) -> None:
    """As Taiyuan-Syktyvkar: 1994-09-01 in one list, "since 1998" elsewhere."""
    trig = TWO_SOURCES % (value, value, datatype)
    store = MemoryStore(ox.parse(trig.encode("utf-8"), ox.RdfFormat.TRIG))
    dates = [d for d in detect(store) if d.rule == "tie-date"]
    assert bool(dates) == disagree
    if disagree:
        (d,) = dates
        assert {d.first.source.rsplit("/", 1)[-1], d.second.source.rsplit("/", 1)[-1]} == {"a", "b"}
        assert {d.first.value.value, d.second.value.value} == {"1994-09-01", value}
        assert d.first.quote and d.second.quote
