"""What ``paradiplo serve`` refuses: writes without the token, network fetches, runaway
queries, oversized answers and bodies, cross-origin reads unless configured; and what its
errors never show (a traceback, a path on the server's disk).

Every test talks to a real server process on loopback; the SERVICE/LOAD tests point at a
canary HTTP server on another loopback port and assert it heard nothing.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from paradiplo.store import CURRENT

from .server import JSON_RESULTS, QUERY_TYPE, Canary, Response, Server, assert_clean_error
from .support import MAX_BODY, MAX_ROWS, TOKEN, snapshot, tried

MARKER = "<https://example.org/reliability/marker>"
MARKER_GRAPH = "https://example.org/reliability/graph"
INSERT = f"INSERT DATA {{ GRAPH <{MARKER_GRAPH}> {{ {MARKER} a {MARKER} }} }}"
HAS_MARKER = f"ASK {{ {MARKER} a {MARKER} }}"
CORS_ORIGIN = "https://ui.example.org"
# Three unconstrained patterns over ~14,000 quads: ~2.8e12 rows, never finishes.
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def rw_server(mini_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable server (write token, one CORS origin) on its own copy of the mini store."""
    directory = tmp_path_factory.mktemp("rw-server")
    data_dir = directory / "store"
    shutil.copytree(mini_store, data_dir)
    server = Server(
        data_dir,
        directory / "server.log",
        write_token=TOKEN,
        cors_origin=CORS_ORIGIN,
        max_body=MAX_BODY,
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def canary() -> Iterator[Canary]:
    with Canary() as listening:
        yield listening


def ask(server: Server, query: str) -> bool:
    answer = server.query(query)
    assert answer.status == 200, answer
    value: bool = answer.json()["boolean"]
    return value


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- writes ----------------------------------------------------------------------------


def test_read_only_by_default(ro_server: Server, repo_store: Path) -> None:
    before = snapshot(repo_store)
    graph = f"/rdf-graphs?{urlencode({'graph': MARKER_GRAPH})}"
    turtle = {"Content-Type": "text/turtle"}
    attempts = [
        ro_server.update(INSERT),
        ro_server.update(INSERT, token=TOKEN),
        ro_server.request(
            "POST",
            "/sparql",
            urlencode({"update": INSERT}),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        ro_server.request("PUT", graph, f"{MARKER} a {MARKER} .", turtle),
        ro_server.request("POST", graph, f"{MARKER} a {MARKER} .", {**turtle, **bearer(TOKEN)}),
        ro_server.request(
            "DELETE",
            "/rdf-graphs?graph=" + quote("https://w3id.org/paradiplo/id/graph/inferred", safe=""),
            None,
            bearer(TOKEN),
        ),
    ]
    tried("endpoint request", len(attempts))
    for answer in attempts:
        assert answer.status in (401, 403), answer
        assert_clean_error(answer)
    assert not ask(ro_server, HAS_MARKER)
    assert snapshot(repo_store) == before


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"X-Write-Token": TOKEN},
    ],
    ids=["none", "empty", "bearer-without-token", "basic-scheme", "no-scheme", "other-header"],
)
def test_writes_without_a_bearer_token_get_401(rw_server: Server, headers: dict[str, str]) -> None:
    sent = {"Content-Type": "application/sparql-update", **headers}
    answer = rw_server.request("POST", f"/sparql?token={TOKEN}", INSERT, sent)
    tried("endpoint request")
    assert answer.status == 401, answer
    assert answer.header("WWW-Authenticate") is not None
    assert_clean_error(answer, TOKEN)
    assert not ask(rw_server, HAS_MARKER)


@pytest.mark.parametrize(
    "token",
    [TOKEN[:-1], TOKEN + "x", TOKEN.upper(), TOKEN[1:], "x" * len(TOKEN), TOKEN[:-1] + "é"],
    ids=["prefix", "longer", "case", "shifted", "same-length", "non-ascii"],
)
def test_a_wrong_token_gets_403_and_changes_nothing(rw_server: Server, token: str) -> None:
    update = rw_server.update(INSERT, token=token)
    put = rw_server.put_graph(MARKER_GRAPH, f"{MARKER} a {MARKER} .", token=token)
    tried("endpoint request", 2)
    for answer in (update, put):
        assert answer.status == 403, answer
        assert_clean_error(answer, TOKEN)
    assert not ask(rw_server, HAS_MARKER)


