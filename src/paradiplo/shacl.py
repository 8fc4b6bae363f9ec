"""A fast SHACL validator for the subset of SHACL the project's shapes use.

pyshacl walks an rdflib graph node by node, which takes minutes at world scale. This
engine indexes the data once (subject -> values, for the predicates the shapes use) and
checks every constraint with set lookups; SPARQL-based constraints run in pyoxigraph over
all focus nodes of a shape in a few queries instead of one query per focus node.

Its results are pyshacl's (focus node, path, value, source shape, constraint component,
severity, and the shape's ``sh:message``s; generic messages, for shapes without one, are
worded differently), and pyshacl stays the reference it is tested against. A SHACL
feature it does not implement raises ``UnsupportedShacl`` when the shapes are compiled,
so a shape is never skipped silently.

Supported: shapes with ``sh:targetClass`` (with subclasses), implicit class targets,
``sh:targetNode``, ``sh:targetSubjectsOf`` and ``sh:targetObjectsOf``; property shapes
whose path is an IRI, with ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``,
``sh:class``, ``sh:pattern``, ``sh:minLength``, numeric ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:minExclusive`` and ``sh:maxExclusive``, ``sh:uniqueLang``,
``sh:disjoint``, ``sh:hasValue`` and ``sh:or``; ``sh:or``/``sh:xone`` on node shapes
(their members: ``sh:datatype``/``sh:class``, or property shapes with
``sh:minCount``/``sh:hasValue``); SPARQL constraints (``sh:select`` selecting ``$this``);
``sh:message``, ``sh:severity``, ``sh:deactivated``.

Literal values are checked in Python on the terms as loaded: pyoxigraph's store would
canonicalise them (``"1"^^xsd:positiveInteger`` becomes ``"1"^^xsd:integer``). SPARQL
constraints do see the store's canonical literals, and blank nodes as IRIs
``urn:paradiplo:bnode:<id>`` (SPARQL cannot name a blank node in ``VALUES``); a SPARQL
constraint that tests ``isBlank``/``isIRI`` is refused. ``$this`` is bound by a VALUES
block joined to the query, which equals SHACL's pre-binding only for queries without
sub-selects, VALUES, MINUS or ``AS ?this``: those are refused too.

The W3C SHACL Core suite (``tests/test_w3c_shacl.py``) checks both halves of that promise:
every test is either passed or refused when the shapes are compiled.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse
from rdflib.term import Node

from paradiplo.convert import from_rdflib, to_rdflib
from paradiplo.errors import ParadiploError
from paradiplo.namespaces import SH
from paradiplo.reason import triples_to_tokens


class UnsupportedShacl(ParadiploError):
    """The shapes use a SHACL feature this engine does not implement."""


_CHUNK = 200_000  # focus nodes per VALUES block: one evaluation of the query per chunk
_BNODE = "urn:paradiplo:bnode:"

# Predicates that only document a shape.
_DOCUMENTATION = {
    RDF.type,
    RDFS.comment,
    RDFS.label,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
}
_COMMON = {SH.message, SH.severity, SH.deactivated}
_NODE_KEYS = {
    SH.datatype,
    SH["class"],
    SH.pattern,
    SH.minLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    RDFS.subClassOf,  # a shape that is also a class: the axiom belongs to the data graph
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.property,
    SH.sparql,
    SH["or"],
    SH.xone,
}
_VALUE_KEYS = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.pattern,
    SH.minLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.uniqueLang,
    SH.disjoint,
    SH.hasValue,
    SH["or"],
}
_TARGET_KEYS = frozenset({SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode})
_MEMBER_KEYS = {SH.datatype, SH["class"]}
_MEMBER_PROPERTY_KEYS = {SH.path, SH.minCount, SH.hasValue}
_SPARQL_KEYS = {RDF.type, SH.message, SH.prefixes, SH.select, SH.deactivated}
_RANGES: dict[URIRef, tuple[str, Callable[[Decimal | float, Decimal | float], bool]]] = {
    SH.minInclusive: ("MinInclusive", lambda v, b: v >= b),
    SH.maxInclusive: ("MaxInclusive", lambda v, b: v <= b),
    SH.minExclusive: ("MinExclusive", lambda v, b: v > b),
    SH.maxExclusive: ("MaxExclusive", lambda v, b: v < b),
}

_XSD = str(XSD)
_STRING = _XSD + "string"
_LANG_STRING = str(RDF.langString)
_RDFS_LITERAL = str(RDFS.Literal)
_RDFS_DATATYPE = str(RDFS.Datatype)
_TYPE = f"<{RDF.type}>"
_SUBCLASS = f"<{RDFS.subClassOf}>"
_INTEGER_TYPES = {
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOAT_TYPES = {_XSD + "double", _XSD + "float"}
_TRUE = f'"true"^^<{_XSD}boolean>'
_SIMPLE_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_SIMPLE_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in rdflib terms so that it can go into a report graph."""

    focus: Node
    shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None = None
    value: Node | None = None
    source_constraint: Node | None = None


