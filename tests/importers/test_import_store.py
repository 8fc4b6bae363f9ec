"""Imports into the store: committed atomically, kept by later builds, idempotent.

A small hand-made registry is imported into a data directory holding a build of the
repository's content (violations of the content itself allowed: it may be mid-edit; the
imported data must add none).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.compare import to_canonical_graph

from paradiplo.build import BuildResult, build
from paradiplo.cli import cli
from paradiplo.convert import to_graph
from paradiplo.importers import registry_import
from paradiplo.importers.twin_cities import import_csv
from paradiplo.load import LoadErrors
from paradiplo.namespaces import PD
from paradiplo.store import DataDir, SelectResult

from .conftest import REPO, write_csv

ROWS = [
    "Harbin,China,45.75,126.65,Khabarovsk,Russia,48.48,135.08",
    "Khabarovsk,Russia,48.48,135.08,Harbin,China,45.75,126.65",
    "Heilongjiang,China,47.0,128.0,Amur Oblast,Russia,52.0,128.0",
    "Chaoyang (Beijing),China,39.92,116.44,Moscow,Russia,55.75,37.62",
    "B\u00e9rat,France,43.3786,1.1767,Berat,Albania,40.7022,19.9583",
    "Blagoveshchensk,Russia,55.0333,55.9833,Qingdao,China,36.07,120.38",
]
NQ = "wikipedia-twin-cities.nq"


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with one build of the repository's content and no imports."""
    data_dir = tmp_path_factory.mktemp("base") / "store"
    build(data_dir, REPO, allow_violations=True)
    return data_dir


@pytest.fixture
def data_dir(base_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(base_store, copy)
    return copy


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("csv") / "twin_cities.csv", ROWS)


def dump(data_dir: Path) -> bytes:
    out = io.BytesIO()
    with DataDir(data_dir).open() as store:
        store.dump(out)
    return out.getvalue()


def canonical(data_dir: Path) -> dict[str, frozenset[str]]:
    """The store's quads by named graph, blank nodes relabelled canonically.

    Every build renames the content's blank nodes, so two builds of the same files are
    compared as RDF datasets, not byte for byte.
    """
    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in ox.parse(dump(data_dir), ox.RdfFormat.N_QUADS):
        graphs[str(quad.graph_name)].append(quad)
    return {
        name: frozenset(
            f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in to_canonical_graph(to_graph(quads))
        )
        for name, quads in graphs.items()
    }


def tie_count(data_dir: Path) -> int:
    with DataDir(data_dir).open() as store:
        result = store.query(f"SELECT (COUNT(?t) AS ?n) WHERE {{ ?t a <{PD.TwinningTie}> }}")
    assert isinstance(result, SelectResult) and result.rows[0][0] is not None
    return int(result.rows[0][0].value)


def registry_violations(result: BuildResult) -> list[str]:
    """Violations whose focus node is described by an imported registry's graph."""
    return [
        r.render()
        for r in result.report.violations
        if any("registry-wikipedia" in g or "registry-wikidata" in g for g in r.graphs)
    ]


def test_import_commits_and_later_builds_keep_it(data_dir: Path, small_csv: Path) -> None:
    before = tie_count(data_dir)
    imported = import_csv(small_csv, REPO)
    result = registry_import.commit(imported, data_dir, REPO, allow_violations=True)
    assert registry_violations(result) == []
    assert (data_dir / "imports" / NQ).is_file()
    assert "imports/" + NQ in DataDir(data_dir).open().metadata["files"]
    added = tie_count(data_dir) - before
    assert 0 < added <= imported.report.ties_created  # some ties are the curated registry's
    with DataDir(data_dir).open() as store:
        ask = store.query(
            "ASK { GRAPH <https://w3id.org/paradiplo/id/graph/registry-wikipedia-twin-cities> {"
            " <https://w3id.org/paradiplo/id/tie/cn-harbin--ru-khabarovsk>"
            " <http://www.w3.org/ns/prov#wasDerivedFrom>"
            " <https://w3id.org/paradiplo/id/record/wikipedia-twin-cities-2> } }"
        )
        inferred = store.query(  # reasoning covers imported ties: the chain gives twinnedWith
            "ASK { <https://w3id.org/paradiplo/id/region/cn-hl>"
            " <https://w3id.org/paradiplo/ontology#twinnedWith>"
            " <https://w3id.org/paradiplo/id/region/ru-amu> }"
        )
    assert getattr(ask, "value", False) and getattr(inferred, "value", False)
    # A plain build afterwards loads <data-dir>/imports/*.nq again.
    build(data_dir, REPO, allow_violations=True)
    assert tie_count(data_dir) - before == added


