from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import FIXTURES, MINI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from paradiplo.content import Kind, discover
from paradiplo.convert import TripleKey, from_graph, to_graph, to_rdflib
from paradiplo.load import load_all
from paradiplo.owl_reference import compare_with_reference, consistency, vocabulary
from paradiplo.owl_rules import compile_rules
from paradiplo.reason import infer, materialise

PD = Namespace("https://w3id.org/paradiplo/ontology#")
EX = Namespace("https://example.org/")
ONTOLOGY = Graph().parse(MINI / "ontology" / "mini.ttl")
REASONING_DATA = Graph().parse(FIXTURES / "reasoning" / "data.ttl")


def ox_triples(graph: Graph) -> list[TripleKey]:
    return list(from_graph(graph))


def derived_from(data: Graph) -> set[tuple[Node, Node, Node]]:
    rules = compile_rules(ox_triples(ONTOLOGY))
    new = materialise([*ox_triples(ONTOLOGY), *ox_triples(data)], rules)
    return {(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in new}


def n(iri: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def test_mini_ontology_compiles_without_unsupported_axioms() -> None:
    rules = compile_rules(ox_triples(ONTOLOGY))
    assert rules.unsupported == []
    assert n(PD.twinnedWith) in rules.symmetric
    assert n(PD.locatedIn) in rules.transitive
    # one two-link chain, and a three-link chain split into two binary ones
    assert len(rules.chains) == 3
    assert n(PD.Place) in rules.superclasses[n(PD.City)]
    assert n(PD.City) in rules.superclasses[n(PD.Municipality)]


def test_a_tie_yields_the_twinned_with_shortcut_both_ways() -> None:
    data = Graph()
    data.add((EX.tie, PD.firstParty, EX.harbin))
    data.add((EX.tie, PD.secondParty, EX.khabarovsk))
    derived = derived_from(data)
    assert (EX.harbin, PD.twinnedWith, EX.khabarovsk) in derived
    assert (EX.khabarovsk, PD.twinnedWith, EX.harbin) in derived
    assert (EX.tie, RDF.type, PD.TwinningTie) in derived
    assert (EX.harbin, RDF.type, PD.Place) in derived
    assert (EX.harbin, PD.partyOf, EX.tie) in derived


def test_transitivity_and_long_chains() -> None:
    derived = derived_from(REASONING_DATA)
    assert (EX.a, PD.locatedIn, URIRef("https://w3id.org/paradiplo/id/country/cn")) in derived
    assert (EX.a, PD.twinnedInside, EX.z) in derived
    assert not any(str(p).startswith("urn:paradiplo") for _, p, _ in derived)


def test_only_new_triples_are_returned() -> None:
    derived = derived_from(REASONING_DATA)
    assert not derived & set(REASONING_DATA)
    assert not derived & set(ONTOLOGY)


def test_fast_path_equals_owlrl_on_the_fixture_vocabulary() -> None:
    comparison = compare_with_reference(ONTOLOGY, REASONING_DATA)
    assert comparison.equal, (comparison.summary(), sorted(comparison.missing))
    # and the comparison is not vacuous: owlrl does entail the interesting triples
    derived = derived_from(REASONING_DATA)
    for triple in [
        (EX.a, PD.twinnedWith, EX.x),
        (EX.hub, PD.inCountry, URIRef("https://w3id.org/paradiplo/id/country/cn")),
        (EX.town, RDF.type, PD.ChineseCity),
        (EX.seat, RDF.type, PD.RegionalCapital),
        (EX.lonely, RDF.type, PD.TiedPlace),
        (EX.p, RDF.type, PD.Place),
        (EX.named, PD.officialName, Literal("Harbin")),
    ]:
        assert triple in comparison.reference
        assert triple in derived


def test_fast_path_equals_owlrl_on_the_mini_content() -> None:
    data = Graph()
    for path in sorted((MINI / "data").rglob("*.t*")):
        fmt = "trig" if path.suffix == ".trig" else "turtle"
        parsed = Graph().parse(path) if fmt == "turtle" else _trig_union(path)
        for triple in parsed:
            data.add(triple)
    assert len(data) > 30
    comparison = compare_with_reference(ONTOLOGY, data)
    assert comparison.equal, (sorted(comparison.missing), sorted(comparison.extra))


def _trig_union(path: Path) -> Graph:
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(path, format="trig")
    union = Graph()
    for s, p, o, _ in dataset.quads():
        union.add((s, p, o))
    return union


NODES = [EX[f"n{i}"] for i in range(5)]
OBJECT_PROPERTIES = [
    PD.party,
    PD.firstParty,
    PD.secondParty,
    PD.partyOf,
    PD.twinnedWith,
    PD.locatedIn,
    PD.inCountry,
    PD.capitalOf,
]
CLASSES = [PD.City, PD.Region, PD.Municipality, PD.TwinningTie, PD.ChineseCity, PD.Subnational]
CN = URIRef("https://w3id.org/paradiplo/id/country/cn")

edges = st.tuples(
    st.sampled_from(NODES), st.sampled_from(OBJECT_PROPERTIES), st.sampled_from([*NODES, CN])
)
types = st.tuples(st.sampled_from(NODES), st.just(RDF.type), st.sampled_from(CLASSES))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(edges, types), min_size=1, max_size=12))
def test_fast_path_equals_owlrl_on_random_data(
    triples: list[tuple[URIRef, URIRef, URIRef]],
) -> None:
    data = Graph()
    for triple in triples:
        data.add(triple)
    comparison = compare_with_reference(ONTOLOGY, data)
    assert comparison.equal, (sorted(comparison.missing), sorted(comparison.extra))


