"""The wheel ships the content directories, and an installed paradiplo finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

hatchling = pytest.importorskip("hatchling.builders.wheel")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    builder = hatchling.WheelBuilder(str(REPO))
    (artifact,) = list(builder.build(directory=str(out), versions=["standard"]))
    return Path(artifact)


def test_wheel_contains_package_and_content(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "paradiplo/cli.py" in names
    assert "paradiplo/py.typed" in names
    for directory in ("ontology", "shapes", "data", "queries"):
        if (REPO / directory).is_dir() and any((REPO / directory).rglob("*.*")):
            assert any(n.startswith(f"paradiplo/_content/{directory}/") for n in names), directory
    assert "paradiplo/_content/ontology/README.md" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "paradiplo = paradiplo.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_package_finds_its_content_outside_a_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    completed = subprocess.run(
        [sys.executable, "-c", "from paradiplo.content import find_root; print(find_root())"],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(completed.stdout.strip()) == (site / "paradiplo" / "_content").resolve()
