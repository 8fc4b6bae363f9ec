"""Linked data: every instance, source and ontology IRI of the graph served where it points.

``https://w3id.org/paradiplo/id/<kind>/<slug>`` is served at ``/id/<kind>/<slug>`` and
``.../source/<id>`` at ``/source/<id>``: an HTML page for browsers (label, types, every
property with links, incoming links, and for each statement the assertion graphs that hold
it with their source and verbatim quote), or Turtle, N-Triples, JSON-LD or RDF/XML by
``Accept`` or by a suffix (``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``, ``.html``). The RDF form
holds the resource's outgoing and incoming triples and, for a named graph, the graph's own
triples (a graph resource is described by its contents). Every answer names its format's
own URL in ``Content-Location`` and the other formats in ``Link: rel="alternate"``.
Unknown resources are 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote as url_quote

import pyoxigraph as ox
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from paradiplo.formats import GRAPH_SYNTAXES
from paradiplo.namespaces import ID, PDG, SRC
from paradiplo.server import ontology_doc
from paradiplo.server.errors import HttpError
from paradiplo.server.links import href_for, iri_html, local_path, pick_label, short, term_html
from paradiplo.server.negotiate import (
    GRAPHS,
    PAGES,
    Offer,
    content_type,
    describe,
    negotiate,
)
from paradiplo.server.pages import render
from paradiplo.server.sparql import TRUNCATED_HEADER, answer, client_of
from paradiplo.store import GraphResult, SelectResult, Term

SUFFIXES = {**{syntax.suffix: syntax.key for syntax in GRAPH_SYNTAXES}, "html": "html"}
SUFFIX_OF = {key: suffix for suffix, key in SUFFIXES.items()}
MAX_INCOMING = 500
MAX_GRAPH_STATEMENTS = 300
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)
INFERRED = str(PDG["inferred"])


def split_suffix(rest: str) -> tuple[str, str | None]:
    """``city/cn-harbin.ttl`` -> (``city/cn-harbin``, ``ttl``); slugs never contain dots."""
    head, dot, suffix = rest.rpartition(".")
    if dot and "/" not in suffix and suffix in SUFFIXES:
        return head, suffix
    return rest, None


def _checked_iri(iri: str) -> str:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise HttpError(404, f"not a resource of this graph: {iri}") from exc
    return iri


def _queries(iri: str) -> list[str]:
    r = f"<{iri}>"
    labels = " | ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    return [
        f"SELECT ?p ?o WHERE {{ {r} ?p ?o }} ORDER BY ?p ?o LIMIT 5000",
        f"SELECT ?s ?p WHERE {{ ?s ?p {r} }} ORDER BY ?p ?s LIMIT {MAX_INCOMING + 1}",
        f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {r} ?p ?o }} }}",
        f"""SELECT DISTINCT ?g ?source ?quote WHERE {{ GRAPH ?g {{ {r} ?p ?o }}
            ?g prov:wasDerivedFrom ?source . OPTIONAL {{ ?g pd:quote ?quote }} }} ORDER BY ?g""",
        f"""SELECT DISTINCT ?x ?label WHERE {{
            {{ {r} ?x ?o }} UNION {{ {r} ?p ?x }} UNION {{ ?x ?p {r} }} UNION {{ ?s ?x {r} }}
            UNION {{ GRAPH ?g {{ {r} ?p ?o }} ?g prov:wasDerivedFrom ?x }}
            UNION {{ GRAPH ?g {{ {r} ?p ?o }} BIND(?g AS ?x) }}
            UNION {{ GRAPH ?x {{ ?x prov:wasDerivedFrom {r} }} }}
            ?x {labels} ?label }}""",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {r} {{ ?s ?p ?o }} }}",
        f"""SELECT ?s ?p ?o WHERE {{ GRAPH {r} {{ ?s ?p ?o }} }}
            ORDER BY ?s ?p ?o LIMIT {MAX_GRAPH_STATEMENTS}""",
        f"""SELECT ?g ?quote WHERE {{ GRAPH ?g {{ ?g prov:wasDerivedFrom {r} }}
            OPTIONAL {{ ?g pd:quote ?quote }} }} ORDER BY ?g LIMIT 5000""",
    ]


@dataclass
class Statement:
    """One property value of the resource and the graphs that state it."""

    predicate: str
    value: Term
    graphs: list[str] = field(default_factory=list)


@dataclass
class Assertion:
    """An assertion graph about the resource: its source, quotes and statements."""

    graph: str
    sources: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    statements: list[tuple[str, Term]] = field(default_factory=list)


@dataclass
class Description:
    """Everything the HTML page shows about one IRI."""

    iri: str
    label: str | None
    types: list[str]
    statements: list[Statement]
    incoming: list[tuple[Term, str]]
    incoming_truncated: bool
    assertions: list[Assertion]
    labels: dict[str, str]
    graph_size: int
    graph_statements: list[tuple[Term, Term, Term]]
    derived: list[tuple[str, list[str]]]
    truncated: bool = False

    @property
    def exists(self) -> bool:
        return bool(self.statements or self.incoming or self.graph_size)


def _select(result: object) -> SelectResult:
    assert isinstance(result, SelectResult)
    return result


async def describe_iri(request: Request, iri: str) -> Description:
    """Query a worker for everything about ``iri`` (one snapshot) and organise it."""
    backend = request.app.state.backend
    reply = await backend.queries_reply(_queries(iri), client=client_of(request))
    results = [_select(r) for r in reply["results"]]
    out, incoming, prov, assertions, labels, size, contents, derived = results
    label_pairs: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for x, text in labels.rows:
        if x and text:
            label_pairs[x.value].append((text.value, text.lang))
    graphs_of: dict[tuple[str, Term], list[str]] = defaultdict(list)
    for p, o, g in prov.rows:
        if p and o and g:
            graphs_of[(p.value, o)].append(g.value)
    statements = [
        Statement(p.value, o, sorted(graphs_of.get((p.value, o), [])))
        for p, o in out.rows
        if p and o
    ]
    own = [(s.value.value, s.value.lang) for s in statements if s.predicate in LABEL_PROPERTIES]
    return Description(
        iri=iri,
        label=pick_label(own),
        types=[
            s.value.value for s in statements if s.predicate == RDF_TYPE and s.value.kind == "uri"
        ],
        statements=statements,
        incoming=[(s, p.value) for s, p in incoming.rows[:MAX_INCOMING] if s and p],
        incoming_truncated=len(incoming.rows) > MAX_INCOMING,
        assertions=_assertions(assertions, prov),
        labels={x: label for x, pairs in label_pairs.items() if (label := pick_label(pairs))},
        graph_size=int(size.rows[0][0].value) if size.rows and size.rows[0][0] else 0,
        graph_statements=[(s, p, o) for s, p, o in contents.rows if s and p and o],
        derived=_derived(derived),
        truncated=any(reply["truncated"]),
    )


def _assertions(rows: SelectResult, prov: SelectResult) -> list[Assertion]:
    found: dict[str, Assertion] = {}
    for g, source, quote in rows.rows:
        if g is None:
            continue
        assertion = found.setdefault(g.value, Assertion(g.value))
        if source and source.value not in assertion.sources:
            assertion.sources.append(source.value)
        if quote and quote.value not in assertion.quotes:
            assertion.quotes.append(quote.value)
    for p, o, g in prov.rows:
        if p and o and g and g.value in found:
            found[g.value].statements.append((p.value, o))
    for assertion in found.values():
        assertion.statements.sort(key=lambda pair: (pair[0], pair[1].value))
    return list(found.values())


def _derived(rows: SelectResult) -> list[tuple[str, list[str]]]:
    quotes: dict[str, list[str]] = {}
    for g, quote in rows.rows:
        if g is None:
            continue
        quotes.setdefault(g.value, [])
        if quote and quote.value not in quotes[g.value]:
            quotes[g.value].append(quote.value)
    return list(quotes.items())


def graph_name(iri: str) -> str:
    """How a graph is named in provenance notes."""
    if iri == INFERRED:
        return "inferred (OWL 2 RL)"
    return short(iri)


def _page_offer(request: Request, suffix: str | None) -> Offer:
    fmt = SUFFIXES[suffix] if suffix else request.query_params.get("format")
    offer = negotiate(request.headers.get("accept"), fmt, PAGES)
    if offer is None:
        raise HttpError(406, f"no acceptable format; offered: {describe(PAGES)}")
    return offer


def format_links(path: str, chosen: Offer) -> dict[str, str]:
    """``Content-Location`` of the representation sent, ``Link`` to the other formats.

    ``path`` is the resource's URL path without suffix (``/id/city/cn-harbin``).
    """
    others = [
        f'<{path}.{SUFFIX_OF[offer.key]}>; rel="alternate"; type="{offer.media_type}"'
        for offer in PAGES
        if offer.key != chosen.key
    ]
    return {
        "Content-Location": f"{path}.{SUFFIX_OF[chosen.key]}",
        "Link": ", ".join(others),
    }


async def resource(request: Request) -> Response:
    """``/id/<kind>/<slug>[.ext]``."""
    rest, suffix = split_suffix(request.path_params["rest"])
    return await _serve(request, _checked_iri(str(ID) + rest), suffix, "/id/" + rest)


async def source(request: Request) -> Response:
    """``/source/<id>[.ext]``."""
    rest, suffix = split_suffix(request.path_params["rest"])
    return await _serve(request, _checked_iri(str(SRC) + rest), suffix, "/source/" + rest)


async def _serve(request: Request, iri: str, suffix: str | None, path: str) -> Response:
    offer = _page_offer(request, suffix)
    description = await describe_iri(request, iri)
    if not description.exists:
        raise HttpError(404, f"no resource <{iri}> in this graph")
    if offer.key != "html":
        response = await rdf(request, iri, offer)
    else:
        response = render(request, "resource.html", _context(description), vary=suffix is None)
        if description.truncated:
            response.headers[TRUNCATED_HEADER] = str(request.app.state.backend.config.max_rows)
    response.headers.update(format_links(path, offer))
    return response


async def rdf(request: Request, iri: str, offer: Offer) -> Response:
    """The resource's outgoing and incoming triples, and a graph's own, in an RDF format."""
    r = f"<{iri}>"
    pattern = f"{{ {r} ?p ?o }} UNION {{ ?s ?q {r} }} UNION {{ GRAPH {r} {{ ?a ?b ?c }} }}"
    query = f"CONSTRUCT {{ {r} ?p ?o . ?s ?q {r} . ?a ?b ?c }} WHERE {{ {pattern} }}"
    reply = await request.app.state.backend.run(
        {
            "op": "sparql",
            "query": query,
            "results_format": None,
            "graph_format": offer.key,
            "offered_results_format": "",
            "offered_graph_format": describe(GRAPHS),
        },
        client=client_of(request),
    )
    return answer(request, reply, content_type(offer), {"Vary": "Accept"})


def _context(d: Description) -> dict[str, object]:
    labels = d.labels

    def link(iri: str) -> Markup:
        return iri_html(iri, labels)

    def value(term: Term) -> Markup:
        return term_html(term, labels)

    return {
        "title": d.label or short(d.iri),
        "iri": d.iri,
        "d": d,
        "link": link,
        "value": value,
        "graph_name": graph_name,
        "graph_href": href_for,  # None: not a scheme we link (see links.py)
        "is_assertion": lambda g: g.startswith(str(ID) + "assertion/"),
        "rdf_links": _rdf_links(d.iri),
        "graph_store_href": "/rdf-graphs?graph=" + _quote(d.iri),
    }


def _rdf_links(iri: str) -> list[tuple[str, str]]:
    path = local_path(iri) or ""
    return [
        (label, f"{path}.{suffix}")
        for suffix, label in (
            ("ttl", "Turtle"),
            ("jsonld", "JSON-LD"),
            ("nt", "N-Triples"),
            ("rdf", "RDF/XML"),
        )
    ]


def _quote(iri: str) -> str:
    return url_quote(iri, safe="")


ONTOLOGY_GRAPH = str(PDG["ontology"])
ONTOLOGY_KEY = "ontology-doc"


async def ontology(request: Request) -> Response:
    """``/ontology[.ext]``: the ontology's documentation, or its triples by Accept/suffix."""
    suffix = request.path_params.get("suffix")
    if suffix is not None and suffix not in SUFFIXES:
        raise HttpError(404, f"no /ontology.{suffix}: use .html, .ttl, .nt, .jsonld or .rdf")
    offer = _page_offer(request, suffix)
    backend = request.app.state.backend
    if offer.key != "html":
        job = {"op": "graph-get", "graph": ONTOLOGY_GRAPH, "format": offer.key}
        reply = await backend.run(job, client=client_of(request))
        headers = {"Vary": "Accept", **format_links("/ontology", offer)}
        return answer(request, reply, content_type(offer), headers)
    build = backend.build()
    doc = backend.cache_get(build, ONTOLOGY_KEY)
    if doc is None:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
        (graph,) = await backend.queries([query], build, max_rows=1_000_000)
        assert isinstance(graph, GraphResult)
        doc = ontology_doc.build(graph)
        backend.cache_put(build, ONTOLOGY_KEY, doc)
    page = render(request, "ontology.html", {"title": doc.title, "doc": doc}, vary=suffix is None)
    page.headers.update(format_links("/ontology", offer))
    return page