# --- the data --------------------------------------------------------------------------
#
# Terms are N-Triples tokens ("<iri>", "_:b", '"lexical"@en', '"1"^^<...#integer>'), as the
# reasoner hands its closure over: term equality is string equality, and nothing is
# converted unless it ends up in a result.

Token = str
Closure = Mapping[Token, set[tuple[Token, Token]]]
_NONE: frozenset[Token] = frozenset()


class _Data:
    """The data graph, indexed subject -> values for the predicates the shapes use."""

    def __init__(self, closure: Closure) -> None:
        self.closure = closure
        self.tables: dict[Token, dict[Token, set[Token]]] = {}
        self._instances: dict[Token, set[Token]] = {}
        self._by_type: dict[Token, set[Token]] | None = None

    def table(self, p: Token) -> dict[Token, set[Token]]:
        """Subject -> values of ``p``, built on first use."""
        if p not in self.tables:
            table: dict[Token, set[Token]] = defaultdict(set)
            for s, o in self.closure.get(p, ()):
                table[s].add(o)
            self.tables[p] = table
        return self.tables[p]

    def values(self, node: Token, p: Token) -> set[Token] | frozenset[Token]:
        return self.table(p).get(node, _NONE)

    def subjects_of(self, p: Token) -> set[Token]:
        return {s for s, _ in self.closure.get(p, ())}

    def objects_of(self, p: Token) -> set[Token]:
        return {o for _, o in self.closure.get(p, ())}

    def instances(self, cls: Token) -> set[Token]:
        """Instances of ``cls`` or of its subclasses (rdfs:subClassOf in the data graph)."""
        if cls not in self._instances:
            by_type = self._types_index()
            found: set[Token] = set()
            for c in self._subclasses(cls):
                found |= by_type.get(c, set())
            self._instances[cls] = found
        return self._instances[cls]

    def _types_index(self) -> dict[Token, set[Token]]:
        if self._by_type is None:
            self._by_type = defaultdict(set)
            for x, t in self.closure.get(_TYPE, ()):
                self._by_type[t].add(x)
        return self._by_type

    def _subclasses(self, cls: Token) -> set[Token]:
        below: dict[Token, set[Token]] = defaultdict(set)
        for sub, sup in self.closure.get(_SUBCLASS, ()):
            below[sup].add(sub)
        seen = {cls}
        stack = [cls]
        while stack:
            for sub in below.get(stack.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    stack.append(sub)
        return seen


def _is_literal(token: Token) -> bool:
    return token[0] == '"'


def _is_blank(token: Token) -> bool:
    return token[:2] == "_:"


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return chr(int(code[1:], 16)) if code[0] in "uU" and len(code) > 1 else _ESCAPES[code]

    return _ESCAPE.sub(one, text)


def _literal(token: Token) -> tuple[str, str, str]:
    """(lexical form, datatype IRI, language) of a literal token."""
    end = token.rfind('"')
    raw = token[1:end]
    lexical = _unescape(raw) if "\\" in raw else raw
    suffix = token[end + 1 :]
    if suffix.startswith("^^<"):
        return lexical, suffix[3:-1], ""
    if suffix.startswith("@"):
        return lexical, _LANG_STRING, suffix[1:]
    return lexical, _STRING, ""


def _text(token: Token) -> str:
    """What pyshacl matches patterns and lengths against: the IRI or the lexical form."""
    return _literal(token)[0] if _is_literal(token) else token[1:-1]


def _rdflib(token: Token) -> Node:
    if token[0] == "<":
        return URIRef(token[1:-1])
    if _is_blank(token):
        return to_rdflib(ox.BlankNode(token[2:]))
    lexical, datatype, lang = _literal(token)
    if lang:
        return Literal(lexical, lang=lang)
    if datatype == _STRING:
        return Literal(lexical)
    return Literal(lexical, datatype=URIRef(datatype), normalize=False)


def _token(node: Node) -> Token:
    """The N-Triples token of an rdflib term from the shapes graph."""
    return str(from_rdflib(node))


# --- compiled shapes -------------------------------------------------------------------


@dataclass
class _Shape:
    """What the results of one shape share."""

    node: Node
    severity: URIRef
    messages: tuple[Literal, ...]
    path: URIRef | None = None


Member = Callable[[Token, _Data], bool]  # does a term conform to an sh:or/sh:xone member?


@dataclass
class _Property:
    """A property shape: a path and the checks on the values of each focus node."""

    shape: _Shape
    path: Token
    min_count: list[int] = field(default_factory=list)
    max_count: list[int] = field(default_factory=list)
    value_checks: list[tuple[str, Callable[[Token, _Data], bool]]] = field(default_factory=list)
    unique_lang: bool = False
    disjoint: list[Token] = field(default_factory=list)
    has_value: list[Token] = field(default_factory=list)


@dataclass
class _NodeShape:
    shape: _Shape
    classes: list[Token]
    subjects_of: list[Token]
    objects_of: list[Token]
    nodes: list[Token]  # sh:targetNode: focus nodes whether or not the data mentions them
    value_checks: list[tuple[str, Callable[[Token, _Data], bool]]] = field(default_factory=list)
    properties: list[_Property] = field(default_factory=list)
    ors: list[list[Member]] = field(default_factory=list)
    xones: list[list[Member]] = field(default_factory=list)
    sparql: list[_Sparql] = field(default_factory=list)


@dataclass
class _Sparql:
    node: Node
    query: str
    messages: tuple[Literal, ...]
    predicates: set[Token] | None  # None: the query may read any predicate
    classes: set[Token] | None  # the classes its rdf:type patterns name; None: any


def _iri_token(node: Node, where: Node) -> Token:
    if not isinstance(node, URIRef):
        raise UnsupportedShacl(f"{where}: expected an IRI, got {node}")
    return f"<{node}>"


class _Compiler:
    """Reads the shapes graph, refusing anything it does not implement."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.predicates: set[Token] = {_TYPE, _SUBCLASS}
        self.implicit: set[Node] = set()

    def run(self) -> list[_NodeShape]:
        for s in self.g.subjects(SH.target, None):
            raise UnsupportedShacl(f"{s}: {SH.target} is not implemented by the fast validator")
        self.implicit = self._implicit()
        targeted = {s for p in _TARGET_KEYS for s in self.g.subjects(p)} | self.implicit
        shapes = (self._node_shape(n) for n in sorted(targeted, key=str))
        return [s for s in shapes if s is not None]

    def _implicit(self) -> set[Node]:
        """Shapes that are also classes: their instances are focus nodes (implicit target)."""
        return {
            s
            for kind in (RDFS.Class, OWL.Class)
            for s in self.g.subjects(RDF.type, kind)
            if (s, RDF.type, SH.NodeShape) in self.g
            or (s, RDF.type, SH.PropertyShape) in self.g
            or (s, SH.property, None) in self.g
        }

    def _targets(self, node: Node) -> tuple[list[Token], list[Token], list[Token], list[Token]]:
        """A shape's target classes, subjects-of and objects-of predicates, and nodes."""
        classes = [_token(c) for c in self.g.objects(node, SH.targetClass)]
        if node in self.implicit:
            classes.append(_token(node))
        subjects_of = [_iri_token(p, node) for p in self.g.objects(node, SH.targetSubjectsOf)]
        objects_of = [_iri_token(p, node) for p in self.g.objects(node, SH.targetObjectsOf)]
        self.predicates.update(subjects_of + objects_of)
        nodes = [_token(n) for n in self.g.objects(node, SH.targetNode)]
        return classes, subjects_of, objects_of, nodes

    def _check_keys(self, node: Node, allowed: set[URIRef], what: str) -> None:
        for p in set(self.g.predicates(node, None)):
            if p not in allowed and p not in _DOCUMENTATION and p not in _COMMON:
                raise UnsupportedShacl(
                    f"{node}: {p} on a {what} is not implemented by the fast validator "
                    "(use --validator pyshacl)"
                )

    def _deactivated(self, node: Node) -> bool:
        value = self.g.value(node, SH.deactivated)
        return isinstance(value, Literal) and value.toPython() is True

    def _messages(self, node: Node) -> tuple[Literal, ...]:
        found = (m for m in self.g.objects(node, SH.message) if isinstance(m, Literal))
        return tuple(sorted(found, key=str))

    def _shape(self, node: Node, path: URIRef | None = None) -> _Shape:
        severity = self.g.value(node, SH.severity) or SH.Violation
        if not isinstance(severity, URIRef):
            raise UnsupportedShacl(f"{node}: sh:severity must be an IRI")
        return _Shape(node, severity, self._messages(node), path)

    def _node_shape(self, node: Node) -> _NodeShape | None:
        if (node, SH.path, None) in self.g:
            return self._targeted_property(node)
        self._check_keys(node, _NODE_KEYS, "node shape")
        if self._deactivated(node):
            return None
        compiled = _NodeShape(self._shape(node), *self._targets(node))
        compiled.value_checks = self._value_checks(node)
        for prop in self.g.objects(node, SH.property):
            prop_shape = self._property(prop)
            if prop_shape is not None:
                compiled.properties.append(prop_shape)
        compiled.ors = [self._members(head) for head in self.g.objects(node, SH["or"])]
        compiled.xones = [self._members(head) for head in self.g.objects(node, SH.xone)]
        sparql = (self._sparql(c) for c in self.g.objects(node, SH.sparql))
        compiled.sparql = [c for c in sparql if c is not None]
        return compiled

    def _targeted_property(self, node: Node) -> _NodeShape | None:
        """A property shape with targets of its own: a node shape holding just itself."""
        prop = self._property(node, _TARGET_KEYS)
        if prop is None:
            return None
        return _NodeShape(prop.shape, *self._targets(node), properties=[prop])

    def _path(self, node: Node) -> Token:
        path = self.g.value(node, SH.path)
        if not isinstance(path, URIRef):
            kinds = sorted(_local(p) for p in self.g.predicates(path, None)) if path else []
            kind = ", ".join(kinds).replace("first, rest", "sequence") or "none"
            raise UnsupportedShacl(
                f"{node}: sh:path other than an IRI ({kind}) is not implemented by the fast "
                "validator"
            )
        self.predicates.add(f"<{path}>")
        return f"<{path}>"

    def _property(self, node: Node, targets: frozenset[URIRef] = frozenset()) -> _Property | None:
        self._check_keys(node, _VALUE_KEYS | targets, "property shape")
        if self._deactivated(node):
            return None
        path = self._path(node)
        prop = _Property(self._shape(node, URIRef(path[1:-1])), path)
        g = self.g
        prop.min_count = [_integer(node, v) for v in g.objects(node, SH.minCount)]
        prop.max_count = [_integer(node, v) for v in g.objects(node, SH.maxCount)]
        prop.value_checks = self._value_checks(node)
        for head in g.objects(node, SH["or"]):
            prop.value_checks.append(("Or", _any_of(self._members(head))))
        # Only the literal true: "1"^^xsd:boolean is another term and leaves the constraint
        # off (W3C SHACL Core test property/uniqueLang-002).
        prop.unique_lang = any(_token(f) == _TRUE for f in g.objects(node, SH.uniqueLang))
        prop.disjoint = [_iri_token(d, node) for d in g.objects(node, SH.disjoint)]
        self.predicates.update(prop.disjoint)
        prop.has_value = [_token(v) for v in g.objects(node, SH.hasValue)]
        return prop

    def _value_checks(self, node: Node) -> list[tuple[str, Callable[[Token, _Data], bool]]]:
        """The checks of each value node on their own: of a property's values, or of the
        focus node itself for a node shape."""
        g = self.g
        checks = [("Datatype", _datatype_check(_token(d))) for d in g.objects(node, SH.datatype)]
        checks += [("Class", _class_check(_token(c))) for c in g.objects(node, SH["class"])]
        checks += [("Pattern", _pattern_check(node, p)) for p in g.objects(node, SH.pattern)]
        for value in g.objects(node, SH.minLength):
            checks.append(("MinLength", _min_length_check(_integer(node, value))))
        for key, (name, compare) in _RANGES.items():
            for bound in g.objects(node, key):
                checks.append((name, _range_check(node, bound, compare)))
        return checks

    def _members(self, head: Node) -> list[Member]:
        return [self._member(m) for m in Collection(self.g, head)]

    def _member(self, node: Node) -> Member:
        """A test whether a term conforms to one member shape of sh:or/sh:xone."""
        if (node, SH.path, None) in self.g:
            self._check_keys(node, _MEMBER_PROPERTY_KEYS, "property shape in sh:or/sh:xone")
            path = self._path(node)
            least = [_integer(node, v) for v in self.g.objects(node, SH.minCount)]
            wanted = [_token(v) for v in self.g.objects(node, SH.hasValue)]

            def conforms_property(term: Token, data: _Data) -> bool:
                values = data.values(term, path)
                return all(len(values) >= n for n in least) and all(v in values for v in wanted)

            return conforms_property
        self._check_keys(node, _MEMBER_KEYS, "shape in sh:or/sh:xone")
        tests = [_datatype_check(_token(d)) for d in self.g.objects(node, SH.datatype)]
        tests += [_class_check(_token(c)) for c in self.g.objects(node, SH["class"])]
        return lambda term, data: all(t(term, data) for t in tests)

    def _sparql(self, node: Node) -> _Sparql | None:
        self._check_keys(node, _SPARQL_KEYS, "SPARQL constraint")
        if self._deactivated(node):
            return None
        select = self.g.value(node, SH.select)
        if not isinstance(select, Literal):
            raise UnsupportedShacl(f"{node}: only sh:select SPARQL constraints are implemented")
        text = str(select)
        _refuse_sparql(node, text)
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self._prefixes(node)))
        predicates, classes = _predicates_read(node, prefixes + text)
        query = prefixes + _inject_values(node, text)
        return _Sparql(node, query, self._messages(node), predicates, classes)

    def _prefixes(self, node: Node) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for owner in self.g.objects(node, SH.prefixes):
            for declaration in self.g.objects(owner, SH.declare):
                prefix = self.g.value(declaration, SH.prefix)
                namespace = self.g.value(declaration, SH.namespace)
                if prefix is None or namespace is None:
                    raise UnsupportedShacl(f"{owner}: sh:declare needs sh:prefix and sh:namespace")
                found.add((str(prefix), str(namespace)))
        return found


