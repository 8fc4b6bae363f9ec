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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyshacl import validate as pyshacl_validate
from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node
from test_shapes import CASES, SHAPES, _entailed, _load

from paradiplo.build import _prepare
from paradiplo.content import Kind
from paradiplo.convert import from_graph, to_graph
from paradiplo.shacl import ShaclValidator, UnsupportedShacl
from paradiplo.validate import _pyshacl_report, report_graph, validate

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
        "sh:target [ a ex:T ] ; sh:property [ sh:path ex:p ; sh:minCount 1 ]",
        "sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:nodeKind sh:IRI ]",
        "sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ]",
        "sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:pattern 'a' ; sh:flags 'i' ]",
        "sh:targetClass ex:C ; sh:closed true",
        "sh:targetClass ex:C ; sh:not [ sh:class ex:D ]",
        "sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT $this ?value WHERE { $this ?p ?value }' ]",  # noqa: E501
        # $this is pre-bound in SHACL: a joined VALUES block only equals that without these
        "sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT $this WHERE { { SELECT $this WHERE { $this <urn:p> ?x } } }' ]",  # noqa: E501
        "sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT $this WHERE { VALUES ?x { 1 } $this <urn:p> ?x }' ]",  # noqa: E501
        "sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT $this WHERE { $this <urn:p> ?x } VALUES ?x { 1 }' ]",  # noqa: E501
        "sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT $this WHERE { $this <urn:p> ?x MINUS { $this <urn:q> ?x } }' ]",  # noqa: E501
        "sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT $this WHERE { BIND(<urn:a> AS $this) }' ]",  # noqa: E501
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


# The example of issue 16: a sub-select aggregating over $this. Pre-bound, $this is one focus
# node and the count is that node's (0 for both: pyshacl reports nothing); joined with a
# VALUES block, the sub-select counted every node's values and both nodes were reported.
PREBINDING_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select \"\"\"
    SELECT $this WHERE {
        { SELECT (COUNT(?x) AS ?n) WHERE { $this <https://example.org/p> ?x } }
        FILTER(?n > 0)
    }\"\"\" ] .
"""
PREBINDING_DATA = """
@prefix ex: <https://example.org/> .
ex:a a ex:C . ex:b a ex:C . ex:other ex:p 1 .
"""


def test_a_sub_select_using_this_is_refused_and_validation_falls_back_to_pyshacl(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shapes = Graph().parse(data=PREBINDING_SHAPES, format="turtle")
    data = Graph().parse(data=PREBINDING_DATA, format="turtle")
    with pytest.raises(UnsupportedShacl, match="sub-select"):
        ShaclValidator(shapes)
    quads = [ox.Quad(*t, ox.NamedNode("urn:g")) for t in from_graph(data)]
    shape_quads = [ox.Quad(*t, ox.NamedNode("urn:s")) for t in from_graph(shapes)]
    with caplog.at_level("WARNING", logger="paradiplo.validate"):
        report = validate(quads, shapes=shape_quads, validator="fast")
    assert report.results == ()  # pyshacl's answer: the count is 0 for each focus node
    assert _keys(report.graph, shapes) == _keys(_reference(data, shapes), shapes)
    (notice,) = report.notices
    assert "\n" not in notice and "pyshacl" in notice and "sub-select" in notice
    assert notice in caplog.text
    assert report.render_text().startswith(notice)


# Random small graphs against SPARQL constraints the fast engine accepts: its results must be
# pyshacl's (never one pyshacl does not give, nor one fewer).
SPARQL_CONSTRAINTS = [
    "SELECT $this ?v WHERE { $this ex:p ?v . FILTER NOT EXISTS { ?v ex:q $this } }",
    "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p ?x . ?x ex:p ?y } }",
    "SELECT $this ?v WHERE { $this ex:p ?v . OPTIONAL { ?v ex:q ?w } FILTER(!BOUND(?w)) }",
    "SELECT $this ?v WHERE { $this ex:p/ex:q ?v . FILTER(?v != $this) }",
    "SELECT DISTINCT $this WHERE { ?x ex:q $this . ?x ex:p ?y . FILTER(?y = $this) }",
]
NODES = [f"ex:n{i}" for i in range(4)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SPARQL_CONSTRAINTS),
    st.lists(
        st.tuples(
            st.sampled_from(NODES), st.sampled_from(["ex:p", "ex:q"]), st.sampled_from(NODES)
        ),
        max_size=10,
    ),
    st.sets(st.sampled_from(NODES), min_size=1),
)
def test_sparql_constraints_agree_with_pyshacl_on_random_graphs(
    select: str, edges: list[tuple[str, str, str]], typed: set[str]
) -> None:
    prefix = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
    shapes = Graph().parse(
        data=prefix + "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:prefixes ex:P ;"
        f' sh:message "bad {{?v}}" ; sh:select "{select}" ] . ex:P sh:declare [ sh:prefix "ex" ;'
        ' sh:namespace "https://example.org/"^^<http://www.w3.org/2001/XMLSchema#anyURI> ] .',
        format="turtle",
    )
    body = "".join(f"{s} {p} {o} .\n" for s, p, o in edges)
    body += "".join(f"{n} a ex:C .\n" for n in sorted(typed))
    data = Graph().parse(data=prefix + body, format="turtle")
    fast, reference = _both(data, shapes)
    assert fast == reference
