"""The RDF syntaxes paradiplo reads and writes, in one table.

Export (``export.py``: file names, void.ttl's media types and W3C format IRIs), content
negotiation (``server/negotiate.py``: media types, aliases, ``format`` names), the
linked-data suffixes (``server/ld.py``) and the query workers' parsers and serialisers
(``server/worker.py``) all read this table, so a syntax is added or changed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF syntax: every name it goes by, and pyoxigraph's parser/serialiser for it."""

    key: str  # the server's name (``format=`` values, worker requests)
    export: str  # the name ``paradiplo export --format`` takes
    label: str  # for people (void.ttl, pages)
    media_type: str
    aliases: tuple[str, ...]  # other media types that ask for it
    names: tuple[str, ...]  # ``format=`` names
    suffix: str  # file and URL suffix, without the dot
    oxigraph: ox.RdfFormat
    w3c_format: str  # the local name under http://www.w3.org/ns/formats/
    dataset: bool = False  # holds named graphs (N-Quads, TriG)
    text: bool = True  # a text format: its Content-Type says charset=utf-8

    @property
    def file_name(self) -> str:
        """The file ``paradiplo export`` writes."""
        return f"paradiplo.{self.suffix}"


SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax(
        "nquads",
        "nq",
        "N-Quads",
        "application/n-quads",
        (),
        ("nquads", "nq", "n-quads"),
        "nq",
        ox.RdfFormat.N_QUADS,
        "N-Quads",
        dataset=True,
    ),
    RdfSyntax(
        "trig",
        "trig",
        "TriG",
        "application/trig",
        (),
        ("trig",),
        "trig",
        ox.RdfFormat.TRIG,
        "TriG",
        dataset=True,
    ),
    RdfSyntax(
        "turtle",
        "ttl",
        "Turtle",
        "text/turtle",
        ("application/x-turtle",),
        ("turtle", "ttl", "n3"),
        "ttl",
        ox.RdfFormat.TURTLE,
        "Turtle",
    ),
    RdfSyntax(
        "ntriples",
        "nt",
        "N-Triples",
        "application/n-triples",
        ("text/plain",),
        ("ntriples", "nt", "n-triples"),
        "nt",
        ox.RdfFormat.N_TRIPLES,
        "N-Triples",
    ),
    RdfSyntax(
        "jsonld",
        "jsonld",
        "JSON-LD",
        "application/ld+json",
        ("application/json",),
        ("jsonld", "json-ld", "json"),
        "jsonld",
        ox.RdfFormat.JSON_LD,
        "JSON-LD",
        text=False,
    ),
    RdfSyntax(
        "rdfxml",
        "rdfxml",
        "RDF/XML",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        ("rdfxml", "rdf", "rdf+xml", "xml"),
        "rdf",
        ox.RdfFormat.RDF_XML,
        "RDF_XML",
        text=False,
    ),
)

BY_KEY = {syntax.key: syntax for syntax in SYNTAXES}
BY_EXPORT = {syntax.export: syntax for syntax in SYNTAXES}
# The graph syntaxes (no named graphs): what the endpoint serves for a graph or resource.
GRAPH_SYNTAXES = tuple(syntax for syntax in SYNTAXES if not syntax.dataset)