def _local(iri: Node) -> str:
    """``sh:inversePath`` for the SHACL term, the last segment for others (``first``)."""
    text = str(iri)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else text.rsplit("#", 1)[-1]


def _any_of(members: list[Member]) -> Member:
    return lambda term, data: any(m(term, data) for m in members)


def _integer(node: Node, value: Node) -> int:
    if not (isinstance(value, Literal) and isinstance(value.toPython(), int)):
        raise UnsupportedShacl(f"{node}: expected an integer, got {value}")
    return int(value.toPython())


# --- value checks (pyshacl's semantics, on N-Triples tokens) -----------------------------


def _datatype_check(datatype: Token) -> Callable[[Token, _Data], bool]:
    rule = datatype[1:-1]

    def check(v: Token, _data: _Data) -> bool:
        if not _is_literal(v):
            return False
        if rule == _RDFS_LITERAL:
            return True
        lexical, actual, lang = _literal(v)
        if lang:
            return rule == _LANG_STRING
        if actual == _STRING:
            return rule == _STRING
        if actual == rule:
            return not _ill_typed(lexical, actual)
        return rule == _RDFS_DATATYPE

    return check


def _class_check(cls: Token) -> Callable[[Token, _Data], bool]:
    if _is_literal(cls):
        raise UnsupportedShacl(f"sh:class {cls} is not a class")
    return lambda v, data: v in data.instances(cls)


