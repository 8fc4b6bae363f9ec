"""Install the browser assets (YASGUI, Leaflet, world-atlas) from the npm registry.

The server's query UI and the report's maps need third-party JavaScript, CSS and map data
that the repository must not contain. They are fetched from npm when the package is built
(``hatch_build.py`` imports this file by path, so it uses the standard library only) or by
hand with ``python -m paradiplo.vendor``, and copied into ``paradiplo/_static/vendor/``:

    yasgui/yasgui.min.js, yasgui/yasgui.min.css
    leaflet/leaflet.js, leaflet/leaflet.css, leaflet/images/*.png
    world-atlas/countries-110m.json, world-atlas/land-110m.json

each package's licence beside its files, and ``VENDOR.json`` recording the versions. A
failed install never raises at build time: it writes ``UNAVAILABLE.txt`` saying why, and the
server then offers a plain query form instead of YASGUI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TARGET = Path(__file__).resolve().parent / "_static" / "vendor"
MANIFEST = "VENDOR.json"
UNAVAILABLE = "UNAVAILABLE.txt"
SKIP_ENV = "PARADIPLO_SKIP_NPM"
NPM_TIMEOUT = 300.0


@dataclass(frozen=True)
class Package:
    """One npm package: what to install and which of its files to keep (source -> target)."""

    name: str
    version: str
    directory: str
    files: tuple[tuple[str, str], ...]
    globs: tuple[tuple[str, str], ...] = ()

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


PACKAGES: tuple[Package, ...] = (
    Package(
        "@zazuko/yasgui",
        "4.6.2",
        "yasgui",
        (
            ("build/yasgui.min.js", "yasgui.min.js"),
            ("build/yasgui.min.css", "yasgui.min.css"),
        ),
    ),
    Package(
        "leaflet",
        "1.9.4",
        "leaflet",
        (("dist/leaflet.js", "leaflet.js"), ("dist/leaflet.css", "leaflet.css")),
        (("dist/images", "images"),),
    ),
    Package(
        "world-atlas",
        "2.0.2",
        "world-atlas",
        (("countries-110m.json", "countries-110m.json"), ("land-110m.json", "land-110m.json")),
    ),
)
LICENCE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENSE-MIT")


class VendorError(Exception):
    """npm is missing or failed, or a package lacks a file we need."""


def expected_manifest() -> dict[str, str]:
    """The pinned versions, as ``VENDOR.json`` records them."""
    return {package.name: package.version for package in PACKAGES}


def is_installed(target: Path = DEFAULT_TARGET) -> bool:
    """Whether ``target`` holds exactly the pinned versions with every file present."""
    try:
        recorded = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if recorded.get("packages") != expected_manifest():
        return False
    return all((target / rel).is_file() for rel in recorded.get("files", [])) and bool(
        recorded.get("files")
    )


def unavailable_reason(target: Path = DEFAULT_TARGET) -> str | None:
    """Why the assets are missing, or ``None`` when they are installed."""
    if is_installed(target):
        return None
    note = target / UNAVAILABLE
    if note.is_file():
        return note.read_text(encoding="utf-8").strip()
    return "the browser assets were never installed (run `python -m paradiplo.vendor`)"


def install(target: Path = DEFAULT_TARGET, *, force: bool = False, npm: str = "npm") -> Path:
    """Install the pinned packages into ``target`` unless already there; raise on failure."""
    if not force and is_installed(target):
        return target
    executable = shutil.which(npm)
    if executable is None:
        raise VendorError(f"`{npm}` was not found on PATH")
    with tempfile.TemporaryDirectory(prefix="paradiplo-npm-") as scratch:
        _npm_install(executable, Path(scratch))
        staged = Path(scratch) / "staged"
        modules = Path(scratch) / "node_modules"
        files = _stage(modules, staged)
        manifest = {"packages": expected_manifest(), "licenses": _licenses(modules), "files": files}
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _replace(staged, target)
    return target


def _npm_install(npm: str, prefix: Path) -> None:
    command = [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts"]
    command += ["--prefix", str(prefix), *(package.spec for package in PACKAGES)]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VendorError(f"`npm install` failed: {exc}") from exc
    if completed.returncode != 0:
        lines = (completed.stderr or completed.stdout).strip().splitlines()
        detail = next(
            (line for line in reversed(lines) if "ERR" in line), lines[-1] if lines else ""
        )
        raise VendorError(f"`npm install` exited with {completed.returncode}: {detail.strip()}")


def _stage(modules: Path, staged: Path) -> list[str]:
    """Copy the needed files of each package into ``staged``; return their relative paths."""
    copied: list[str] = []
    for package in PACKAGES:
        source = modules / package.name
        destination = staged / package.directory
        destination.mkdir(parents=True, exist_ok=True)
        for rel, name in package.files:
            copied.append(_copy(source / rel, destination / name, staged))
        for rel, name in package.globs:
            if not (source / rel).is_dir():
                raise VendorError(f"{package.spec}: missing directory {rel}")
            for path in sorted((source / rel).iterdir()):
                copied.append(_copy(path, destination / name / path.name, staged))
        licence = next((source / n for n in LICENCE_NAMES if (source / n).is_file()), None)
        if licence is not None:
            copied.append(_copy(licence, destination / "LICENSE", staged))
    return copied


def _licenses(modules: Path) -> dict[str, str]:
    """Each package's declared licence (YASGUI ships no licence file, only package.json)."""
    licenses = {}
    for package in PACKAGES:
        try:
            meta = json.loads((modules / package.name / "package.json").read_text("utf-8"))
        except (OSError, ValueError):
            meta = {}
        licenses[package.name] = str(meta.get("license", "unknown"))
    return licenses


