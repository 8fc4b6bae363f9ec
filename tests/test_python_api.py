"""The Python API (``paradiplo.open``, ``paradiplo.analysis``): DataFrames from the built
graph, the ready functions, and the worked example of docs/python-api.md, executed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import PREFIXES_TTL, write

import paradiplo
from paradiplo.analysis import KnowledgeGraph, country_iri, frame, value
from paradiplo.build import build, import_file
from paradiplo.errors import ParadiploError
from paradiplo.remote import RemoteStore
from paradiplo.store import AskResult, NoStoreError, Term

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "python-api.md"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture
def mini_store(mini_root: Path, data_dir: Path) -> Path:
    build(data_dir, mini_root)
    return data_dir


def test_import_paradiplo_does_not_load_pandas() -> None:
    code = "import sys, paradiplo, paradiplo.cli; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_open_without_a_build_says_so(tmp_path: Path) -> None:
    with pytest.raises(NoStoreError):
        paradiplo.open(tmp_path / "nothing")


def test_open_a_remote_store_uses_remote_py() -> None:
    kg = paradiplo.open(store="http://127.0.0.1:9/query")  # not contacted until queried
    assert isinstance(kg, paradiplo.KnowledgeGraph)
    assert isinstance(kg.store, RemoteStore) and kg.store.url == "http://127.0.0.1:9/query"


def test_cells_become_python_values() -> None:
    assert value(Term("literal", "42", XSD + "integer")) == 42
    assert value(Term("literal", "2.5", XSD + "decimal")) == 2.5
    assert value(Term("literal", "true", XSD + "boolean")) is True
    assert value(Term("literal", "1995-05", XSD + "gYearMonth")) == "1995-05"
    assert value(Term("literal", "x", XSD + "integer")) == "x"  # ill-typed: its text
    assert value(Term("uri", "https://example.org/a")) == "https://example.org/a"
    assert value(Term("bnode", "b0")) == "_:b0"
    assert value(None) is None
    assert frame(AskResult(True))["ask"].tolist() == [True]


def test_country_codes_are_checked() -> None:
    assert country_iri("CN") == "https://w3id.org/paradiplo/id/country/cn"
    with pytest.raises(ParadiploError):
        country_iri("China")


def test_query_returns_a_dataframe_with_its_query(mini_store: Path) -> None:
    with paradiplo.open(mini_store) as kg:
        ties = kg.query(
            "SELECT ?t ?d WHERE { ?t a pd:TwinningTie OPTIONAL { ?t pd:established ?d } }"
        )
        triples = kg.query("CONSTRUCT { ?t a pd:TwinningTie } WHERE { ?t a pd:TwinningTie }")
    assert isinstance(ties, pd.DataFrame) and list(ties.columns) == ["t", "d"]
    assert ties.attrs["query"].startswith("SELECT ?t ?d")
    assert len(triples) == 2 and list(triples.columns) == ["subject", "predicate", "object"]


def test_ties_give_one_row_per_stating_graph(mini_store: Path) -> None:
    with paradiplo.open(mini_store) as kg:
        ties = kg.ties("cn", "ru")
        assert kg.ties("ru", "us").empty
    harbin = ties[ties["partner_label"] == "Khabarovsk"]
    assert sorted(harbin["established"]) == ["1993", "1994"]
    assert set(harbin["quote"]) == {
        "Harbin and Khabarovsk became sister cities in 1993.",
        "The Harbin-Khabarovsk tie dates from 1994, another passage says.",
    }
    assert set(ties["place_label"]) == {"Harbin", "Heilongjiang"}
    assert set(ties["source"]) == {"https://w3id.org/paradiplo/source/test-source"}


def test_ties_from_an_imported_registry_name_the_record(
    mini_root: Path, data_dir: Path, tmp_path: Path
) -> None:
    registry = "<https://w3id.org/paradiplo/source/registry-test>"
    record = "<https://w3id.org/paradiplo/id/record/registry-test-7>"
    tie = "<https://w3id.org/paradiplo/id/tie/cn-harbin--ru-khabarovsk>"
    graph = "<https://w3id.org/paradiplo/id/graph/registry-test>"
    nq = write(
        tmp_path / "registry-test.nq",
        f'{record} <http://www.w3.org/2000/01/rdf-schema#label> "Harbin - Khabarovsk" {graph} .\n'
        f"{record} <http://www.w3.org/ns/prov#wasDerivedFrom> {registry} {graph} .\n"
        f"{tie} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        f"<https://w3id.org/paradiplo/ontology#TwinningTie> {graph} .\n"
        f"{tie} <http://www.w3.org/ns/prov#wasDerivedFrom> {record} {graph} .\n",
    )
    build(data_dir, mini_root, imports=[import_file(nq, "imports/registry-test.nq")])
    with paradiplo.open(data_dir) as kg:
        ties = kg.ties("cn", "ru")
    row = ties[ties["graph"] == graph[1:-1]].iloc[0]
    assert row["source"] == registry[1:-1] and row["record"] == record[1:-1]
    assert row["record_label"] == "Harbin - Khabarovsk" and pd.isna(row["quote"])


def test_disagreements_follow_the_documented_pattern(mini_root: Path, data_dir: Path) -> None:
    write(
        mini_root / "data" / "sources" / "extra.trig",
        PREFIXES_TTL
        + "@prefix figure: <https://w3id.org/paradiplo/id/figure/> .\n"
        + "pda:extra-001 { pda:extra-001 a pd:Assertion ; prov:wasDerivedFrom src:test-source ;\n"
        + '    pd:quote "more precise" .\n'
        + '  tie:cn-harbin--ru-khabarovsk pd:established "1993-06-15"^^xsd:date .\n'
        + "  figure:f a pd:PublishedFigure ; pd:value 66 . }\n"
        + "pda:extra-002 { pda:extra-002 a pd:Assertion ; prov:wasDerivedFrom src:test-source ;\n"
        + '    pd:quote "another count" .\n'
        + "  figure:f a pd:PublishedFigure ; pd:value 6 . }\n",
    )
    build(data_dir, mini_root, allow_violations=True)
    with paradiplo.open(data_dir) as kg:
        found = kg.disagreements()
    pairs = {
        (row.subject.rsplit("/", 1)[-1], str(row.value), str(row.other_value))
        for row in found.itertuples()
    }
    # 1993 vs 1994 and 1993-06-15 vs 1994 disagree; 1993 vs 1993-06-15 is one date twice
    assert pairs == {
        ("cn-harbin--ru-khabarovsk", "1993", "1994"),
        ("cn-harbin--ru-khabarovsk", "1993-06-15", "1994"),
        ("f", "66", "6"),
    }
    assert {"more precise", "another count"} <= {*found["quote"], *found["other_quote"]}


def _page_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.M | re.S)


@pytest.fixture(scope="module")
def repo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("api") / "store"
    build(data_dir, REPO)
    return data_dir


@pytest.mark.repo_content
def test_the_worked_example_runs_on_the_repository(
    repo_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _page_blocks()
    assert len(blocks) >= 4
    monkeypatch.setenv("PARADIPLO_DATA_DIR", str(repo_store))
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)  # the page's own code
    ties, figures = namespace["ties"], namespace["figures"]
    disagreements, quotes = namespace["disagreements"], namespace["quotes"]
    assert isinstance(ties, pd.DataFrame) and ties["tie"].nunique() > 100
    moscow = ties[ties["partner_label"] == "Moscow"]
    assert "https://w3id.org/paradiplo/source/china-daily-2004" in set(moscow["source"])
    assert isinstance(figures, pd.DataFrame)
    assert {66, 122} <= set(figures["value"])  # a tie count and an agreement count
    assert isinstance(disagreements, pd.DataFrame) and len(disagreements) >= 3
    assert isinstance(quotes, pd.DataFrame) and len(quotes) >= 1
    assert isinstance(namespace["kg"], KnowledgeGraph)
    assert "statements of" in capsys.readouterr().out
