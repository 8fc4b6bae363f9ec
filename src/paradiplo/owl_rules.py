"""OWL 2 RL rules compiled from an ontology: its axioms as lookup tables for ``reason``.

Each axiom the fast reasoner implements becomes an entry of a ``RuleSet`` table, keyed by
what a new triple can match. Any other axiom with OWL 2 RL consequences is recorded in
``RuleSet.unsupported``, and ``check_supported`` raises on it: the fast path never skips
an axiom silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeGuard, TypeVar

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from paradiplo.convert import OxSubject, OxTerm, TripleKey, triple_key
from paradiplo.errors import ParadiploError


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

FUNCTIONAL, INVERSE_FUNCTIONAL = _n(OWL.FunctionalProperty), _n(OWL.InverseFunctionalProperty)
SAME_AS, DIFFERENT_FROM = _n(OWL.sameAs), _n(OWL.differentFrom)

# What the engine reads of an ontology: the predicates of the axioms it compiles, and
# owl:sameAs between individuals (a fact the equality rules handle like data).
_IMPLEMENTED_PREDICATES = {
    SUBCLASS, SUBPROPERTY, EQ_CLASS, EQ_PROPERTY, DOMAIN, RANGE, INVERSE, CHAIN,
    ON_PROPERTY, HAS_VALUE, SOME_VALUES, ALL_VALUES, INTERSECTION, UNION, FIRST, REST, SAME_AS,
}  # fmt: skip
_IMPLEMENTED_TYPES = {SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVERSE_FUNCTIONAL}
# Declarations and annotations: no OWL 2 RL consequence beyond the triples themselves.
_DECLARATIVE_PREDICATES = {
    _n(iri)
    for iri in (
        OWL.versionInfo, OWL.versionIRI, OWL.imports, OWL.priorVersion, OWL.deprecated,
        OWL.backwardCompatibleWith, OWL.incompatibleWith, OWL.annotatedSource,
        OWL.annotatedProperty, OWL.annotatedTarget,
    )
}  # fmt: skip
_DECLARATIVE_TYPES = {
    _n(iri)
    for iri in (
        OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
        RDF.Property, OWL.Ontology, OWL.Restriction, OWL.NamedIndividual, RDFS.Datatype,
        OWL.Axiom, OWL.DeprecatedClass, OWL.DeprecatedProperty, OWL.OntologyProperty,
        OWL.Thing,
    )
}  # fmt: skip
_OWL = str(OWL)


class UnsupportedOwl(ParadiploError):
    """The ontology has an axiom the fast OWL 2 RL engine does not implement."""


def check_supported(rules: RuleSet) -> None:
    """Raise ``UnsupportedOwl`` naming every axiom of ``rules`` the engine cannot apply."""
    if rules.unsupported:
        listed = "\n  ".join(rules.unsupported)
        raise UnsupportedOwl(
            f"the OWL 2 RL reasoner does not implement {len(rules.unsupported)} axiom(s) of "
            f"the ontology (its results would be incomplete):\n  {listed}"
        )


def _unsupported(p: ox.NamedNode, o: OxTerm) -> str | None:
    """The OWL construct a triple uses that the engine does not know, if any."""
    if p == TYPE:
        known = o in _IMPLEMENTED_TYPES or o in _DECLARATIVE_TYPES
        if isinstance(o, ox.NamedNode) and o.value.startswith(_OWL) and not known:
            return f"rdf:type owl:{o.value[len(_OWL) :]}"
        return None
    known = p in _IMPLEMENTED_PREDICATES or p in _DECLARATIVE_PREDICATES
    if p.value.startswith(_OWL) and not known:
        return f"owl:{p.value[len(_OWL) :]}"
    return None


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
    # prp-fp and prp-ifp: values (subjects) of these properties are owl:sameAs each other
    functional: set[ox.NamedNode] = field(default_factory=set)
    inverse_functional: set[ox.NamedNode] = field(default_factory=set)
    unsupported: list[str] = field(default_factory=list)


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
    elif p == TYPE and o == FUNCTIONAL and isinstance(s, ox.NamedNode):
        rules.functional.add(s)
    elif p == TYPE and o == INVERSE_FUNCTIONAL and isinstance(s, ox.NamedNode):
        rules.inverse_functional.add(s)
    else:
        construct = _unsupported(p, o)
        if construct is not None:
            rules.unsupported.append(f"{construct}: {s}")


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
