"""The SPARQL 1.1 Protocol at /sparql: the three ways to send a query, every result format
parsed back and compared with the embedded store's own answer, content negotiation, the
dataset parameters, and each error status with a useful message."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import Namespace

from paradiplo.namespaces import PDG
from paradiplo.query import add_missing_prefixes
from paradiplo.reproduce import to_rdflib_graph
from paradiplo.store import GraphResult, SelectResult

from .conftest import Apps, Client, embedded

pytestmark = pytest.mark.repo_content

SRX = "{http://www.w3.org/2005/sparql-results#}"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
TIES = """SELECT ?tie ?first ?second WHERE {
  ?tie a pd:TwinningTie ; pd:firstParty ?first ; pd:secondParty ?second } ORDER BY ?tie"""
BEIJING_MOSCOW = "https://w3id.org/paradiplo/id/tie/cn-beijing--ru-moscow"
CONSTRUCT = f"CONSTRUCT {{ <{BEIJING_MOSCOW}> ?p ?o }} WHERE {{ <{BEIJING_MOSCOW}> ?p ?o }}"


def expected_rows(repo_store: Path, sparql: str) -> set[tuple[str, ...]]:
    """The rows the embedded store gives, as tuples of plain values."""
    with embedded(repo_store) as store:
        result = store.query(add_missing_prefixes(sparql))
    assert isinstance(result, SelectResult) and result.rows
    return {tuple(t.value if t else "" for t in row) for row in result.rows}


def json_rows(body: bytes) -> set[tuple[str, ...]]:
    document = json.loads(body)
    names = document["head"]["vars"]
    return {
        tuple(b.get(n, {}).get("value", "") for n in names) for b in document["results"]["bindings"]
    }


def test_get_query_answers_like_the_embedded_store(client: Client, repo_store: Path) -> None:
    response = client.query(TIES)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert json_rows(response.content) == expected_rows(repo_store, TIES)


def test_post_form_and_post_direct_give_the_same_answer(client: Client, repo_store: Path) -> None:
    form = client.post("/sparql", data={"query": TIES})
    direct = client.post(
        "/sparql", content=TIES.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert form.status_code == direct.status_code == 200
    assert json_rows(form.content) == json_rows(direct.content) == expected_rows(repo_store, TIES)


def test_select_in_xml_csv_and_tsv_parses_back(client: Client, repo_store: Path) -> None:
    expected = expected_rows(repo_store, TIES)

    xml = client.query(TIES, "application/sparql-results+xml")
    assert xml.headers["content-type"] == "application/sparql-results+xml"
    root = ET.fromstring(xml.content)
    names = [v.get("name") for v in root.iter(SRX + "variable")]
    assert names == ["tie", "first", "second"]
    rows = {
        tuple(r.find(f"{SRX}binding[@name='{n}']")[0].text or "" for n in names)  # type: ignore[index]
        for r in root.iter(SRX + "result")
    }
    assert rows == expected

    table = client.query(TIES, "text/csv")
    assert table.headers["content-type"].startswith("text/csv")
    parsed = list(csv.reader(io.StringIO(table.text)))
    assert parsed[0] == ["tie", "first", "second"]
    assert {tuple(row) for row in parsed[1:]} == expected

    tsv = client.query(TIES, "text/tab-separated-values")
    lines = tsv.text.splitlines()
    assert lines[0].split("\t") == ["?tie", "?first", "?second"]
    assert {tuple(c.strip("<>") for c in line.split("\t")) for line in lines[1:]} == expected


@pytest.mark.parametrize(
    ("accept", "check"),
    [
        ("application/sparql-results+json", lambda body: json.loads(body)["boolean"] is True),
        (
            "application/sparql-results+xml",
            lambda body: ET.fromstring(body).find(SRX + "boolean").text == "true",  # type: ignore[union-attr]
        ),
        ("text/csv", lambda body: body.decode().split() == ["_askResult", "true"]),
        (
            "text/tab-separated-values",
            lambda body: body.decode().split() == ["?_askResult", "true"],
        ),
    ],
)
def test_ask_in_every_results_format(client: Client, accept: str, check: object) -> None:
    response = client.query("ASK { city:cn-beijing pd:twinnedWith city:ru-moscow }", accept)
    assert response.status_code == 200
    assert callable(check) and check(response.content)


def test_ask_false_is_false(client: Client) -> None:
    response = client.query("ASK { city:cn-beijing pd:twinnedWith city:cn-beijing }")
    assert json.loads(response.content)["boolean"] is False


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_in_every_rdf_format_parses_back(
    client: Client, repo_store: Path, accept: str, media_type: str, rdflib_format: str
) -> None:
    response = client.query(CONSTRUCT, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    got = Graph().parse(data=response.content, format=rdflib_format)
    with embedded(repo_store) as store:
        result = store.query(CONSTRUCT)
    assert isinstance(result, GraphResult) and len(result.triples) > 5
    assert isomorphic(got, to_rdflib_graph(result))


def test_describe_answers_rdf(client: Client) -> None:
    response = client.query(f"DESCRIBE <{BEIJING_MOSCOW}>", "text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef(BEIJING_MOSCOW), None, None) in graph


def test_accept_q_values_choose_the_preferred_format(client: Client) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, application/json;q=0.1"
    assert client.query(TIES, accept).headers["content-type"] == "application/sparql-results+xml"
    assert (
        client.query(TIES, "text/*;q=0.8, */*;q=0.1").headers["content-type"].startswith("text/csv")
    )
    graph = client.query(CONSTRUCT, "application/sparql-results+json;q=1, */*;q=0.2")
    assert graph.headers["content-type"].startswith("text/turtle")


def test_format_parameter_overrides_accept(client: Client) -> None:
    response = client.query(TIES, "application/sparql-results+json", format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    rdfxml = client.query(CONSTRUCT, None, format="xml")
    assert rdfxml.headers["content-type"] == "application/rdf+xml"


def test_unsatisfiable_accept_is_406_with_the_offered_types(client: Client) -> None:
    response = client.query(TIES, "image/png")
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    refused = client.query(TIES, "application/sparql-results+json;q=0, text/turtle")
    assert refused.status_code == 406
    assert client.query(CONSTRUCT, "text/csv").status_code == 406
    assert client.query(TIES, None, format="pdf").status_code == 406


def test_malformed_query_is_400_with_the_parser_message(client: Client) -> None:
    response = client.query("SELECT ?x WHERE { ?x ?y }")
    assert response.status_code == 400
    assert "syntax error at line 1, column " in response.text
    assert "Traceback" not in response.text


def test_unknown_content_type_is_415(client: Client) -> None:
    response = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text
    assert client.post("/sparql", content=b"ASK {}").status_code == 415


def test_wrong_method_is_405_with_allow(client: Client) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = client.request(method, "/sparql", params={"query": "ASK {}"})
        assert response.status_code == 405
        assert "POST" in response.headers["allow"]
    update_by_get = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert update_by_get.status_code == 405


def test_body_over_the_cap_is_413(repo_store: Path, apps: Apps) -> None:
    small = apps.make(repo_store, max_body=200)
    padding = "#" + "x" * 300 + "\nASK {}"
    response = small.post(
        "/sparql", content=padding.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert "200" in response.text
    assert small.post("/sparql", data={"query": padding}).status_code == 413
    assert small.post("/sparql", data={"query": "ASK {}"}).status_code == 200


def test_ambiguous_requests_are_400(client: Client) -> None:
    both = client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert both.status_code == 400
    twice = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert twice.status_code == 400
    bad_graph = client.query("ASK {}", None, **{"default-graph-uri": "not an iri"})
    assert bad_graph.status_code == 400


def test_dataset_parameters_set_the_default_and_named_graphs(
    client: Client, repo_store: Path
) -> None:
    ontology = str(PDG["ontology"])
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = client.query(count, None, **{"default-graph-uri": ontology})
    (row,) = json_rows(response.content)
    expected = expected_rows(
        repo_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}"
    )
    assert {row} == expected

    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = client.query(graphs, None, **{"named-graph-uri": [ontology, str(PDG["shapes"])]})
    assert json_rows(named.content) == {(ontology,), (str(PDG["shapes"]),)}


def test_project_prefixes_need_no_declaration_but_declarations_win(client: Client) -> None:
    response = client.query("SELECT ?c WHERE { ?c a pd:City } LIMIT 1")
    assert response.status_code == 200
    override = client.query("PREFIX pd: <http://example.org/> ASK { ?c a pd:City }")
    assert json.loads(override.content)["boolean"] is False


def test_head_answers_without_a_body(client: Client) -> None:
    response = client.request("HEAD", "/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert response.content == b""


def test_service_description_without_a_query(client: Client, repo_store: Path) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    endpoint = URIRef("http://testserver/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) not in graph
    names = set(graph.objects(None, SD.name))
    with embedded(repo_store) as store:
        assert names == {URIRef(g) for g in store.named_graphs()}
        total = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(total, SelectResult)
    default = next(graph.objects(None, SD.defaultGraph))
    assert graph.value(default, VOID.triples) == Literal(int(total.rows[0][0].value))  # type: ignore[union-attr]
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=jsonld.content, format="json-ld")) == len(graph)


def test_cors_is_off_by_default_and_configurable(
    client: Client, repo_store: Path, apps: Apps
) -> None:
    origin = {"Origin": "https://ui.example.org"}
    plain = client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert "access-control-allow-origin" not in plain.headers
    open_client = apps.make(repo_store, cors_origins=("https://ui.example.org",))
    allowed = open_client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert allowed.headers["access-control-allow-origin"] == "https://ui.example.org"
    preflight = open_client.request(
        "OPTIONS",
        "/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    other = open_client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://x.org"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_a_broken_store_is_503_without_paths(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy)
    (store_copy / "CURRENT").write_text("no-such-build\n")
    response = client.query("ASK {}")
    assert response.status_code == 503
    assert str(store_copy) not in response.text and "Traceback" not in response.text
    page = client.get("/id/city/cn-harbin", headers={"Accept": "text/html"})
    assert page.status_code == 503 and str(store_copy) not in page.text
