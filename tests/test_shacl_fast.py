"""The fast SHACL engine gives pyshacl's results, and refuses what it does not implement.

pyshacl is the reference: both run on the same data (an rdflib graph for pyshacl, its
pyoxigraph twin for the fast engine) and the result multisets must be identical in focus
node, path, value, source shape, constraint component and severity, and in message where
the shape gives one (the wording of generic messages is the engine's own).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node
from test_shapes import CASES, SHAPES, _entailed, _load

from paradiplo.build import _prepare
from paradiplo.content import Kind
from paradiplo.convert import from_graph, to_graph
from paradiplo.shacl import ShaclValidator, UnsupportedShacl
from paradiplo.validate import _pyshacl_report, report_graph

ROOT = Path(__file__).resolve().parents[1]
Key = tuple[Node | None, ...]


def _keys(report: Graph, shapes: Graph) -> Counter[Key]:
    keys: Counter[Key] = Counter()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(r, SH.sourceShape)
        declared = shape is not None and (shape, SH.message, None) in shapes
        messages = frozenset(str(m) for m in report.objects(r, SH.resultMessage))
        keys[
            (
                report.value(r, SH.focusNode),
                report.value(r, SH.resultPath),
                report.value(r, SH.value),
                shape,
                report.value(r, SH.sourceConstraintComponent),
                report.value(r, SH.resultSeverity),
                messages if declared or report.value(r, SH.sourceConstraint) else None,
            )
        ] += 1
    return keys


def _reference(data: Graph, shapes: Graph) -> Graph:
    _, report, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(report, Graph)
    return report


def _fast(data: Graph, shapes: Graph) -> Graph:
    triples = [ox.Triple(*t) for t in from_graph(data)]
    return report_graph(ShaclValidator(shapes).validate(triples))


def _both(data: Graph, shapes: Graph = SHAPES) -> tuple[Counter[Key], Counter[Key]]:
    return _keys(_fast(data, shapes), shapes), _keys(_reference(data, shapes), shapes)


CASE_FILES = sorted(CASES.glob("*.ttl"))


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_same_results_as_pyshacl_on_every_shape_case(case: Path) -> None:
    fast, reference = _both(_entailed(_load([case])))
    assert fast == reference
    if case.name.endswith(".bad.ttl"):
        assert reference, "the violating example must give results to compare"


def test_cases_are_not_vacuous() -> None:
    components = set()
    for case in CASE_FILES:
        fast, _ = _both(_entailed(_load([case])))
        components |= {key[4] for key in fast}
    for name in ("MinCount", "Class", "Pattern", "SPARQL", "Or", "Xone"):
        assert SH[f"{name}ConstraintComponent"] in components


@pytest.mark.repo_content
def test_same_results_as_pyshacl_on_the_repository_content() -> None:
    prepared = _prepare(ROOT, None)
    by_kind = {
        kind: [q for f in prepared.loaded if f.file.kind is kind for q in f.quads] for kind in Kind
    }
    data = [*by_kind[Kind.DATA], *prepared.inferred]
    shapes = to_graph(by_kind[Kind.SHAPES])
    fast = report_graph(ShaclValidator(shapes).validate([*by_kind[Kind.ONTOLOGY], *data]))
    reference = _pyshacl_report(data, shapes, by_kind[Kind.ONTOLOGY])
    assert _keys(fast, shapes) == _keys(reference, shapes)


EDGE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:n ; sh:datatype xsd:positiveInteger ; sh:maxCount 1 ] ,
              [ sh:path ex:d ; sh:datatype xsd:decimal ; sh:maxInclusive 90 ; sh:minLength 4 ] ,
              [ sh:path ex:i ; sh:datatype xsd:integer ; sh:minExclusive 0 ] ,
              [ sh:path ex:code ; sh:pattern "^[A-Z]{2}$" ; sh:message "two capitals" ] ,
              [ sh:path ex:label ; sh:uniqueLang true ; sh:disjoint ex:alt ] ,
              [ sh:path ex:flag ; sh:hasValue true ] .
"""
EDGE_DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:a a ex:C ; ex:n "1"^^xsd:positiveInteger, "2"^^xsd:positiveInteger ;
  ex:d "45.750"^^xsd:decimal, "90.5"^^xsd:decimal, 12 ; ex:i "abc"^^xsd:integer, -1, 3 ;
  ex:code "cn", "CN", _:b, "C\\nN", "C\\"N", "ÇN" ;
  ex:label "A"@en, "B"@EN, "A"@ru ; ex:alt "A"@ru ;
  ex:flag "1"^^xsd:boolean .
ex:b a ex:C ; ex:n "0"^^xsd:positiveInteger ; ex:flag true .
ex:c a ex:C ; ex:flag false .
"""


def test_same_results_as_pyshacl_on_literal_edge_cases() -> None:
    shapes = Graph().parse(data=EDGE_SHAPES, format="turtle")
    data = Graph().parse(data=EDGE_DATA, format="turtle")
    fast, reference = _both(data, shapes)
    assert fast == reference
    components = {key[4] for key in reference}
    for name in ("MaxCount", "Datatype", "MinLength", "MaxInclusive", "MinExclusive", "Pattern"):
        assert SH[f"{name}ConstraintComponent"] in components
    for name in ("UniqueLang", "Disjoint", "HasValue"):
        assert SH[f"{name}ConstraintComponent"] in components


@pytest.mark.parametrize(
    "feature",
    [
        "sh:targetObjectsOf ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ]",
        "sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:nodeKind sh:IRI ]",
        "sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ]",
        "sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:pattern 'a' ; sh:flags 'i' ]",
        "sh:targetClass ex:C ; sh:closed true",
        "sh:targetClass ex:C ; sh:not [ sh:class ex:D ]",
        "sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT $this ?value WHERE { $this ?p ?value }' ]",  # noqa: E501
    ],
)
def test_unsupported_features_are_refused(feature: str) -> None:
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
        f"ex:S a sh:NodeShape ; {feature} .",
        format="turtle",
    )
    with pytest.raises(UnsupportedShacl, match=r"not implemented|must select"):
        ShaclValidator(shapes)


def test_the_shapes_of_the_repository_compile() -> None:
    assert len(ShaclValidator(SHAPES).shapes) >= 20
