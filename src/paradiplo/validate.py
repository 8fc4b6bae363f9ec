"""SHACL validation of the built data, with results traced back to their files.

Two validators give the same results: ``fast`` (the default; ``paradiplo.shacl``, indexed
checks in Python and SPARQL constraints in pyoxigraph) and ``pyshacl``, the reference.
When the fast engine refuses the shapes (a SHACL feature it does not implement), ``fast``
falls back to pyshacl with a one-line notice: a user's shapes are always validated, never
skipped and never an error for want of a feature.
pyshacl runs on rdflib graphs converted from the loaded quads (never on a
pyoxigraph-backed graph, where pyshacl 0.40 mistypes plain literals). The data graph is
the RDF merge of the data graphs and the inferred triples, so a shape sees each resource
as a query would.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor, Result
from rdflib.term import Identifier, Node

from paradiplo.content import Kind
from paradiplo.convert import OxTerm, from_rdflib, to_graph
from paradiplo.load import LoadedFile, display_path
from paradiplo.namespaces import PREFIXES, SH
from paradiplo.shacl import Closure, ShaclValidator, UnsupportedShacl, Violation

Validator = TypingLiteral["fast", "pyshacl"]
VALIDATORS: tuple[Validator, ...] = ("fast", "pyshacl")

Origins = Mapping[OxTerm, Iterable[tuple[str, str]]]

LOG = logging.getLogger(__name__)


class _ParseOnceGraph(Graph):
    """An rdflib graph that parses each distinct SPARQL text only once.

    pyshacl runs a shape's SPARQL constraint once per focus node, as the same text with
    different bindings, and rdflib re-parses it every time: with a few hundred focus nodes
    that parsing was over 90% of validation time. A prepared query gives the same answers.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[tuple[str, tuple[tuple[str, str], ...]], Query] = {}

    def query(
        self,
        query_object: str | Query,
        processor: str | Processor = "sparql",
        result: str | type[Result] = "sparql",
        initNs: Mapping[str, Any] | None = None,  # rdflib's parameter names
        initBindings: Mapping[str, Identifier] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and processor == "sparql":
            key = (query_object, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in self._prepared:
                self._prepared[key] = prepareQuery(query_object, initNs=initNs)
            query_object = self._prepared[key]
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the graphs and files that describe its focus node."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str
    source_shape: str
    constraint: str
    graphs: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def render(self) -> str:
        """A few readable lines: what is wrong, where, and which shape says so."""
        where = ", ".join(self.files) or "inferred or unknown file"
        lines = [f"{self.severity}: {self.focus} ({where})"]
        if self.path:
            lines.append(f"  path: {self.path}")
        if self.value:
            lines.append(f"  value: {self.value}")
        lines.append(f"  {self.message}")
        lines.append(f"  shape: {self.source_shape} [{self.constraint}]")
        if self.graphs:
            lines.append(f"  graphs: {', '.join(self.graphs)}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of SHACL validation; only violations make it fail.

    ``graph`` is the ``sh:ValidationReport`` graph itself, blank nodes as in the input (the
    Turtle text renames them); ``notices`` say how it was obtained when that is worth
    knowing (the fast engine refused the shapes and pyshacl validated them instead).
    """

    results: tuple[ValidationResult, ...]
    turtle: str
    graph: Graph = field(default_factory=Graph, compare=False, repr=False)
    notices: tuple[str, ...] = ()

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def conforms(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        """E.g. ``SHACL: 2 violations, 1 warning``."""
        counts: dict[str, int] = defaultdict(int)
        for r in self.results:
            counts[r.severity] += 1
        if not counts:
            return "SHACL: conforms"
        parts = [
            f"{n} {severity.lower()}{'s' if n != 1 else ''}"
            for severity, n in sorted(counts.items(), key=lambda kv: _SEVERITY_ORDER.get(kv[0], 9))
        ]
        return "SHACL: " + ", ".join(parts)

    def render_text(self) -> str:
        """The notices and summary, then every result, violations first."""
        head = "\n".join([*self.notices, self.summary()])
        return "\n\n".join([head, *(r.render() for r in self.results)])


def origins_of(files: Iterable[LoadedFile]) -> Origins:
    """For each subject in data files: the (graph IRI, file path) pairs describing it.

    Computed on first lookup: a build without SHACL results never needs it, and at world
    scale it is a pass over every quad.
    """
    return _LazyOrigins(list(files))


class _LazyOrigins(Mapping[OxTerm, Iterable[tuple[str, str]]]):
    def __init__(self, files: list[LoadedFile]) -> None:
        self._files = files
        self._origins: dict[OxTerm, set[tuple[str, str]]] | None = None

    def _all(self) -> dict[OxTerm, set[tuple[str, str]]]:
        if self._origins is None:
            origins: dict[OxTerm, set[tuple[str, str]]] = defaultdict(set)
            for loaded in self._files:
                if loaded.file.kind is not Kind.DATA:
                    continue
                shown = display_path(loaded.file.path)
                for q in loaded.quads:
                    graph = q.graph_name
                    if isinstance(graph, ox.NamedNode) and isinstance(
                        q.subject, ox.NamedNode | ox.BlankNode
                    ):
                        origins[q.subject].add((graph.value, shown))
            self._origins = dict(origins)
        return self._origins

    def __getitem__(self, key: OxTerm) -> set[tuple[str, str]]:
        return self._all()[key]

    def __iter__(self) -> Iterator[OxTerm]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def validate(
    data: Iterable[ox.Quad],
    *,
    shapes: Iterable[ox.Quad],
    ontology: Iterable[ox.Quad] = (),
    origins: Origins | None = None,
    validator: Validator = "fast",
    closure: Closure | None = None,
) -> ValidationReport:
    """Validate the merge of ``data`` and ``ontology`` against ``shapes``.

    ``validator`` picks the engine. The fast one refuses, when compiling them, shapes that
    use a feature it does not implement: they are then validated by pyshacl, and the
    report's ``notices`` (and a log warning) say so in one line. ``closure``, the reasoner's
    tokens of that same merge (``reason.Inference.closure``), saves the fast engine from
    indexing the quads again.
    """
    shapes_graph = to_graph(shapes)
    if len(shapes_graph) == 0:
        return ValidationReport((), _report_turtle(Graph()), Graph())
    if validator == "fast":
        try:
            engine = ShaclValidator(shapes_graph)
        except UnsupportedShacl as refusal:
            notice = f"SHACL: validated by pyshacl, the fast validator refused: {refusal}"
            LOG.warning("%s", notice)
            report = _pyshacl_report(data, shapes_graph, ontology)
            return _report(report, shapes_graph, origins, (notice,))
        if closure is not None:
            violations = engine.validate_closure(closure)
        else:
            violations = engine.validate([*ontology, *data])
        return _report(report_graph(violations), shapes_graph, origins)
    return _report(_pyshacl_report(data, shapes_graph, ontology), shapes_graph, origins)


def _pyshacl_report(
    data: Iterable[ox.Quad], shapes_graph: Graph, ontology: Iterable[ox.Quad]
) -> Graph:
    """pyshacl's report graph for the merge of ``data`` and ``ontology``."""
    # The ontology is merged into the data graph rather than passed as pyshacl's ont_graph:
    # pyshacl only "inoculates" part of an ont_graph (class axioms), so an individual the
    # ontology defines (a SKOS concept such as pd:TieCount) would lack its rdf:type.
    data_graph = to_graph(ontology, into=to_graph(data, into=_ParseOnceGraph()))
    _, report, _ = shacl_validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        # sh:conforms as SHACL defines it (any result makes it false); the build's own verdict
        # is ValidationReport.conforms, which only counts violations.
        allow_warnings=False,
        allow_infos=False,
        inplace=True,
    )
    assert isinstance(report, Graph)
    return report


def report_graph(violations: Iterable[Violation]) -> Graph:
    """A SHACL validation report graph, as pyshacl writes it, for the fast validator's results."""
    graph = Graph()
    report = BNode()
    results = list(violations)
    graph.add((report, RDF.type, SH.ValidationReport))
    # http://www.w3.org/ns/shacl#conforms, rdfs:comment: "True if the validation did not
    # produce any validation results, and false otherwise." (ValidationReport.conforms, the
    # build's verdict, counts violations only.)
    conforms = not results
    graph.add((report, SH.conforms, Literal(conforms)))
    for violation in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, violation.focus))
        graph.add((node, SH.sourceShape, violation.shape))
        graph.add((node, SH.sourceConstraintComponent, violation.component))
        graph.add((node, SH.resultSeverity, violation.severity))
        for message in violation.messages:
            graph.add((node, SH.resultMessage, message))
        for predicate, value in (
            (SH.resultPath, violation.path),
            (SH.value, violation.value),
            (SH.sourceConstraint, violation.source_constraint),
        ):
            if value is not None:
                graph.add((node, predicate, value))
    return graph