def _pattern_check(node: Node, pattern: Node) -> Callable[[Token, _Data], bool]:
    regex = re.compile(str(pattern))

    def check(v: Token, _data: _Data) -> bool:
        return not _is_blank(v) and regex.search(_text(v)) is not None

    return check


def _min_length_check(n: int) -> Callable[[Token, _Data], bool]:
    def check(v: Token, _data: _Data) -> bool:
        return n == 0 or (not _is_blank(v) and len(_text(v)) >= n)

    return check


def _range_check(
    node: Node, bound: Node, compare: Callable[[Decimal | float, Decimal | float], bool]
) -> Callable[[Token, _Data], bool]:
    limit = _number(_token(bound)) if isinstance(bound, Literal) else None
    if limit is None:
        raise UnsupportedShacl(
            f"{node}: a range bound that is not a number ({bound.n3()}) is not implemented by "
            "the fast validator"
        )

    def check(v: Token, _data: _Data) -> bool:
        number = _number(v)
        return number is not None and compare(number, limit)

    return check


def _number(token: Token) -> Decimal | float | None:
    """The value of a numeric literal, or None (not a literal, not numeric, ill-typed)."""
    if not _is_literal(token):
        return None
    lexical, datatype, _ = _literal(token)
    try:
        if datatype in _INTEGER_TYPES or datatype == _XSD + "decimal":
            return None if _ill_typed(lexical, datatype) else Decimal(lexical)
        if datatype in _FLOAT_TYPES:
            return float(lexical)
    except (InvalidOperation, ValueError):
        return None
    return None


