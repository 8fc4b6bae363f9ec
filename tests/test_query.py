from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rich.console import Console
from rich.table import Table

from paradiplo.errors import ParadiploError
from paradiplo.query import add_missing_prefixes, read_query, render, used_prefixes
from paradiplo.store import AskResult, GraphResult, SelectResult, Term

PD = "https://w3id.org/paradiplo/ontology#"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
RESULT = SelectResult(
    ("tie", "label", "founded"),
    (
        (
            Term("uri", "https://w3id.org/paradiplo/id/tie/a--b"),
            Term("literal", 'A, "B"', lang="en"),
            Term("literal", "1993", XSD_INT),
        ),
        (Term("bnode", "b0"), None, Term("literal", "plain")),
    ),
)


def test_missing_project_prefixes_are_added() -> None:
    query = add_missing_prefixes("SELECT * WHERE { ?t a pd:TwinningTie ; pd:x ?y }")
    assert query.splitlines()[0] == f"PREFIX pd: <{PD}>"
    assert query.count("PREFIX") == 1


def test_declared_prefixes_are_left_alone() -> None:
    original = "prefix pd: <urn:mine#>\nSELECT * WHERE { ?t a pd:TwinningTie }"
    assert add_missing_prefixes(original) == original


def test_prefixes_in_strings_iris_and_comments_do_not_count() -> None:
    query = 'SELECT * WHERE { ?s <http://x/y:z> "pd:not" } # skos:comment\n'
    assert used_prefixes(query) == set()
    assert add_missing_prefixes(query) == query


def test_several_prefixes_and_unknown_ones() -> None:
    query = "SELECT * WHERE { ?s a pd:TwinningTie ; prov:wasDerivedFrom ?x ; foo:bar xsd:int }"
    added = add_missing_prefixes(query)
    declared = [line.split()[1] for line in added.splitlines() if line.startswith("PREFIX")]
    assert declared == ["pd:", "prov:", "xsd:"]


def test_read_query_needs_exactly_one_source(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK {}")
    assert read_query(None, path) == "ASK {}"
    assert read_query("ASK {}", None) == "ASK {}"
    with pytest.raises(ParadiploError):
        read_query(None, None)
    with pytest.raises(ParadiploError):
        read_query("ASK {}", path)


def test_csv_output_follows_sparql_csv() -> None:
    text = render(RESULT, "csv")
    assert isinstance(text, str)
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["tie", "label", "founded"],
        ["https://w3id.org/paradiplo/id/tie/a--b", 'A, "B"', "1993"],
        ["_:b0", "", "plain"],
    ]


def test_tsv_output_uses_ntriples_terms() -> None:
    assert render(RESULT, "tsv") == (
        "?tie\t?label\t?founded\n"
        f'<https://w3id.org/paradiplo/id/tie/a--b>\t"A, \\"B\\""@en\t"1993"^^<{XSD_INT}>\n'
        '_:b0\t\t"plain"\n'
    )


def test_json_output_follows_sparql_json() -> None:
    document = json.loads(str(render(RESULT, "json")))
    assert document["head"] == {"vars": ["tie", "label", "founded"]}
    first, second = document["results"]["bindings"]
    assert first["label"] == {"type": "literal", "value": 'A, "B"', "xml:lang": "en"}
    assert first["founded"] == {"type": "literal", "value": "1993", "datatype": XSD_INT}
    assert "label" not in second
    assert second["tie"] == {"type": "bnode", "value": "b0"}


def test_table_output_shortens_iris() -> None:
    table = render(RESULT, "table")
    assert isinstance(table, Table)
    console = Console(record=True, width=120)
    console.print(table)
    text = console.export_text()
    assert "tie:a--b" in text
    assert 'A, "B"@en' in text
    assert "2 rows" in text


def test_ask_results() -> None:
    assert render(AskResult(True), "table") == "true\n"
    assert render(AskResult(False), "csv") == "false\n"
    assert json.loads(str(render(AskResult(True), "json"))) == {"head": {}, "boolean": True}


def test_graph_results_are_turtle_with_project_prefixes() -> None:
    result = GraphResult(
        (
            (
                Term("uri", "https://w3id.org/paradiplo/id/city/cn-harbin"),
                Term("uri", PD + "twinnedWith"),
                Term("uri", "https://w3id.org/paradiplo/id/city/ru-khabarovsk"),
            ),
            (Term("bnode", "x"), Term("uri", PD + "value"), Term("literal", "66", XSD_INT)),
        )
    )
    text = render(result, "csv")
    assert isinstance(text, str)
    assert "@prefix pd:" in text
    graph = Graph().parse(data=text, format="turtle")
    assert len(graph) == 2
    assert (
        URIRef("https://w3id.org/paradiplo/id/city/cn-harbin"),
        URIRef(PD + "twinnedWith"),
        URIRef("https://w3id.org/paradiplo/id/city/ru-khabarovsk"),
    ) in graph