def _copy(source: Path, destination: Path, root: Path) -> str:
    if not source.is_file():
        raise VendorError(f"npm package file missing: {source}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    return destination.relative_to(root).as_posix()


def _replace(staged: Path, target: Path) -> None:
    """Swap ``staged`` in for ``target`` so a reader never sees a half-copied directory."""
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.incoming")
    outgoing = target.with_name(f".{target.name}.outgoing")
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.copytree(staged, incoming)
    if target.exists():
        shutil.rmtree(outgoing, ignore_errors=True)
        target.rename(outgoing)
    incoming.rename(target)
    shutil.rmtree(outgoing, ignore_errors=True)


def install_or_explain(target: Path = DEFAULT_TARGET) -> str | None:
    """Build-time entry: install, or record why not; never raise. Return the reason or None."""
    if is_installed(target):
        return None
    if os.environ.get(SKIP_ENV):
        reason = f"npm was skipped at build time (${SKIP_ENV} was set)"
    else:
        try:
            install(target)
            return None
        except (VendorError, OSError) as exc:
            reason = f"installing the browser assets from npm failed at build time: {exc}"
    target.mkdir(parents=True, exist_ok=True)
    (target / UNAVAILABLE).write_text(reason + "\n", encoding="utf-8")
    return reason


def main(argv: list[str] | None = None) -> int:
    """``python -m paradiplo.vendor``: install the assets by hand."""
    parser = argparse.ArgumentParser(
        prog="python -m paradiplo.vendor",
        description="Install YASGUI, Leaflet and world-atlas from npm into paradiplo's "
        "_static/vendor directory (what the package build does).",
    )
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET, help="install here")
    parser.add_argument("--force", action="store_true", help="reinstall even if up to date")
    args = parser.parse_args(argv)
    try:
        install(args.target, force=args.force)
    except (VendorError, OSError) as exc:
        print(f"paradiplo.vendor: {exc}", file=sys.stderr)
        return 1
    (args.target / UNAVAILABLE).unlink(missing_ok=True)
    versions = ", ".join(p.spec for p in PACKAGES)
    print(f"installed {versions} into {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