def test_the_right_token_writes(rw_server: Server) -> None:
    graph = "https://example.org/reliability/written"
    answer = rw_server.update(
        f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}", token=TOKEN
    )
    assert answer.status in (200, 204), answer
    assert ask(rw_server, f"ASK {{ GRAPH <{graph}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}")
    answer = rw_server.request(
        "DELETE", f"/rdf-graphs?{urlencode({'graph': graph})}", None, bearer(TOKEN)
    )
    assert answer.status in (200, 204), answer


# --- no outbound requests --------------------------------------------------------------

REMOTE_QUERIES = {
    "service": "SELECT * WHERE { SERVICE <{c}/sparql> { ?s ?p ?o } }",
    "service-silent": "SELECT * WHERE { SERVICE SILENT <{c}/sparql> { ?s ?p ?o } }",
    "lowercase": "select * where { service <{c}/sparql> { ?s ?p ?o } }",
    "comment-between": "SELECT * WHERE { SERVICE#hidden?\n<{c}/sparql> { ?s ?p ?o } }",
    "prefixed-name": "PREFIX e: <{c}/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "redefined-project-prefix": "PREFIX pd: <{c}/> SELECT * WHERE { SERVICE pd:x { ?s ?p ?o } }",
    "base-relative": "BASE <{c}/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "escaped-iri": "SELECT * WHERE { SERVICE <{c}/\\u0073parql> { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { VALUES ?e { <{c}/sparql> } SERVICE ?e { ?s ?p ?o } }",
    "nested": "SELECT * WHERE { { SELECT * WHERE { OPTIONAL { SERVICE <{c}/s> { ?s ?p ?o } } } } }",
    "ask": "ASK { SERVICE <{c}/sparql> { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{c}/sparql> { ?s ?p ?o } }",
}
REMOTE_UPDATES = {
    "load": "LOAD <{c}/data.ttl>",
    "load-silent-into": "LOAD SILENT <{c}/data.ttl> INTO GRAPH <urn:x:g>",
    "insert-where-service": (
        "INSERT { GRAPH <urn:x:g> { ?s ?p ?o } } WHERE { SERVICE <{c}/sparql> { ?s ?p ?o } }"
    ),
    "after-a-harmless-op": "CLEAR SILENT GRAPH <urn:x:none> ; LOAD <{c}/data.ttl>",
}


@pytest.mark.parametrize("name", sorted(REMOTE_QUERIES))
def test_service_is_refused_and_nothing_is_fetched(
    ro_server: Server, canary: Canary, name: str
) -> None:
    query = REMOTE_QUERIES[name].replace("{c}", canary.url)
    answers = [
        ro_server.query(query),
        ro_server.get("/sparql", query=query),
        ro_server.request(
            "POST",
            "/sparql",
            urlencode({"query": query}),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ]
    tried("endpoint request", len(answers))
    assert canary.requests == []
    for answer in answers:
        assert answer.status == 400, answer
        assert "refused" in answer.text
        assert_clean_error(answer, sent=query)


@pytest.mark.parametrize("name", sorted(REMOTE_UPDATES))
def test_load_is_refused_even_with_the_token(rw_server: Server, canary: Canary, name: str) -> None:
    update = REMOTE_UPDATES[name].replace("{c}", canary.url)
    answer = rw_server.update(update, token=TOKEN)
    tried("endpoint request")
    assert canary.requests == []
    assert answer.status == 400, answer
    assert "refused" in answer.text
    assert_clean_error(answer, sent=update)


def test_datasets_and_uploads_fetch_nothing(
    ro_server: Server, rw_server: Server, canary: Canary
) -> None:
    """FROM, dataset parameters, a remote JSON-LD context, an XML external entity."""
    dataset = f"FROM <{canary.url}/g> FROM NAMED <{canary.url}/n>"
    assert ro_server.query(f"SELECT * {dataset} WHERE {{ ?s ?p ?o }}").status == 200
    given = {"default-graph-uri": f"{canary.url}/d", "named-graph-uri": f"{canary.url}/n"}
    asked = ro_server.get("/sparql", query="ASK { ?s ?p ?o }", **given)
    assert asked.status == 200
    graph = f"/rdf-graphs?{urlencode({'graph': 'urn:x:upload'})}"
    jsonld = json.dumps({"@context": f"{canary.url}/context.jsonld", "@id": "urn:x:a", "b": "c"})
    rdfxml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{canary.url}/entity">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:x:">'
        '<rdf:Description rdf:about="urn:x:a"><e:b>&x;</e:b></rdf:Description></rdf:RDF>'
    )
    for kind, body in (("application/ld+json", jsonld), ("application/rdf+xml", rdfxml)):
        answer = rw_server.request("PUT", graph, body, {"Content-Type": kind, **bearer(TOKEN)})
        assert answer.status == 400, answer
        assert_clean_error(answer)
    tried("endpoint request", 4)
    assert canary.requests == []


def test_entity_expansion_in_an_upload_is_refused(rw_server: Server) -> None:
    """494 bytes of RDF/XML entities would expand to a 10 MB literal (each level x10)."""
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(6)
    )
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{entities}]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:x:">'
        '<rdf:Description rdf:about="urn:x:a"><e:p>&g;</e:p></rdf:Description></rdf:RDF>'
    )
    graph = f"/rdf-graphs?{urlencode({'graph': 'urn:x:expanded'})}"
    headers = {"Content-Type": "application/rdf+xml", **bearer(TOKEN)}
    try:
        answer = rw_server.request("PUT", graph, body, headers)
        tried("endpoint request")
        assert answer.status in (400, 413), answer
    finally:
        rw_server.request("DELETE", graph, None, bearer(TOKEN))


