"""OWL 2 RL materialisation: a fast path for builds, owlrl as the reference it must match.

owlrl implements all of OWL 2 RL but re-scans the whole graph on every cycle, which is too
slow for every build. The fast path compiles the ontology's axioms once into lookup tables
and forward-chains only from new triples (semi-naive) until nothing new is derived. It
covers the axioms the paradiplo ontology uses (listed in ``RuleSet``); anything else with
instance-level consequences is reported in ``RuleSet.unsupported`` rather than ignored
silently, and ``compare_with_reference`` checks the fast path against owlrl.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeGuard, TypeVar

import pyoxigraph as ox
from owlrl import DeductiveClosure, OWLRL_Semantics
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from paradiplo.convert import OxSubject, OxTerm, TripleKey, from_graph, to_rdflib, triple_key
from paradiplo.namespaces import GRAPH_INFERRED

ERRNS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error markers


def _n(iri: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


TYPE = _n(RDF.type)
FIRST, REST, NIL = _n(RDF.first), _n(RDF.rest), _n(RDF.nil)
SUBCLASS, SUBPROPERTY = _n(RDFS.subClassOf), _n(RDFS.subPropertyOf)
DOMAIN, RANGE = _n(RDFS.domain), _n(RDFS.range)
RDFS_LITERAL = _n(RDFS.Literal)
EQ_CLASS, EQ_PROPERTY = _n(OWL.equivalentClass), _n(OWL.equivalentProperty)
INVERSE, CHAIN = _n(OWL.inverseOf), _n(OWL.propertyChainAxiom)
SYMMETRIC, TRANSITIVE = _n(OWL.SymmetricProperty), _n(OWL.TransitiveProperty)
ON_PROPERTY, HAS_VALUE = _n(OWL.onProperty), _n(OWL.hasValue)
SOME_VALUES, ALL_VALUES = _n(OWL.someValuesFrom), _n(OWL.allValuesFrom)
INTERSECTION, UNION = _n(OWL.intersectionOf), _n(OWL.unionOf)
THING = _n(OWL.Thing)

# Axioms whose OWL RL consequences (mostly owl:sameAs) the fast path does not materialise.
_UNSUPPORTED_TYPES = {
    _n(OWL.FunctionalProperty): "functional property (owl:sameAs of values)",
    _n(OWL.InverseFunctionalProperty): "inverse-functional property (owl:sameAs of subjects)",
}
_UNSUPPORTED_PREDICATES = {
    _n(OWL.sameAs): "owl:sameAs",
    _n(OWL.hasKey): "owl:hasKey",
    _n(OWL.maxCardinality): "owl:maxCardinality",
    _n(OWL.maxQualifiedCardinality): "owl:maxQualifiedCardinality",
    _n(OWL.cardinality): "owl:cardinality",
    _n(OWL.oneOf): "owl:oneOf",
}

_AUX = "urn:paradiplo:reason:chain:"  # predicates of chain suffixes; never leave this module


@dataclass(frozen=True)
class Step:
    """One link of a property chain: ``prop``, or its inverse when ``inverse``."""

    prop: ox.NamedNode
    inverse: bool = False


@dataclass(frozen=True)
class Chain:
    """``first`` followed by ``second`` implies ``target`` (longer chains are split)."""

    first: Step
    second: Step
    target: ox.NamedNode


Pair = tuple[ox.NamedNode, OxTerm]


@dataclass
class RuleSet:
    """The ontology's axioms as lookup tables, keyed by what a new triple can match."""

    superclasses: dict[OxSubject, frozenset[OxSubject]] = field(default_factory=dict)
    superproperties: dict[ox.NamedNode, frozenset[ox.NamedNode]] = field(default_factory=dict)
    domains: dict[ox.NamedNode, set[OxSubject]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[ox.NamedNode, set[OxSubject]] = field(default_factory=lambda: defaultdict(set))
    inverses: dict[ox.NamedNode, set[ox.NamedNode]] = field(
        default_factory=lambda: defaultdict(set)
    )
    symmetric: set[ox.NamedNode] = field(default_factory=set)
    transitive: set[ox.NamedNode] = field(default_factory=set)
    chains: list[Chain] = field(default_factory=list)
    has_value: dict[OxSubject, list[Pair]] = field(default_factory=lambda: defaultdict(list))
    has_value_members: dict[Pair, set[OxSubject]] = field(default_factory=lambda: defaultdict(set))
    # property -> (filler or None for owl:Thing, restriction), and filler -> (property, restriction)
    some_values: dict[ox.NamedNode, list[tuple[OxSubject | None, OxSubject]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    some_values_by_filler: dict[OxSubject, list[tuple[ox.NamedNode, OxSubject]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # restriction -> (property, filler), and property -> (restriction, filler)
    all_values: dict[OxSubject, list[tuple[ox.NamedNode, OxSubject]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    all_values_by_property: dict[ox.NamedNode, list[tuple[OxSubject, OxSubject]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # member class -> (intersection class, all its members)
    intersections: dict[OxSubject, list[tuple[OxSubject, frozenset[OxSubject]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    unsupported: list[str] = field(default_factory=list)

    def chains_with(self, prop: ox.NamedNode) -> Iterator[tuple[Chain, bool]]:
        """Chains in which ``prop`` is a link, with whether it is the first link."""
        for chain in self.chains:
            if chain.first.prop == prop:
                yield chain, True
            if chain.second.prop == prop:
                yield chain, False


class _Schema:
    """Index of the ontology triples for compiling: objects by (subject, predicate)."""

    def __init__(self, triples: Iterable[TripleKey]) -> None:
        self.triples = list(triples)
        self._objects: dict[tuple[OxSubject, ox.NamedNode], list[OxTerm]] = defaultdict(list)
        for s, p, o in self.triples:
            self._objects[(s, p)].append(o)

    def objects(self, s: OxSubject, p: ox.NamedNode) -> list[OxTerm]:
        return self._objects.get((s, p), [])

    def one(self, s: OxSubject, p: ox.NamedNode) -> OxTerm | None:
        values = self.objects(s, p)
        return values[0] if values else None

    def rdf_list(self, head: OxTerm) -> list[OxTerm] | None:
        """The members of an RDF collection, or None if it is malformed or cyclic."""
        items: list[OxTerm] = []
        seen: set[OxTerm] = set()
        node = head
        while node != NIL:
            if not isinstance(node, ox.NamedNode | ox.BlankNode) or node in seen:
                return None
            seen.add(node)
            first = self.one(node, FIRST)
            if first is None:
                return None
            items.append(first)
            node = self.one(node, REST) or NIL
        return items


def compile_rules(ontology: Iterable[TripleKey | ox.Quad]) -> RuleSet:
    """Turn the ontology's axioms into a ``RuleSet`` for ``materialise``."""
    schema = _Schema(t if isinstance(t, tuple) else triple_key(t) for t in ontology)
    rules = RuleSet()
    class_edges: dict[OxSubject, set[OxSubject]] = defaultdict(set)
    property_edges: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for s, p, o in schema.triples:
        _compile_triple(schema, rules, class_edges, property_edges, s, p, o)
    rules.superclasses = _closure(class_edges)
    rules.superproperties = _closure(property_edges)
    rules.unsupported.sort()
    return rules


def _compile_triple(
    schema: _Schema,
    rules: RuleSet,
    class_edges: dict[OxSubject, set[OxSubject]],
    property_edges: dict[ox.NamedNode, set[ox.NamedNode]],
    s: OxSubject,
    p: ox.NamedNode,
    o: OxTerm,
) -> None:
    """Record what one axiom triple contributes to the rule tables."""
    if p == SUBCLASS and _is_node(o):
        class_edges[s].add(o)
    elif p == EQ_CLASS and _is_node(o):
        class_edges[s].add(o)
        class_edges[o].add(s)
    elif p in (SUBPROPERTY, EQ_PROPERTY):
        if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
            property_edges[s].add(o)
            if p == EQ_PROPERTY:
                property_edges[o].add(s)
    elif p == DOMAIN and isinstance(s, ox.NamedNode) and _is_node(o):
        rules.domains[s].add(o)
    elif p == RANGE and isinstance(s, ox.NamedNode) and _is_node(o):
        rules.ranges[s].add(o)
    elif p == INVERSE:
        if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
            rules.inverses[s].add(o)
            rules.inverses[o].add(s)
    elif p == TYPE and o == SYMMETRIC and isinstance(s, ox.NamedNode):
        rules.symmetric.add(s)
    elif p == TYPE and o == TRANSITIVE and isinstance(s, ox.NamedNode):
        rules.transitive.add(s)
    elif p == CHAIN and isinstance(s, ox.NamedNode):
        _compile_chain(schema, rules, property_edges, s, o)
    elif p == ON_PROPERTY and isinstance(o, ox.NamedNode):
        _compile_restriction(schema, rules, s, o)
    elif p in (INTERSECTION, UNION):
        _compile_boolean(schema, rules, class_edges, s, p, o)
    elif p == TYPE and isinstance(o, ox.NamedNode) and o in _UNSUPPORTED_TYPES:
        rules.unsupported.append(f"{_UNSUPPORTED_TYPES[o]}: {s}")
    elif p in _UNSUPPORTED_PREDICATES:
        rules.unsupported.append(f"{_UNSUPPORTED_PREDICATES[p]}: {s}")


def _is_node(term: object) -> TypeGuard[OxSubject]:
    return isinstance(term, ox.NamedNode | ox.BlankNode)


def _compile_chain(
    schema: _Schema,
    rules: RuleSet,
    property_edges: dict[ox.NamedNode, set[ox.NamedNode]],
    target: ox.NamedNode,
    head: OxTerm,
) -> None:
    """Split ``p1 ... pn -> target`` into binary chains through auxiliary predicates."""
    members = schema.rdf_list(head)
    steps = [] if members is None else [_step(schema, m) for m in members]
    links = [step for step in steps if step is not None]
    if not links or len(links) != len(steps) or (len(links) == 1 and links[0].inverse):
        rules.unsupported.append(f"owl:propertyChainAxiom (unreadable or inverse-only): {target}")
        return
    if len(links) == 1:  # a one-link chain is a sub-property axiom
        property_edges[links[0].prop].add(target)
        return
    while len(links) > 2:
        aux = ox.NamedNode(f"{_AUX}{len(rules.chains)}")
        rules.chains.append(Chain(links[-2], links[-1], aux))
        links = [*links[:-2], Step(aux)]
    rules.chains.append(Chain(links[0], links[1], target))


def _step(schema: _Schema, member: OxTerm) -> Step | None:
    """A chain member is a property or a blank node ``[ owl:inverseOf p ]``."""
    if isinstance(member, ox.NamedNode):
        return Step(member)
    if isinstance(member, ox.BlankNode):
        inverse_of = schema.one(member, INVERSE)
        if isinstance(inverse_of, ox.NamedNode):
            return Step(inverse_of, inverse=True)
    return None


def _compile_restriction(
    schema: _Schema, rules: RuleSet, restriction: OxSubject, prop: ox.NamedNode
) -> None:
    """owl:hasValue, owl:someValuesFrom and owl:allValuesFrom on one property."""
    for value in schema.objects(restriction, HAS_VALUE):
        rules.has_value[restriction].append((prop, value))
        rules.has_value_members[(prop, value)].add(restriction)
    for filler in schema.objects(restriction, SOME_VALUES):
        if not _is_node(filler):
            continue
        if filler in (THING, RDFS_LITERAL):
            rules.some_values[prop].append((None, restriction))
        else:
            rules.some_values[prop].append((filler, restriction))
            rules.some_values_by_filler[filler].append((prop, restriction))
    for filler in schema.objects(restriction, ALL_VALUES):
        if _is_node(filler):
            rules.all_values[restriction].append((prop, filler))
            rules.all_values_by_property[prop].append((restriction, filler))


def _compile_boolean(
    schema: _Schema,
    rules: RuleSet,
    class_edges: dict[OxSubject, set[OxSubject]],
    cls: OxSubject,
    p: ox.NamedNode,
    head: OxTerm,
) -> None:
    """An intersection is a subclass of each member; each union member is a subclass of it."""
    members = schema.rdf_list(head)
    nodes = [m for m in members or [] if _is_node(m)]
    if members is None or len(nodes) != len(members):
        name = "owl:intersectionOf" if p == INTERSECTION else "owl:unionOf"
        rules.unsupported.append(f"{name} (unreadable list): {cls}")
        return
    if p == INTERSECTION:
        class_edges[cls].update(nodes)
        for member in nodes:
            rules.intersections[member].append((cls, frozenset(nodes)))
    else:
        for member in nodes:
            class_edges[member].add(cls)


_T = TypeVar("_T")


def _closure(edges: Mapping[_T, set[_T]]) -> dict[_T, frozenset[_T]]:
    """Everything reachable from each node (excluding itself unless on a cycle)."""
    result: dict[_T, frozenset[_T]] = {}
    for start in edges:
        seen: set[_T] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
        seen.discard(start)
        result[start] = frozenset(seen)
    return result


class _Facts:
    """The growing set of triples with the two indexes the rules join on."""

    def __init__(self) -> None:
        self.known: set[TripleKey] = set()
        self.objects: dict[tuple[OxSubject, ox.NamedNode], set[OxTerm]] = defaultdict(set)
        self.subjects: dict[tuple[ox.NamedNode, OxTerm], set[OxSubject]] = defaultdict(set)

    def add(self, triple: TripleKey) -> bool:
        if triple in self.known:
            return False
        s, p, o = triple
        self.known.add(triple)
        self.objects[(s, p)].add(o)
        self.subjects[(p, o)].add(s)
        return True

    def types(self, node: OxTerm) -> set[OxTerm]:
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            return set()
        return self.objects.get((node, TYPE), set())

    def objects_of(self, s: OxTerm, p: ox.NamedNode) -> set[OxTerm]:
        if not isinstance(s, ox.NamedNode | ox.BlankNode):
            return set()
        return self.objects.get((s, p), set())

    def subjects_of(self, p: ox.NamedNode, o: OxTerm) -> set[OxSubject]:
        return self.subjects.get((p, o), set())

    def step_from(self, step: Step, node: OxTerm) -> set[OxTerm]:
        """Nodes reached from ``node`` along one chain link."""
        if step.inverse:
            return set(self.subjects_of(step.prop, node))
        return self.objects_of(node, step.prop)

    def step_into(self, step: Step, node: OxTerm) -> set[OxTerm]:
        """Nodes from which one chain link leads to ``node``."""
        if step.inverse:
            return self.objects_of(node, step.prop)
        return set(self.subjects_of(step.prop, node))


def materialise(triples: Iterable[TripleKey], rules: RuleSet) -> list[TripleKey]:
    """Forward-chain ``rules`` over ``triples`` to a fixpoint; return only the new triples."""
    facts = _Facts()
    agenda: deque[TripleKey] = deque(t for t in triples if facts.add(t))
    derived: list[TripleKey] = []
    while agenda:
        for candidate in _consequences(agenda.popleft(), rules, facts):
            if facts.add(candidate):
                agenda.append(candidate)
                derived.append(candidate)
    return [t for t in derived if not t[1].value.startswith(_AUX)]


def _consequences(triple: TripleKey, rules: RuleSet, facts: _Facts) -> Iterator[TripleKey]:
    """Triples one rule application on ``triple`` (and the facts so far) yields."""
    s, p, o = triple
    if p == TYPE and _is_node(o):
        yield from _type_consequences(s, o, rules, facts)
    for q in rules.superproperties.get(p, ()):
        yield s, q, o
    for c in rules.domains.get(p, ()):
        yield s, TYPE, c
    yield from _object_consequences(s, p, o, rules, facts)
    yield from _chain_consequences(s, p, o, rules, facts)
    for restriction in rules.has_value_members.get((p, o), ()):
        yield s, TYPE, restriction
    for filler, restriction in rules.some_values.get(p, ()):
        if filler is None or filler in facts.types(o) or _literal_has_type(o, filler):
            yield s, TYPE, restriction
    if _is_node(o):
        for restriction, filler in rules.all_values_by_property.get(p, ()):
            if restriction in facts.types(s):
                yield o, TYPE, filler


def _object_consequences(
    s: OxSubject, p: ox.NamedNode, o: OxTerm, rules: RuleSet, facts: _Facts
) -> Iterator[TripleKey]:
    """Rules that make ``o`` a subject: range, inverse, symmetry, transitivity."""
    if not isinstance(o, ox.NamedNode | ox.BlankNode):
        return
    for c in rules.ranges.get(p, ()):
        yield o, TYPE, c
    for q in rules.inverses.get(p, ()):
        yield o, q, s
    if p in rules.symmetric:
        yield o, p, s
    if p in rules.transitive:
        for z in facts.objects_of(o, p):
            yield s, p, z
        for w in facts.subjects_of(p, s):
            yield w, p, o


def _type_consequences(
    x: OxSubject, cls: OxSubject, rules: RuleSet, facts: _Facts
) -> Iterator[TripleKey]:
    """What follows from ``x rdf:type cls``: superclasses and restriction/intersection rules."""
    for d in rules.superclasses.get(cls, ()):
        yield x, TYPE, d
    for prop, value in rules.has_value.get(cls, ()):
        yield x, prop, value
    for prop, filler in rules.all_values.get(cls, ()):
        for y in facts.objects_of(x, prop):
            if _is_node(y):
                yield y, TYPE, filler
    for prop, restriction in rules.some_values_by_filler.get(cls, ()):
        for w in facts.subjects_of(prop, x):
            yield w, TYPE, restriction
    types = facts.types(x)
    for intersection, members in rules.intersections.get(cls, ()):
        if members <= types:
            yield x, TYPE, intersection


def _chain_consequences(
    s: OxSubject, p: ox.NamedNode, o: OxTerm, rules: RuleSet, facts: _Facts
) -> Iterator[TripleKey]:
    """Join a new link with the facts on the other side of each chain it takes part in."""
    for chain, is_first in rules.chains_with(p):
        step = chain.first if is_first else chain.second
        start, end = (o, s) if step.inverse else (s, o)
        if is_first:
            if _is_node(start):
                for z in facts.step_from(chain.second, end):
                    yield start, chain.target, z
        else:
            for x in facts.step_into(chain.first, start):
                if _is_node(x):
                    yield x, chain.target, end


def _literal_has_type(term: OxTerm, datatype: OxSubject) -> bool:
    return isinstance(term, ox.Literal) and term.datatype == datatype


def infer(ontology: Iterable[ox.Quad], data: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads for ``GRAPH_INFERRED``: what the ontology entails beyond what is asserted.

    Memberships of anonymous classes (restrictions) are left out: they only drive the
    rules and mean nothing to a query.
    """
    ontology_triples = [triple_key(q) for q in ontology]
    rules = compile_rules(ontology_triples)
    asserted = [*ontology_triples, *(triple_key(q) for q in data)]
    derived = materialise(asserted, rules)
    graph = ox.NamedNode(str(GRAPH_INFERRED))
    kept = (t for t in derived if not (t[1] == TYPE and isinstance(t[2], ox.BlankNode)))
    return [ox.Quad(s, p, o, graph) for s, p, o in sorted(kept, key=_sort_key)]


def _sort_key(triple: TripleKey) -> tuple[str, str, str]:
    return str(triple[0]), str(triple[1]), str(triple[2])


# --- the reference: owlrl -------------------------------------------------------------


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