def test_vocabulary_is_what_the_ontology_declares() -> None:
    vocab = vocabulary(ONTOLOGY)
    assert PD.TwinningTie in vocab.classes
    assert PD.twinnedWith in vocab.properties
    assert OWL.Thing not in vocab.classes
    assert vocab.covers((EX.a, PD.twinnedWith, EX.b))
    assert not vocab.covers((EX.a, RDF.type, OWL.Thing))


def test_functional_properties_and_same_as_compile_and_others_are_refused() -> None:
    ontology = Graph()
    ontology.add((PD.firstParty, RDF.type, OWL.FunctionalProperty))
    ontology.add((EX.a, OWL.sameAs, EX.b))  # a fact between individuals: the eq-* rules apply
    ontology.add((PD.City, OWL.disjointWith, PD.Region))
    rules = compile_rules(ox_triples(ontology))
    assert n(PD.firstParty) in rules.functional
    assert rules.unsupported == [f"owl:disjointWith: <{PD.City}>"]


def test_infer_puts_new_triples_in_the_inferred_graph_without_restriction_types() -> None:
    ontology = [ox.Quad(s, p, o, ox.NamedNode("urn:o")) for s, p, o in ox_triples(ONTOLOGY)]
    data = [ox.Quad(s, p, o, ox.NamedNode("urn:d")) for s, p, o in ox_triples(REASONING_DATA)]
    inferred = infer(ontology, data)
    assert inferred
    assert {q.graph_name for q in inferred} == {
        ox.NamedNode("https://w3id.org/paradiplo/id/graph/inferred")
    }
    assert not any(
        q.predicate == n(RDF.type) and isinstance(q.object, ox.BlankNode) for q in inferred
    )
    assert inferred == sorted(
        inferred, key=lambda q: (str(q.subject), str(q.predicate), str(q.object))
    )


def test_mini_ontology_is_consistent() -> None:
    result = consistency(ONTOLOGY)
    assert result.consistent, result.render()


def test_inconsistency_is_reported() -> None:
    graph = Graph()
    graph.add((PD.City, OWL.disjointWith, PD.Region))
    graph.add((EX.x, RDF.type, PD.City))
    graph.add((EX.x, RDF.type, PD.Region))
    graph.add((EX.y, RDF.type, OWL.Nothing))
    result = consistency(graph)
    assert not result.consistent
    assert result.errors
    assert str(EX.y) in result.nothing_members
    assert "owlrl:" in result.render()


def test_to_graph_round_trip_keeps_blank_nodes() -> None:
    triples = ox_triples(REASONING_DATA)
    assert set(from_graph(to_graph(triples))) == set(triples)


@pytest.mark.repo_content
def test_fast_path_equals_owlrl_on_the_encoded_sources() -> None:
    """The ontology plus every source text's encoding (all of data/sources), not a sample."""
    repo = Path(__file__).resolve().parents[1]
    sources = [f for f in discover(repo).files if f.rel.startswith("data/sources")]
    ontology = [f for f in discover(repo).files if f.kind is Kind.ONTOLOGY]
    assert len(sources) >= 5
    data = to_graph(q for loaded in load_all(sources) for q in loaded.quads)
    comparison = compare_with_reference(
        to_graph(q for loaded in load_all(ontology) for q in loaded.quads), data
    )
    assert comparison.equal, (sorted(comparison.missing)[:20], sorted(comparison.extra)[:20])
    assert comparison.reference  # the sources do use the ontology's vocabulary
