"""The data speaks the ontology's language: no pd: term is used that the ontology lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from paradiplo.namespaces import PD

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = sorted(
    p for p in (ROOT / "data").rglob("*") if p.suffix in {".ttl", ".trig"} and p.is_file()
)


def _defined() -> set[URIRef]:
    ontology = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    return {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(PD)}


DEFINED = _defined()


def undefined_terms(path: Path, defined: set[URIRef]) -> set[URIRef]:
    """pd: IRIs used anywhere in the file that the ontology does not define."""
    dataset = Dataset()
    dataset.parse(path, format="trig" if path.suffix == ".trig" else "turtle")
    return {
        term
        for quad in dataset.quads()
        for term in quad[:3]
        if isinstance(term, URIRef) and term.startswith(PD) and term not in defined
    }


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_data_uses_only_defined_terms(path: Path) -> None:
    assert not undefined_terms(path, DEFINED)


def test_check_catches_an_undefined_term(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"<urn:x> <{PD}twinedWith> <urn:y> .\n", encoding="utf-8")
    assert undefined_terms(bad, DEFINED) == {PD["twinedWith"]}
