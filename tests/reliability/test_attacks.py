"""The attack corpus: what an attacker tried against ``paradiplo serve``, as tests.

Server-side request forgery is tried in every spelling the token scanner missed (keyword
glued to a prefixed name, lower case, comments, a prefix named like ``SILENT``, inside
OPTIONAL/ASK/CONSTRUCT/sub-selects, LOAD with the write token) against three servers:

* ``full``: the guard and the workers' network isolation both on (the default);
* ``guard-only``: isolation off, so the guard alone must refuse every attempt;
* ``isolation-only``: the guard off (a hidden test switch), so the workers' empty network
  namespace alone must stop every fetch.

In all three a loopback canary server must hear **no** request. Then: flat chains that
crashed pyoxigraph must not kill a worker; answers are capped in bytes; slow request
heads are cut off; one client's runaway queries do not starve the others.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from paradiplo.server.isolation import Endpoint, Relay
from paradiplo.server.pool import Worker
from paradiplo.store import DataDir

from .server import HOST, JSON_RESULTS, QUERY_TYPE, UPDATE_TYPE, Canary, Server, running
from .support import TOKEN, tried

pytestmark = pytest.mark.slow

NETWORK_WORDS = ("os error", "Connection refused", "nreachable", "lookup", "timed out", "reset")


def ssrf_queries(canary: str) -> list[str]:
    """Queries that would make the server fetch from ``canary`` if evaluated as written."""
    return [
        f"PREFIX : <{canary}/> SELECT * WHERE {{ SERVICE:ssrf {{ ?x ?y ?z }} }}",
        f"prefix : <{canary}/> select * where {{ service:ssrf {{ ?x ?y ?z }} }}",
        f"PREFIX : <{canary}/> SELECT * WHERE {{ SERVICE SILENT:ssrf {{ ?x ?y ?z }} }}",
        f"PREFIX : <{canary}/> ASK {{ OPTIONAL {{ SERVICE:ssrf {{ ?x ?y ?z }} }} }}",
        f"PREFIX : <{canary}/> CONSTRUCT {{ ?x ?y ?z }} WHERE {{ SERVICE:ssrf {{ ?x ?y ?z }} }}",
        f"PREFIX : <{canary}/> SELECT * {{ {{ SELECT * {{ SERVICE:s {{ ?x ?y ?z }} }} }} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{canary}/c> {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ SeRvIcE <{canary}/case> {{ ?x ?y ?z }} }}",
        f"BASE <{canary}/> SELECT * WHERE {{ SERVICE <relative> {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ SERVICE <{canary}/\\u0065scaped> {{ ?x ?y ?z }} }}",
        f"PREFIX SILENT: <{canary}/allow> PREFIX : <{canary}/internal/> "
        "SELECT * WHERE { SERVICE SILENT:ed { ?x ?y ?z } }",
    ]


def ssrf_updates(canary: str) -> list[str]:
    return [
        f"PREFIX : <{canary}/> LOAD:data.ttl INTO GRAPH <https://example.org/g>",
        f"load <{canary}/lower.ttl>",
        f"PREFIX : <{canary}/> INSERT {{ GRAPH <https://example.org/g> {{ ?x ?y ?z }} }} "
        "WHERE { SERVICE:ssrf { ?x ?y ?z } }",
    ]


LAYERS = {
    "full": {"isolation": "require"},
    "guard-only": {"isolation": "off"},
    "isolation-only": {"isolation": "require", "unsafe_no_guard": True},
}


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as listening:
        yield listening


@pytest.fixture(scope="module", params=list(LAYERS))
def layered(
    request: pytest.FixtureRequest,
    repo_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
    canary: Canary,
) -> Iterator[tuple[str, Server]]:
    """A writable server with one layer set (see the module docstring)."""
    name: str = request.param
    directory = tmp_path_factory.mktemp(f"layer-{name}")
    shutil.copytree(repo_store, directory / "store")
    options: dict[str, object] = {
        "write_token": TOKEN,
        "allow_service": f"{canary.url}/allowed",
        **LAYERS[name],
    }
    with running(directory / "store", directory / "server.log", **options) as server:
        yield name, server


def _no_network_detail(text: str) -> None:
    for word in NETWORK_WORDS:
        assert word not in text, text


def test_ssrf_is_stopped_by_each_layer_alone(layered: tuple[str, Server], canary: Canary) -> None:
    name, server = layered
    canary.requests.clear()
    answers = []
    for query in ssrf_queries(canary.url):
        answers.append(server.query(query))
        answers.append(server.get("/sparql", query=query))
        form = urlencode({"query": query})
        answers.append(
            server.request(
                "POST", "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"}
            )
        )
    for update in ssrf_updates(canary.url):
        answers.append(
            server.request(
                "POST",
                "/sparql",
                update,
                {"Content-Type": UPDATE_TYPE, "Authorization": f"Bearer {TOKEN}"},
            )
        )
    tried("SSRF attempt", len(answers))
    assert canary.requests == [], (name, canary.requests)
    for answer in answers:
        _no_network_detail(answer.text)
        if name != "isolation-only":  # the guard refuses before evaluation
            assert answer.status == 400, (name, answer.status, answer.text)
            assert "refused" in answer.text


def test_an_allowed_service_is_reached(layered: tuple[str, Server], canary: Canary) -> None:
    """The canary can hear: an allow-listed SERVICE gets through (by the federation lane).

    Without the guard nothing is known to be allowed, so nothing is federated and the
    isolated workers reach nothing at all.
    """
    name, server = layered
    canary.requests.clear()
    answer = server.query(f"SELECT * WHERE {{ SERVICE <{canary.url}/allowed> {{ }} }}")
    # the canary's reply is not a SPARQL result (so 500), but the request reached it
    assert answer.status in (200, 500), answer.text
    _no_network_detail(answer.text)
    expected = [] if name == "isolation-only" else ["POST /allowed"]
    assert canary.requests == expected, canary.requests


# --- crashes, caps, slow heads, fairness ----------------------------------------------------


def _worker_pids(server: Server) -> set[int]:
    assert server.process is not None
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


CHAINS = {
    "not": "SELECT * { FILTER(" + "!" * 20_000 + "true) }",
    "plus": "SELECT * { FILTER(" + "+".join(["1"] * 20_000) + ") }",
    "and": "SELECT * { FILTER(" + "&&".join(["true"] * 20_000) + ") }",
    "or": "SELECT * { FILTER(" + "||".join(["true"] * 20_000) + ") }",
    "union": "SELECT * { " + " UNION ".join(["{?s ?p ?o}"] * 3_000) + " }",
    "minus": "SELECT * { ?s ?p ?o " + "MINUS {?s ?p ?o} " * 3_000 + "}",
    "bind": "SELECT * { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(3_000)) + " }",
    "path": "SELECT * { ?s " + "/".join(["<http://x>"] * 3_000) + " ?o }",
    "triples": "SELECT * { " + " . ".join(["?s <http://x> ?o"] * 3_000) + " }",
}


@pytest.fixture(scope="module")
def capped(repo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("capped")
    options: dict[str, object] = {
        "max_bytes": 1_048_576,
        "max_rows": 50,
        "query_timeout": 60,
        "header_timeout": 1,
        "max_connections": 40,
        "fast_budget": 30,  # a refusal that comes slowly on a busy machine is still no kill
    }
    with running(repo_store, directory / "server.log", **options) as server:
        yield server


@pytest.mark.parametrize("name", list(CHAINS))
def test_flat_chains_are_refused_without_a_crash(capped: Server, name: str) -> None:
    before = _worker_pids(capped)
    answer = capped.query(CHAINS[name])
    tried("operator chain")
    assert answer.status == 400, answer.text
    assert _worker_pids(capped) == before  # no worker died and was replaced
    assert capped.count("?t a pd:TwinningTie") > 0


def test_answers_are_capped_in_bytes(capped: Server) -> None:
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(24))
    query = f'SELECT ?a24 WHERE {{ BIND("xxxxxxxxxxxxxxxx" AS ?a0) {binds} }} LIMIT 1'
    answer = capped.query(query)
    assert answer.status in (200, 503), answer.text
    if answer.status == 200:
        assert answer.header("Paradiplo-Truncated") == "1048576 bytes"
        assert len(answer.body) <= 1_048_576
        assert answer.json()["results"]["bindings"] == []


def test_graph_store_default_graph_honours_the_row_cap(capped: Server) -> None:
    answer = capped.request("GET", "/rdf-graphs?default", None, {"Accept": "application/n-triples"})
    assert answer.status == 200
    assert answer.header("Paradiplo-Truncated") == "50"
    assert len(answer.text.strip().splitlines()) == 50


def test_large_answers_stream_from_a_spool_file(capped: Server) -> None:
    """A CONSTRUCT over 1 MiB cap: cut in bytes, still a complete N-Triples document."""
    answer = capped.request(
        "GET",
        "/sparql?" + urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}),
        None,
        {"Accept": "application/n-triples"},
    )
    assert answer.status == 200
    assert answer.header("Paradiplo-Truncated") in ("50", "1048576 bytes")
    assert answer.text.endswith(" .\n")


def test_slow_request_heads_are_cut_off(capped: Server) -> None:
    sockets = []
    for _ in range(20):
        sock = socket.create_connection((HOST, capped.port), timeout=10)
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")  # no blank line
        sockets.append(sock)
    started = time.monotonic()
    closed = 0
    for sock in sockets:
        with sock:
            if sock.recv(100) == b"":
                closed += 1
    assert closed == len(sockets)
    assert time.monotonic() - started < 9  # closed by the 1 s deadline, not the 10 s socket
    assert capped.count("?t a pd:TwinningTie") > 0


def test_connections_beyond_the_cap_are_closed(capped: Server) -> None:
    held = [socket.create_connection((HOST, capped.port), timeout=10) for _ in range(60)]
    try:
        refused = 0
        for sock in held[40:]:
            sock.settimeout(0.5)
            try:
                if sock.recv(1) == b"":
                    refused += 1
            except TimeoutError:
                pass
        assert refused >= 15, refused
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert capped.count("?t a pd:TwinningTie") > 0


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?l WHERE { <https://w3id.org/paradiplo/id/city/cn-beijing> ?p ?l } LIMIT 5"


def _post_from(address: str, port: int, query: str, timeout: float) -> int:
    """POST a query from source address ``address`` (any of 127.0.0.0/8); the status."""
    body = query.encode()
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {QUERY_TYPE}\r\n"
        f"Accept: {JSON_RESULTS}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((HOST, port), timeout=timeout, source_address=(address, 0)) as s:
        s.sendall(head + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


def test_runaway_clients_do_not_starve_the_others(
    repo_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("fair")
    options: dict[str, object] = {"query_timeout": 6, "fast_budget": 0.5, "workers": 2}
    with running(repo_store, directory / "server.log", **options) as server:
        stop = time.monotonic() + 12
        statuses: dict[str, list[int]] = {"runaway": [], "simple": []}

        def client(kind: str, address: str, query: str) -> None:
            while time.monotonic() < stop:
                try:
                    statuses[kind].append(_post_from(address, server.port, query, 30))
                except OSError:
                    statuses[kind].append(0)

        threads = [
            threading.Thread(target=client, args=("runaway", f"127.0.0.{2 + i}", RUNAWAY))
            for i in range(6)
        ] + [
            threading.Thread(target=client, args=("simple", f"127.0.0.{20 + i}", SIMPLE))
            for i in range(12)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    tried("fairness request", sum(len(v) for v in statuses.values()))
    assert statuses["simple"], statuses
    assert set(statuses["simple"]) == {200}, statuses["simple"]
    assert len(statuses["simple"]) > 50  # the fast lane kept answering throughout


def test_query_text_in_errors_is_not_reflected_as_html(ro_server: Server) -> None:
    answer = ro_server.request(
        "GET",
        "/sparql?query=" + quote("<script>alert(1)</script>"),
        None,
        {"Accept": "text/html, */*;q=0.1"},
    )
    assert answer.status == 400, answer.text
    assert (answer.header("Content-Type") or "").startswith("text/plain")


def test_a_runaway_query_is_not_rerun_on_the_same_build(
    repo_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Stopped at the time limit once, the same text is answered 503 at once afterwards."""
    directory = tmp_path_factory.mktemp("doomed")
    options: dict[str, object] = {"query_timeout": 2, "fast_budget": 0.3}
    with running(repo_store, directory / "server.log", **options) as server:
        first = server.query(RUNAWAY)
        assert first.status == 503 and "time limit" in first.text, first.text
        again = server.query(RUNAWAY)
        assert again.status == 503 and "already stopped" in again.text, again.text
        other = server.query(RUNAWAY.replace("?i }", "?j }"))  # another text: tried again
        assert other.status == 503 and "already stopped" not in other.text, other.text


