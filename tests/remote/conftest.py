"""Fixtures of the remote-store tests: the repository's content, its embedded build, servers.

Every test here runs against real servers on 127.0.0.1 (see ``servers.py``): Oxigraph from
the test extra, and Virtuoso from Debian's virtuoso-opensource when it is installed. Each
server is started once per session and loaded with ``paradiplo build --store``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paradiplo.cli import cli
from paradiplo.store import DataDir, EmbeddedStore

from . import servers
from .servers import Server

REPO = Path(__file__).resolve().parents[2]
CONTENT_DIRS = ("ontology", "shapes", "data", "queries")
ENGINES = ("oxigraph", "virtuoso")
# No store settings from the developer's shell may leak into a test.
STORE_VARIABLES = (
    "PARADIPLO_STORE",
    "PARADIPLO_STORE_UPDATE",
    "PARADIPLO_STORE_GRAPH_STORE",
    "PARADIPLO_STORE_USER",
    "PARADIPLO_STORE_PASSWORD",
    "PARADIPLO_DATA_DIR",
)
CLEAN_ENV: dict[str, str | None] = dict.fromkeys(STORE_VARIABLES)


def paradiplo(*args: str | Path) -> Result:
    """Run the real ``paradiplo`` command in-process."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=CLEAN_ENV)


def ok(result: Result) -> Result:
    """``result``, after checking that the command succeeded."""
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}{result.exception!r}"
    return result


def as_json(result: Result) -> object:
    return json.loads(ok(result).stdout)


@pytest.fixture(scope="session")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's content, so edits made during the run change nothing."""
    root = tmp_path_factory.mktemp("remote-content")
    for name in CONTENT_DIRS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    return root


@pytest.fixture(scope="session")
def embedded_dir(content: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the content built the usual (embedded) way."""
    data_dir = tmp_path_factory.mktemp("remote-embedded") / "store"
    ok(paradiplo("--data-dir", data_dir, "--root", content, "build", "--allow-violations"))
    return data_dir


@pytest.fixture(scope="session")
def embedded(embedded_dir: Path) -> Iterator[EmbeddedStore]:
    with DataDir(embedded_dir).open() as store:
        yield store


@pytest.fixture(scope="session", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A running server of each engine (Virtuoso: skipped when not installed)."""
    directory = tmp_path_factory.mktemp(request.param)
    if request.param == "virtuoso":
        if servers.virtuoso_binaries() is None:
            pytest.skip(
                "Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)"
            )
        with servers.virtuoso(directory) as running:
            yield running
    else:
        with servers.oxigraph(directory) as running:
            yield running


@pytest.fixture(scope="session")
def loaded(server: Server, content: Path) -> Server:
    """The server after ``paradiplo build --store`` of the same content as ``embedded``."""
    ok(paradiplo(*server.cli_args(), "--root", content, "build", "--allow-violations"))
    return server