_ILL_TYPED: dict[tuple[str, str], bool] = {}


def _ill_typed(lexical: str, datatype: str) -> bool:
    """Whether pyshacl rejects a literal of a matching datatype (rdflib's verdict)."""
    if datatype == _XSD + "integer" and _SIMPLE_INTEGER.match(lexical):
        return False
    if datatype == _XSD + "decimal" and _SIMPLE_DECIMAL.match(lexical):
        return False
    key = (lexical, datatype)
    if key not in _ILL_TYPED:
        literal = Literal(lexical, datatype=URIRef(datatype))
        _ILL_TYPED[key] = literal.ill_typed is True or not _python_type_ok(literal)
    return _ILL_TYPED[key]


_PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.integer: int,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.float: float,
}


def _python_type_ok(literal: Literal) -> bool:
    """pyshacl's second test: the parsed value has the datatype's Python type."""
    expected = _PYTHON_TYPES.get(literal.datatype) if literal.datatype else None
    return expected is None or isinstance(literal.value, expected)


# --- SPARQL constraints ----------------------------------------------------------------

_FORBIDDEN_SPARQL = re.compile(
    r"[$?](value|path|currentShape|shapesGraph|failure)\b|\b(GRAPH|SERVICE|isBlank|isIRI|isURI)\b",
    re.IGNORECASE,
)


