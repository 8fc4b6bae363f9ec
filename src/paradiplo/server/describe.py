"""Descriptions of the service and the data: SPARQL Service Description and VoID.

``GET /sparql`` without a query answers with the service description (what the endpoint
supports, and the default dataset with its named graphs); ``/.well-known/void`` describes
the dataset (triple counts overall, per named graph and per class, the endpoint, example
resources). Both are RDF, negotiated like CONSTRUCT results. The counts are computed once
per build and cached.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD
from starlette.requests import Request
from starlette.responses import Response

from paradiplo.namespaces import FOAF, ID, PD, PREFIXES, VOID
from paradiplo.server.errors import HttpError
from paradiplo.server.negotiate import GRAPHS, content_type, describe, negotiate
from paradiplo.server.worker import RDF_FORMATS
from paradiplo.store import METADATA, SelectResult

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
EXAMPLE_KINDS = ("tie", "city", "region", "figure", "event", "claim", "organization")
STATS_KEY = "stats"

GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
EXAMPLES = f"""SELECT ?kind (MIN(STR(?s)) AS ?example) WHERE {{
  ?s a ?type . FILTER(STRSTARTS(STR(?s), "{ID}"))
  BIND(STRBEFORE(STRAFTER(STR(?s), "{ID}"), "/") AS ?kind)
}} GROUP BY ?kind"""


@dataclass(frozen=True)
class Stats:
    """Counts of one build."""

    build: str
    created: str | None
    triples: int
    subjects: int
    properties: int
    objects: int
    graphs: tuple[tuple[str, int], ...]
    classes: tuple[tuple[str, int], ...]
    examples: tuple[str, ...]


def _int(result: SelectResult, row: int, column: int) -> int:
    cell = result.rows[row][column] if result.rows else None
    return int(cell.value) if cell else 0


def _pairs(result: SelectResult) -> tuple[tuple[str, int], ...]:
    return tuple((row[0].value, int(row[1].value)) for row in result.rows if row[0] and row[1])


async def stats(request: Request) -> Stats:
    """The build's counts, computed by a worker once per build."""
    backend = request.app.state.backend
    build: Path = backend.build()
    cached = backend.cache_get(build, STATS_KEY)
    if cached is not None:
        found: Stats = cached
        return found
    graphs, totals, classes, examples = await backend.queries(
        [GRAPH_COUNTS, TOTALS, CLASSES, EXAMPLES], build
    )
    assert isinstance(graphs, SelectResult) and isinstance(totals, SelectResult)
    assert isinstance(classes, SelectResult) and isinstance(examples, SelectResult)
    by_kind = {row[0].value: row[1].value for row in examples.rows if row[0] and row[1]}
    value = Stats(
        build=build.name,
        created=_created(build),
        triples=_int(totals, 0, 0),
        subjects=_int(totals, 0, 1),
        properties=_int(totals, 0, 2),
        objects=_int(totals, 0, 3),
        graphs=_pairs(graphs),
        classes=_pairs(classes),
        examples=tuple(by_kind[k] for k in EXAMPLE_KINDS if k in by_kind),
    )
    backend.cache_put(build, STATS_KEY, value)
    return value


def _created(build: Path) -> str | None:
    try:
        created = json.loads((build / METADATA).read_text(encoding="utf-8")).get("created")
    except (OSError, ValueError):
        return None
    return str(created) if created else None


def base_url(request: Request) -> str:
    """Where this server is reached, as the client addressed it."""
    return str(request.base_url).rstrip("/")


class Triples:
    """A small graph under construction."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, s: ox.NamedNode | ox.BlankNode, p: str, o: object) -> None:
        self.triples.append(ox.Triple(s, ox.NamedNode(p), _object(o)))


def _object(value: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
        return value
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode(str(XSD.boolean)))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(str(XSD.integer)))
    return ox.Literal(str(value))


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def dataset_iri(base: str) -> ox.NamedNode:
    return _iri(f"{base}/.well-known/void#dataset")


def service_graph(base: str, info: Stats, writable: bool, federated: bool) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of ``/sparql``."""
    g = Triples()
    service = _iri(f"{base}/sparql")
    g.add(service, str(RDF.type), _iri(SD + "Service"))
    g.add(service, SD + "endpoint", service)
    g.add(service, SD + "supportedLanguage", _iri(SD + "SPARQL11Query"))
    if writable:
        g.add(service, SD + "supportedLanguage", _iri(SD + "SPARQL11Update"))
    for name in RESULT_FORMATS:
        g.add(service, SD + "resultFormat", _iri(FORMATS + name))
    g.add(service, SD + "feature", _iri(SD + "UnionDefaultGraph"))
    if federated:
        g.add(service, SD + "feature", _iri(SD + "BasicFederatedQuery"))
    g.add(service, str(DCTERMS.title), "paradiplo SPARQL endpoint")
    g.add(
        service,
        str(RDFS.comment),
        "The default graph is the union of all named graphs (each triple once); OWL 2 RL "
        "entailments are materialised in the named graph <" + PREFIXES["pdg"] + "inferred>. "
        "The project's prefixes (pd:, id:, src:, city:, tie:, ...) may be used without PREFIX.",
    )
    dataset = dataset_iri(base)
    g.add(service, SD + "defaultDataset", dataset)
    g.add(dataset, str(RDF.type), _iri(SD + "Dataset"))
    # fixed blank node labels: the same description twice is the same bytes (a HEAD's
    # Content-Length is then GET's)
    default = ox.BlankNode("default")
    g.add(dataset, SD + "defaultGraph", default)
    g.add(default, str(RDF.type), _iri(SD + "Graph"))
    g.add(default, str(VOID.triples), info.triples)
    for number, (graph_iri, count) in enumerate(info.graphs):
        named, graph = ox.BlankNode(f"named{number}"), ox.BlankNode(f"graph{number}")
        g.add(dataset, SD + "namedGraph", named)
        g.add(named, str(RDF.type), _iri(SD + "NamedGraph"))
        g.add(named, SD + "name", _iri(graph_iri))
        g.add(named, SD + "graph", graph)
        g.add(graph, str(RDF.type), _iri(SD + "Graph"))
        g.add(graph, str(VOID.triples), count)
    return g.triples


