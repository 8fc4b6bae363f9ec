"""The browser assets from npm: what happens without npm, and what the wheel ships.

No test here talks to the npm registry: installing is what the package build does (and
``.ci/run`` before the tests); these tests check the failure path and the packaging.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from paradiplo import vendor

from .conftest import REPO

CHECKOUT_VENDOR = REPO / "src" / "paradiplo" / "_static" / "vendor"


@pytest.fixture
def no_npm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(vendor.SKIP_ENV, raising=False)


@pytest.mark.usefixtures("no_npm")
def test_without_npm_the_build_goes_on_and_records_why(tmp_path: Path) -> None:
    target = tmp_path / "vendor"
    reason = vendor.install_or_explain(target)
    assert reason is not None and "`npm` was not found on PATH" in reason
    assert not vendor.is_installed(target)
    assert vendor.unavailable_reason(target) == reason


def test_skipping_npm_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(vendor.SKIP_ENV, "1")
    target = tmp_path / "vendor"
    assert "skipped" in (vendor.install_or_explain(target) or "")
    assert "PARADIPLO_SKIP_NPM" in (vendor.unavailable_reason(target) or "")


@pytest.mark.usefixtures("no_npm")
def test_a_complete_install_is_kept_when_npm_is_gone(tmp_path: Path) -> None:
    target = tmp_path / "vendor"
    files = [f"{p.directory}/{name}" for p in vendor.PACKAGES for _, name in p.files]
    for rel in files:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text("x")
    manifest = {"packages": vendor.expected_manifest(), "files": files}
    (target / vendor.MANIFEST).write_text(json.dumps(manifest))
    assert vendor.is_installed(target)
    assert vendor.install_or_explain(target) is None
    assert vendor.unavailable_reason(target) is None
    (target / files[0]).unlink()
    assert not vendor.is_installed(target)


def test_command_fails_cleanly_without_npm(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "paradiplo.vendor", "--target", str(tmp_path / "v")],
        env={"PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr.strip() == "paradiplo.vendor: `npm` was not found on PATH"


def test_the_wheel_ships_the_installed_assets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hatchling = pytest.importorskip("hatchling.builders.wheel")
    if not vendor.is_installed(CHECKOUT_VENDOR):
        pytest.skip(f"no assets in {CHECKOUT_VENDOR}: {vendor.unavailable_reason(CHECKOUT_VENDOR)}")
    monkeypatch.setenv(vendor.SKIP_ENV, "1")  # no registry traffic from a test
    builder = hatchling.WheelBuilder(str(REPO))
    (wheel,) = list(builder.build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(wheel).namelist())
    recorded = json.loads((CHECKOUT_VENDOR / vendor.MANIFEST).read_text())["files"]
    assert {f"paradiplo/_static/vendor/{rel}" for rel in recorded} <= names
    assert "paradiplo/_static/vendor/yasgui/yasgui.min.js" in names
    assert "paradiplo/_static/vendor/leaflet/images/marker-icon.png" in names
    assert "paradiplo/_static/vendor/world-atlas/land-110m.json" in names
    assert "paradiplo/server/templates/resource.html" in names
    assert "paradiplo/server/static/ui.js" in names


def test_a_wheel_builds_without_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hatchling = pytest.importorskip("hatchling.builders.wheel")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("pyproject.toml", "hatch_build.py", "README.md", "LICENSE", ".gitignore"):
        shutil.copy(REPO / name, checkout / name)
    shutil.copytree(
        REPO / "src", checkout / "src", ignore=shutil.ignore_patterns("_static", "__pycache__")
    )
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(vendor.SKIP_ENV, raising=False)
    builder = hatchling.WheelBuilder(str(checkout))
    (wheel,) = list(builder.build(directory=str(tmp_path / "dist"), versions=["standard"]))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "paradiplo/_static/vendor/UNAVAILABLE.txt" in names
    assert not any(n.endswith("yasgui.min.js") for n in names)
    note = zipfile.ZipFile(wheel).read("paradiplo/_static/vendor/UNAVAILABLE.txt").decode()
    assert "`npm` was not found on PATH" in note
