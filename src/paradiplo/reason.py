"""OWL 2 RL materialisation: a fast path for builds, owlrl as the reference it must match.

owlrl implements all of OWL 2 RL but re-scans the whole graph on every cycle, which is too
slow for every build. The fast path compiles the ontology's axioms once into lookup tables
and forward-chains only from new triples (semi-naive) until nothing new is derived. It
covers the axioms the paradiplo ontology uses (listed in ``RuleSet``); anything else with
instance-level consequences is reported in ``RuleSet.unsupported`` rather than ignored
silently, and ``compare_with_reference`` checks the fast path against owlrl.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

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


# --- the fast path: set-at-a-time semi-naive evaluation over N-Triples tokens ---------
#
# Terms are handled as their N-Triples text ("<iri>", "_:b", '"lit"@en'): pyoxigraph
# writes and reads that text in bulk far faster than Python can convert term objects, a
# string's hash is cached, and two terms are equal exactly when their texts are. A token
# starting with '"' is a literal; anything else is a node (an IRI or a blank node).

Token = str
Pairs = set[tuple[Token, Token]]
_XSD_STRING = "<http://www.w3.org/2001/XMLSchema#string>"
_LANG_STRING = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>"


def _node(token: Token) -> bool:
    return token[0] != '"'


def _literal_datatype(token: Token) -> Token:
    """The datatype of a literal token: ``"1"^^<...#integer>``, ``"a"@en``, ``"a"``."""
    end = token.rfind('"')
    suffix = token[end + 1 :]
    if suffix.startswith("^^"):
        return suffix[2:]
    return _LANG_STRING if suffix.startswith("@") else _XSD_STRING


@dataclass(frozen=True)
class _Tables:
    """A ``RuleSet`` with every term as its N-Triples token."""

    superclasses: dict[Token, tuple[Token, ...]]
    superproperties: dict[Token, tuple[Token, ...]]
    domains: dict[Token, tuple[Token, ...]]
    ranges: dict[Token, tuple[Token, ...]]
    inverses: dict[Token, tuple[Token, ...]]
    symmetric: frozenset[Token]
    transitive: frozenset[Token]
    chains: tuple[tuple[Token, bool, Token, bool, Token], ...]
    has_value: dict[Token, tuple[tuple[Token, Token], ...]]
    has_value_members: dict[Token, dict[Token, tuple[Token, ...]]]
    some_values: dict[Token, tuple[tuple[Token | None, Token], ...]]
    some_values_by_filler: dict[Token, tuple[tuple[Token, Token], ...]]
    all_values: dict[Token, tuple[tuple[Token, Token], ...]]
    all_values_by_property: dict[Token, tuple[tuple[Token, Token], ...]]
    intersections: dict[Token, tuple[tuple[Token, frozenset[Token]], ...]]

    @property
    def joined(self) -> tuple[frozenset[Token], frozenset[Token]]:
        """Predicates whose subject -> objects and object -> subjects indexes rules read."""
        forward, backward = set(self.transitive), set(self.transitive)
        for first, first_inverse, second, second_inverse, _ in self.chains:
            (forward if first_inverse else backward).add(first)
            (backward if second_inverse else forward).add(second)
        forward |= {p for p, _ in _flat(self.all_values.values())}
        backward |= {p for p, _ in _flat(self.some_values_by_filler.values())}
        if self.some_values or self.all_values_by_property or self.intersections:
            forward.add(_TYPE)  # the types of a node
        return frozenset(forward), frozenset(backward)


_TYPE = str(TYPE)


def _flat(groups: Iterable[tuple[tuple[Token, Token], ...]]) -> Iterator[tuple[Token, Token]]:
    for group in groups:
        yield from group