# --- time limit, row cap, body cap -----------------------------------------------------


def test_a_runaway_query_is_stopped_while_others_are_answered(ro_server: Server) -> None:
    slow: list[Response] = []
    worker = threading.Thread(target=lambda: slow.append(ro_server.query(PATHOLOGICAL)))
    worker.start()
    meanwhile: list[int] = []
    while worker.is_alive():
        meanwhile.append(ro_server.query("ASK { ?s a ?class }", timeout=30).status)
        time.sleep(0.05)
    worker.join()
    tried("endpoint request", 1 + len(meanwhile))
    (answer,) = slow
    assert answer.status == 503, answer
    assert "time limit" in answer.text
    assert_clean_error(answer)
    assert len(meanwhile) >= 3 and set(meanwhile) == {200}, meanwhile
    assert ro_server.count("?s a ?class") > 0  # the killed worker was replaced


def test_answers_are_capped_at_max_rows(ro_server: Server) -> None:
    select = ro_server.query("SELECT * WHERE { ?s ?p ?o }")
    assert select.status == 200
    assert len(select.json()["results"]["bindings"]) == MAX_ROWS
    assert select.header("Paradiplo-Truncated") == str(MAX_ROWS)
    construct = ro_server.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", Accept="application/n-triples"
    )
    assert construct.status == 200
    assert len(construct.text.strip().splitlines()) == MAX_ROWS
    small = ro_server.query("SELECT * WHERE { ?s ?p ?o } LIMIT 5")
    assert len(small.json()["results"]["bindings"]) == 5
    assert small.header("Paradiplo-Truncated") is None


