"""Helpers shared by the reliability tests: content copies, store snapshots, the corpus.

Every input a reliability test feeds to paradiplo is counted with ``tried`` so that the
run can say how many bad inputs were tried (printed by this package's conftest).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from paradiplo.store import BUILDS, CURRENT, STORE_SUBDIR

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPUS = HERE / "corpus"
CONTENT_DIRS = ("ontology", "shapes", "data", "queries")
MINI = REPO / "tests" / "fixtures" / "mini"
TOKEN = "reliability-write-token-4f1c9e"
# Limits of the shared read-only server: small enough that tests can reach them cheaply.
QUERY_TIMEOUT = 3.0
MAX_ROWS = 100
MAX_BODY = 65_536

TRIED: Counter[str] = Counter()


def tried(category: str, n: int = 1) -> None:
    """Count ``n`` inputs of ``category`` fed to paradiplo (reported at the end of the run)."""
    TRIED[category] += n


def copy_content(target: Path, source: Path = REPO) -> Path:
    """Copy the content directories of ``source`` to ``target``; return ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in CONTENT_DIRS:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
    return target


@dataclass(frozen=True)
class Snapshot:
    """Everything a failed build must leave alone: the pointer, the builds, every quad."""

    pointer: str
    builds: tuple[str, ...]
    quads: frozenset[str]
    named: int  # quads in named graphs (the rest is their merge, in the default graph)


def snapshot(data_dir: Path) -> Snapshot:
    """Read the data directory's CURRENT pointer, build list and all quads of the store."""
    pointer = (data_dir / CURRENT).read_text(encoding="utf-8")
    builds = tuple(sorted(p.name for p in (data_dir / BUILDS).iterdir()))
    store = ox.Store.read_only(str(data_dir / BUILDS / pointer.strip() / STORE_SUBDIR))
    every = list(store.quads_for_pattern(None, None, None, None))
    named = sum(1 for q in every if not isinstance(q.graph_name, ox.DefaultGraph))
    del store
    return Snapshot(pointer, builds, frozenset(str(q) for q in every), named)


def cli(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m paradiplo ARGS`` as a real process (exit code, stderr as users see)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "paradiplo", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- the corpus ------------------------------------------------------------------------

FILE_PATH = re.compile(r"(/[\w.-]+){2,}\.py|site-packages|\.venv|/work/|/tmp/")


@dataclass(frozen=True)
class Case:
    """One corpus file and what paradiplo must say about it (its ``.expected`` sidecar).

    The sidecar holds ``key: value`` lines; keys used: ``error`` (a regex the message must
    match), ``at`` (``line:column``), ``row`` (CSV row number), ``status`` (HTTP status),
    ``pad`` (bytes of padding appended to an HTTP body), ``note`` (why the case exists).
    Repeated keys (several ``error`` lines) are all required.
    """

    path: Path
    expected: dict[str, list[str]]

    @property
    def id(self) -> str:
        return str(self.path.relative_to(CORPUS))

    def one(self, key: str) -> str | None:
        values = self.expected.get(key)
        return values[0] if values else None

    def all(self, key: str) -> list[str]:
        return self.expected.get(key, [])


def read_expected(path: Path) -> dict[str, list[str]]:
    """Parse a ``.expected`` sidecar (``key: value`` lines, ``#`` comments)."""
    expected: dict[str, list[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"{path}:{number}: expected 'key: value'")
        expected.setdefault(key.strip(), []).append(value.strip())
    return expected


def corpus(kind: str) -> list[Case]:
    """The cases under ``corpus/<kind>/``: every file that has a ``.expected`` sidecar."""
    cases = []
    for path in sorted((CORPUS / kind).rglob("*")):
        if path.is_file() and path.suffix != ".expected":
            sidecar = path.with_name(path.name + ".expected")
            if not sidecar.exists():
                raise AssertionError(f"{path}: corpus file without {sidecar.name}")
            cases.append(Case(path, read_expected(sidecar)))
    return cases
