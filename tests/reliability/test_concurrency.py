"""Writes under concurrent reads, and writes interrupted by SIGKILL.

A write replaces one graph's OLD triples by NEW ones (or back) while readers count both in
a loop: since a write commits a whole new build with one pointer swap, every reader must
see (OLD, 0) or (0, NEW), never a mix and never an error. Then the server is killed with
SIGKILL in the middle of a stream of writes; after a restart every write that had been
acknowledged must be there, whole, and the store must open and accept writes again.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest

from paradiplo.store import DataDir, SelectResult

from .server import Server, running
from .support import TOKEN, tried

pytestmark = pytest.mark.slow

GRAPH = "https://example.org/reliability/swap"
OLD, NEW = 12, 31
READERS = 3
WRITES = 8
COUNT_BOTH = f"""
SELECT (SUM(IF(?p = <urn:x:old>, 1, 0)) AS ?old) (SUM(IF(?p = <urn:x:new>, 1, 0)) AS ?new)
WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}
"""
# The same count on the default graph (the union), which each build writes separately.
COUNT_UNION = COUNT_BOTH.replace(f"GRAPH <{GRAPH}> {{ ?s ?p ?o }}", "?s ?p ?o")


def turtle(predicate: str, n: int) -> str:
    return "".join(f"<urn:x:s{i}> <urn:x:{predicate}> {i} .\n" for i in range(n))


def insert_data(predicate: str, n: int) -> str:
    triples = turtle(predicate, n).replace("\n", " ")
    return f"DROP SILENT GRAPH <{GRAPH}> ; INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}"


@pytest.fixture
def data_dir(mini_store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(mini_store, target)
    return target


def read_pair(server: Server, query: str) -> tuple[int, int] | str:
    answer = server.query(query, timeout=60)
    if answer.status != 200:
        return f"{answer.status} {answer.text.strip()}"
    row = answer.json()["results"]["bindings"][0]
    return int(row["old"]["value"]), int(row["new"]["value"])


def test_readers_see_the_old_graph_or_the_new_one_never_a_mix(
    data_dir: Path, tmp_path: Path
) -> None:
    with running(data_dir, tmp_path / "server.log", write_token=TOKEN, workers=3) as server:
        assert server.put_graph(GRAPH, turtle("old", OLD), TOKEN).status in (201, 204)
        seen: Counter[tuple[int, int] | str] = Counter()
        lock = threading.Lock()
        writing = threading.Event()
        writing.set()

        def reader(query: str) -> None:
            while writing.is_set():
                pair = read_pair(server, query)
                with lock:
                    seen[pair] += 1

        readers = [
            threading.Thread(target=reader, args=(COUNT_BOTH if i % 2 else COUNT_UNION,))
            for i in range(READERS)
        ]
        for thread in readers:
            thread.start()
        statuses = []
        try:
            for i in range(WRITES):
                predicate, n = ("new", NEW) if i % 2 == 0 else ("old", OLD)
                if i % 4 < 2:  # alternate the two write paths
                    answer = server.put_graph(GRAPH, turtle(predicate, n), TOKEN)
                else:
                    answer = server.update(insert_data(predicate, n), token=TOKEN)
                statuses.append(answer.status)
        finally:
            writing.clear()
            for thread in readers:
                thread.join()
        tried("endpoint request", WRITES + sum(seen.values()))
    assert set(statuses) <= {200, 201, 204}, statuses
    assert set(seen) <= {(OLD, 0), (0, NEW)}, seen
    assert seen[(OLD, 0)] > 0 and seen[(0, NEW)] > 0, seen


def test_sigkill_during_writes_loses_no_acknowledged_write(data_dir: Path, tmp_path: Path) -> None:
    acknowledged: list[int] = []
    for round_ in range(2):
        server = Server(data_dir, tmp_path / f"server-{round_}.log", write_token=TOKEN).start()
        stop = threading.Event()

        def writer(
            server: Server = server, round_: int = round_, stop: threading.Event = stop
        ) -> None:
            for i in range(round_ * 1000, round_ * 1000 + 200):
                if stop.is_set():
                    return
                graph = f"{GRAPH}/{i}"
                try:
                    answer = server.put_graph(graph, f"<urn:x:w{i}> <urn:x:n> {i} .", TOKEN)
                except OSError:
                    return  # the server died under this request: not acknowledged
                if answer.status in (201, 204):
                    acknowledged.append(i)

        thread = threading.Thread(target=writer)
        thread.start()
        target = len(acknowledged) + 3 + round_
        while len(acknowledged) < target and thread.is_alive():
            time.sleep(0.01)
        time.sleep(0.05 * round_)  # land the kill at different points of a write
        server.kill()
        stop.set()
        thread.join()
    tried("endpoint request", len(acknowledged))

    with DataDir(data_dir).open() as store:  # the store opens after the crashes
        result = store.query(
            "SELECT ?i WHERE { GRAPH ?g { ?w <urn:x:n> ?i } "
            f"FILTER(STRSTARTS(STR(?g), '{GRAPH}/')) }}"
        )
    assert isinstance(result, SelectResult)
    present = {int(row[0].value) for row in result.rows if row[0] is not None}
    assert set(acknowledged) <= present, sorted(set(acknowledged) - present)
    assert len(acknowledged) >= 2 * 3

    with running(data_dir, tmp_path / "server-after.log", write_token=TOKEN) as server:
        assert server.count(f"GRAPH <{GRAPH}/{acknowledged[0]}> {{ ?s ?p ?o }}") == 1
        answer = server.put_graph(f"{GRAPH}/after", "<urn:x:a> <urn:x:n> -1 .", TOKEN)
        assert answer.status == 201, answer
        graph = f"/rdf-graphs?{urlencode({'graph': f'{GRAPH}/after'})}"
        assert server.request("GET", graph, None, {"Accept": "text/turtle"}).status == 200