def test_bodies_over_the_cap_get_413(ro_server: Server, rw_server: Server) -> None:
    padded = "ASK {}\n#" + "x" * MAX_BODY
    just_under = "ASK {}\n#" + "x" * (MAX_BODY - 100)
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(piece), piece)
        for piece in (padded.encode()[i : i + 8192] for i in range(0, len(padded), 8192))
    )
    chunked = ro_server.raw(
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        + QUERY_TYPE.encode()
        + b"\r\nAccept: "
        + JSON_RESULTS.encode()
        + b"\r\nTransfer-Encoding: chunked\r\n"
        + b"Connection: close\r\n\r\n"
        + chunks
        + b"0\r\n\r\n"
    )
    answers = [
        ro_server.query(padded),
        ro_server.request(
            "POST",
            "/sparql",
            urlencode({"query": padded}),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        rw_server.put_graph("urn:x:big", f'<urn:x:a> <urn:x:b> "{"y" * MAX_BODY}" .', TOKEN),
        rw_server.update(
            f'INSERT DATA {{ GRAPH <urn:x:big> {{ <urn:x:a> <urn:x:b> "{"y" * MAX_BODY}" }} }}',
            token=TOKEN,
        ),
    ]
    tried("endpoint request", len(answers) + 2)
    for answer in answers:
        assert answer.status == 413, answer
        assert_clean_error(answer)
    assert chunked.startswith(b"HTTP/1.1 413 "), chunked[:200]
    assert ro_server.query(just_under).status == 200
    assert not ask(rw_server, "ASK { GRAPH <urn:x:big> { ?s ?p ?o } }")


# --- what errors show ------------------------------------------------------------------

BAD_REQUESTS: dict[str, tuple[str, str, str | bytes | None, dict[str, str]]] = {
    "syntax": ("POST", "/sparql", "SELECT * WHERE { ?s ?p", {"Content-Type": QUERY_TYPE}),
    "unknown-function": (
        "POST",
        "/sparql",
        "SELECT (<urn:f>(1) AS ?x) {}",
        {"Content-Type": QUERY_TYPE},
    ),
    "bad-content-type": ("POST", "/sparql", "ASK {}", {"Content-Type": "text/plain"}),
    "no-content-type": ("POST", "/sparql", "ASK {}", {}),
    "non-utf8": ("POST", "/sparql", b'ASK { ?s ?p "\xff\xfe" }', {"Content-Type": QUERY_TYPE}),
    "two-queries": ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None, {}),
    "query-and-update": ("GET", "/sparql?query=ASK%7B%7D&update=CLEAR%20ALL", None, {}),
    "method": ("PATCH", "/sparql", "x", {}),
    "not-found": ("GET", "/no/such/path/../../etc/passwd", None, {}),
    "static-traversal": ("GET", "/static/..%2f..%2f..%2fpyproject.toml", None, {}),
    "bad-graph-iri": ("GET", "/rdf-graphs?graph=not%20an%20iri", None, {}),
    "missing-graph": ("GET", "/rdf-graphs?graph=urn:x:none", None, {}),
    "bad-dataset-iri": ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=%20", None, {}),
    "unacceptable": ("GET", "/sparql?query=ASK%7B%7D", None, {"Accept": "image/png"}),
    "bad-id-page": ("GET", "/id/%00%ff", None, {"Accept": "text/turtle"}),
}


@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
def test_errors_show_no_traceback_or_path(ro_server: Server, repo_store: Path, name: str) -> None:
    method, path, body, headers = BAD_REQUESTS[name]
    answer = ro_server.request(method, path, body, headers)
    tried("endpoint request")
    assert 400 <= answer.status < 500, answer
    sent = body.decode("utf-8", "replace") if isinstance(body, bytes) else body or ""
    assert_clean_error(answer, str(repo_store), sent=sent)


def test_a_broken_store_does_not_reveal_its_path(rw_server: Server) -> None:
    pointer = rw_server.data_dir / CURRENT
    good = pointer.read_text(encoding="utf-8")
    pointer.write_text("no-such-build\n", encoding="utf-8")
    try:
        answer = rw_server.get("/sparql", query="ASK {}")
    finally:
        pointer.write_text(good, encoding="utf-8")
    tried("endpoint request")
    assert answer.status == 503, answer
    assert_clean_error(answer, str(rw_server.data_dir))


# --- CORS ------------------------------------------------------------------------------


def preflight(server: Server, origin: str) -> Response:
    return server.request(
        "OPTIONS",
        "/sparql",
        None,
        {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_cors_is_off_by_default(ro_server: Server) -> None:
    plain = ro_server.request("GET", "/sparql?query=ASK%7B%7D", None, {"Origin": CORS_ORIGIN})
    assert plain.status == 200
    assert plain.header("Access-Control-Allow-Origin") is None
    assert preflight(ro_server, CORS_ORIGIN).header("Access-Control-Allow-Origin") is None


def test_cors_allows_only_the_configured_origin(rw_server: Server) -> None:
    allowed = rw_server.request("GET", "/sparql?query=ASK%7B%7D", None, {"Origin": CORS_ORIGIN})
    assert allowed.header("Access-Control-Allow-Origin") == CORS_ORIGIN
    check = preflight(rw_server, CORS_ORIGIN)
    assert check.status == 200
    assert check.header("Access-Control-Allow-Origin") == CORS_ORIGIN
    assert "POST" in (check.header("Access-Control-Allow-Methods") or "")
    other = "https://evil.example.net"
    refused = rw_server.request("GET", "/sparql?query=ASK%7B%7D", None, {"Origin": other})
    assert refused.header("Access-Control-Allow-Origin") is None
    assert preflight(rw_server, other).header("Access-Control-Allow-Origin") is None
