"""Move terms between pyoxigraph (loading, storing) and rdflib (owlrl, pyshacl).

Blank node labels are kept, so a blank node keeps its identity across the move and a SHACL
focus node can be traced back to the file it came from. Plain strings become rdflib literals
without a datatype: pyshacl treats ``"x"^^xsd:string`` and ``"x"`` differently, while RDF 1.1
says they are one term.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxSubject = ox.NamedNode | ox.BlankNode
TripleKey = tuple[OxSubject, ox.NamedNode, OxTerm]


def to_rdflib(term: OxTerm) -> URIRef | BNode | Literal:
    """The rdflib twin of a pyoxigraph term, lexical form untouched."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False)


def from_rdflib(node: Node) -> OxTerm:
    """The pyoxigraph twin of an rdflib term; a literal keeps its lexical form."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"cannot convert {node!r} to a pyoxigraph term")


def triple_key(quad: ox.Quad | ox.Triple) -> TripleKey:
    """The graph-free (subject, predicate, object) of a quad, for set arithmetic."""
    subject, obj = quad.subject, quad.object
    if not isinstance(subject, ox.NamedNode | ox.BlankNode):
        raise TypeError(f"unsupported subject {subject!r}")
    if not isinstance(obj, ox.NamedNode | ox.BlankNode | ox.Literal):
        raise TypeError(f"unsupported object {obj!r}")
    return subject, quad.predicate, obj


def to_graph(
    triples: Iterable[ox.Quad | ox.Triple | TripleKey], into: Graph | None = None
) -> Graph:
    """An rdflib graph of the triples (graph names dropped: this is their RDF merge).

    The triples are added to ``into`` when given (to fill a graph subclass), else to a new graph.
    """
    graph = Graph() if into is None else into
    for t in triples:
        s, p, o = t if isinstance(t, tuple) else triple_key(t)
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def to_dataset(quads: Iterable[ox.Quad]) -> Dataset:
    """An rdflib dataset with each quad in its named graph."""
    dataset = Dataset()
    contexts: dict[str, Graph] = {}
    for q in quads:
        s, p, o = triple_key(q)
        name = q.graph_name
        key = "" if isinstance(name, ox.DefaultGraph) else str(name)
        if key not in contexts:
            contexts[key] = (
                dataset.default_graph if key == "" else dataset.graph(to_rdflib(_graph_term(name)))
            )
        contexts[key].add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return dataset


def _graph_term(name: object) -> OxSubject:
    if isinstance(name, ox.NamedNode | ox.BlankNode):
        return name
    raise TypeError(f"unsupported graph name {name!r}")


def from_graph(graph: Graph) -> Iterator[TripleKey]:
    """The triples of an rdflib graph as pyoxigraph terms."""
    for s, p, o in graph:
        subject, predicate, obj = from_rdflib(s), from_rdflib(p), from_rdflib(o)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            continue  # generalised RDF (literal subjects, blank predicates): not storable
        yield subject, predicate, obj