def _tokens(rules: RuleSet) -> _Tables:
    """Translate the rule tables to tokens once per run."""

    def table(d: Mapping[Any, Iterable[Any]]) -> dict[Token, tuple[Token, ...]]:
        return {str(k): tuple(str(v) for v in vs) for k, vs in d.items()}

    def pairs(d: Mapping[Any, Iterable[tuple[Any, Any]]]) -> dict[Token, tuple[Any, ...]]:
        return {
            str(k): tuple((None if a is None else str(a), str(b)) for a, b in vs)
            for k, vs in d.items()
        }

    has_value_members: dict[Token, dict[Token, tuple[Token, ...]]] = defaultdict(dict)
    for (prop, value), restrictions in rules.has_value_members.items():
        has_value_members[str(prop)][str(value)] = tuple(str(r) for r in restrictions)
    return _Tables(
        superclasses=table(rules.superclasses),
        superproperties=table(rules.superproperties),
        domains=table(rules.domains),
        ranges=table(rules.ranges),
        inverses=table(rules.inverses),
        symmetric=frozenset(str(p) for p in rules.symmetric),
        transitive=frozenset(str(p) for p in rules.transitive),
        chains=tuple(_chain_tokens(c) for c in rules.chains),
        has_value=pairs(rules.has_value),
        has_value_members=dict(has_value_members),
        some_values=pairs(rules.some_values),
        some_values_by_filler=pairs(rules.some_values_by_filler),
        all_values=pairs(rules.all_values),
        all_values_by_property=pairs(rules.all_values_by_property),
        intersections={
            str(k): tuple((str(c), frozenset(str(m) for m in ms)) for c, ms in vs)
            for k, vs in rules.intersections.items()
        },
    )


def _chain_tokens(chain: Chain) -> tuple[Token, bool, Token, bool, Token]:
    first, second = chain.first, chain.second
    return str(first.prop), first.inverse, str(second.prop), second.inverse, str(chain.target)


Index = dict[Token, set[Token]]
_EMPTY: frozenset[Token] = frozenset()


class _Facts:
    """All triples so far, as (subject, object) pairs per predicate, plus join indexes."""

    def __init__(self, joined: tuple[frozenset[Token], frozenset[Token]]) -> None:
        self.pairs: dict[Token, Pairs] = defaultdict(set)
        self.forward: dict[Token, Index] = {p: defaultdict(set) for p in joined[0]}
        self.backward: dict[Token, Index] = {p: defaultdict(set) for p in joined[1]}

    def absorb(self, candidates: Mapping[Token, Pairs]) -> dict[Token, Pairs]:
        """Add the candidates; return those that were not known yet."""
        fresh: dict[Token, Pairs] = {}
        for p, pairs in candidates.items():
            known = self.pairs[p]
            new = pairs - known
            if not new:
                continue
            known |= new
            fresh[p] = new
            forward, backward = self.forward.get(p), self.backward.get(p)
            if forward is not None:
                for s, o in new:
                    forward[s].add(o)
            if backward is not None:
                for s, o in new:
                    backward[o].add(s)
        return fresh

    def objects(self, p: Token) -> Index:
        return self.forward.get(p, {})

    def subjects(self, p: Token) -> Index:
        return self.backward.get(p, {})


def _evaluate(triples: Iterable[tuple[Token, Token, Token]], t: _Tables) -> dict[Token, Pairs]:
    """Forward-chain to a fixpoint; return the derived pairs per predicate."""
    return _evaluate_facts(triples, t)[1]


def _evaluate_facts(
    triples: Iterable[tuple[Token, Token, Token]], t: _Tables
) -> tuple[_Facts, dict[Token, Pairs]]:
    """Forward-chain to a fixpoint; return all facts and the derived pairs per predicate."""
    facts = _Facts(t.joined)
    start: dict[Token, Pairs] = defaultdict(set)
    for s, p, o in triples:
        start[p].add((s, o))
    delta = facts.absorb(start)
    derived: dict[Token, Pairs] = defaultdict(set)
    while delta:
        delta = facts.absorb(_round(delta, t, facts))
        for p, pairs in delta.items():
            derived[p] |= pairs
    return facts, derived


def _round(delta: Mapping[Token, Pairs], t: _Tables, facts: _Facts) -> dict[Token, Pairs]:
    """Everything one application of every rule to the new triples ``delta`` yields."""
    new: dict[Token, Pairs] = defaultdict(set)
    for p, pairs in delta.items():
        _property_rules(p, pairs, t, facts, new)
        _chain_rules(p, pairs, t, facts, new)
        _restriction_rules(p, pairs, t, facts, new)
    if _TYPE in delta:
        _type_rules(delta[_TYPE], t, facts, new)
    return new


