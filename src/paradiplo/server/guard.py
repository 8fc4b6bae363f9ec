"""Decide on a query or update from its parse tree: remote access and complexity.

pyoxigraph evaluates ``SERVICE <iri>`` and ``LOAD <iri>`` by fetching the IRI over HTTP and
has no switch to turn that off, and its recursive parser and evaluator overflow the stack
(the process dies of SIGSEGV) on a few thousand nested or chained operators. So before a
worker hands a request to pyoxigraph, the request is parsed with a real SPARQL 1.1 grammar
(rdflib's) and the decision is taken on the tree, never on tokens:

* every ``SERVICE`` and ``LOAD`` in the tree is found, wherever it sits (in ``OPTIONAL``,
  a sub-select, an update's ``WHERE``), and its target resolved with the request's own
  ``PREFIX`` and ``BASE`` declarations (and the server's predeclared prefixes). It is
  refused unless every IRI it could resolve to is on the allow-list. A variable target
  is always refused;
* the tree's size and depth are bounded: ``max_nodes`` nodes, and ``max_depth`` levels,
  where a chain of operators (``1+1+...``, ``A UNION B UNION ...``, a group of many
  ``BIND``/``MINUS``/``OPTIONAL``, a long property path) counts one level per link, since
  the engine folds such chains into a tree that deep;
* a request the grammar cannot parse is refused too, so a construct the guard does not
  understand can never reach the engine. pyoxigraph accepts a few non-standard forms
  (``!!x``, SPARQL 1.2 syntax) that are refused here.

This runs inside the query worker (``worker.py``): the parser is recursive Python, so the
worst a hostile text can do is raise ``RecursionError`` (caught) or use the worker's time
budget, and the worker is a process the server may kill. The worker also has no network
at all (``isolation.py``), so a fetch the guard missed would still fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from paradiplo.errors import ParadiploError

MAX_DEPTH = 1_000
MAX_NODES = 50_000
MAX_LENGTH = 65_536

# Lists whose items the engine folds into a left- or right-deep tree: each item is a level.
_CHAINS = frozenset({"part", "triples", "graph", "other", "op"})
# Relational operators whose right-hand list is flat (``?x IN (1, 2, ...)``).
_FLAT_OPERATORS = frozenset({"IN", "NOT IN"})
_ESCAPED = re.compile(r"\\(.)")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


class QueryRefused(ParadiploError):
    """The request is refused before evaluation; the message says why (HTTP 400)."""


class RemoteAccessError(QueryRefused):
    """The request would make the server fetch something that is not allowed."""


class ComplexityError(QueryRefused):
    """The request is larger or deeper than the engine can take safely."""


class GuardSyntaxError(QueryRefused):
    """The SPARQL 1.1 grammar cannot parse the request."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one request: characters, parse-tree nodes and (chain-weighted) depth."""

    max_length: int = MAX_LENGTH
    max_nodes: int = MAX_NODES
    max_depth: int = MAX_DEPTH


@dataclass(frozen=True)
class Inspection:
    """What the parse tree showed: remote targets (each a set of candidate IRIs), size."""

    remote: tuple[tuple[str, frozenset[str] | None], ...]
    nodes: int
    depth: int


def inspect(
    text: str,
    *,
    update: bool,
    prefixes: Mapping[str, str],
    base: str | None = None,
    limits: Limits = Limits(),
) -> Inspection:
    """Parse ``text`` and report its remote targets and size; raise on what cannot be parsed.

    Raises ``GuardSyntaxError`` or ``ComplexityError``; never evaluates anything.
    """
    if len(text) > limits.max_length:
        raise ComplexityError(
            f"the request has {len(text):,} characters; at most {limits.max_length:,} are accepted"
        )
    tree = _parse(text, update)
    walk = _Walk(prefixes, base, limits)
    walk.run(tree)
    return Inspection(tuple(walk.remote), walk.nodes, walk.deepest)


def check(
    text: str,
    *,
    update: bool,
    allowed: frozenset[str],
    prefixes: Mapping[str, str],
    base: str | None = None,
    limits: Limits = Limits(),
) -> Inspection:
    """``inspect`` and refuse any SERVICE or LOAD whose target is not an allowed IRI."""
    found = inspect(text, update=update, prefixes=prefixes, base=base, limits=limits)
    for keyword, candidates in found.remote:
        if candidates is not None and candidates <= allowed:
            continue
        if candidates is None:
            what = "a target that is not a constant IRI"
        else:
            what = " or ".join(f"<{iri}>" for iri in sorted(candidates))
        hint = (
            "this endpoint fetches nothing from the network"
            if not allowed
            else "allowed: " + ", ".join(f"<{a}>" for a in sorted(allowed))
        )
        raise RemoteAccessError(f"{keyword} {what} refused: {hint} (see --allow-service)")
    return found