def test_the_federation_worker_reaches_the_allowed_endpoint_only(
    repo_store: Path, tmp_path: Path
) -> None:
    """Even with its guard off, the federation worker can reach nothing but the allowed
    endpoint, and there only the allowed path: its network is the server's relay."""
    build = str(DataDir(repo_store).current())
    with Canary() as allowed, Canary() as other:
        endpoint = f"{allowed.url}/allowed"
        relay = Relay([Endpoint.parse(endpoint)], str(tmp_path / "relay.sock"))
        worker = Worker(
            ["--isolation", "federate", "--relay", relay.path, "--allow", endpoint, "--no-guard"]
        )
        try:
            ping = worker.call({"op": "ping"}, time.monotonic() + 60)
            assert ping["isolated"], ping  # confined, not merely unrestricted

            def ask(target: str) -> dict[str, object]:
                request = {
                    "op": "sparql",
                    "build": build,
                    "query": f"SELECT * WHERE {{ SERVICE <{target}> {{ }} }}",
                    "results_format": "json",
                    "max_rows": 10,
                }
                return worker.call(request, time.monotonic() + 30)

            ask(endpoint)
            ask(f"{allowed.url}/other-path")
            ask(f"{other.url}/anything")
            ask("http://example.org/sparql")
        finally:
            worker.kill()
            relay.close()
    assert allowed.requests == ["POST /allowed"], allowed.requests
    assert other.requests == [], other.requests
