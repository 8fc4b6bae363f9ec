"""Provenance of inferred triples: the graphs each one rests on, as derivation graphs.

The reasoner writes what the ontology entails into ``pdg:inferred``, one graph for the
whole closure, so ``GRAPH ?g { city:cn-beijing pd:twinnedWith city:ru-moscow }`` alone
cannot say which sources a derived statement comes from. This module adds, for every
inferred triple, a copy in a *derivation graph* per set of graphs it follows from:

    pdg:inferred-from-registry-china-russia-007 {
        pdg:inferred-from-registry-china-russia-007 a pd:Derivation ;
            pd:inferredFrom pda:registry-china-russia-007 .
        city:cn-beijing pd:twinnedWith city:ru-moscow .
    }

so one pattern reaches the sources and quotes of asserted and inferred triples alike:
``GRAPH ?g { ... } ?g pd:inferredFrom* ?a . ?a prov:wasDerivedFrom ?source ; pd:quote ?q``
(zero steps for an asserted triple, one for an inferred one). The premises are sound:
each derivation graph's triples follow, by the same OWL 2 RL rules, from the ontology plus
the graphs it names, and from no proper subset of them. Every derivation also rests on the
ontology, which is named only when it is the sole premise (``pdg:inferred-from-ontology``).

How the premises are found, without touching the rules themselves (``reason.py``):

1. the ontology's own fixpoint: what follows from it alone rests on it alone;
2. one graph at a time: the rules are replayed from each data graph's triples on top of
   the ontology's fixpoint (semi-naive, so a graph costs what it derives); what that
   yields rests on that graph (a triple several graphs entail gets one derivation each);
3. what needs several graphs (a district's country: the district in one file, its
   city's region in another): first the premise sets already found for other triples
   (cheap: each set's replay is cached), else the graphs that mention the triple's
   subject or object, reduced to a minimal subset that still entails it (QuickXplain's
   divide and conquer).

A triple none of these reaches is counted in ``Derivations.unattributed``; it stays in
``pdg:inferred`` and the tests require none in the repository's content.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from paradiplo import reason
from paradiplo.namespaces import PD, PDG
from paradiplo.owl_rules import compile_rules

Token = str
TokenTriple = tuple[Token, Token, Token]
Pairs = set[tuple[Token, Token]]

DERIVATION = PD["Derivation"]
INFERRED_FROM = PD["inferredFrom"]
DERIVATION_GRAPH_PREFIX = str(PDG["inferred-from-"])

_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_EMPTY: frozenset[Token] = frozenset()
_MAX_NAMED = 3  # premise sets up to this size are named by their graphs, larger by a hash


@dataclass(frozen=True)
class Derivations:
    """The derivation graphs' quads, and how many inferred triples they cover."""

    quads: list[ox.Quad]
    graphs: int
    attributed: int
    unattributed: tuple[TokenTriple, ...] = field(default=())


class _MergedIndex(dict[Token, set[Token]]):
    """A read view of two join indexes: the base fixpoint's and one layer's new facts.

    The rules only call ``get`` on an index, so that is all this view answers.
    """

    def __init__(self, base: Mapping[Token, set[Token]], local: Mapping[Token, set[Token]]):
        super().__init__()
        self._base, self._local = base, local

    def get(self, key: Token, default: object = None) -> object:  # type: ignore[override]
        a, b = self._base.get(key), self._local.get(key)
        if a and b:
            return a | b
        return a or b or default


class _Layer(reason.Facts):
    """New facts on top of a fixpoint that stays unchanged (one per graph replayed)."""

    def __init__(self, base: reason.Facts, tables: reason.Tables) -> None:
        super().__init__(tables.joined)
        self._base = base

    def absorb(self, candidates: Mapping[Token, Pairs]) -> dict[Token, Pairs]:
        fresh: dict[Token, Pairs] = {}
        for p, pairs in candidates.items():
            known = self._base.pairs.get(p)
            fresh[p] = pairs - known if known else pairs
        return super().absorb(fresh)

    def objects(self, p: Token) -> reason.Index:
        return _MergedIndex(self._base.objects(p), super().objects(p))

    def subjects(self, p: Token) -> reason.Index:
        return _MergedIndex(self._base.subjects(p), super().subjects(p))


class _Replayer:
    """What the rules derive from given graphs on top of the ontology's fixpoint (cached)."""

    def __init__(
        self,
        base: reason.Facts,
        tables: reason.Tables,
        graphs: Mapping[str, list[TokenTriple]],
    ) -> None:
        self.base, self.tables, self.graphs = base, tables, graphs
        self._cache: dict[frozenset[str], set[TokenTriple]] = {}

    def derived(self, names: frozenset[str]) -> set[TokenTriple]:
        """Triples the ontology plus graphs ``names`` entail beyond the ontology alone."""
        if names in self._cache:
            return self._cache[names]
        layer = _Layer(self.base, self.tables)
        start: dict[Token, Pairs] = defaultdict(set)
        for name in names:
            for s, p, o in self.graphs[name]:
                start[p].add((s, o))
        delta = layer.absorb(start)
        while delta:
            delta = layer.absorb(reason.rule_round(delta, self.tables, layer))
        out = {(s, p, o) for p, pairs in layer.pairs.items() for s, o in pairs}
        self._cache[names] = out
        return out

    def entails(self, names: frozenset[str], triple: TokenTriple) -> bool:
        return bool(names) and triple in self.derived(names)

    def minimal(self, triple: TokenTriple, candidates: Sequence[str]) -> frozenset[str]:
        """A subset of ``candidates`` that entails ``triple`` and has no smaller such subset
        (QuickXplain); the caller has checked that all of ``candidates`` entail it."""
        return frozenset(self._quickxplain(triple, frozenset(), False, list(candidates)))

    def _quickxplain(
        self, triple: TokenTriple, fixed: frozenset[str], changed: bool, rest: list[str]
    ) -> list[str]:
        if changed and self.entails(fixed, triple):
            return []
        if len(rest) == 1:
            return rest
        half = len(rest) // 2
        first, second = rest[:half], rest[half:]
        from_second = self._quickxplain(triple, fixed | set(first), True, second)
        from_first = self._quickxplain(triple, fixed | set(from_second), bool(from_second), first)
        return from_first + from_second


