"""The repository's own ontology, shapes and data build, validate and reason correctly.

Skipped, with the reason shown, only while ontology/paradiplo.ttl does not exist yet.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import REPO, TIE_QUERY
from rdflib.namespace import OWL

from paradiplo.cli import cli
from paradiplo.content import Kind, discover
from paradiplo.convert import to_graph
from paradiplo.load import load_all
from paradiplo.owl_reference import compare_with_reference, consistency_of, merge, reference_closure
from paradiplo.reason import infer_closure

pytestmark = [
    pytest.mark.repo_content,
    pytest.mark.skipif(
        not (REPO / "ontology" / "paradiplo.ttl").exists(),
        reason="ontology/paradiplo.ttl does not exist yet",
    ),
]

SAMPLE_TRIPLES = 1000  # owlrl needs ~20 s for all the data; a spread-out sample keeps it quick


@pytest.fixture(scope="module")
def quads_by_kind() -> dict[Kind, list[ox.Quad]]:
    loaded = load_all(discover(REPO).files)
    return {k: [q for f in loaded if f.file.kind is k for q in f.quads] for k in Kind}


def test_build_and_query_the_repository(tmp_path: Path) -> None:
    runner = CliRunner()
    data_dir = str(tmp_path / "store")
    built = runner.invoke(cli, ["--root", str(REPO), "--data-dir", data_dir, "build"])
    assert built.exit_code == 0, built.output
    answer = runner.invoke(cli, ["--data-dir", data_dir, "query", TIE_QUERY, "--format", "csv"])
    assert answer.exit_code == 0, answer.output
    assert int(answer.stdout.splitlines()[1]) > 0


def test_validate_the_repository() -> None:
    result = CliRunner().invoke(cli, ["--root", str(REPO), "validate"])
    assert result.exit_code == 0, result.output


def test_ontology_is_consistent_and_fast_reasoner_matches_owlrl(
    quads_by_kind: dict[Kind, list[ox.Quad]],
) -> None:
    """One owlrl run (the slow part) on the ontology plus a spread-out sample of the data."""
    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads_by_kind[Kind.DATA]:
        graphs[str(quad.graph_name)].append(quad)
    step = max(1, len(quads_by_kind[Kind.DATA]) // SAMPLE_TRIPLES)
    sample = to_graph(q for name in sorted(graphs)[::step] for q in graphs[name])
    ontology = to_graph(quads_by_kind[Kind.ONTOLOGY])
    closure = reference_closure(merge(ontology, sample))

    verdict = consistency_of(closure)
    assert verdict.consistent, verdict.render()
    comparison = compare_with_reference(ontology, sample, closure)
    assert comparison.equal, (
        comparison.summary(),
        sorted(comparison.missing)[:20],
        sorted(comparison.extra)[:20],
    )
    assert len(comparison.reference) > 1000  # the whole closure, not a vocabulary slice


def test_the_functional_properties_hold_in_the_data(
    quads_by_kind: dict[Kind, list[ox.Quad]],
) -> None:
    """No owl:sameAs follows from the data: a tie with two first parties would be an error.

    pd:firstParty, secondParty, firstSide, secondSide and level are functional (prp-fp):
    two values of one would make the reasoner equate two places (or two levels).
    """
    inference = infer_closure(quads_by_kind[Kind.ONTOLOGY], quads_by_kind[Kind.DATA])
    same = sorted(inference.closure.get(f"<{OWL.sameAs}>", ()))
    assert same == [], same[:10]
