from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from conftest import MINI, write

from paradiplo.content import ContentError, Kind, Syntax, data_graph, discover, find_root
from paradiplo.namespaces import GRAPH_ONTOLOGY, GRAPH_SHAPES, PDG


def test_discover_lists_files_in_load_order_with_their_graphs() -> None:
    content = discover(MINI)
    assert [f.rel for f in content.files] == [
        "ontology/mini.ttl",
        "shapes/mini-shapes.ttl",
        "data/reference/places.ttl",
        "data/sources.ttl",
        "data/sources/test-source.trig",
    ]
    graphs = {f.rel: f.graph for f in content.files}
    assert graphs["ontology/mini.ttl"] == str(GRAPH_ONTOLOGY)
    assert graphs["shapes/mini-shapes.ttl"] == str(GRAPH_SHAPES)
    assert graphs["data/reference/places.ttl"] == str(PDG["reference-places"])
    assert graphs["data/sources.ttl"] == str(PDG["sources"])
    assert graphs["data/sources/test-source.trig"] is None
    assert [f.kind for f in content.of_kind(Kind.DATA)] == [Kind.DATA] * 3


def test_data_graph_slugs_the_path_without_extension() -> None:
    assert data_graph(PurePosixPath("reference/places.ttl")) == str(PDG["reference-places"])
    assert data_graph(PurePosixPath("Sub Dir/My_File.nt")) == str(PDG["sub-dir-my-file"])


def test_only_rdf_files_are_listed_and_quad_formats_keep_graphs(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    write(tmp_path / "data" / "notes.md", "not RDF")
    write(tmp_path / "data" / "registry" / "ties.csv", "a,b")
    write(tmp_path / "data" / "z.nq", "")
    write(tmp_path / "data" / "a" / "b.nt", "")
    content = discover(tmp_path)
    assert [(f.rel, f.syntax) for f in content.files] == [
        ("data/a/b.nt", Syntax.NTRIPLES),
        ("data/z.nq", Syntax.NQUADS),
    ]
    assert content.files[0].graph == str(PDG["a-b"])
    assert content.files[1].graph is None


def test_two_files_with_one_graph_slug_are_refused(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    write(tmp_path / "data" / "a_b.ttl", "")
    write(tmp_path / "data" / "a-b.ttl", "")
    with pytest.raises(ContentError, match="same graph"):
        discover(tmp_path)


def test_find_root_prefers_explicit_root_then_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(MINI)
    assert find_root() == MINI.resolve()
    other = tmp_path / "other"
    (other / "ontology").mkdir(parents=True)
    assert find_root(other) == other.resolve()


def test_find_root_rejects_a_directory_without_ontology(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="not a content root"):
        find_root(tmp_path)


def test_find_root_falls_back_to_installed_or_checkout_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ontology/ here
    root = find_root()
    assert (root / "ontology").is_dir()
    assert root != tmp_path.resolve()