def test_import_twice_gives_the_same_quads(data_dir: Path, small_csv: Path) -> None:
    registry_import.commit(import_csv(small_csv, REPO), data_dir, REPO, allow_violations=True)
    first, first_file = canonical(data_dir), (data_dir / "imports" / NQ).read_bytes()
    current = (data_dir / "CURRENT").read_text()
    registry_import.commit(import_csv(small_csv, REPO), data_dir, REPO, allow_violations=True)
    assert (data_dir / "CURRENT").read_text() != current  # a new build was committed
    assert canonical(data_dir) == first
    assert (data_dir / "imports" / NQ).read_bytes() == first_file


def test_a_failed_import_leaves_store_and_imports_as_they_were(
    data_dir: Path, small_csv: Path
) -> None:
    broken = data_dir / "imports" / "broken.nq"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("<a> <b> .\n", encoding="utf-8")  # an earlier import, now unreadable
    before, current = dump(data_dir), (data_dir / "CURRENT").read_text()
    with pytest.raises(LoadErrors, match=r"broken\.nq:1:"):
        registry_import.commit(import_csv(small_csv, REPO), data_dir, REPO)
    assert (data_dir / "CURRENT").read_text() == current
    assert dump(data_dir) == before
    assert sorted(p.name for p in broken.parent.iterdir()) == ["broken.nq"]


def _import_command(data_dir: Path, csv: Path) -> list[str]:
    return [sys.executable, "-m", "paradiplo", "--data-dir", str(data_dir), "--root", str(REPO),
            "import", "twin-cities-csv", str(csv), "--allow-violations"]  # fmt: skip


@pytest.mark.parametrize("moment", ["validating", "writing the store"])
def test_a_killed_import_leaves_the_store_as_it_was(
    data_dir: Path, small_csv: Path, moment: str
) -> None:
    before, current = dump(data_dir), (data_dir / "CURRENT").read_text()
    imports, builds = data_dir / "imports", data_dir / "builds"
    old_builds = set(builds.iterdir())

    def reached() -> bool:
        # The registry file is written under a temporary name, then the store is built
        # (load, reason, validate), then the new build directory is written.
        if moment == "validating":
            return bool(list(imports.glob(f".{NQ}.*.partial")))
        return bool(set(builds.iterdir()) - old_builds)

    process = subprocess.Popen(
        _import_command(data_dir, small_csv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 300
    try:
        while not reached():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, f"the import never got to {moment}"
            time.sleep(0.005)
        if moment == "validating":
            time.sleep(0.5)
        assert process.poll() is None, f"the import finished before it could be killed {moment}"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert (data_dir / "CURRENT").read_text() == current
    assert dump(data_dir) == before
    assert not (imports / NQ).exists()
    # The leftover temporary file is not an import: a build gives the store it had.
    same = canonical(data_dir)
    build(data_dir, REPO, allow_violations=True)
    assert canonical(data_dir) == same


def test_cli_import_prints_and_writes_the_report(
    data_dir: Path, small_csv: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(data_dir),
            "--root",
            str(REPO),
            "import",
            "twin-cities-csv",
            str(small_csv),
            "--report",
            str(report),
            "--allow-violations",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wikipedia-twin-cities: 6 rows read" in result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["rows_read"] == 6 and data["consistent"]
    assert data["duplicates_merged"] == 1
    assert data["places_by_method"]["region"]["places"] == 2
    assert set(data["seconds"]) >= {"read", "reconcile", "load", "reason", "validate", "store"}


def test_cli_import_of_a_file_without_its_columns_is_a_clean_error(
    data_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,country\nHarbin,China\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "import", "twin-cities-csv", str(bad)]
    )
    assert result.exit_code == 1
    assert "missing column(s) city1, country1, city2, country2" in result.stderr
    assert "Traceback" not in result.output + result.stderr
