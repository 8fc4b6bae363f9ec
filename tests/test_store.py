from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from paradiplo.store import (
    CURRENT,
    DEFAULT_DATA_DIR,
    AskResult,
    DataDir,
    EmbeddedStore,
    GraphResult,
    NoStoreError,
    QueryError,
    SelectResult,
    Store,
    StoreError,
    Term,
    resolve_data_dir,
)

EX = "https://example.org/"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def nn(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def quads(*, marker: str = "one") -> list[ox.Quad]:
    """A tie typed in two graphs (so union-default-graph counting matters) plus a marker."""
    return [
        ox.Quad(nn("tie"), TYPE, nn("Tie"), nn("g1")),
        ox.Quad(nn("tie"), TYPE, nn("Tie"), nn("g2")),
        ox.Quad(nn("tie"), nn("label"), ox.Literal("哈尔滨 Harbin", language="en"), nn("g2")),
        ox.Quad(nn("tie"), nn("marker"), ox.Literal(marker), nn("g1")),
    ]


def built(data_dir: Path, marker: str = "one") -> Path:
    area = DataDir(data_dir)
    build = area.write(quads(marker=marker), {"note": marker})
    area.commit(build)
    return build


def marker(data_dir: Path) -> str:
    with DataDir(data_dir).open() as store:
        result = store.query(f"SELECT ?m WHERE {{ <{EX}tie> <{EX}marker> ?m }}")
    assert isinstance(result, SelectResult)
    (row,) = result.rows
    assert row[0] is not None
    return row[0].value


def test_data_dir_resolution_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PARADIPLO_DATA_DIR", raising=False)
    assert resolve_data_dir(None) == DEFAULT_DATA_DIR
    monkeypatch.setenv("PARADIPLO_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None) == tmp_path / "env"
    assert resolve_data_dir(tmp_path / "opt") == tmp_path / "opt"


def test_opening_before_any_build_says_what_to_do(data_dir: Path) -> None:
    with pytest.raises(NoStoreError, match=r"no store yet.*run `paradiplo build`"):
        DataDir(data_dir).open()


def test_queries_see_the_deduplicated_union_of_named_graphs(data_dir: Path) -> None:
    built(data_dir)
    with DataDir(data_dir).open() as store:
        count = store.query(f"SELECT (COUNT(?t) AS ?n) WHERE {{ ?t a <{EX}Tie> }}")
        assert isinstance(count, SelectResult)
        assert count.rows[0][0] == Term("literal", "1", "http://www.w3.org/2001/XMLSchema#integer")
        in_graphs = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?t a <{EX}Tie> }} }} ORDER BY ?g")
        assert isinstance(in_graphs, SelectResult)
        assert [r[0].value for r in in_graphs.rows if r[0]] == [EX + "g1", EX + "g2"]
        assert store.query("ASK { ?s ?p ?o }") == AskResult(True)
        constructed = store.query(f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}label> ?o }}")
        assert isinstance(constructed, GraphResult)
        assert constructed.triples == (
            (
                Term("uri", EX + "tie"),
                Term("uri", EX + "p"),
                Term(
                    "literal",
                    "哈尔滨 Harbin",
                    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                    "en",
                ),
            ),
        )


def test_counts_graphs_and_dump_cover_named_graphs_only(data_dir: Path) -> None:
    built(data_dir)
    with DataDir(data_dir).open() as store:
        assert isinstance(store, Store)
        assert store.quad_count() == 4
        assert store.named_graphs() == [EX + "g1", EX + "g2"]
        out = io.BytesIO()
        store.dump(out)
        dumped = list(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS))
        assert sorted(map(str, dumped)) == sorted(map(str, quads()))


def test_unbound_variables_are_none(data_dir: Path) -> None:
    built(data_dir)
    with DataDir(data_dir).open() as store:
        result = store.query(
            f"SELECT ?t ?missing WHERE {{ ?t a <{EX}Tie> OPTIONAL {{ ?t <{EX}x> ?missing }} }}"
        )
    assert isinstance(result, SelectResult)
    assert result.variables == ("t", "missing")
    assert result.rows == ((Term("uri", EX + "tie"), None),)


def test_bad_query_is_a_query_error(data_dir: Path) -> None:
    built(data_dir)
    with DataDir(data_dir).open() as store, pytest.raises(QueryError, match="syntax error"):
        store.query("SELEC ?x")


def test_closed_store_refuses_queries(data_dir: Path) -> None:
    built(data_dir)
    store = DataDir(data_dir).open()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.query("ASK {}")