def _report(
    report: Graph, shapes_graph: Graph, origins: Origins | None, notices: tuple[str, ...] = ()
) -> ValidationReport:
    located = origins if origins is not None else {}
    results = [_result(report, shapes_graph, node, located) for node in _nodes(report)]
    results.sort(key=lambda r: (_SEVERITY_ORDER.get(r.severity, 9), r.files, r.focus, r.path or ""))
    return ValidationReport(tuple(results), _report_turtle(report), report, notices)


def _nodes(report: Graph) -> list[Node]:
    return list(report.subjects(RDF.type, SH.ValidationResult))


def _result(report: Graph, shapes: Graph, node: Node, origins: Origins) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    severity = report.value(node, SH.resultSeverity)
    shape = report.value(node, SH.sourceShape)
    constraint = report.value(node, SH.sourceConstraintComponent)
    messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
    located = sorted(set(origins.get(from_rdflib(focus), ()))) if focus is not None else []
    return ValidationResult(
        focus=_show(focus),
        path=None if path is None else _show_path(report, path),
        value=None if value is None else _show(value),
        message="; ".join(messages) or "(no message)",
        severity=_local(severity) or "Violation",
        source_shape=_show_shape(shapes, shape),
        constraint=_show(constraint),
        graphs=tuple(sorted({_show(URIRef(g)) for g, _ in located})),
        files=tuple(sorted({f for _, f in located})),
    )


