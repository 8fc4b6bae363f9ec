"""OWL 2 RL materialisation: the fast path for builds, owlrl (``owl_reference``) its reference.

The ontology's axioms are compiled once into lookup tables (``owl_rules``), and the rules
forward-chain only from new triples (semi-naive) until nothing new is derived. An axiom
the engine does not implement makes it raise ``UnsupportedOwl`` rather than be skipped;
``owl_reference.compare_with_reference`` checks the whole closure against owlrl.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Literal

from paradiplo.convert import TripleKey, to_rdflib, triple_key
from paradiplo.errors import ParadiploError
from paradiplo.namespaces import GRAPH_INFERRED
from paradiplo.owl_rules import (
    _AUX,
    DIFFERENT_FROM,
    SAME_AS,
    TYPE,
    Chain,
    RuleSet,
    UnsupportedOwl,
    check_supported,
    compile_rules,
)

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
    functional: frozenset[Token]
    inverse_functional: frozenset[Token]
    chains: tuple[tuple[Token, bool, Token, bool, Token], ...]
    has_value: dict[Token, tuple[tuple[Token, Token], ...]]
    has_value_members: dict[Token, dict[Token, tuple[Token, ...]]]
    some_values: dict[Token, tuple[tuple[Token | None, Token], ...]]
    some_values_by_filler: dict[Token, tuple[tuple[Token, Token], ...]]
    all_values: dict[Token, tuple[tuple[Token, Token], ...]]
    all_values_by_property: dict[Token, tuple[tuple[Token, Token], ...]]
    intersections: dict[Token, tuple[tuple[Token, frozenset[Token]], ...]]
    schema_terms: frozenset[Token]

    @property
    def joined(self) -> tuple[frozenset[Token], frozenset[Token]]:
        """Predicates whose subject -> objects and object -> subjects indexes rules read."""
        forward = {*self.transitive, *self.functional, _SAME}
        backward = {*self.transitive, *self.inverse_functional, _SAME}
        for first, first_inverse, second, second_inverse, _ in self.chains:
            (forward if first_inverse else backward).add(first)
            (backward if second_inverse else forward).add(second)
        forward |= {p for p, _ in _flat(self.all_values.values())}
        backward |= {p for p, _ in _flat(self.some_values_by_filler.values())}
        if self.some_values or self.all_values_by_property or self.intersections:
            forward.add(_TYPE)  # the types of a node
        return frozenset(forward), frozenset(backward)


_TYPE = str(TYPE)
_SAME, _DIFFERENT = str(SAME_AS), str(DIFFERENT_FROM)


class Inconsistent(ParadiploError):
    """The data contradicts the ontology (OWL 2 RL derives false)."""


def _flat(groups: Iterable[tuple[tuple[Token, Token], ...]]) -> Iterator[tuple[Token, Token]]:
    for group in groups:
        yield from group


def _tokens(rules: RuleSet) -> _Tables:
    """Translate the rule tables to tokens once per run; refuse unsupported axioms."""
    check_supported(rules)

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
        functional=frozenset(str(p) for p in rules.functional),
        inverse_functional=frozenset(str(p) for p in rules.inverse_functional),
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
        schema_terms=_schema_terms(rules),
    )


def _schema_terms(rules: RuleSet) -> frozenset[Token]:
    """Every class and property the compiled tables name (keys and values alike)."""
    found: set[Token] = set()

    def add(values: Iterable[Any]) -> None:
        for value in values:
            if isinstance(value, tuple | frozenset | set | list):
                add(value)
            elif value is not None and not isinstance(value, bool):
                found.add(str(value))

    for table in (
        rules.superclasses, rules.superproperties, rules.domains, rules.ranges,
        rules.inverses, rules.has_value, rules.some_values, rules.some_values_by_filler,
        rules.all_values, rules.all_values_by_property, rules.intersections,
    ):  # fmt: skip
        add(table.keys())
        add(table.values())
    add(rules.symmetric | rules.transitive | rules.functional | rules.inverse_functional)
    add((c.first.prop, c.second.prop, c.target) for c in rules.chains)
    return frozenset(t for t in found if not t.startswith(_AUX_TOKEN))


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
        self.conflicts: set[str] = set()  # contradictions found (see ``Inconsistent``)

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
    _check_equalities(facts, t)
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
    for p in t.functional & delta.keys():
        _functional_rule(delta[p], facts.objects(p), p, facts, new, inverse=False)
    for p in t.inverse_functional & delta.keys():
        inverted = {(o, s) for s, o in delta[p]}
        _functional_rule(inverted, facts.subjects(p), p, facts, new, inverse=True)
    if _SAME in delta:
        _equality_rules(delta[_SAME], facts, new)
    if facts.objects(_SAME):
        _replacement_rules(delta, facts, new)
    return new


# --- equality: prp-fp, prp-ifp, eq-sym, eq-trans, eq-rep-s/p/o, eq-diff1 ---------------
#
# owl:sameAs is materialised like any triple, so every member of an equality class ends
# up with every triple of the others (eq-rep-*), as OWL 2 RL states. Not materialised:
# eq-ref's ``x owl:sameAs x`` for every term (true of everything, a triple per term).


def _functional_rule(
    pairs: Pairs, others: Index, p: Token, facts: _Facts, new: dict[Token, Pairs], inverse: bool
) -> None:
    """prp-fp (prp-ifp with ``inverse``): two values of one key are owl:sameAs each other.

    ``pairs`` are new (key, value) pairs and ``others`` every key's values so far. Two
    different literals, or a literal and a node, cannot be the same: that is a
    contradiction, kept in ``facts.conflicts``.
    """
    out = new[_SAME]
    for key, value in pairs:
        for other in others.get(key, _EMPTY):
            if other == value:
                continue
            if _node(value) and _node(other):
                out.add((value, other))
                out.add((other, value))
            elif not _same_literal(value, other):
                rule = "prp-ifp" if inverse else "prp-fp"
                facts.conflicts.add(
                    f"{rule}: {p} is {'inverse-' if inverse else ''}functional, but "
                    f"{key} has the distinct values {min(value, other)} and {max(value, other)}"
                )


def _same_literal(a: Token, b: Token) -> bool:
    """Whether two literal tokens denote one value (``"1"^^xsd:integer``, ``"01"^^...``)."""
    if _node(a) or _node(b):
        return False
    parsed = [
        next(iter(ox.parse(f"<urn:s> <urn:p> {t} .", ox.RdfFormat.N_TRIPLES))) for t in (a, b)
    ]
    left, right = (to_rdflib(t.object) for t in parsed)
    return bool(left.eq(right)) if isinstance(left, Literal) else False


def _equality_rules(pairs: Pairs, facts: _Facts, new: dict[Token, Pairs]) -> None:
    """eq-sym and eq-trans on new sameAs pairs, and eq-rep-s/p/o on the facts so far."""
    same, inverse_same, out = facts.objects(_SAME), facts.subjects(_SAME), new[_SAME]
    replaced: dict[Token, set[Token]] = defaultdict(set)
    for a, b in pairs:
        if a == b or not (_node(a) and _node(b)):
            continue
        out.add((b, a))
        out.update((a, c) for c in same.get(b, _EMPTY) if c != a)
        out.update((z, b) for z in inverse_same.get(a, _EMPTY) if z != b)
        replaced[a].add(b)
    if not replaced:
        return
    for p, known in facts.pairs.items():
        if p != _SAME:
            target = new[p]
            for s, o in known:
                if s in replaced:
                    target.update((b, o) for b in replaced[s])
                if o in replaced:
                    target.update((s, b) for b in replaced[o])
        for q in replaced.get(p, ()):
            new[q] |= known


def _replacement_rules(
    delta: Mapping[Token, Pairs], facts: _Facts, new: dict[Token, Pairs]
) -> None:
    """eq-rep-s/p/o for new triples whose terms have an owl:sameAs."""
    same = facts.objects(_SAME)
    for p, pairs in delta.items():
        if p == _SAME:
            continue
        target = new[p]
        for s, o in pairs:
            for other in same.get(s, _EMPTY):
                if other != s:
                    target.add((other, o))
            for other in same.get(o, _EMPTY):
                if other != o:
                    target.add((s, other))
        for q in same.get(p, _EMPTY):
            if q != p:
                new[q] |= pairs


def _check_equalities(facts: _Facts, t: _Tables) -> None:
    """Raise on a contradiction (eq-diff1, distinct literal values) or sameAs in the schema.

    An owl:sameAs between classes or properties of the ontology would change the compiled
    tables, which are fixed before evaluation: refused rather than half applied.
    """
    same = facts.pairs.get(_SAME, set())
    conflicts = set(facts.conflicts)
    for x, y in facts.pairs.get(_DIFFERENT, ()):
        if x == y or (x, y) in same:
            conflicts.add(f"eq-diff1: {x} owl:differentFrom {y}, yet they are owl:sameAs")
    if conflicts:
        listed = "\n  ".join(sorted(conflicts))
        raise Inconsistent(f"the data contradicts the ontology (OWL 2 RL):\n  {listed}")
    schema = sorted({a for pair in same for a in pair if a in t.schema_terms})
    if schema:
        raise UnsupportedOwl(
            "owl:sameAs between classes or properties of the ontology is not implemented: "
            + ", ".join(schema[:10])
        )


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