def _refuse_sparql(node: Node, text: str) -> None:
    found = _FORBIDDEN_SPARQL.search(text)
    if found:
        raise UnsupportedShacl(
            f"{node}: {found.group(0)} in a SPARQL constraint is not implemented by the fast "
            "validator (use --validator pyshacl)"
        )
    where = re.search(r"\bWHERE\b", text, re.IGNORECASE)
    head = text[: where.start()] if where else text
    if not re.search(r"[$?]this\b", head):
        raise UnsupportedShacl(f"{node}: a SPARQL constraint must select $this")


def _inject_values(node: Node, text: str) -> str:
    """Bind ``$this`` by a VALUES block at the start of the WHERE group."""
    match = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE) or re.search(r"\{", text)
    if match is None:
        raise UnsupportedShacl(f"{node}: cannot find the WHERE clause of the SPARQL constraint")
    return text[: match.end()] + " VALUES ?this { {VALUES} } " + text[match.end() :]


def _predicates_read(node: Node, text: str) -> tuple[set[Token] | None, set[Token] | None]:
    """The predicates a query's patterns use and the classes its ``rdf:type`` patterns name.

    Either is None when the query may read any (a variable, a path through rdf:type).
    """
    try:
        query = prepareQuery(text)
    except Exception as exc:  # rdflib raises pyparsing's exceptions
        raise UnsupportedShacl(f"{node}: cannot parse the SPARQL constraint: {exc}") from exc
    found: set[Token] = set()
    classes: set[Token] = set()
    unbounded = any_class = False

    def visit(part: object) -> None:
        nonlocal unbounded, any_class
        for triple in getattr(part, "triples", None) or ():
            if isinstance(triple, tuple | list) and len(triple) == 3:
                unbounded |= not _path_predicates(triple[1], found)
                if triple[1] == RDF.type and isinstance(triple[2], URIRef):
                    classes.add(f"<{triple[2]}>")
                elif triple[1] == RDF.type or not isinstance(triple[1], URIRef):
                    any_class = True

    traverse(query.algebra, visitPre=visit)
    _refuse_prebinding(node, query.algebra)
    return (None if unbounded else found), (None if unbounded or any_class else classes)


def _refuse_prebinding(node: Node, algebra: object) -> None:
    """Refuse what makes a joined ``VALUES ?this`` block differ from SHACL's pre-binding.

    SHACL binds ``$this`` by pre-binding (https://www.w3.org/TR/shacl/#pre-binding): the
    value is substituted everywhere, sub-selects included, which a VALUES block joined at the
    top does not do (a sub-select that aggregates over ``$this`` sees every node at once).
    The spec restricts such queries: "SPARQL queries must not contain a MINUS clause",
    "SPARQL queries must not contain a VALUES clause", "SPARQL queries must not use the
    syntax form AS ?var for any potentially pre-bound variable". Those, and any sub-select,
    are refused here rather than answered differently from pyshacl.
    """
    found: list[str] = []

    def visit(part: object) -> None:
        name = getattr(part, "name", None)
        if name == "Project":
            found.append("sub-select")
        elif name == "values":
            found.append("VALUES")
        elif name == "Minus":
            found.append("MINUS")
        elif name == "Extend" and getattr(part, "var", None) in (Variable("this"),):
            found.append("AS ?this")

    traverse(algebra, visitPre=visit)
    if found.count("sub-select") == 1:  # the query's own SELECT
        found.remove("sub-select")
    if found:
        raise UnsupportedShacl(
            f"{node}: {found[0]} in a SPARQL constraint is not implemented by the fast "
            "validator ($this is pre-bound: https://www.w3.org/TR/shacl/#pre-binding)"
        )