def _local(node: Node | None) -> str:
    return "" if node is None else str(node).rsplit("#", 1)[-1]


def _show(node: Node | None) -> str:
    """Compact Turtle form of a term, with the project's prefixes."""
    if node is None:
        return "?"
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            local = text[len(namespace) :]
            if (
                text.startswith(namespace)
                and local
                and all(c.isalnum() or c in "_-" for c in local)
            ):
                return f"{prefix}:{local}"
        return f"<{text}>"
    if isinstance(node, Literal):
        return str(node.n3())
    return f"_:{node}"


def _show_path(graph: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL path syntax (``^p``, ``p/q``, ``p|q``, ``p*``)."""
    if not isinstance(path, BNode):
        return _show(path)
    if (graph.value(path, RDF.first)) is not None:
        return "/".join(_show_path(graph, p) for p in Collection(graph, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(_show_path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_show_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    return _show(path)


def _show_shape(shapes: Graph, shape: Node | None) -> str:
    """A named shape by name; an anonymous property shape by its node shape and path."""
    if not isinstance(shape, BNode):
        return _show(shape)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    parts = [_show(parent) if parent is not None else "anonymous shape"]
    if path is not None:
        parts.append(f"property {_show_path(shapes, path)}")
    return " ".join(parts)


def _report_turtle(report: Graph) -> str:
    for prefix, namespace in PREFIXES.items():
        report.bind(prefix, namespace, override=True)
    return report.serialize(format="turtle")
