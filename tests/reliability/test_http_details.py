"""HTTP details over a real ``paradiplo serve`` (uvicorn, not the in-process test client).

HEAD must be GET minus the body (RFC 9110 9.3.2: same status and header fields, so the
same Content-Length), gzip is used when the client asks, every negotiated answer and
error says ``Vary: Accept``, and linked-data resources answer in every RDF syntax the
endpoint speaks, by Accept and by suffix, naming the other formats in ``Link``.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Graph

from paradiplo.namespaces import PDG

from .server import Server

TIE = "/id/tie/cn-beijing--ru-moscow"
INFERRED = "/id/graph/inferred"
QUERY = "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 50")
ONTOLOGY_GRAPH = "/rdf-graphs?graph=" + quote(str(PDG["ontology"]), safe="")
# (path, Accept): small answers, answers streamed from spool files (over 256 KiB), pages
HEAD_CASES = [
    (QUERY, "application/sparql-results+json"),
    ("/sparql", "text/turtle"),
    (ONTOLOGY_GRAPH, "text/turtle"),
    ("/rdf-graphs?default", "application/n-triples"),
    (TIE, "text/turtle"),
    (TIE, "text/html"),
    (INFERRED + ".nt", "*/*"),
    ("/ontology", "text/html"),
    ("/ontology.ttl", "*/*"),
]
FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
}


@pytest.fixture(scope="module")
def server(repo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``paradiplo serve`` on the repository's store with its default limits (large
    answers are written to spool files and streamed)."""
    running = Server(repo_store, tmp_path_factory.mktemp("http") / "server.log")
    running.start()
    yield running
    running.stop()


COMPARED = ("content-length", "content-type", "content-encoding", "vary", "transfer-encoding")


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
@pytest.mark.parametrize(("path", "accept"), HEAD_CASES)
def test_head_is_get_without_the_body(
    server: Server, path: str, accept: str, encoding: str
) -> None:
    headers = {"Accept": accept, "Accept-Encoding": encoding}
    get = server.request("GET", path, headers=headers)
    head = server.request("HEAD", path, headers=headers)
    assert get.status == head.status == 200, (get, head)
    assert get.body and not head.body
    for name in COMPARED:
        assert get.header(name) == head.header(name), name
    if get.header("content-length") is not None:
        assert int(get.header("content-length") or 0) == len(get.body)


def test_large_answer_is_a_spool_file(server: Server) -> None:
    """The ``?default`` case above must exercise the spool-file path (over 256 KiB)."""
    plain = server.request(
        "GET", "/rdf-graphs?default", headers={"Accept": "application/n-triples"}
    )
    assert len(plain.body) > 256 * 1024


@pytest.mark.parametrize(
    ("path", "accept"),
    [(QUERY, "application/sparql-results+json"), ("/rdf-graphs?default", "text/turtle")],
)
def test_gzip_when_asked(server: Server, path: str, accept: str) -> None:
    plain = server.request("GET", path, headers={"Accept": accept})
    packed = server.request("GET", path, headers={"Accept": accept, "Accept-Encoding": "gzip"})
    assert plain.header("content-encoding") is None
    assert packed.header("content-encoding") == "gzip"
    assert "Accept-Encoding" in (packed.header("vary") or "")
    assert "Accept" in (packed.header("vary") or "").split(", ")
    assert gzip.decompress(packed.body) == plain.body
    assert len(packed.body) < len(plain.body) / 2


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        (QUERY, "image/png"),  # 406
        ("/sparql?query=" + quote("SELECT * {"), "application/sparql-results+json"),  # 400
        (TIE, "image/png"),  # 406
        ("/id/tie/no-such-tie", "text/turtle"),  # 404
        ("/rdf-graphs?default", "image/png"),  # 406
        ("/ontology", "image/png"),  # 406
    ],
)
def test_errors_vary_by_accept(server: Server, path: str, accept: str) -> None:
    answer = server.request("GET", path, headers={"Accept": accept})
    assert answer.status >= 400
    assert "Accept" in (answer.header("vary") or "").split(", "), answer.headers


@pytest.mark.parametrize("suffix", sorted(FORMATS))
@pytest.mark.parametrize("path", [TIE, INFERRED, "/ontology"])
def test_linked_data_in_every_rdf_syntax(server: Server, path: str, suffix: str) -> None:
    """By suffix and by Accept; never an empty 200; Content-Location and Link alternates."""
    media, parser = FORMATS[suffix]
    by_suffix = server.request("GET", f"{path}.{suffix}")
    by_accept = server.request("GET", path, headers={"Accept": media})
    for answer in (by_suffix, by_accept):
        assert answer.status == 200, answer
        assert (answer.header("content-type") or "").startswith(media)
        assert answer.header("content-location") == f"{path}.{suffix}"
        links = answer.header("link") or ""
        others = [s for s in (*FORMATS, "html") if s != suffix]
        for other in others:
            assert f'<{path}.{other}>; rel="alternate"' in links, links
        assert len(Graph().parse(data=answer.body, format=parser)) > 0
    assert by_suffix.body == by_accept.body


def test_graph_resource_describes_its_contents(server: Server) -> None:
    """``/id/graph/inferred`` holds thousands of statements: its RDF forms list them."""
    listed = Graph().parse(data=server.request("GET", INFERRED + ".ttl").body)
    union = server.request("GET", ONTOLOGY_GRAPH.replace("ontology", "inferred"))
    assert union.status == 200
    held = Graph().parse(data=union.body, format="turtle")
    assert len(held) > 1000
    assert len(listed) >= len(held)
