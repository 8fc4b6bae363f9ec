"""Linked data: instance, source and ontology IRIs served as HTML or RDF, with provenance
(sources and verbatim quotes) on the pages, and the VoID description of the dataset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, Namespace

from paradiplo.namespaces import PDG
from paradiplo.store import SelectResult

from .conftest import Client, embedded

pytestmark = pytest.mark.repo_content

TIE = "https://w3id.org/paradiplo/id/tie/cn-beijing--ru-moscow"
TIE_PATH = "/id/tie/cn-beijing--ru-moscow"
PD = "https://w3id.org/paradiplo/ontology#"
VOID = Namespace("http://rdfs.org/ns/void#")
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def select(repo_store: Path, query: str) -> SelectResult:
    with embedded(repo_store) as store:
        result = store.query(query)
    assert isinstance(result, SelectResult)
    return result


def test_resource_page_shows_properties_sources_and_quotes(
    client: Client, repo_store: Path
) -> None:
    response = client.get(TIE_PATH, headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    provenance = select(
        repo_store,
        f"""SELECT DISTINCT ?g ?quote ?source WHERE {{ GRAPH ?g {{ <{TIE}> ?p ?o }}
        ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?source ; <{PD}quote> ?quote }}""",
    )
    assert len(provenance.rows) >= 2
    for graph, quote, source in provenance.rows:
        assert graph and quote and source
        assert "/id/assertion/" + graph.value.rsplit("/", 1)[1] in page
        assert _html(quote.value) in page
        assert f'href="/source/{source.value.rsplit("/", 1)[1]}"' in page
    assert 'href="/id/city/cn-beijing"' in page
    assert 'href="/id/city/ru-moscow"' in page
    assert "inferred (OWL 2 RL)" in page


def _html(text: str) -> str:
    """``text`` as Jinja's autoescape writes it."""
    return str(escape(text))


@pytest.mark.parametrize(
    ("how", "media_type", "rdflib_format"),
    [
        ({"headers": {"Accept": "text/turtle"}}, "text/turtle", "turtle"),
        ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json", "json-ld"),
        ({"headers": {"Accept": "application/n-triples"}}, "application/n-triples", "nt"),
        ({"suffix": ".ttl"}, "text/turtle", "turtle"),
        ({"suffix": ".jsonld"}, "application/ld+json", "json-ld"),
        ({"suffix": ".nt"}, "application/n-triples", "nt"),
    ],
)
def test_resource_as_rdf_by_accept_or_suffix(
    client: Client, repo_store: Path, how: dict[str, object], media_type: str, rdflib_format: str
) -> None:
    suffix = str(how.get("suffix", ""))
    headers = how.get("headers", {})
    assert isinstance(headers, dict)
    response = client.get(TIE_PATH + suffix, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = Graph().parse(data=response.content, format=rdflib_format)
    outgoing = select(repo_store, f"SELECT ?p ?o WHERE {{ <{TIE}> ?p ?o }}")
    incoming = select(repo_store, f"SELECT ?s ?p WHERE {{ ?s ?p <{TIE}> }}")
    assert len(graph) == len(outgoing.rows) + len(incoming.rows)
    assert set(graph.predicates(URIRef(TIE))) == {URIRef(p.value) for p, _ in outgoing.rows if p}


def test_html_suffix_and_browsers_get_html(client: Client) -> None:
    assert client.get(TIE_PATH + ".html").headers["content-type"].startswith("text/html")
    assert client.get(TIE_PATH, headers=HTML).headers["vary"].startswith("Accept")


def test_unknown_resources_are_404(client: Client) -> None:
    for path in ("/id/city/atlantis", "/id/city/atlantis.ttl", "/source/nobody-1999", "/id/x%3Cy"):
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 404, path
    page = client.get("/id/city/atlantis", headers=HTML)
    assert page.status_code == 404 and "atlantis" in page.text and "Traceback" not in page.text


def test_unacceptable_resource_format_is_406(client: Client) -> None:
    assert client.get(TIE_PATH, headers={"Accept": "image/png"}).status_code == 406


def test_source_page_lists_its_assertions_with_quotes(client: Client, repo_store: Path) -> None:
    response = client.get("/source/china-daily-2004", headers=HTML)
    assert response.status_code == 200
    source = "<https://w3id.org/paradiplo/source/china-daily-2004>"
    derived = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
    graphs = select(
        repo_store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g {derived} {source} }} }}"
    )
    assert len(graphs.rows) > 5
    for (graph,) in graphs.rows:
        assert graph and f'href="/id/assertion/{graph.value.rsplit("/", 1)[1]}"' in response.text
    assert "66 pairs of sister cities" in response.text