def _path_predicates(path: object, found: set[Token]) -> bool:
    """Add the IRIs of a predicate or path to ``found``; False if it can match anything."""
    if isinstance(path, URIRef):
        found.add(f"<{path}>")
        return True
    if isinstance(path, Variable | NegatedPath):
        return False
    if isinstance(path, SequencePath | AlternativePath):
        return all(_path_predicates(p, found) for p in path.args)
    if isinstance(path, InvPath):
        return _path_predicates(path.arg, found)
    if isinstance(path, MulPath):
        return _path_predicates(path.path, found)
    return not isinstance(path, Path) and False


def _skolem(token: Token) -> Token:
    return f"<{_BNODE}{token[2:]}>" if token[0] == "_" else token


def _unskolem(term: object) -> Node:
    if isinstance(term, ox.NamedNode) and term.value.startswith(_BNODE):
        return to_rdflib(ox.BlankNode(term.value[len(_BNODE) :]))
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return to_rdflib(term)
    raise UnsupportedShacl(f"unsupported term in a SPARQL result: {term!r}")


def _format(message: str, variables: dict[str, Node]) -> str:
    """pyshacl's substitution of ``{?var}`` and ``{$var}`` by the bound values."""
    for name, value in variables.items():
        pattern = re.compile(r"\{[?$]" + re.escape(name) + r"\}")
        message = pattern.sub(str(value).replace("\\", "\\\\"), message)
    return message


# --- running ---------------------------------------------------------------------------


class ShaclValidator:
    """Compiled shapes, ready to validate data graphs."""

    def __init__(self, shapes: Graph) -> None:
        compiler = _Compiler(shapes)
        self.shapes = compiler.run()
        self.predicates = compiler.predicates
        constraints = [c for shape in self.shapes for c in shape.sparql]
        self.sparql_predicates = _union(c.predicates for c in constraints)
        self.sparql_classes = _union(c.classes for c in constraints)

    def validate(self, triples: Iterable[ox.Quad | ox.Triple]) -> list[Violation]:
        """Validate the RDF merge of ``triples`` (graph names are ignored)."""
        closure: dict[Token, set[tuple[Token, Token]]] = defaultdict(set)
        plain = (ox.Triple(t.subject, t.predicate, t.object) for t in triples)
        for s, p, o in triples_to_tokens(plain):
            closure[p].add((s, o))
        return self.validate_closure(closure)

    def validate_closure(self, closure: Closure) -> list[Violation]:
        """Validate a graph given as predicate token -> (subject, object) token pairs."""
        data = _Data(closure)
        store = self._sparql_store(closure) if self._has_sparql() else None
        results: list[Violation] = []
        for shape in self.shapes:
            focus = _focus_nodes(shape, data)
            results.extend(_node_shape_results(shape, focus, data))
            for constraint in shape.sparql:
                assert store is not None
                results.extend(_sparql_results(store, shape.shape, constraint, focus))
        return results

    def _has_sparql(self) -> bool:
        return any(shape.sparql for shape in self.shapes)

    def _sparql_store(self, closure: Closure) -> ox.Store:
        """An in-memory store of what the SPARQL constraints read, blank nodes skolemised.

        Only the predicates they name are loaded, and of rdf:type only the classes they
        name, unless a constraint may read anything (a variable predicate or class).
        """
        wanted = set(closure) if self.sparql_predicates is None else set(self.sparql_predicates)
        classes = self.sparql_classes
        lines = [
            f"{_skolem(s)} {p} {_skolem(o)} .\n"
            for p in sorted(wanted - {_TYPE})
            for s, o in closure.get(p, ())
        ]
        if _TYPE in wanted or classes is None:
            lines.extend(
                f"{_skolem(s)} {_TYPE} {_skolem(c)} .\n"
                for s, c in closure.get(_TYPE, ())
                if classes is None or c in classes
            )
        store = ox.Store()
        store.bulk_load("".join(lines).encode("utf-8"), ox.RdfFormat.N_TRIPLES)
        return store