def _parse(text: str, update: bool) -> Any:
    try:
        return parser.parseUpdate(text) if update else parser.parseQuery(text)
    except RecursionError as exc:
        raise ComplexityError("the request nests too many levels deep to be parsed safely") from exc
    except ParseBaseException as exc:
        what = "update" if update else "query"
        where = f"line {exc.lineno}, column {exc.column}"
        raise GuardSyntaxError(f"{what} syntax error at {where}: {exc.msg}") from exc
    except (ValueError, TypeError) as exc:  # rdflib rejects some terms after parsing them
        what = "update" if update else "query"
        raise GuardSyntaxError(f"{what} syntax error: {exc}") from exc


class _Walk:
    """An iterative walk of rdflib's parse tree (no recursion, so no depth can crash it)."""

    def __init__(self, prefixes: Mapping[str, str], base: str | None, limits: Limits) -> None:
        self.limits = limits
        self.declared: dict[str, set[str]] = {}
        self.defaults = dict(prefixes)
        self.bases: set[str] = {base} if base else set()
        self.remote: list[tuple[str, frozenset[str] | None]] = []
        self.nodes = 0
        self.deepest = 0
        self.pending: list[tuple[str, Any]] = []

    def run(self, tree: Any) -> None:
        stack: list[tuple[Any, int]] = [(tree, 0)]
        while stack:
            node, depth = stack.pop()
            self._count(depth)
            if isinstance(node, CompValue):
                self._visit(node)
                stack.extend(self._children(node, depth))
            elif isinstance(node, ParseResults | list | tuple):
                stack.extend((item, depth + 1) for item in reversed(node))
        # targets are resolved once every declaration is known: a prefix declared twice
        # (an update's later operation may redeclare it) yields every candidate IRI
        for keyword, target in self.pending:
            self.remote.append((keyword, self._candidates(target)))

    def _count(self, depth: int) -> None:
        self.nodes += 1
        self.deepest = max(self.deepest, depth)
        if self.nodes > self.limits.max_nodes:
            raise ComplexityError(
                f"the request has over {self.limits.max_nodes:,} syntax nodes; simplify it"
            )
        if depth > self.limits.max_depth:
            raise ComplexityError(
                f"the request nests or chains over {self.limits.max_depth:,} levels deep "
                "(each link of a chain of operators, UNIONs or group elements counts); "
                "simplify it"
            )

    def _visit(self, node: CompValue) -> None:
        name = node.name
        if name == "PrefixDecl":
            self.declared.setdefault(str(node.get("prefix") or ""), set()).add(str(node["iri"]))
        elif name == "Base":
            self.bases.add(str(node["iri"]))
        elif name == "ServiceGraphPattern":
            self.pending.append(("SERVICE", node.get("term")))
        elif name == "Load":
            self.pending.append(("LOAD", node.get("iri")))

    def _children(self, node: CompValue, depth: int) -> Iterator[tuple[Any, int]]:
        flat = node.name == "RelationalExpression" and node.get("op") in _FLAT_OPERATORS
        for key, value in reversed(list(node.items())):
            if key == "service_string":  # rdflib's copy of the source text, not a node
                continue
            chain = key in _CHAINS and not flat and isinstance(value, ParseResults | list)
            if chain:
                count = len(value)
                yield from ((item, depth + 1 + count - i) for i, item in enumerate(value))
            else:
                yield value, depth + 1

    def _candidates(self, target: Any) -> frozenset[str] | None:
        if isinstance(target, URIRef):
            return self._relative(str(target))
        if isinstance(target, CompValue) and target.name == "pname":
            prefix = str(target.get("prefix") or "")
            local = _ESCAPED.sub(r"\1", str(target.get("localname") or ""))
            namespaces = self.declared.get(prefix)
            if namespaces is None:
                namespace = self.defaults.get(prefix)
                return None if namespace is None else frozenset({namespace + local})
            found: set[str] = set()
            for namespace in namespaces:
                found |= self._relative(namespace + local)
            return frozenset(found)
        return None  # a variable, or anything else that is not a constant IRI

    def _relative(self, iri: str) -> frozenset[str]:
        """``iri`` if absolute, else its resolution against every base (itself if none)."""
        if _ABSOLUTE.match(iri) or not self.bases:
            return frozenset({iri})
        return frozenset(urljoin(base, iri) for base in self.bases)