def test_assertion_graph_page_lists_its_statements(client: Client) -> None:
    response = client.get("/id/assertion/china-daily-2004-012", headers=HTML)
    assert response.status_code == 200
    assert "Statements in this graph" in response.text
    assert 'href="/id/tie/cn-beijing--ru-moscow"' in response.text


def test_ontology_page_documents_every_term(client: Client, repo_store: Path) -> None:
    response = client.get("/ontology", headers=HTML)
    assert response.status_code == 200
    page = response.text
    ontology = str(PDG["ontology"])
    terms = select(
        repo_store,
        f"""SELECT DISTINCT ?t WHERE {{ GRAPH <{ontology}> {{ ?t a ?kind }}
        VALUES ?kind {{ <{OWL.Class}> <{OWL.ObjectProperty}> <{OWL.DatatypeProperty}>
                       <{OWL.AnnotationProperty}> }}
        FILTER(STRSTARTS(STR(?t), "{PD}")) }}""",
    )
    assert len(terms.rows) > 50
    anchors = set(re.findall(r'<div class="term" id="([^"]+)"', page))
    assert {t.value[len(PD) :] for (t,) in terms.rows if t} <= anchors
    labels = select(
        repo_store,
        f"""SELECT ?zh ?ru WHERE {{ GRAPH <{ontology}> {{
            <{PD}TwinningTie> <{RDFS.label}> ?zh, ?ru }}
        FILTER(LANG(?zh) = "zh" && LANG(?ru) = "ru") }}""",
    )
    zh, ru = labels.rows[0]
    assert zh and ru and zh.value in page and ru.value in page
    assert 'id="TwinningTie"' in page


def test_ontology_as_turtle_by_accept_and_suffix(client: Client, repo_store: Path) -> None:
    ontology = str(PDG["ontology"])
    count = select(
        repo_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}"
    )
    for response in (
        client.get("/ontology", headers={"Accept": "text/turtle"}),
        client.get("/ontology.ttl"),
    ):
        assert response.headers["content-type"].startswith("text/turtle")
        graph = Graph().parse(data=response.content, format="turtle")
        assert len(graph) == int(count.rows[0][0].value)  # type: ignore[union-attr]
        assert (URIRef(PD + "TwinningTie"), RDF.type, OWL.Class) in graph
    assert client.get("/ontology.pdf").status_code == 404


def test_void_description(client: Client, repo_store: Path) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = URIRef("http://testserver/.well-known/void#dataset")
    assert (dataset, VOID.sparqlEndpoint, URIRef("http://testserver/sparql")) in graph
    total = select(repo_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert graph.value(dataset, VOID.triples) == Literal(int(total.rows[0][0].value))  # type: ignore[union-attr]
    with embedded(repo_store) as store:
        named = set(store.named_graphs())
    assert {str(s) for s in graph.objects(dataset, VOID.subset)} == named
    examples = list(graph.objects(dataset, VOID.exampleResource))
    assert len(examples) >= 3
    for example in examples:
        path = str(example).replace("https://w3id.org/paradiplo", "")
        assert client.get(path, headers=HTML).status_code == 200, path
    partitions = list(graph.objects(dataset, VOID.classPartition))
    assert any(graph.value(p, VOID["class"]) == URIRef(PD + "TwinningTie") for p in partitions)
