"""Every SHACL shape has a conforming and a violating example, and behaves accordingly.

Each node shape ``pdsh:X`` in ``shapes/`` has ``tests/shapes/X.ok.ttl`` (must conform)
and ``tests/shapes/X.bad.ttl`` (must be rejected, and only by shape X). Examples are
validated together with the ontology, with RDFS inference, as the build validates data
together with the reasoner's entailments.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "shapes"
PDSH = Namespace("https://w3id.org/paradiplo/shapes#")


def _load(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


SHAPES = _load(sorted((ROOT / "shapes").glob("*.ttl")))
ONTOLOGY = _load(sorted((ROOT / "ontology").glob("*.ttl")))
NODE_SHAPES = sorted(
    str(s).removeprefix(str(PDSH)) for s in SHAPES.subjects(RDF.type, SH.NodeShape)
)


def _owner(shape: URIRef) -> URIRef:
    """The node shape a result's source shape belongs to (itself, or via sh:property)."""
    owner = SHAPES.value(predicate=SH.property, object=shape)
    return owner if owner is not None else shape


def _entailed(case: Graph) -> Graph:
    """The case plus the class and property typing the ontology entails for it.

    Only subclass and subproperty entailments are added (all the shapes rely on), and
    only for the case's own triples, so the ontology's terms stay out of the case.
    """
    data = Graph()
    for s, p, o in case:
        for sup in ONTOLOGY.transitive_objects(p, RDFS.subPropertyOf):
            data.add((s, sup, o))
    for s, cls in list(data.subject_objects(RDF.type)):
        for sup in ONTOLOGY.transitive_objects(cls, RDFS.subClassOf):
            data.add((s, RDF.type, sup))
    nodes = set(case.objects()) - set(case.subjects()) - set(case.objects(None, RDF.type))
    for node in nodes:  # values the case uses but does not describe, such as pd:CityLevel
        for triple in ONTOLOGY.triples((node, None, None)):
            data.add(triple)
        for cls in ONTOLOGY.objects(node, RDF.type):
            for sup in ONTOLOGY.transitive_objects(cls, RDFS.subClassOf):
                data.add((node, RDF.type, sup))
    return data


def _results(case: Path) -> tuple[bool, list[tuple[URIRef, str]]]:
    conforms, report, _ = validate(_entailed(_load([case])), shacl_graph=SHAPES)
    results = [
        (_owner(report.value(r, SH.sourceShape)), str(report.value(r, SH.resultMessage)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return bool(conforms), results


def test_there_are_shapes() -> None:
    assert len(NODE_SHAPES) >= 20


@pytest.mark.parametrize("name", NODE_SHAPES)
def test_every_shape_has_both_examples(name: str) -> None:
    assert (CASES / f"{name}.ok.ttl").is_file(), f"no conforming example for pdsh:{name}"
    assert (CASES / f"{name}.bad.ttl").is_file(), f"no violating example for pdsh:{name}"


@pytest.mark.parametrize("name", NODE_SHAPES)
def test_conforming_example_conforms(name: str) -> None:
    conforms, results = _results(CASES / f"{name}.ok.ttl")
    assert conforms, results


@pytest.mark.parametrize("name", NODE_SHAPES)
def test_violating_example_is_rejected_by_its_shape(name: str) -> None:
    conforms, results = _results(CASES / f"{name}.bad.ttl")
    assert not conforms
    assert results, "a non-conforming report must list results"
    shapes = {shape for shape, _ in results}
    assert shapes == {PDSH[name]}, f"rejected by other shapes too: {results}"
