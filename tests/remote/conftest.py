"""Fixtures of the remote-store tests: the repository's content, its embedded build, servers.

Every test here runs against real servers on 127.0.0.1 (see ``servers.py``): Oxigraph from
the test extra, and Virtuoso from Debian's virtuoso-opensource when it is installed. Each
server is started once per session and loaded with ``paradiplo build --store``.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from paradiplo.cli import cli
from paradiplo.remote import RemoteStore
from paradiplo.store import AskResult, DataDir, EmbeddedStore, Store

from . import servers
from .servers import Server

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini"
FOREIGN = "http://example.org/not-paradiplo"
# Asked with the query's own dataset, so any graph of the server counts.
SEEN = "ASK FROM NAMED <{graph}> {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
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


@pytest.fixture(scope="session")
def embedded_quads(embedded: EmbeddedStore) -> list[ox.Quad]:
    return quads_of(embedded)


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
def mini_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small test content, built the embedded way."""
    data_dir = tmp_path_factory.mktemp("remote-mini") / "store"
    ok(paradiplo("--data-dir", data_dir, "--root", MINI, "build"))
    return data_dir


@dataclass(frozen=True)
class Loaded(Server):
    """A server holding the content, and what was seen on the way there.

    ``mini_quads`` and ``mini_graphs``: what the server held after the mini content was
    built into it through SPARQL Update alone; ``foreign_kept``: whether a graph of
    another project survived the rebuild; ``mini_left``: mini graphs the rebuild left.
    """

    mini_quads: tuple[ox.Quad, ...] = ()
    mini_graphs: tuple[str, ...] = ()
    foreign_kept: bool = False
    mini_left: tuple[str, ...] = ()


@pytest.fixture(scope="session")
def loaded(server: Server, content: Path, mini_dir: Path) -> Loaded:
    """The server after ``paradiplo build --store`` of the same content as ``embedded``.

    Before that the server is given the mini content through SPARQL Update only (no graph
    store) and a graph of another project, so that the real build, through the graph
    store, has to replace a build and leave other data alone. The foreign graph is
    dropped again afterwards: in the default-graph layout queries would see it.
    """
    writer = RemoteStore(server.query, user=server.user, password=server.password)
    assert writer.endpoints.update is not None
    update_only = [*server.cli_args(), "--store-update", writer.endpoints.update]
    ok(paradiplo(*update_only, "--root", MINI, "build"))
    with RemoteStore(server.query, user=server.user, password=server.password) as mini:
        mini_graphs, mini_quads = tuple(mini.named_graphs()), tuple(quads_of(mini))
    with DataDir(mini_dir).open() as embedded_mini:
        mini_names = embedded_mini.named_graphs()
    writer.update(f"INSERT DATA {{ GRAPH <{FOREIGN}> {{ <{FOREIGN}> <{FOREIGN}> 1 }} }}")
    ok(paradiplo(*server.cli_args(), "--root", content, "build", "--allow-violations"))
    foreign_kept = writer.query(SEEN.format(graph=FOREIGN)) == AskResult(True)
    left = tuple(g for g in mini_names if writer.query(SEEN.format(graph=g)) == AskResult(True))
    writer.update(f"CLEAR SILENT GRAPH <{FOREIGN}> ; DROP SILENT GRAPH <{FOREIGN}>")
    fields = {f: getattr(server, f) for f in ("name", "query", "user", "password")}
    return Loaded(
        **fields,
        mini_quads=mini_quads,
        mini_graphs=mini_graphs,
        foreign_kept=foreign_kept,
        mini_left=left,
    )


def quads_of(store: Store) -> list[ox.Quad]:
    """Every quad of ``store``, through its ``dump``."""
    buffer = io.BytesIO()
    store.dump(buffer)
    return list(ox.parse(buffer.getvalue(), ox.RdfFormat.N_QUADS))
