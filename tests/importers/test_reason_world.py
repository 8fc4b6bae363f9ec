"""The OWL 2 RL reasoner on the world-registry workload (needs ../shared/data; slow).

Imports Wikidata's P190 graph (about 127,000 quads), then: the fast reasoner's whole
closure equals owlrl's on a spread-out sample of it (owlrl is too slow for all of it), and
on all of it, with the repository's data, the functional properties derive no owl:sameAs
(two first parties of one tie would be a reconciliation error).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.namespace import OWL

from paradiplo.content import Kind, discover
from paradiplo.convert import to_graph
from paradiplo.importers.wikidata_gexf import import_gexf
from paradiplo.load import load_all
from paradiplo.owl_reference import compare_with_reference
from paradiplo.reason import infer_closure

from .conftest import REPO

pytestmark = pytest.mark.slow

SAMPLE_SUBJECTS = 400  # owlrl takes a few seconds on a sample this size


@pytest.fixture(scope="module")
def workload(wikidata_gexf: Path) -> tuple[list[ox.Quad], list[ox.Quad], list[ox.Quad]]:
    """The ontology, the repository's data, and the imported registry quads."""
    loaded = load_all(discover(REPO).files)
    by_kind = {k: [q for f in loaded if f.file.kind is k for q in f.quads] for k in Kind}
    return by_kind[Kind.ONTOLOGY], by_kind[Kind.DATA], import_gexf(wikidata_gexf, REPO).quads


def test_whole_closure_equals_owlrl_on_a_sample_of_the_registry(
    workload: tuple[list[ox.Quad], list[ox.Quad], list[ox.Quad]],
) -> None:
    ontology, _, registry = workload
    by_subject: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in registry:
        by_subject[str(quad.subject)].append(quad)
    subjects = sorted(by_subject)
    step = max(1, len(subjects) // SAMPLE_SUBJECTS)
    sample = [q for s in subjects[::step] for q in by_subject[s]]
    comparison = compare_with_reference(to_graph(ontology), to_graph(sample))
    assert comparison.equal, (
        comparison.summary(),
        sorted(comparison.missing)[:10],
        sorted(comparison.extra)[:10],
    )
    assert len(comparison.reference) > len(sample)  # entailments beyond the input


def test_the_functional_properties_hold_in_the_registry(
    workload: tuple[list[ox.Quad], list[ox.Quad], list[ox.Quad]],
) -> None:
    ontology, data, registry = workload
    inference = infer_closure(ontology, [*data, *registry])
    assert inference.quads  # the reasoner did run on it
    same = sorted(inference.closure.get(f"<{OWL.sameAs}>", ()))
    assert same == [], same[:10]
