"""owlrl, the reference the fast OWL 2 RL reasoner (``reason``) is tested against.

owlrl implements all of OWL 2 RL but re-scans the whole graph on every cycle: too slow for
every build, right for checking the fast path. ``compare_with_reference`` diffs the two
closures; ``consistency`` reads owlrl's verdict on inconsistencies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from owlrl import DeductiveClosure, OWLRL_Semantics
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
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


# What the fast path does not materialise by design, excluded from both closures before
# they are compared (and counted, so the comparison says how much it left aside):
_SCHEMA_PREDICATES = {
    RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
    RDFS.domain, RDFS.range,
}  # fmt: skip
_VOCABULARIES = (str(RDF), str(RDFS), str(OWL))
_BUILT_IN = (*_VOCABULARIES, str(XSD))
EXCLUSIONS = {
    "eq-ref": "x owl:sameAs x, true of every term (OWL 2 RL rule eq-ref)",
    "generalised": "triples with a literal subject (not RDF; owlrl types and equates literals)",
    "schema": "sub-class/property, equivalence, domain and range closure of the ontology "
    "(owlrl's scm-* rules; the fast path compiles these into its rule tables instead)",
    "built-in type": "rdf:type to an RDF, RDFS or OWL class (owl:Thing, owl:Class, "
    "rdfs:Resource...), true of every resource of its kind",
    "built-in vocabulary": "statements about RDF, RDFS, OWL and XSD terms themselves "
    "(owlrl's axiomatic triples, e.g. xsd:boolean owl:disjointWith xsd:decimal)",
}


def exclusion(triple: Triple3) -> str | None:
    """The ``EXCLUSIONS`` category of a closure triple, or None if it is compared."""
    s, p, o = triple
    if isinstance(s, Literal):
        return "generalised"
    if p == OWL.sameAs and s == o:
        return "eq-ref"
    if isinstance(s, URIRef) and str(s).startswith(_BUILT_IN):
        return "built-in vocabulary"
    if p in _SCHEMA_PREDICATES:
        return "schema"
    if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(_VOCABULARIES):
        return "built-in type"
    return None


@dataclass(frozen=True)
class Comparison:
    """Where the fast path's closure and owlrl's differ, triple by triple.

    Both closures are whole (asserted and derived triples, owl:sameAs included), less the
    ``EXCLUSIONS`` categories; ``excluded`` counts what each category removed from owlrl's.
    """

    reference: frozenset[Triple3]  # owlrl's closure, as compared
    missing: frozenset[Triple3]  # entailed by owlrl, not by the fast path
    extra: frozenset[Triple3]  # derived by the fast path, not by owlrl
    excluded: tuple[tuple[str, int], ...] = ()

    @property
    def equal(self) -> bool:
        return not self.missing and not self.extra

    def summary(self) -> str:
        """One line of figures, e.g. for a test failure or a report."""
        aside = ", ".join(f"{n} {category}" for category, n in self.excluded) or "none"
        return (
            f"{len(self.reference)} triples compared; {len(self.missing)} missing, "
            f"{len(self.extra)} extra; left aside from owlrl's closure: {aside}"
        )


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
    """Run both reasoners on ontology + data and diff their whole closures.

    ``closure`` is owlrl's closure of ontology + data if the caller already has it (owlrl
    is the slow part; ``consistency_of`` can use the same closure). The fast path raises
    (``UnsupportedOwl``, ``Inconsistent``) where it cannot give a closure.
    """
    combined = merge(ontology, data)
    if closure is None:
        closure = reference_closure(combined)
    derived = materialise(from_graph(combined), compile_rules(from_graph(ontology)))
    fast: set[Triple3] = set(combined)
    fast.update((to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in derived)
    reference: set[Triple3] = set()
    excluded: Counter[str] = Counter()
    for triple in closure:
        category = exclusion(triple)
        if category is None:
            reference.add(triple)
        else:
            excluded[category] += 1
    compared = {t for t in fast if exclusion(t) is None}
    return Comparison(
        reference=frozenset(reference),
        missing=frozenset(reference - compared),
        extra=frozenset(compared - reference),
        excluded=tuple(sorted(excluded.items())),
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