def derivations(
    ontology: Sequence[ox.Quad],
    data: Sequence[ox.Quad],
    inferred: Iterable[ox.Quad],
) -> Derivations:
    """Derivation graphs for the ``inferred`` quads of ``ontology`` plus ``data``."""
    tables = reason.rule_tables(compile_rules(ontology))
    targets = set(reason.triples_to_tokens(q.triple for q in inferred))
    base, from_ontology = reason.fixpoint(
        reason.triples_to_tokens(q.triple for q in ontology), tables
    )
    graphs = _graph_tokens(data)
    replay = _Replayer(base, tables, graphs)
    premises: dict[TokenTriple, set[frozenset[str]]] = defaultdict(set)

    ontology_graphs = frozenset(
        q.graph_name.value for q in ontology if isinstance(q.graph_name, ox.NamedNode)
    )
    for p, pairs in from_ontology.items():
        for s, o in pairs:
            if (s, p, o) in targets:
                premises[(s, p, o)].add(ontology_graphs)
    for name in graphs:
        for triple in replay.derived(frozenset([name])) & targets:
            premises[triple].add(frozenset([name]))

    mentions = _mentions(graphs)
    unattributed = []
    found: dict[frozenset[str], None] = {}  # premise sets found so far, in order
    for triple in sorted(targets - premises.keys()):
        s, p, o = triple
        near = set(mentions.get(s, ()))
        if p != _TYPE:
            near |= mentions.get(o, set())
        premise_set = _known(replay, found, near, triple)
        if premise_set is None and replay.entails(frozenset(near), triple):
            premise_set = replay.minimal(triple, sorted(near))
        if premise_set is None:
            unattributed.append(triple)
        else:
            premises[triple].add(premise_set)
            found[premise_set] = None
    quads = _quads(premises)
    return Derivations(
        quads=quads,
        graphs=len({q.graph_name for q in quads}),
        attributed=len(premises),
        unattributed=tuple(unattributed),
    )


def _known(
    replay: _Replayer, found: Mapping[frozenset[str], None], near: set[str], triple: TokenTriple
) -> frozenset[str] | None:
    """A premise set found for an earlier triple that also entails ``triple``, reduced to a
    minimal one. Many triples share their premises (every imported city's country follows
    from the registry and the reference places), and the replay of a set is cached, so
    this spares a search over all the graphs that mention the triple's terms."""
    for premise_set in found:
        if premise_set <= near and replay.entails(premise_set, triple):
            # no single graph entails a triple that gets here, so two graphs are minimal
            if len(premise_set) == 2:
                return premise_set
            return replay.minimal(triple, sorted(premise_set))
    return None


def _graph_tokens(data: Sequence[ox.Quad]) -> dict[str, list[TokenTriple]]:
    """The triples of each named graph of ``data``, as N-Triples tokens, by graph IRI."""
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for q in data:
        if isinstance(q.graph_name, ox.NamedNode):
            by_graph[q.graph_name.value].append(q.triple)
    return {g: list(reason.triples_to_tokens(ts)) for g, ts in sorted(by_graph.items())}


def _mentions(graphs: Mapping[str, list[TokenTriple]]) -> dict[Token, set[str]]:
    """For each node (IRI or blank node), the graphs that have it as subject or object."""
    index: dict[Token, set[str]] = defaultdict(set)
    for name, triples in graphs.items():
        for s, _, o in triples:
            index[s].add(name)
            if o[0] != '"':
                index[o].add(name)
    return index


def graph_name(premises: frozenset[str], taken: dict[str, frozenset[str]]) -> str:
    """``pdg:inferred-from-<graph>[--<graph>...]``, or a hash for large or clashing sets."""
    locals_ = sorted(iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] for iri in premises)
    name = DERIVATION_GRAPH_PREFIX + "--".join(locals_)
    if len(locals_) > _MAX_NAMED or taken.get(name, premises) != premises:
        digest = hashlib.sha256("\n".join(sorted(premises)).encode()).hexdigest()[:16]
        name = f"{DERIVATION_GRAPH_PREFIX}set-{digest}"
    taken[name] = premises
    return name


def _quads(premises: Mapping[TokenTriple, set[frozenset[str]]]) -> list[ox.Quad]:
    """One derivation graph per premise set: its triples and its self-description."""
    by_set: dict[frozenset[str], list[TokenTriple]] = defaultdict(list)
    for triple, sets in premises.items():
        for premise_set in sets:
            by_set[premise_set].append(triple)
    taken: dict[str, frozenset[str]] = {}
    lines: list[str] = []
    for premise_set in sorted(by_set, key=lambda ps: sorted(ps)):
        graph = f"<{graph_name(premise_set, taken)}>"
        lines.append(f"{graph} {_TYPE} <{DERIVATION}> {graph} .\n")
        lines.extend(f"{graph} <{INFERRED_FROM}> <{iri}> {graph} .\n" for iri in premise_set)
        lines.extend(f"{s} {p} {o} {graph} .\n" for s, p, o in sorted(by_set[premise_set]))
    text = "".join(lines).encode("utf-8")
    return list(ox.parse(text, ox.RdfFormat.N_QUADS))
