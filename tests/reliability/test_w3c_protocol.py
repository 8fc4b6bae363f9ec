"""The W3C SPARQL 1.1 Protocol and Graph Store Protocol suites against a real server.

Every test of the two manifests (``w3c.py`` reads them; the Graph Store manifest includes
the direct and the indirect graph identification ones) runs against ``paradiplo serve``
over loopback, with a write token, on a scratch store emptied (``DROP ALL``) before each
test. A test may be left out only through ``EXCLUDED``, with the reason written there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paradiplo.store import DataDir

from . import w3c
from .server import Server
from .support import TOKEN

# Tests left out, by id, each with why (none: every test of both suites runs).
EXCLUDED: dict[str, str] = {}


@pytest.fixture(scope="module")
def scratch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``paradiplo serve`` with a write token on a data directory holding one empty build."""
    root = tmp_path_factory.mktemp("w3c")
    data = DataDir(root / "store")
    data.commit(data.write([], {"origin": "W3C protocol suites (scratch store)"}))
    server = Server(root / "store", root / "server.log", write_token=TOKEN)
    server.start()
    yield server
    server.stop()


def _run(server: Server, case: w3c.Case) -> None:
    problem = w3c.run(server, TOKEN, case)
    assert problem is None, f"{case.id} ({case.name}): {problem}"


@pytest.mark.parametrize("case", w3c.params(w3c.PROTOCOL, EXCLUDED))
def test_sparql_protocol(scratch_server: Server, case: w3c.Case) -> None:
    _run(scratch_server, case)


@pytest.mark.parametrize("case", w3c.params(w3c.GRAPH_STORE, EXCLUDED))
def test_graph_store_protocol(scratch_server: Server, case: w3c.Case) -> None:
    _run(scratch_server, case)


def test_suites_found() -> None:
    """The runner read the suites (under CI=true they must be there: never skip)."""
    if not (w3c.present(w3c.PROTOCOL) and w3c.present(w3c.GRAPH_STORE)):
        pytest.skip(f"W3C suites not found at {w3c.W3C} (set PARADIPLO_W3C)")
    assert len(w3c.cases(w3c.PROTOCOL)) == 34
    assert len(w3c.cases(w3c.GRAPH_STORE)) == 13
