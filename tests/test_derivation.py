"""Derivation graphs: every inferred triple names the graphs it follows from, soundly and
minimally, so its sources and quotes are one query away."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from paradiplo.content import Kind, discover
from paradiplo.convert import triple_key
from paradiplo.derivation import DERIVATION, INFERRED_FROM, Derivations, derivations
from paradiplo.load import load_all
from paradiplo.namespaces import PDG
from paradiplo.reason import compile_rules, infer, materialise

REPO = Path(__file__).resolve().parents[1]

PREFIXES = """\
@prefix pd:   <https://w3id.org/paradiplo/ontology#> .
@prefix pda:  <https://w3id.org/paradiplo/id/assertion/> .
@prefix pdg:  <https://w3id.org/paradiplo/id/graph/> .
@prefix city: <https://w3id.org/paradiplo/id/city/> .
@prefix tie:  <https://w3id.org/paradiplo/id/tie/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

ONTOLOGY = (
    PREFIXES
    + """
pdg:ontology {
  pd:twinnedWith a owl:ObjectProperty, owl:SymmetricProperty ;
      owl:propertyChainAxiom ( [ owl:inverseOf pd:firstParty ] pd:secondParty ) .
  pd:City rdfs:subClassOf pd:Place .
  pd:Level rdfs:subClassOf pd:Concept .
  pd:CityLevel a pd:Level .
}
"""
)


def quads(trig: str) -> list[ox.Quad]:
    return list(ox.parse(trig.encode(), ox.RdfFormat.TRIG))


def run(data: str) -> tuple[Derivations, dict[str, set[tuple[str, str, str]]]]:
    """Derivations of ``data`` (TriG) with the test ontology, by graph local name."""
    ontology, facts = quads(ONTOLOGY), quads(PREFIXES + data)
    result = derivations(ontology, facts, infer(ontology, facts))
    graphs: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for q in result.quads:
        name = q.graph_name.value.removeprefix(str(PDG))  # type: ignore[union-attr]
        graphs[name].add((str(q.subject), str(q.predicate), str(q.object)))
    return result, graphs


BEIJING, MOSCOW = (
    "<https://w3id.org/paradiplo/id/city/cn-beijing>",
    ("<https://w3id.org/paradiplo/id/city/ru-moscow>"),
)
TWINNED = "<https://w3id.org/paradiplo/ontology#twinnedWith>"


def premises(graph: set[tuple[str, str, str]]) -> set[str]:
    return {o for _, p, o in graph if p == f"<{INFERRED_FROM}>"}


def test_a_triple_inferred_from_one_graph_names_that_graph() -> None:
    result, graphs = run(
        "pda:a-001 { tie:t pd:firstParty city:cn-beijing ; pd:secondParty city:ru-moscow }"
    )
    graph = graphs["inferred-from-a-001"]
    assert (BEIJING, TWINNED, MOSCOW) in graph and (MOSCOW, TWINNED, BEIJING) in graph
    assert premises(graph) == {"<https://w3id.org/paradiplo/id/assertion/a-001>"}
    assert (
        "<https://w3id.org/paradiplo/id/graph/inferred-from-a-001>",
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        f"<{DERIVATION}>",
    ) in graph
    assert result.unattributed == ()


def test_each_graph_that_entails_a_triple_gets_a_derivation_of_its_own() -> None:
    tie = "tie:t pd:firstParty city:cn-beijing ; pd:secondParty city:ru-moscow"
    _, graphs = run(f"pda:a-001 {{ {tie} }}\npda:b-001 {{ {tie} }}")
    for name in ("inferred-from-a-001", "inferred-from-b-001"):
        assert (BEIJING, TWINNED, MOSCOW) in graphs[name]


def test_a_triple_that_needs_two_graphs_names_both_and_no_bystander() -> None:
    result, graphs = run(
        "pda:a-001 { tie:t pd:firstParty city:cn-beijing }\n"
        "pda:b-001 { tie:t pd:secondParty city:ru-moscow }\n"
        "pda:c-001 { city:cn-beijing a pd:City . tie:t pd:level pd:CityLevel }"
    )
    graph = graphs["inferred-from-a-001--b-001"]
    assert (BEIJING, TWINNED, MOSCOW) in graph
    assert premises(graph) == {
        "<https://w3id.org/paradiplo/id/assertion/a-001>",
        "<https://w3id.org/paradiplo/id/assertion/b-001>",
    }
    assert (
        BEIJING,
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        ("<https://w3id.org/paradiplo/ontology#Place>"),
    ) in graphs["inferred-from-c-001"]
    assert result.unattributed == ()


def test_what_the_ontology_alone_entails_rests_on_the_ontology() -> None:
    _, graphs = run("")
    assert (
        "<https://w3id.org/paradiplo/ontology#CityLevel>",
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        "<https://w3id.org/paradiplo/ontology#Concept>",
    ) in graphs["inferred-from-ontology"]


@pytest.mark.repo_content
def test_repository_derivations_are_complete_sound_and_minimal() -> None:
    """Every inferred triple of the repository has a derivation; each derivation graph's
    triples follow (by a fresh run of the reasoner) from the graphs it names; and a graph
    named among several is needed: without it some triple no longer follows."""
    loaded = load_all(discover(REPO).files)
    ontology = [q for f in loaded if f.file.kind is Kind.ONTOLOGY for q in f.quads]
    data = [q for f in loaded if f.file.kind is Kind.DATA for q in f.quads]
    inferred = infer(ontology, data)
    result = derivations(ontology, data, inferred)
    assert result.unattributed == ()
    assert result.attributed == len(inferred)

    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in [*ontology, *data]:
        by_graph[q.graph_name.value].append(q)  # type: ignore[union-attr]
    derived: dict[str, set[tuple[object, ...]]] = defaultdict(set)
    named: dict[str, set[str]] = defaultdict(set)
    for q in result.quads:
        graph = q.graph_name.value  # type: ignore[union-attr]
        if q.predicate == ox.NamedNode(str(INFERRED_FROM)):
            named[graph].add(q.object.value)  # type: ignore[union-attr]
        elif q.subject != q.graph_name:
            derived[graph].add(triple_key(q))
    covered = {t for triples in derived.values() for t in triples}
    assert covered == {triple_key(q) for q in inferred}

    rules = compile_rules(ontology)

    def entailed(graphs: set[str]) -> set[tuple[object, ...]]:
        facts = [triple_key(q) for g in graphs | {str(PDG["ontology"])} for q in by_graph[g]]
        return {*facts, *materialise(facts, rules)}

    for graph, triples in derived.items():
        assert triples <= entailed(named[graph]), graph
        if len(named[graph]) > 1:
            for dropped in named[graph]:
                assert not triples <= entailed(named[graph] - {dropped}), (graph, dropped)
