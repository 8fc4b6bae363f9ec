"""Every assertion of an encoded source is traceable: one source, and quotes that really
occur in that source's text (whitespace normalised)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import PROV, RDF

from paradiplo.namespaces import PD, PDA, SRC

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FILES = sorted((ROOT / "data" / "sources").glob("*.trig"))
SEEDS = Path(os.environ.get("PARADIPLO_SEEDS", ROOT.parent / "shared" / "seeds"))
RECORDS = Graph().parse(ROOT / "data" / "sources.ttl", format="turtle")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _dataset(path: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(path, format="trig")
    return dataset


def _text_of(source: URIRef) -> str:
    name = RECORDS.value(source, PD.textFile)
    assert name is not None, f"{source} has no pd:textFile in data/sources.ttl"
    path = SEEDS / str(name)
    if not path.is_file():
        pytest.skip(f"source texts not found at {SEEDS} (set PARADIPLO_SEEDS)")
    return _normalise(path.read_text(encoding="utf-8"))


def test_every_source_text_is_encoded() -> None:
    encoded = {path.stem for path in SOURCE_FILES}
    recorded = {str(s).removeprefix(str(SRC)) for s in RECORDS.subjects(PD.textFile, None)}
    assert recorded <= encoded, f"sources with a text but no encoding: {recorded - encoded}"
    assert len(encoded) >= 5


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: p.stem)
def test_no_triple_outside_an_assertion_graph(path: Path) -> None:
    dataset = _dataset(path)
    assert len(dataset.default_graph) == 0, "triples in the default graph have no provenance"
    for graph in dataset.graphs():
        if graph.identifier == dataset.default_graph.identifier:
            continue
        assert str(graph.identifier).startswith(f"{PDA}{path.stem}-"), graph.identifier
        assert (graph.identifier, RDF.type, PD.Assertion) in graph, graph.identifier


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: p.stem)
def test_every_assertion_names_its_source(path: Path) -> None:
    dataset = _dataset(path)
    for graph in dataset.graphs():
        if graph.identifier == dataset.default_graph.identifier:
            continue
        sources = set(graph.objects(graph.identifier, PROV.wasDerivedFrom))
        assert sources == {SRC[path.stem]}, (graph.identifier, sources)
        assert len(graph) > 3, f"{graph.identifier} asserts nothing beyond its provenance"


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: p.stem)
def test_every_quote_occurs_in_the_source_text(path: Path) -> None:
    text = _text_of(SRC[path.stem])
    dataset = _dataset(path)
    missing = []
    count = 0
    for graph in dataset.graphs():
        for quote in graph.objects(graph.identifier, PD.quote):
            count += 1
            if _normalise(str(quote)) not in text:
                missing.append((str(graph.identifier), str(quote)))
    assert count > 0
    assert not missing, f"quotes not found verbatim in the text: {missing}"


def test_quote_check_can_fail(tmp_path: Path) -> None:
    """The check above rejects a quote that is not in the text (here: one word changed)."""
    text = _text_of(SRC["china-daily-2004"])
    assert _normalise("66 pairs of sister cities") in text
    assert _normalise("67 pairs of sister cities") not in text
