"""``pd:requires``: a query pack that needs an imported registry is skipped without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paradiplo.build import build
from paradiplo.importers import registry_import
from paradiplo.importers.twin_cities import import_csv
from paradiplo.reproduce import load_pack, render_markdown, reproduce, summary
from paradiplo.store import DataDir

from .conftest import REPO, write_csv

MANIFEST = """\
@prefix mf:   <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> .
@prefix qt:   <http://www.w3.org/2001/sw/DataAccess/tests/test-query#> .
@prefix pd:   <https://w3id.org/paradiplo/ontology#> .
@prefix src:  <https://w3id.org/paradiplo/source/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<> a mf:Manifest ;
    rdfs:label "Needs Wikipedia's lists" ;
    pd:requires src:wikipedia-twin-cities ;
    mf:entries ( <#ties> <#figure> ) .

<#ties> a mf:QueryEvaluationTest ;
    mf:name "Ties from Wikipedia's lists" ;
    pd:tier pd:Recomputed ;
    mf:action [ qt:query <001-ties.rq> ] ;
    mf:result <001-ties.srj> .

<#figure> a mf:QueryEvaluationTest ;
    mf:name "Also needs Wikidata" ;
    pd:requires src:wikidata-p190 ;
    pd:tier pd:Recomputed ;
    mf:action [ qt:query <001-ties.rq> ] ;
    mf:result <001-ties.srj> .
"""
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
QUERY = """\
SELECT (COUNT(DISTINCT ?tie) AS ?ties) WHERE {
  ?tie prov:wasDerivedFrom ?record . ?record pd:inRegistry src:wikipedia-twin-cities .
}
"""
EXPECTED = json.dumps(
    {
        "head": {"vars": ["ties"]},
        "results": {"bindings": [{"ties": {"type": "literal", "value": "1", "datatype": XSD_INT}}]},
    }
)


@pytest.fixture(scope="module")
def queries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("queries")
    pack = directory / "needs-wikipedia"
    pack.mkdir()
    (pack / "manifest.ttl").write_text(MANIFEST, encoding="utf-8")
    (pack / "001-ties.rq").write_text(QUERY, encoding="utf-8")
    (pack / "001-ties.srj").write_text(EXPECTED, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def plain_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("plain") / "store"
    build(data_dir, REPO, allow_violations=True)
    return data_dir


def test_requires_is_read_from_manifest_and_entry(queries: Path) -> None:
    pack = load_pack(queries / "needs-wikipedia" / "manifest.ttl")
    assert [f.requires for f in pack.findings] == [
        ("wikipedia-twin-cities",),
        ("wikidata-p190", "wikipedia-twin-cities"),
    ]


def test_pack_is_skipped_without_the_registry(plain_store: Path, queries: Path) -> None:
    with DataDir(plain_store).open() as store:
        report = reproduce(store, queries)
    assert [o.status for o in report.findings] == ["skipped", "skipped"]
    assert "requires src:wikipedia-twin-cities, not in the store" in report.findings[0].detail
    assert report.findings[0].expected == "1"  # the expected answer is still shown
    assert not report.failed()
    assert "2 skipped" in summary(report)
    assert "skipped: requires src:wikipedia-twin-cities" in render_markdown(report)


def test_pack_runs_once_the_registry_is_imported(
    plain_store: Path, queries: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "store"
    build(data_dir, REPO, allow_violations=True)
    csv = write_csv(
        tmp_path / "t.csv", ["Harbin,China,45.75,126.65,Khabarovsk,Russia,48.48,135.08"]
    )
    registry_import.commit(import_csv(csv, REPO), data_dir, REPO, allow_violations=True)
    with DataDir(data_dir).open() as store:
        report = reproduce(store, queries)
    statuses = [(o.id, o.status) for o in report.findings]
    # Wikidata is still missing for the second entry.
    assert statuses == [("ties", "reproduced"), ("figure", "skipped")]


def test_the_cross_registry_pack_is_skipped_in_a_store_without_imports(plain_store: Path) -> None:
    with DataDir(plain_store).open() as store:
        report = reproduce(store, REPO / "queries", "wikipedia-twin-cities")
    assert report.findings
    assert {o.status for o in report.findings} == {"skipped"}