def _property_rules(
    p: Token, pairs: Pairs, t: _Tables, facts: _Facts, new: dict[Token, Pairs]
) -> None:
    """Sub-property, domain, range, inverse, symmetry and transitivity."""
    for q in t.superproperties.get(p, ()):
        new[q] |= pairs
    for c in t.domains.get(p, ()):
        new[_TYPE].update((s, c) for s, _ in pairs)
    ranges, inverses = t.ranges.get(p, ()), t.inverses.get(p, ())
    symmetric, transitive = p in t.symmetric, p in t.transitive
    if not (ranges or inverses or symmetric or transitive):
        return
    linked = [(s, o) for s, o in pairs if o[0] != '"']
    for c in ranges:
        new[_TYPE].update((o, c) for _, o in linked)
    for q in inverses:
        new[q].update((o, s) for s, o in linked)
    if symmetric:
        new[p].update((o, s) for s, o in linked)
    if transitive:
        objects, subjects, out = facts.objects(p), facts.subjects(p), new[p]
        for s, o in linked:
            out.update((s, z) for z in objects.get(o, _EMPTY))
            out.update((w, o) for w in subjects.get(s, _EMPTY))


def _chain_rules(
    p: Token, pairs: Pairs, t: _Tables, facts: _Facts, new: dict[Token, Pairs]
) -> None:
    """Join new links with the facts on the other side of each chain they take part in."""
    for first, first_inverse, second, second_inverse, target in t.chains:
        out = new[target]
        if p == first:
            # x -first-> y -second-> z; step along ``second`` from y
            after = facts.subjects(second) if second_inverse else facts.objects(second)
            for s, o in pairs:
                x, y = (o, s) if first_inverse else (s, o)
                if _node(x):
                    out.update((x, z) for z in after.get(y, _EMPTY))
        if p == second:
            before = facts.objects(first) if first_inverse else facts.subjects(first)
            for s, o in pairs:
                y, z = (o, s) if second_inverse else (s, o)
                out.update((x, z) for x in before.get(y, _EMPTY) if _node(x))


def _restriction_rules(
    p: Token, pairs: Pairs, t: _Tables, facts: _Facts, new: dict[Token, Pairs]
) -> None:
    """owl:hasValue, owl:someValuesFrom and owl:allValuesFrom triggered by a property."""
    members = t.has_value_members.get(p)
    if members:
        for s, o in pairs:
            new[_TYPE].update((s, r) for r in members.get(o, ()))
    types = facts.objects(_TYPE)
    for filler, restriction in t.some_values.get(p, ()):
        if filler is None:
            new[_TYPE].update((s, restriction) for s, _ in pairs)
            continue
        new[_TYPE].update(
            (s, restriction)
            for s, o in pairs
            if (filler in types.get(o, _EMPTY) if _node(o) else _literal_datatype(o) == filler)
        )
    for restriction, filler in t.all_values_by_property.get(p, ()):
        new[_TYPE].update(
            (o, filler) for s, o in pairs if _node(o) and restriction in types.get(s, _EMPTY)
        )


def _type_rules(pairs: Pairs, t: _Tables, facts: _Facts, new: dict[Token, Pairs]) -> None:
    """What follows from new ``x rdf:type C``: superclasses, restrictions, intersections."""
    by_class: dict[Token, list[Token]] = defaultdict(list)
    for x, c in pairs:
        if _node(c):
            by_class[c].append(x)
    types, out = facts.objects(_TYPE), new[_TYPE]
    for c, xs in by_class.items():
        for d in t.superclasses.get(c, ()):
            out.update((x, d) for x in xs)
        for prop, value in t.has_value.get(c, ()):
            new[prop].update((x, value) for x in xs)
        for prop, filler in t.all_values.get(c, ()):
            objects = facts.objects(prop)
            out.update((y, filler) for x in xs for y in objects.get(x, _EMPTY) if _node(y))
        for prop, restriction in t.some_values_by_filler.get(c, ()):
            subjects = facts.subjects(prop)
            out.update((w, restriction) for x in xs for w in subjects.get(x, _EMPTY))
        for intersection, members in t.intersections.get(c, ()):
            out.update((x, intersection) for x in xs if members <= types.get(x, _EMPTY))