def _union(parts: Iterable[set[Token] | None]) -> set[Token] | None:
    """The union of token sets, None (everything) if any is None."""
    found: set[Token] = set()
    for part in parts:
        if part is None:
            return None
        found |= part
    return found


def _focus_nodes(shape: _NodeShape, data: _Data) -> set[Token]:
    focus: set[Token] = set()
    for cls in shape.classes:
        focus |= data.instances(cls)
    for p in shape.subjects_of:
        focus |= data.subjects_of(p)
    for p in shape.objects_of:
        focus |= data.objects_of(p)
    focus.update(shape.nodes)
    return focus


def _violation(
    shape: _Shape, component: str, focus: Token, value: Token | None = None
) -> Violation:
    messages = shape.messages or (Literal(_generic(component, shape)),)
    return Violation(
        focus=_rdflib(focus),
        shape=shape.node,
        component=SH[f"{component}ConstraintComponent"],
        severity=shape.severity,
        messages=messages,
        path=shape.path,
        value=None if value is None else _rdflib(value),
    )


def _generic(component: str, shape: _Shape) -> str:
    where = f" on {shape.path}" if shape.path is not None else ""
    return f"{component} constraint not satisfied{where}"


def _node_shape_results(shape: _NodeShape, focus: set[Token], data: _Data) -> Iterator[Violation]:
    for component, check in shape.value_checks:
        for f in focus:
            if not check(f, data):
                yield _violation(shape.shape, component, f, f)
    for prop in shape.properties:
        yield from _property_results(prop, focus, data)
    for members in shape.ors:
        for f in focus:
            if not any(m(f, data) for m in members):
                yield _violation(shape.shape, "Or", f, f)
    for members in shape.xones:
        for f in focus:
            if sum(1 for m in members if m(f, data)) != 1:
                yield _violation(shape.shape, "Xone", f, f)


def _property_results(prop: _Property, focus: set[Token], data: _Data) -> Iterator[Violation]:
    shape, path = prop.shape, prop.path
    for f in focus:
        values = data.values(f, path)
        for n in prop.min_count:
            if len(values) < n:
                yield _violation(shape, "MinCount", f)
        for n in prop.max_count:
            if len(values) > n:
                yield _violation(shape, "MaxCount", f)
        for component, check in prop.value_checks:
            for v in values:
                if not check(v, data):
                    yield _violation(shape, component, f, v)
        if prop.unique_lang:
            yield from (_violation(shape, "UniqueLang", f) for _ in _repeated_languages(values))
        for other in prop.disjoint:
            for v in values & data.values(f, other):
                yield _violation(shape, "Disjoint", f, v)
        for wanted in prop.has_value:
            if wanted not in values:
                yield _violation(shape, "HasValue", f)


def _repeated_languages(values: Iterable[Token]) -> set[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for v in values:
        if _is_literal(v):
            lang = _literal(v)[2].lower()
            if lang:
                (repeated if lang in seen else seen).add(lang)
    return repeated


def _sparql_results(
    store: ox.Store, shape: _Shape, constraint: _Sparql, focus: set[Token]
) -> Iterator[Violation]:
    nodes = sorted(_skolem(f) for f in focus)
    for start in range(0, len(nodes), _CHUNK):
        values = " ".join(nodes[start : start + _CHUNK])
        query = constraint.query.replace("{VALUES}", values, 1)
        try:
            result = store.query(query)
        except (SyntaxError, ValueError, OSError) as exc:
            raise UnsupportedShacl(f"{constraint.node}: SPARQL constraint failed: {exc}") from exc
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        rows = [{n: _unskolem(row[n]) for n in names if row[n] is not None} for row in result]
        yield from _sparql_violations(rows, shape, constraint)


def _sparql_violations(
    rows: list[dict[str, Node]], shape: _Shape, constraint: _Sparql
) -> Iterator[Violation]:
    seen: set[tuple[object, ...]] = set()
    for bound in rows:
        this = bound.pop("this")
        key = (this, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
        if key in seen:
            continue
        seen.add(key)
        value = None if shape.path is not None else this
        variables = {"this": this, **({"value": value} if value is not None else {}), **bound}
        texts = [*shape.messages, *constraint.messages]
        messages = tuple(Literal(_format(str(m), variables)) for m in texts)
        yield Violation(
            focus=this,
            shape=shape.node,
            component=SH.SPARQLConstraintComponent,
            severity=shape.severity,
            messages=messages or (Literal("SPARQL constraint not satisfied"),),
            path=shape.path,
            value=value,
            source_constraint=constraint.node,
        )
