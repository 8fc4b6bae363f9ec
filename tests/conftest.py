"""Shared fixtures: a writable copy of the mini content tree and a fresh data directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
MINI = FIXTURES / "mini"
TIE_QUERY = "SELECT (COUNT(?t) AS ?ties) WHERE { ?t a pd:TwinningTie }"


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/mini that a test may break."""
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory that does not exist yet."""
    return tmp_path / "store"


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PREFIXES_TTL = """\
@prefix pd:   <https://w3id.org/paradiplo/ontology#> .
@prefix pda:  <https://w3id.org/paradiplo/id/assertion/> .
@prefix src:  <https://w3id.org/paradiplo/source/> .
@prefix tie:  <https://w3id.org/paradiplo/id/tie/> .
@prefix city: <https://w3id.org/paradiplo/id/city/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""
