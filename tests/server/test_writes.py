"""Writes: SPARQL Update and the Graph Store Protocol need the write token, commit a new
build atomically, and concurrent readers see the old graph or the new one, never a mix."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from rdflib import Graph

from paradiplo.namespaces import PDG
from paradiplo.store import DataDir, SelectResult

from .conftest import TOKEN, Apps, Client, embedded

pytestmark = pytest.mark.repo_content

GRAPH = "https://example.org/test/graph"
THING = "https://example.org/test/thing"
INSERT = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{THING}> <{THING}#p> "inserted" }} }}'
HAS_IT = f'ASK {{ <{THING}> <{THING}#p> "inserted" }}'
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}


def asks(client: Client, query: str) -> bool:
    response = client.query(query)
    assert response.status_code == 200, response.text
    value: bool = json.loads(response.content)["boolean"]
    return value


def test_read_only_server_refuses_writes(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy)
    update = client.post("/sparql", data={"update": INSERT}, headers=AUTH)
    assert update.status_code == 403
    assert "read-only" in update.text
    put = client.request("PUT", "/rdf-graphs", params={"graph": GRAPH}, content=b"", headers=AUTH)
    assert put.status_code == 403
    assert not asks(client, HAS_IT)


def test_update_needs_the_right_token(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    missing = client.post("/sparql", data={"update": INSERT})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post("/sparql", data={"update": INSERT}, headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 403
    assert TOKEN not in wrong.text
    basic = client.post("/sparql", data={"update": INSERT}, headers={"Authorization": TOKEN})
    assert basic.status_code == 401
    assert not asks(client, HAS_IT)


def test_update_with_the_token_commits_a_new_build(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    data = DataDir(store_copy)
    before = data.current()
    assert before is not None
    response = client.post(
        "/sparql",
        content=INSERT.encode(),
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204, response.text
    after = data.current()
    assert after is not None and after != before
    assert response.headers["paradiplo-build"] == after.name
    assert asks(client, HAS_IT)
    with embedded(store_copy) as store:
        assert GRAPH in store.named_graphs()
        where = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{THING}> ?p ?o }} }}")
    assert isinstance(where, SelectResult) and [r[0].value for r in where.rows if r[0]] == [GRAPH]
    assert json.loads((after / "build.json").read_text())["parent"] == before.name
    # the old build is still intact for readers that had it open
    assert (before / "store").is_dir()


def test_writes_to_the_default_graph_go_to_its_own_named_graph(
    store_copy: Path, apps: Apps
) -> None:
    """INSERT/DELETE without GRAPH write the default graph's own named graph; the union
    stays right: a triple deleted there stays visible while another graph holds it."""
    client = apps.make(store_copy, write_token=TOKEN)
    own = str(PDG["default"])
    triple = f"<{THING}> <{THING}#p> 1"
    both = f"INSERT DATA {{ {triple} . GRAPH <{GRAPH}> {{ {triple} }} }}"
    assert client.post("/sparql", data={"update": both}, headers=AUTH).status_code == 204
    assert asks(client, f"ASK {{ GRAPH <{own}> {{ {triple} }} }}")
    one = f"SELECT (COUNT(*) AS ?n) {{ {triple} }}"
    counted = json.loads(client.query(one).content)["results"]["bindings"][0]["n"]["value"]
    assert counted == "1"  # the union holds the triple once
    delete = f"DELETE DATA {{ {triple} }}"
    assert client.post("/sparql", data={"update": delete}, headers=AUTH).status_code == 204
    assert not asks(client, f"ASK {{ GRAPH <{own}> {{ {triple} }} }}")
    assert asks(client, f"ASK {{ {triple} }}")  # still held by <GRAPH>
    put = client.request(
        "PUT", "/rdf-graphs?default", content=f"{triple} .".encode(), headers={**TURTLE, **AUTH}
    )
    assert put.status_code in (201, 204)
    assert asks(client, f"ASK {{ GRAPH <{own}> {{ {triple} }} }}")
    syntax = client.post("/sparql", data={"update": "INSERT DATA {"}, headers=AUTH)
    assert syntax.status_code == 400 and "syntax" in syntax.text
    clear = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=AUTH)
    assert clear.status_code == 204
    assert not asks(client, "ASK { ?s ?p ?o }")
    assert not asks(client, "ASK { GRAPH ?g { ?s ?p ?o } }")


def test_using_parameters_set_the_where_dataset(store_copy: Path, apps: Apps) -> None:
    """using-graph-uri is USING, using-named-graph-uri USING NAMED; with WITH: 400."""
    client = apps.make(store_copy, write_token=TOKEN)
    assert client.post("/sparql", data={"update": INSERT}, headers=AUTH).status_code == 204
    copy = f"INSERT {{ GRAPH <{GRAPH}2> {{ ?s <{THING}#p> ?o }} }} WHERE {{ ?s <{THING}#p> ?o }}"
    using = client.post(
        "/sparql", data={"update": copy, "using-graph-uri": GRAPH + "-none"}, headers=AUTH
    )
    assert using.status_code == 204
    assert not asks(client, f"ASK {{ GRAPH <{GRAPH}2> {{ ?s ?p ?o }} }}")
    using = client.post("/sparql", data={"update": copy, "using-graph-uri": GRAPH}, headers=AUTH)
    assert using.status_code == 204
    assert asks(client, f"ASK {{ GRAPH <{GRAPH}2> {{ <{THING}> ?p ?o }} }}")
    conflict = client.post(
        "/sparql",
        data={"update": f"WITH <{GRAPH}> {copy}", "using-named-graph-uri": GRAPH},
        headers=AUTH,
    )
    assert conflict.status_code == 400 and "WITH" in conflict.text


def test_delete_where_removes_from_the_union_too(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    assert client.post("/sparql", data={"update": INSERT}, headers=AUTH).status_code == 204
    delete = f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    assert client.post("/sparql", data={"update": delete}, headers=AUTH).status_code == 204
    assert not asks(client, HAS_IT)


def test_graph_store_get(client: Client, repo_store: Path) -> None:
    ontology = str(PDG["ontology"])
    response = client.get(
        "/rdf-graphs", params={"graph": ontology}, headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    with embedded(repo_store) as store:
        count = store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}"
        )
    assert isinstance(count, SelectResult)
    assert len(graph) == int(count.rows[0][0].value)  # type: ignore[union-attr]
    jsonld = client.get(
        "/rdf-graphs", params={"graph": ontology}, headers={"Accept": "application/ld+json"}
    )
    assert len(Graph().parse(data=jsonld.content, format="json-ld")) == len(graph)
    union = client.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert union.status_code == 200 and len(union.text.splitlines()) > len(graph)
    assert client.get("/rdf-graphs", params={"graph": GRAPH}).status_code == 404
    assert client.get("/rdf-graphs").status_code == 400
    assert client.get("/rdf-graphs", params={"graph": "no iri"}).status_code == 400


def test_graph_store_writes(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    where = {"graph": GRAPH}
    body = f'<{THING}> <{THING}#p> "one" .'.encode()
    assert (
        client.request("PUT", "/rdf-graphs", params=where, content=body, headers=TURTLE).status_code
        == 401
    )
    created = client.request(
        "PUT", "/rdf-graphs", params=where, content=body, headers={**TURTLE, **AUTH}
    )
    assert created.status_code == 201
    replaced = client.request(
        "PUT",
        "/rdf-graphs",
        params=where,
        content=f'<{THING}> <{THING}#p> "two" .'.encode(),
        headers={**TURTLE, **AUTH},
    )
    assert replaced.status_code == 204
    merged = client.post(
        "/rdf-graphs",
        params=where,
        content=f'<{THING}> <{THING}#p> "three" .'.encode(),
        headers={"Content-Type": "application/n-triples", **AUTH},
    )
    assert merged.status_code == 204
    got = client.get("/rdf-graphs", params=where, headers={"Accept": "application/n-triples"})
    values = {str(o) for o in Graph().parse(data=got.content, format="nt").objects()}
    assert values == {"two", "three"}
    assert client.request("DELETE", "/rdf-graphs", params=where, headers=AUTH).status_code == 204
    assert client.request("DELETE", "/rdf-graphs", params=where, headers=AUTH).status_code == 404
    assert client.get("/rdf-graphs", params=where).status_code == 404


def test_graph_store_write_errors(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    before = DataDir(store_copy).current()
    where = {"graph": GRAPH}
    bad = client.request(
        "PUT",
        "/rdf-graphs",
        params=where,
        content=b"<a> <b> .\n<c> <d> <e> .",
        headers={**TURTLE, **AUTH},
    )
    assert bad.status_code == 400
    assert "line 1" in bad.text
    odd = client.request(
        "PUT",
        "/rdf-graphs",
        params=where,
        content=b"x",
        headers={"Content-Type": "image/png", **AUTH},
    )
    assert odd.status_code == 415
    entities = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="urn:x:a"><rdf:value>&b;</rdf:value></rdf:Description>'
        b"</rdf:RDF>"
    )
    rdfxml = {"Content-Type": "application/rdf+xml", **AUTH}
    expanded = client.request("PUT", "/rdf-graphs", params=where, content=entities, headers=rdfxml)
    assert expanded.status_code == 400 and "ENTITY" in expanded.text
    big = apps.make(store_copy, write_token=TOKEN, max_body=100)
    large = big.request(
        "PUT", "/rdf-graphs", params=where, content=b"#" * 500, headers={**TURTLE, **AUTH}
    )
    assert large.status_code == 413
    assert DataDir(store_copy).current() == before


def test_readers_see_the_old_graph_or_the_new_never_a_mix(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN, workers=2)
    size = 50
    versions = 3

    def version(k: int) -> bytes:
        lines = [f'<{THING}/{i}> <{THING}#version> "{k}" .' for i in range(size)]
        return "\n".join(lines).encode()

    pattern = f"GRAPH <{GRAPH}> {{ ?s <{THING}#version> ?v }}"
    count = f"SELECT ?v (COUNT(*) AS ?n) WHERE {{ {pattern} }} GROUP BY ?v"
    client.request(
        "PUT",
        "/rdf-graphs",
        params={"graph": GRAPH},
        content=version(0),
        headers={**TURTLE, **AUTH},
    )
    seen: list[dict[str, int]] = []

    async def run() -> None:
        async with client._client() as http:

            async def write() -> None:
                for k in range(1, versions + 1):
                    response = await http.put(
                        "/rdf-graphs",
                        params={"graph": GRAPH},
                        content=version(k),
                        headers={**TURTLE, **AUTH},
                    )
                    assert response.status_code == 204

            async def read() -> None:
                for _ in range(12):
                    response = await http.get("/sparql", params={"query": count})
                    rows = json.loads(response.content)["results"]["bindings"]
                    seen.append({r["v"]["value"]: int(r["n"]["value"]) for r in rows})

            await asyncio.gather(write(), read())

    asyncio.run(run())
    assert all(len(answer) == 1 and next(iter(answer.values())) == size for answer in seen), seen
    assert {next(iter(a)) for a in seen} <= {str(k) for k in range(versions + 1)}
    final = client.query(count)
    assert json.loads(final.content)["results"]["bindings"][0]["v"]["value"] == str(versions)


def test_graph_store_get_is_open_and_needs_no_token(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    response = client.get("/rdf-graphs", params={"graph": str(PDG["shapes"])})
    assert response.status_code == 200
    assert len(Graph().parse(data=response.content, format="turtle")) > 0
