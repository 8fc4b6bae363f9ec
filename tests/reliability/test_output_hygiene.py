"""What paradiplo writes for people is safe to open (issue 12, break 8).

Names in the graph come from registries anyone can edit. A name like
``=cmd|' /C calc'!A0`` used to reach ``places.csv`` as a live spreadsheet formula, and a
NUL byte in a name made ``ties.gexf`` and ``ties.graphml`` ill-formed XML. Here such names
go through a real build of the repository's content, the report, ``paradiplo export`` and
``paradiplo query --format csv``.
"""

from __future__ import annotations

import csv
import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from paradiplo.build import build
from paradiplo.csvsafe import neutralise
from paradiplo.report import get_scope
from paradiplo.report.generate import generate
from paradiplo.store import DataDir

from .support import REPO, cli, tried

pytestmark = pytest.mark.slow

FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://127.0.0.1/x","y")', "@SUM(1+1)", "+1+1"]
# The evil label of Harbin: a formula, and a NUL (U+0000, written as a Turtle escape).
EVIL_TURTLE = r'"=HYPERLINK(\"http://127.0.0.1/x\")\u0000Harbin"@en'


def test_neutralise_follows_owasp() -> None:
    for formula in [*FORMULAS, "-1+2", "\t=1", "\r=1", "-", "@"]:
        assert neutralise(formula) == "'" + formula
    for safe in ["Harbin", "", "-12.5", "+3", "1e-3", "'=already", " =1", 42, -3.5]:
        assert neutralise(safe) == safe


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's content with Harbin's English label replaced by ``EVIL_TURTLE``."""
    root = tmp_path_factory.mktemp("evil") / "content"
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / name, root / name)
    places = root / "data" / "reference" / "places.ttl"
    text = places.read_text(encoding="utf-8")
    assert text.count('"Harbin"@en') == 1
    places.write_text(text.replace('"Harbin"@en', EVIL_TURTLE), encoding="utf-8")
    data_dir = root.parent / "store"
    build(data_dir, root, allow_violations=True)
    return data_dir


def test_report_csv_and_network_files_are_safe(evil_store: Path, tmp_path: Path) -> None:
    tried("hostile name in report", 2)
    with DataDir(evil_store).open() as store:
        generate(store, tmp_path, get_scope("china-russia"), queries_dir=REPO / "queries")
    with (tmp_path / "places.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    labels = [row["label"] for row in rows]
    harbin = next(label for label in labels if label.endswith("Harbin"))
    assert harbin.startswith("'=HYPERLINK(")
    for label in labels:
        assert not label.startswith(("=", "+", "@", "\t", "\r")), label
    for name in ("ties.graphml", "ties.gexf"):
        tree = ET.parse(tmp_path / name)  # raises on ill-formed XML (the NUL)
        values = [e.text or "" for e in tree.iter()] + [
            v for e in tree.iter() for v in e.attrib.values()
        ]
        assert any("\ufffdHarbin" in v for v in values), name
        assert not any("\x00" in v for v in values)


def test_export_tables_neutralise_formulas(evil_store: Path, tmp_path: Path) -> None:
    tried("hostile name in export")
    run = cli("--data-dir", evil_store, "export", "--format", "csv", "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    found = 0
    for table in ("ties", "places", "figures"):
        with (tmp_path / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (table, cell)
                    found += cell.startswith("'=HYPERLINK(")
    assert found >= 2  # Harbin's row in places.csv and its ties in ties.csv


def test_cli_query_csv_neutralises_but_keeps_numbers(mini_store: Path) -> None:
    tried("hostile value in query CSV", len(FORMULAS))
    values = " ".join('"' + f.replace("\\", "\\\\").replace('"', '\\"') + '"' for f in FORMULAS)
    query = f'SELECT ?v WHERE {{ VALUES ?v {{ {values} "\\t=1" -2 "plain" }} }}'
    run = cli("--data-dir", mini_store, "query", "--format", "csv", query)
    assert run.returncode == 0, run.stderr
    cells = [row[0] for row in csv.reader(io.StringIO(run.stdout))]
    assert cells == ["v", *("'" + f for f in FORMULAS), "'\t=1", "-2", "plain"]
