"""Reading the W3C SHACL Core test suite and comparing reports the way pyshacl's runner does.

The suite (w3c/data-shapes, ``data-shapes-test-suite/tests/core/``) is never copied into
the repository: it is read in place from ``../shared/w3c/shacl-tests/core/`` next to the
repository root, or from ``$PARADIPLO_SHARED_W3C`` (the folder holding ``shacl-tests/``).
Each test names a data graph, a shapes graph and the expected ``sh:ValidationReport``;
``<>`` means the test file itself, which then holds all three.

Two reports are equal when their ``sh:conforms`` agree and their results are the same
multiset of (focus node, path, value, source shape, constraint component, severity), plus
the messages where the expected result gives some, as pyshacl's W3C runner compares them
(``pyshacl.validator_conformance.compare_validation_reports``). Blank nodes are compared by
what describes them (a property path, an anonymous shape), never by their labels.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from paradiplo.convert import to_graph

REPO = Path(__file__).resolve().parents[1]
W3C_ENV = "PARADIPLO_SHARED_W3C"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")


def w3c_folder() -> Path:
    """``$PARADIPLO_SHARED_W3C``, else ``../shared/w3c`` next to the repository root."""
    configured = os.environ.get(W3C_ENV)
    return Path(configured) if configured else REPO.parent / "shared" / "w3c"


def core_folder() -> Path:
    return w3c_folder() / "shacl-tests" / "core"


@dataclass(frozen=True)
class SuiteTest:
    """One ``sht:Validate`` entry of a manifest."""

    id: str  # e.g. "node/and-001": the entry IRI relative to the core folder
    label: str
    data: Path
    shapes: Path
    manifest: Path  # the file holding the entry and its expected report
    status: str

    def expected(self) -> tuple[Graph, Node]:
        """The manifest graph and its expected report node (``mf:result``)."""
        graph = parse(self.manifest)
        entry = URIRef(self.manifest.parent.joinpath(self.id.rsplit("/", 1)[-1]).as_uri())
        result = graph.value(entry, MF.result)
        assert result is not None, f"{self.id}: no mf:result"
        return graph, result


def parse(path: Path) -> Graph:
    """A test file as Turtle, with its own ``file:`` URI as base (as the manifests expect).

    pyoxigraph reads it, as the project loads content: rdflib's parser would rewrite
    ill-typed literals (``"none"^^xsd:boolean`` becomes ``"false"``), which some tests are
    about; the rdflib twin keeps every lexical form.
    """
    triples = ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    return to_graph(triples)


def collect(manifest: Path, root: Path | None = None, depth: int = 0) -> list[SuiteTest]:
    """Every ``sht:Validate`` entry reachable from ``manifest`` through ``mf:include``."""
    root = root or manifest.parent
    if depth > 10:
        raise RuntimeError(f"{manifest}: mf:include nested too deeply")
    graph = parse(manifest)
    tests: list[SuiteTest] = []
    for node in sorted(graph.subjects(RDF.type, MF.Manifest), key=str):
        for included in sorted(graph.objects(node, MF.include), key=str):
            tests.extend(collect(_path(included), root, depth + 1))
        head = graph.value(node, MF.entries)
        for entry in graph.items(head) if head is not None else ():
            if (entry, RDF.type, SHT.Validate) in graph:
                tests.append(_entry(graph, entry, manifest, root))
    return tests


def _path(iri: Node) -> Path:
    text = str(iri)
    if not text.startswith("file://"):
        raise RuntimeError(f"only file: IRIs can be followed, got {text}")
    return Path(text[len("file://") :])


def _entry(graph: Graph, entry: Node, manifest: Path, root: Path) -> SuiteTest:
    action = graph.value(entry, MF.action)
    data = graph.value(action, SHT.dataGraph) if action is not None else None
    shapes = graph.value(action, SHT.shapesGraph) if action is not None else None
    if data is None or shapes is None:
        raise RuntimeError(f"{entry}: mf:action needs sht:dataGraph and sht:shapesGraph")
    return SuiteTest(
        id=_path(entry).relative_to(root.resolve()).as_posix(),
        label=str(graph.value(entry, RDFS.label) or ""),
        data=_path(data),
        shapes=_path(shapes),
        manifest=manifest.resolve(),
        status=str(graph.value(entry, MF.status) or ""),
    )


# --- comparing reports ----------------------------------------------------------------

Key = tuple[object, ...]


def _describe(node: Node, graphs: tuple[Graph, ...], seen: frozenset[Node] = frozenset()) -> object:
    """A label-free form of a term: a blank node becomes the sorted description under it.

    The description comes from the first of ``graphs`` that has one: a report's own copy
    of a path before the shapes graph it was copied from.
    """
    if isinstance(node, Literal):
        return ("literal", str(node), str(node.datatype or ""), node.language or "")
    if not isinstance(node, BNode):
        return str(node)
    if node in seen or len(seen) > 8:
        return ("bnode-cycle",)
    inner = seen | {node}
    graph = next((g for g in graphs if (node, None, None) in g), graphs[-1])
    pairs = sorted(
        (str(p), repr(_describe(o, graphs, inner))) for p, o in graph.predicate_objects(node)
    )
    return ("bnode", tuple(pairs))


@dataclass(frozen=True)
class Report:
    """What is compared of a validation report."""

    conforms: bool | None
    results: Counter[Key]


def read_report(report: Graph, node: Node | None, context: Graph) -> Report:
    """The conforms flag and result keys of the report ``node`` (the only one if None).

    ``context`` holds the shapes and data that describe blank source shapes and values.
    """
    if node is None:
        nodes = list(report.subjects(RDF.type, SH.ValidationReport))
        assert len(nodes) == 1, f"expected one sh:ValidationReport, found {len(nodes)}"
        node = nodes[0]
    where = (report, context)
    conforms = report.value(node, SH.conforms)
    results: Counter[Key] = Counter()
    for result in report.objects(node, SH.result):
        fields = tuple(
            _describe(value, where) if value is not None else None
            for value in (
                report.value(result, p)
                for p in (
                    SH.focusNode,
                    SH.resultPath,
                    SH.value,
                    SH.sourceShape,
                    SH.sourceConstraintComponent,
                    SH.resultSeverity,
                )
            )
        )
        messages = frozenset(str(m) for m in report.objects(result, SH.resultMessage))
        results[(*fields, messages)] += 1
    return Report(
        conforms=conforms.toPython() if isinstance(conforms, Literal) else None,
        results=results,
    )


def differences(actual: Report, expected: Report) -> list[str]:
    """Why ``actual`` is not ``expected``; empty when they match.

    Messages are only compared where the expected result states some (pyshacl's runner
    removes the actual messages otherwise: their wording is the engine's own).
    """
    problems: list[str] = []
    if actual.conforms != expected.conforms:
        problems.append(f"sh:conforms {actual.conforms}, expected {expected.conforms}")
    with_messages = any(key[-1] for key in expected.results)
    got: Counter[Key] = Counter()
    for key, n in actual.results.items():
        got[key if with_messages else (*key[:-1], frozenset())] += n
    for key in sorted(set(got) | set(expected.results), key=repr):
        have, want = got[key], expected.results[key]
        if have != want:
            problems.append(f"{have} result(s), expected {want}: {key}")
    return problems