def _parse_lines(text: str) -> Iterator[tuple[Token, Token, Token]]:
    """Tokens of N-Triples lines as pyoxigraph writes them (``s p o .``, single spaces)."""
    seen: dict[str, str] = {}
    intern = seen.setdefault  # one string object per distinct term saves memory
    for line in text.split("\n"):
        if not line:
            continue
        s, p, rest = line.split(" ", 2)
        o = rest[:-2]
        yield intern(s, s), intern(p, p), intern(o, o)


def _to_tokens(triples: Iterable[ox.Triple]) -> Iterator[tuple[Token, Token, Token]]:
    text = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) or b""
    return _parse_lines(text.decode("utf-8"))


def _derived_lines(derived: Mapping[Token, Pairs], graph: str | None) -> list[str]:
    """Sorted N-Triples (or N-Quads, with ``graph``) lines of the derived triples to keep."""
    suffix = f" {graph} .\n" if graph else " .\n"
    kept = [
        (s, p, o) for p, pairs in derived.items() if not p.startswith(_AUX_TOKEN) for s, o in pairs
    ]
    kept.sort()
    return [f"{s} {p} {o}{suffix}" for s, p, o in kept]


_AUX_TOKEN = f"<{_AUX}"


def materialise(triples: Iterable[TripleKey], rules: RuleSet) -> list[TripleKey]:
    """Forward-chain ``rules`` over ``triples`` to a fixpoint; return only the new triples."""
    derived = _evaluate(((str(s), str(p), str(o)) for s, p, o in triples), _tokens(rules))
    text = "".join(_derived_lines(derived, None))
    return [triple_key(t) for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)]


def triples_to_tokens(triples: Iterable[ox.Triple]) -> Iterator[tuple[Token, Token, Token]]:
    """The (subject, predicate, object) N-Triples tokens of ``triples``."""
    return _to_tokens(triples)


@dataclass(frozen=True)
class Inference:
    """The reasoner's output: the new quads, and the whole closure as tokens.

    ``closure`` maps each predicate's N-Triples token to its (subject, object) token pairs:
    everything asserted plus the new triples, i.e. exactly the graph validation checks, so
    the validator need not index the quads again.
    """

    quads: list[ox.Quad]
    closure: dict[Token, Pairs]


def infer(ontology: Iterable[ox.Quad], data: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads for ``GRAPH_INFERRED``: what the ontology entails beyond what is asserted.

    Memberships of anonymous classes (restrictions) are left out: they only drive the
    rules and mean nothing to a query. The quads are sorted by subject, predicate, object.
    """
    return infer_closure(ontology, data).quads


def infer_closure(
    ontology: Iterable[ox.Quad], data: Iterable[ox.Quad], exclude: Iterable[ox.Quad] = ()
) -> Inference:
    """``infer``, keeping the closure; new triples that are in ``exclude`` are left out."""
    ontology = list(ontology)
    rules = compile_rules(ontology)
    asserted = (q.triple for part in (ontology, data) for q in part)
    facts, derived = _evaluate_facts(_to_tokens(asserted), _tokens(rules))
    closure = facts.pairs
    restriction_types = {(s, c) for s, c in derived.get(_TYPE, set()) if c.startswith("_:")}
    derived[_TYPE] = derived.get(_TYPE, set()) - restriction_types
    closure[_TYPE] -= restriction_types
    for s, p, o in _to_tokens(q.triple for q in exclude):
        if (s, o) in derived.get(p, ()):
            derived[p].discard((s, o))
            closure[p].discard((s, o))
    for p in [p for p in closure if p.startswith(_AUX_TOKEN)]:
        del closure[p]
    text = "".join(_derived_lines(derived, f"<{GRAPH_INFERRED}>"))
    quads = list(ox.parse(text.encode("utf-8"), ox.RdfFormat.N_QUADS))
    return Inference(quads, dict(closure))


# --- hooks for derivation.py ----------------------------------------------------------
# derivation.py finds the graphs each inferred triple rests on by replaying these rules
# from one graph at a time on top of the ontology's fixpoint; it needs the same tables,
# fact index and rule round as ``infer_closure``, and nothing else from this module.

Facts = _Facts
Tables = _Tables
rule_tables = _tokens
rule_round = _round
fixpoint = _evaluate_facts


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
