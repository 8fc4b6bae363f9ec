"""``paradiplo serve`` over real HTTP on loopback: it builds the store when there is none,
SPARQLWrapper gets SELECT, ASK and CONSTRUCT answers in every format, SERVICE reaches only
allowed endpoints, and the UI page and its assets are served with no outside URL."""

from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from paradiplo.store import DataDir
from paradiplo.vendor import unavailable_reason

from .conftest import TOKEN, Apps, LiveServer

pytestmark = [
    pytest.mark.repo_content,
    # SPARQLWrapper builds its graphs with rdflib's deprecated ConjunctiveGraph
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

TIES = "SELECT ?tie WHERE { ?tie a pd:TwinningTie ; pd:firstParty city:cn-harbin } ORDER BY ?tie"
ASK = "ASK { city:cn-harbin pd:twinnedWith city:ru-khabarovsk }"
TIE = "https://w3id.org/paradiplo/id/tie/cn-beijing--ru-moscow"
CONSTRUCT = f"CONSTRUCT {{ <{TIE}> ?p ?o }} WHERE {{ <{TIE}> ?p ?o }}"


def wrapper(server: LiveServer, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.base + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setTimeout(30)
    return sparql


def test_serve_built_the_store_first(live_server: LiveServer) -> None:
    assert DataDir(live_server.data_dir).current() is not None
    assert "building it first" in live_server.log.read_text()


def test_select_in_every_format(live_server: LiveServer) -> None:
    rows = wrapper(live_server, TIES, JSON).queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    ties = [row["tie"]["value"] for row in rows]
    assert "https://w3id.org/paradiplo/id/tie/cn-harbin--ru-khabarovsk" in ties
    xml = wrapper(live_server, TIES, XML).queryAndConvert()
    assert [n.firstChild.data for n in xml.getElementsByTagName("uri")] == ties  # type: ignore[union-attr]
    csv = wrapper(live_server, TIES, CSV).queryAndConvert()
    assert csv.decode().split() == ["tie", *ties]  # type: ignore[union-attr]
    tsv = wrapper(live_server, TIES, TSV).queryAndConvert()
    assert tsv.decode().split() == ["?tie", *(f"<{t}>" for t in ties)]  # type: ignore[union-attr]


def test_ask_in_json_and_xml(live_server: LiveServer) -> None:
    assert wrapper(live_server, ASK, JSON).queryAndConvert()["boolean"] is True  # type: ignore[index]
    xml = wrapper(live_server, ASK, XML).queryAndConvert()
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_construct_in_every_format(live_server: LiveServer, fmt: str) -> None:
    result = wrapper(live_server, CONSTRUCT, fmt).queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert len(graph) > 5
    assert set(graph.subjects()) == {URIRef(TIE)}


def test_construct_as_ntriples_by_conneg(live_server: LiveServer) -> None:
    sparql = wrapper(live_server, CONSTRUCT, TURTLE)
    sparql.setOnlyConneg(True)
    sparql.addCustomHttpHeader("Accept", "application/n-triples")
    response = sparql.query().response
    assert response.headers["Content-Type"].split(";")[0] == "application/n-triples"
    assert len(Graph().parse(data=response.read(), format="nt")) > 5


class Canary(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that records every request it gets."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.heard.append(self.path)
                self.send_response(500)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_service_reaches_allowed_endpoints_only(
    live_server: LiveServer, repo_store: Path, apps: Apps, canary: Canary
) -> None:
    remote = live_server.base + "/sparql"
    client = apps.make(repo_store, allow_services=frozenset({remote}))
    pattern = "?tie a pd:TwinningTie ; pd:firstParty city:cn-harbin"
    federated = f"SELECT ?tie WHERE {{ SERVICE <{remote}> {{ {pattern} }} }}"
    answer = client.query(federated)
    assert answer.status_code == 200, answer.text
    assert "cn-harbin--ru-khabarovsk" in answer.text

    refused = client.query(f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}")
    assert refused.status_code == 400
    loaded = client.post("/sparql", data={"update": f"LOAD <{canary.url}>"})
    assert loaded.status_code in (400, 403)
    assert canary.heard == []


def test_ui_page_and_assets_over_http(live_server: LiveServer) -> None:
    with urllib.request.urlopen(live_server.base + "/", timeout=10) as response:
        assert response.status == 200
        page = response.read().decode()
    assert "http://" not in page and "https://" not in page
    assets = re.findall(r'(?:src|href)="(/[^"]*)"', page)
    assert "/static/paradiplo.css" in assets
    if unavailable_reason() is None:
        assert {"/vendor/yasgui/yasgui.min.js", "/vendor/yasgui/yasgui.min.css"} <= set(assets)
    for asset in [*assets, "/ui-config.json", "/ui-prefixes.json"]:
        with urllib.request.urlopen(live_server.base + asset, timeout=10) as response:
            assert response.status == 200, asset


def test_jsonld_remote_contexts_are_not_fetched(
    store_copy: Path, apps: Apps, canary: Canary
) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    body = json.dumps({"@context": canary.url, "@id": "https://example.org/a", "p": 1})
    response = client.request(
        "PUT",
        "/rdf-graphs",
        params={"graph": "https://example.org/g"},
        content=body.encode(),
        headers={"Content-Type": "application/ld+json", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400
    assert "remote context" in response.text
    assert canary.heard == []