def void_graph(base: str, info: Stats) -> list[ox.Triple]:
    """The VoID description of the dataset."""
    g = Triples()
    document, dataset = _iri(f"{base}/.well-known/void"), dataset_iri(base)
    g.add(document, str(RDF.type), _iri(str(VOID.DatasetDescription)))
    g.add(document, str(DCTERMS.title), "VoID description of paradiplo")
    g.add(document, str(FOAF.primaryTopic), dataset)
    g.add(dataset, str(RDF.type), _iri(str(VOID.Dataset)))
    g.add(dataset, str(DCTERMS.title), ox.Literal("paradiplo", language="en"))
    g.add(
        dataset,
        str(DCTERMS.description),
        ox.Literal(
            "A knowledge graph of subnational diplomacy: sister-city and sister-region ties, "
            "the bodies behind them and published figures, each statement with its source "
            "and verbatim quote.",
            language="en",
        ),
    )
    g.add(dataset, str(DCTERMS.license), _iri(LICENSE))
    if info.created:
        g.add(
            dataset,
            str(DCTERMS.modified),
            ox.Literal(info.created, datatype=_iri(str(XSD.dateTime))),
        )
    g.add(dataset, str(VOID.sparqlEndpoint), _iri(f"{base}/sparql"))
    g.add(dataset, str(VOID.uriSpace), str(ID))
    g.add(dataset, str(VOID.vocabulary), _iri(str(PD)))
    g.add(dataset, str(VOID.triples), info.triples)
    g.add(dataset, str(VOID.distinctSubjects), info.subjects)
    g.add(dataset, str(VOID.properties), info.properties)
    g.add(dataset, str(VOID.distinctObjects), info.objects)
    g.add(dataset, str(VOID.classes), len(info.classes))
    for example in info.examples:
        g.add(dataset, str(VOID.exampleResource), _iri(example))
    for number, (class_iri, count) in enumerate(info.classes):
        partition = ox.BlankNode(f"class{number}")
        g.add(dataset, str(VOID.classPartition), partition)
        g.add(partition, str(VOID["class"]), _iri(class_iri))
        g.add(partition, str(VOID.entities), count)
    for graph_iri, count in info.graphs:
        subset = _iri(graph_iri)
        g.add(dataset, str(VOID.subset), subset)
        g.add(subset, str(RDF.type), _iri(str(VOID.Dataset)))
        g.add(subset, str(VOID.triples), count)
    return g.triples


def rdf_response(
    request: Request, triples: list[ox.Triple], fmt: str | Sequence[str] | None
) -> Response:
    """``triples`` in the format the client asked for (Turtle by default)."""
    offer = negotiate(request.headers.get("accept"), fmt, GRAPHS)
    if offer is None:
        raise HttpError(406, f"no acceptable format; offered: {describe(GRAPHS)}")
    prefixes = {**PREFIXES, "sd": SD, "formats": FORMATS} if offer.key != "ntriples" else None
    body = ox.serialize(triples, format=RDF_FORMATS[offer.key], prefixes=prefixes)
    return Response(body, media_type=content_type(offer), headers={"Vary": "Accept"})


async def service_description(request: Request, fmt: Sequence[str]) -> Response:
    """``GET /sparql`` without a query."""
    config = request.app.state.backend.config
    info = await stats(request)
    triples = service_graph(base_url(request), info, config.writable, bool(config.allow_services))
    return rdf_response(request, triples, fmt)


async def void(request: Request) -> Response:
    """``GET /.well-known/void``."""
    info = await stats(request)
    return rdf_response(
        request, void_graph(base_url(request), info), request.query_params.get("format")
    )
