"""owl:sameAs in the fast OWL 2 RL reasoner, its refusals, and its whole-closure match with owlrl.

The functional-property rules (prp-fp, prp-ifp) derive owl:sameAs, and the equality rules
(eq-sym, eq-trans, eq-rep-s/p/o) spread each member's triples to the others; the closure
is compared with owlrl's triple by triple (``owl_reference.compare_with_reference``), on
hand-made cases and on random small ontologies with random data.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from paradiplo.cli import cli
from paradiplo.convert import from_graph, to_rdflib
from paradiplo.owl_reference import EXCLUSIONS, compare_with_reference, exclusion
from paradiplo.owl_rules import UnsupportedOwl, compile_rules
from paradiplo.reason import Inconsistent, infer, materialise

EX = Namespace("https://example.org/")
PREFIXES = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""
ONTOLOGY = (
    PREFIXES
    + """
ex:p a owl:ObjectProperty, owl:FunctionalProperty .
ex:k a owl:ObjectProperty, owl:InverseFunctionalProperty .
ex:f a owl:DatatypeProperty, owl:FunctionalProperty .
ex:q a owl:ObjectProperty ; rdfs:domain ex:D .
ex:C rdfs:subClassOf ex:E .
"""
)


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def derive(ontology: Graph, data: Graph) -> set[tuple[object, object, object]]:
    combined = list(from_graph(ontology)) + list(from_graph(data))
    new = materialise(combined, compile_rules(from_graph(ontology)))
    return {(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in new}


def test_functional_values_become_the_same_and_share_their_triples() -> None:
    ontology = turtle(ONTOLOGY)
    data = turtle("ex:x ex:p ex:a, ex:b . ex:a a ex:C . ex:z ex:q ex:b . ex:b ex:label 'B' .")
    derived = derive(ontology, data)
    assert (EX.a, OWL.sameAs, EX.b) in derived  # prp-fp
    assert (EX.b, OWL.sameAs, EX.a) in derived  # eq-sym
    assert (EX.b, RDF.type, EX.C) in derived  # eq-rep-s
    assert (EX.b, RDF.type, EX.E) in derived  # then cax-sco on the copy
    assert (EX.z, EX.q, EX.a) in derived  # eq-rep-o
    assert (EX.a, EX.label, Literal("B")) in derived
    assert not any(s == o for s, p, o in derived if p == OWL.sameAs)  # eq-ref is left out
    comparison = compare_with_reference(ontology, data)
    assert comparison.equal, comparison.summary()
    assert (EX.a, OWL.sameAs, EX.b) in comparison.reference


def test_inverse_functional_and_transitive_equality_and_predicates() -> None:
    ontology = turtle(ONTOLOGY)
    data = turtle(
        "ex:u ex:k ex:t . ex:v ex:k ex:t . ex:w ex:k ex:t ."
        "ex:v owl:sameAs ex:y . ex:r owl:sameAs ex:r2 . ex:u ex:r ex:o ."
    )
    derived = derive(ontology, data)
    assert (EX.u, OWL.sameAs, EX.y) in derived  # prp-ifp, then eq-trans
    assert (EX.y, EX.k, EX.t) in derived
    assert (EX.u, EX.r2, EX.o) in derived  # eq-rep-p
    comparison = compare_with_reference(ontology, data)
    assert comparison.equal, comparison.summary()


def test_different_values_of_a_functional_datatype_property_are_a_contradiction() -> None:
    ontology = turtle(ONTOLOGY)
    with pytest.raises(Inconsistent, match=r"prp-fp: <https://example.org/f>.*\"1\".*\"2\""):
        derive(ontology, turtle('ex:x ex:f "1", "2" .'))
    # one value written two ways is no contradiction, and derives nothing
    assert derive(ontology, turtle('ex:x ex:f "1"^^xsd:integer, "01"^^xsd:integer .')) == set()


def test_same_as_against_different_from_is_a_contradiction() -> None:
    data = turtle("ex:x ex:p ex:a, ex:b . ex:a owl:differentFrom ex:b .")
    with pytest.raises(Inconsistent, match="eq-diff1"):
        derive(turtle(ONTOLOGY), data)


def test_same_as_between_ontology_terms_is_refused() -> None:
    with pytest.raises(UnsupportedOwl, match="classes or properties"):
        derive(turtle(ONTOLOGY), turtle("ex:C owl:sameAs ex:Other ."))


@pytest.mark.parametrize(
    ("axiom", "named"),
    [
        ("ex:C owl:disjointWith ex:D .", "owl:disjointWith"),
        (
            "ex:R a owl:Restriction ; owl:onProperty ex:p ; owl:maxCardinality 1 .",
            "owl:maxCardinality",
        ),
        ("ex:p a owl:AsymmetricProperty .", "rdf:type owl:AsymmetricProperty"),
        ("ex:C owl:hasKey ( ex:p ) .", "owl:hasKey"),
        ("ex:C owl:complementOf ex:D .", "owl:complementOf"),
    ],
)
def test_an_axiom_the_engine_does_not_implement_is_an_error(axiom: str, named: str) -> None:
    ontology = turtle(ONTOLOGY + axiom)
    assert any(u.startswith(named) for u in compile_rules(from_graph(ontology)).unsupported)
    with pytest.raises(UnsupportedOwl, match=named):
        derive(ontology, turtle("ex:x ex:q ex:y ."))
    quads = [ox.Quad(*t, ox.NamedNode("urn:o")) for t in from_graph(ontology)]
    with pytest.raises(UnsupportedOwl, match=named):
        infer(quads, [])


def test_declarations_and_annotations_are_accepted() -> None:
    ontology = turtle(
        ONTOLOGY + "<https://example.org/o> a owl:Ontology ; owl:versionInfo '1' . "
        "ex:C a owl:Class . ex:n a owl:AnnotationProperty . ex:i a owl:NamedIndividual ."
    )
    assert compile_rules(from_graph(ontology)).unsupported == []


def test_every_exclusion_category_is_documented_and_used() -> None:
    samples = [
        (Literal("a"), RDF.type, URIRef("http://www.w3.org/2001/XMLSchema#string")),
        (EX.a, OWL.sameAs, EX.a),
        (EX.C, RDFS.subClassOf, EX.C),
        (EX.a, RDF.type, OWL.Thing),
        (URIRef("http://www.w3.org/2001/XMLSchema#boolean"), OWL.disjointWith, EX.D),
    ]
    assert {exclusion(t) for t in samples} == set(EXCLUSIONS)
    assert exclusion((EX.a, OWL.sameAs, EX.b)) is None
    assert exclusion((EX.a, RDF.type, EX.C)) is None


# --- random small ontologies and data -----------------------------------------------------

CLASSES = [EX[f"C{i}"] for i in range(4)]
PROPERTIES = [EX[f"p{i}"] for i in range(3)]
INDIVIDUALS = [EX[f"i{i}"] for i in range(4)]

class_axioms = st.tuples(
    st.sampled_from(CLASSES),
    st.sampled_from([RDFS.subClassOf, OWL.equivalentClass]),
    st.sampled_from(CLASSES),
)
property_axioms = st.tuples(
    st.sampled_from(PROPERTIES),
    st.sampled_from([RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf]),
    st.sampled_from(PROPERTIES),
)
domain_range = st.tuples(
    st.sampled_from(PROPERTIES),
    st.sampled_from([RDFS.domain, RDFS.range]),
    st.sampled_from(CLASSES),
)
characteristics = st.tuples(
    st.sampled_from(PROPERTIES),
    st.just(RDF.type),
    st.sampled_from(
        [
            OWL.FunctionalProperty,
            OWL.InverseFunctionalProperty,
            OWL.SymmetricProperty,
            OWL.TransitiveProperty,
        ]
    ),
)
edges = st.tuples(
    st.sampled_from(INDIVIDUALS), st.sampled_from(PROPERTIES), st.sampled_from(INDIVIDUALS)
)
memberships = st.tuples(st.sampled_from(INDIVIDUALS), st.just(RDF.type), st.sampled_from(CLASSES))
# two values of one subject and property, or two subjects of one value: what prp-fp and
# prp-ifp feed on
forks = st.builds(
    lambda x, p, a, b, inverse: [(a, p, x), (b, p, x)] if inverse else [(x, p, a), (x, p, b)],
    st.sampled_from(INDIVIDUALS),
    st.sampled_from(PROPERTIES),
    st.sampled_from(INDIVIDUALS),
    st.sampled_from(INDIVIDUALS),
    st.booleans(),
)
equalities = st.tuples(
    st.sampled_from(INDIVIDUALS), st.just(OWL.sameAs), st.sampled_from(INDIVIDUALS)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(class_axioms, property_axioms, domain_range, characteristics), max_size=8),
    st.lists(st.one_of(edges, memberships, equalities), min_size=1, max_size=10),
    st.lists(forks, max_size=3),
)
def test_whole_closure_equals_owlrl_on_random_ontologies(
    axioms: list[tuple[URIRef, URIRef, URIRef]],
    facts: list[tuple[URIRef, URIRef, URIRef]],
    pairs: list[list[tuple[URIRef, URIRef, URIRef]]],
) -> None:
    ontology, data = Graph(), Graph()
    for triple in axioms:
        ontology.add(triple)
    for triple in [*facts, *(t for pair in pairs for t in pair)]:
        data.add(triple)
    comparison = compare_with_reference(ontology, data)
    assert comparison.equal, (
        comparison.summary(),
        sorted(comparison.missing)[:10],
        sorted(comparison.extra)[:10],
    )


def test_a_build_with_an_unsupported_axiom_fails_with_a_message(mini_root: Path) -> None:
    ontology = mini_root / "ontology" / "mini.ttl"
    ontology.write_text(
        ontology.read_text(encoding="utf-8")
        + "\n<https://w3id.org/paradiplo/ontology#City> <http://www.w3.org/2002/07/owl#disjointWith>"
        " <https://w3id.org/paradiplo/ontology#Region> .\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--root", str(mini_root), "validate"])
    assert result.exit_code == 1
    assert "owl:disjointWith: <https://w3id.org/paradiplo/ontology#City>" in result.output
    assert "Traceback" not in result.output