def test_uncommitted_build_is_invisible_and_commit_switches(data_dir: Path) -> None:
    first = built(data_dir, "one")
    area = DataDir(data_dir)
    second = area.write(quads(marker="two"), {})
    assert marker(data_dir) == "one"
    assert area.current() == first
    area.commit(second)
    assert marker(data_dir) == "two"
    assert (data_dir / CURRENT).read_text().strip() == second.name
    assert json.loads((second / "build.json").read_text())["id"] == second.name


def test_commit_keeps_the_previous_build_and_prunes_older_ones(data_dir: Path) -> None:
    first = built(data_dir, "one")
    second = built(data_dir, "two")
    third = built(data_dir, "three")
    remaining = sorted(p.name for p in (data_dir / "builds").iterdir())
    assert remaining == sorted([second.name, third.name])
    assert not first.exists()
    assert marker(data_dir) == "three"
    assert not list(data_dir.glob(".CURRENT.*"))


def test_discard_removes_an_uncommitted_build(data_dir: Path) -> None:
    built(data_dir)
    area = DataDir(data_dir)
    extra = area.write(quads(), {})
    area.discard(extra)
    assert not extra.exists()
    assert marker(data_dir) == "one"


def test_commit_never_removes_a_build_another_writer_is_still_writing(data_dir: Path) -> None:
    """Issue 12, break 4: the first writer to commit pruned the older, unfinished build."""
    built(data_dir, "one")
    area = DataDir(data_dir)
    slow = area.write(quads(marker="slow"), {})  # started first, not committed yet
    fast = area.write(quads(marker="fast"), {})
    area.commit(fast)
    assert (slow / "store").is_dir(), "a build being written was pruned by another's commit"
    area.commit(slow)
    assert marker(data_dir) == "slow"
    area.commit(built(data_dir, "later"))
    assert marker(data_dir) == "later"


def test_prune_skips_the_current_build_even_if_older(data_dir: Path) -> None:
    """An older build committed after a newer one is CURRENT: the newer one's prune keeps it."""
    area = DataDir(data_dir)
    older = area.write(quads(marker="older"), {})
    newer = area.write(quads(marker="newer"), {})
    area.commit(newer)
    area.commit(older)
    area._prune(newer.name + "~", keep=set())  # as a third writer's commit would
    assert older.is_dir()
    assert marker(data_dir) == "older"


def test_abandoned_builds_and_lock_files_are_cleaned(data_dir: Path) -> None:
    """A writer killed mid-build leaves a directory (and maybe its lock file): both go."""
    built(data_dir, "one")
    builds = data_dir / "builds"
    crashed = builds / "00000000T000000000000Z-dead0001"
    (crashed / "store").mkdir(parents=True)
    (builds / "00000000T000000000000Z-dead0001.lock").write_text("999999\n")
    orphan = builds / "00000000T000000000000Z-dead0002.lock"
    orphan.write_text("999999\n")
    last = built(data_dir, "two")
    assert not crashed.exists()
    assert sorted(p.name for p in builds.iterdir() if p.suffix == ".lock") == []
    assert last.is_dir()


def test_no_lock_file_outlives_commit_or_discard(data_dir: Path) -> None:
    built(data_dir)
    area = DataDir(data_dir)
    area.discard(area.write(quads(), {}))
    assert not list((data_dir / "builds").glob("*.lock"))


def test_pointer_to_a_missing_build_is_an_error(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / CURRENT).write_text("nonexistent\n")
    with pytest.raises(StoreError, match="missing build"):
        DataDir(data_dir).open()


def test_a_build_repairs_a_broken_pointer(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / CURRENT).write_text("nonexistent\n")
    built(data_dir, "fixed")
    assert marker(data_dir) == "fixed"


def test_metadata_is_recorded(data_dir: Path) -> None:
    built(data_dir, "one")
    with DataDir(data_dir).open() as store:
        assert isinstance(store, EmbeddedStore)
        assert store.metadata["note"] == "one"


def test_term_rendering() -> None:
    prefixes = {"ex": EX}
    assert Term("uri", EX + "a").n3(prefixes) == "ex:a"
    assert Term("uri", EX + "a/b").n3(prefixes) == f"<{EX}a/b>"
    assert Term("literal", 'say "hi"\n').n3() == '"say \\"hi\\"\\n"'
    assert Term("literal", "x", lang="en").n3() == '"x"@en'
    integer = Term("literal", "5", "http://www.w3.org/2001/XMLSchema#integer")
    assert integer.n3() == '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert integer.to_json() == {
        "type": "literal",
        "value": "5",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    assert Term("literal", "x", "http://www.w3.org/2001/XMLSchema#string").to_json() == {
        "type": "literal",
        "value": "x",
    }
    assert Term("bnode", "b1").n3() == "_:b1"
