"""owlrl, the reference the fast OWL 2 RL reasoner (``reason``) is tested against.

owlrl implements all of OWL 2 RL but re-scans the whole graph on every cycle: too slow for
every build, right for checking the fast path. ``compare_with_reference`` diffs the two
closures; ``consistency`` reads owlrl's verdict on inconsistencies.
"""

from __future__ import annotations

from dataclasses import dataclass

from owlrl import DeductiveClosure, OWLRL_Semantics
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from paradiplo.convert import from_graph, to_rdflib
from paradiplo.owl_rules import compile_rules
from paradiplo.reason import materialise

ERRNS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error markers


def reference_closure(graph: Graph) -> Graph:
    """owlrl's full OWL 2 RL closure of a copy of ``graph`` (the input is left unchanged)."""
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    DeductiveClosure(OWLRL_Semantics).expand(closure)
    return closure


_CLASS_TYPES = (OWL.Class, RDFS.Class)
_PROPERTY_TYPES = (
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)


@dataclass(frozen=True)
class Vocabulary:
    """The classes and properties an ontology declares (IRIs only)."""

    classes: frozenset[URIRef]
    properties: frozenset[URIRef]

    def covers(self, triple: tuple[Node, Node, Node]) -> bool:
        """A triple in the vocabulary: a declared property, or a type in a declared class."""
        _, p, o = triple
        return p in self.properties or (p == RDF.type and o in self.classes)


def vocabulary(ontology: Graph) -> Vocabulary:
    """The ontology's declared classes and properties."""

    def declared(kinds: tuple[URIRef, ...]) -> frozenset[URIRef]:
        return frozenset(
            s for kind in kinds for s in ontology.subjects(RDF.type, kind) if isinstance(s, URIRef)
        )

    return Vocabulary(declared(_CLASS_TYPES), declared(_PROPERTY_TYPES))


Triple3 = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Comparison:
    """Where the fast path and owlrl disagree on the ontology's vocabulary."""

    reference: frozenset[Triple3]  # owlrl's closure on the vocabulary
    missing: frozenset[Triple3]  # entailed by owlrl, not by the fast path
    extra: frozenset[Triple3]  # derived by the fast path, not by owlrl
    unsupported: tuple[str, ...]

    @property
    def equal(self) -> bool:
        return not self.missing and not self.extra


def merge(*graphs: Graph) -> Graph:
    """A new graph holding the triples of all ``graphs``."""
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


def compare_with_reference(
    ontology: Graph, data: Graph, closure: Graph | None = None
) -> Comparison:
    """Run both reasoners on ontology + data and diff their vocabulary entailments.

    ``closure`` is owlrl's closure of ontology + data if the caller already has it (owlrl
    is the slow part; ``consistency_of`` can use the same closure).
    """
    combined = merge(ontology, data)
    if closure is None:
        closure = reference_closure(combined)
    vocab = vocabulary(ontology)
    reference = {t for t in closure if vocab.covers(t)}
    rules = compile_rules(from_graph(ontology))
    derived = materialise(from_graph(combined), rules)
    fast = {t for t in combined if vocab.covers(t)}
    fast.update(
        rdf
        for rdf in ((to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in derived)
        if vocab.covers(rdf)
    )
    return Comparison(
        reference=frozenset(reference),
        missing=frozenset(reference - fast),
        extra=frozenset(fast - reference),
        unsupported=tuple(rules.unsupported),
    )


@dataclass(frozen=True)
class Consistency:
    """owlrl's verdict: members of owl:Nothing, unsatisfiable classes, error messages."""

    nothing_members: tuple[str, ...]
    unsatisfiable: tuple[str, ...]
    errors: tuple[str, ...]

    @property
    def consistent(self) -> bool:
        return not (self.nothing_members or self.unsatisfiable or self.errors)

    def render(self) -> str:
        """One line per problem, for test failures and the CLI."""
        lines = [f"member of owl:Nothing: {n}" for n in self.nothing_members]
        lines += [f"unsatisfiable class: {c}" for c in self.unsatisfiable]
        lines += [f"owlrl: {e}" for e in self.errors]
        return "\n".join(lines) or "consistent"


def consistency(graph: Graph) -> Consistency:
    """Check ``graph`` (an ontology, optionally with data) for OWL 2 RL inconsistencies."""
    return consistency_of(reference_closure(graph))


def consistency_of(closure: Graph) -> Consistency:
    """The inconsistencies owlrl recorded in a closure it computed."""
    nothing = sorted(str(s) for s in closure.subjects(RDF.type, OWL.Nothing))
    unsatisfiable = sorted(
        str(c)
        for c in closure.subjects(RDFS.subClassOf, OWL.Nothing)
        if c != OWL.Nothing and isinstance(c, URIRef)
    )
    errors = sorted(str(m) for m in closure.objects(None, ERRNS.error))
    return Consistency(tuple(nothing), tuple(unsatisfiable), tuple(errors))

