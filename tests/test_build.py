from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PREFIXES_TTL, TIE_QUERY, write

from paradiplo.build import (
    DERIVE,
    JUDGE,
    LOAD,
    REASON,
    STORE,
    VALIDATE,
    ViolationsError,
    build,
    check,
)
from paradiplo.load import LoadErrors, display_path
from paradiplo.query import run_query
from paradiplo.store import CURRENT, DataDir, SelectResult


def ties(data_dir: Path) -> int:
    with DataDir(data_dir).open() as store:
        result = run_query(store, TIE_QUERY)
    assert isinstance(result, SelectResult)
    cell = result.rows[0][0]
    assert cell is not None
    return int(cell.value)


def add_tie(root: Path) -> None:
    write(
        root / "data" / "sources" / "extra.trig",
        PREFIXES_TTL
        + "pda:extra-001 {\n"
        + "  pda:extra-001 a pd:Assertion ; prov:wasDerivedFrom src:test-source ;\n"
        + '      pd:quote "Harbin and Amur." .\n'
        + "  tie:cn-harbin--ru-amu a pd:TwinningTie ;\n"
        + "      pd:firstParty city:cn-harbin ;\n"
        + "      pd:secondParty <https://w3id.org/paradiplo/id/region/ru-amu> .\n"
        + "}\n",
    )


def test_build_commits_a_store_with_counts_and_timings(mini_root: Path, data_dir: Path) -> None:
    phases: list[str] = []
    result = build(data_dir, mini_root, on_phase=phases.append)
    assert phases == [LOAD, REASON, VALIDATE, DERIVE, JUDGE, STORE]
    assert set(result.seconds) == {LOAD, REASON, VALIDATE, DERIVE, JUDGE, STORE}
    assert result.committed
    assert result.files == 5
    assert result.quads["ontology"] > 0 and result.quads["shapes"] > 0
    assert result.quads["data"] == 42
    assert result.quads["inferred"] == result.inferred > 0
    assert result.quads["derivation"] > result.inferred  # each inferred triple at least once
    assert result.report.conforms
    assert ties(data_dir) == 2
    with DataDir(data_dir).open() as store:
        assert store.quad_count() == sum(result.quads.values())
        assert "https://w3id.org/paradiplo/id/graph/inferred" in store.named_graphs()
        shortcut = run_query(
            store,
            "ASK { GRAPH pdg:inferred { city:ru-khabarovsk pd:twinnedWith city:cn-harbin } }",
        )
        assert shortcut.value  # type: ignore[union-attr]


def test_failed_build_leaves_the_previous_store_intact(mini_root: Path, data_dir: Path) -> None:
    first = build(data_dir, mini_root)
    pointer = (data_dir / CURRENT).read_text()
    add_tie(mini_root)
    places = mini_root / "data" / "reference" / "places.ttl"
    places.write_text(places.read_text() + "city:broken a \n")
    with pytest.raises(LoadErrors) as caught:
        build(data_dir, mini_root)
    assert str(caught.value).startswith(f"{display_path(places)}:")
    assert (data_dir / CURRENT).read_text() == pointer
    assert [p.name for p in (data_dir / "builds").iterdir()] == [first.build_dir.name]  # type: ignore[union-attr]
    assert ties(data_dir) == 2  # the old data still answers


def test_a_fixed_build_replaces_the_store(mini_root: Path, data_dir: Path) -> None:
    build(data_dir, mini_root)
    add_tie(mini_root)
    build(data_dir, mini_root)
    assert ties(data_dir) == 3


def test_shacl_violations_fail_the_build_unless_allowed(mini_root: Path, data_dir: Path) -> None:
    build(data_dir, mini_root)
    pointer = (data_dir / CURRENT).read_text()
    trig = mini_root / "data" / "sources" / "test-source.trig"
    trig.write_text(trig.read_text().replace("pd:secondParty region:ru-amu", ""))
    with pytest.raises(ViolationsError) as caught:
        build(data_dir, mini_root)
    assert len(caught.value.report.violations) == 1
    assert "1 violation" in str(caught.value)
    assert (data_dir / CURRENT).read_text() == pointer
    result = build(data_dir, mini_root, allow_violations=True)
    assert result.committed
    assert not result.report.conforms
    assert (data_dir / CURRENT).read_text() != pointer


def test_default_graph_triples_in_a_source_file_fail_the_build(
    mini_root: Path, data_dir: Path
) -> None:
    path = write(
        mini_root / "data" / "sources" / "loose.trig", PREFIXES_TTL + "tie:x a pd:TwinningTie .\n"
    )
    with pytest.raises(LoadErrors, match="triples outside a named graph") as caught:
        build(data_dir, mini_root)
    (error,) = caught.value.errors
    assert (error.path, error.line, error.column) == (
        display_path(path),
        PREFIXES_TTL.count("\n") + 1,
        1,
    )
    assert not data_dir.exists()


def test_check_validates_without_writing_a_store(mini_root: Path, data_dir: Path) -> None:
    result = check(mini_root)
    assert not result.committed
    assert result.report.conforms
    assert STORE not in result.seconds
    assert not data_dir.exists()
