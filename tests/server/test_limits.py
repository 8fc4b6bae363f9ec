"""Limits: the query time limit (one runaway query does not stop the others), the row cap,
and the refusal of SERVICE and LOAD unless their target is allowed."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx
import pytest

from .conftest import TOKEN, Apps, Client

pytestmark = pytest.mark.repo_content

# Three unconstrained patterns over ~14,000 triples: ~2.7e12 rows, it never finishes.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = "ASK { city:cn-beijing pd:twinnedWith city:ru-moscow }"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_timeout_answers_503_while_another_query_is_answered(repo_store: Path, apps: Apps) -> None:
    client = apps.make(repo_store, query_timeout=2.0, workers=2)
    backend = client.app.state.backend
    backend.start()
    before = set(backend.pool.pids())
    finished: list[str] = []

    async def ask(http: httpx.AsyncClient, name: str, query: str) -> httpx.Response:
        response = await http.get("/sparql", params={"query": query})
        finished.append(name)
        return response

    async def both() -> tuple[httpx.Response, httpx.Response]:
        async with client._client() as http:
            slow = asyncio.create_task(ask(http, "runaway", RUNAWAY))
            await asyncio.sleep(0.3)  # let the runaway query take its worker first
            quick = await ask(http, "quick", QUICK)
            return await slow, quick

    slow, quick = asyncio.run(both())
    assert quick.status_code == 200
    assert json.loads(quick.content)["boolean"] is True
    assert finished == ["quick", "runaway"]
    assert slow.status_code == 503
    assert "time limit of 2 s" in slow.text
    assert "Traceback" not in slow.text
    killed = before - set(backend.pool.pids())
    assert len(killed) == 1, "the worker running the runaway query is replaced"
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in killed)
    assert client.query(QUICK).status_code == 200


def test_row_cap_cuts_results_and_says_so(repo_store: Path, apps: Apps) -> None:
    client = apps.make(repo_store, max_rows=5)
    capped = client.query("SELECT * WHERE { ?s ?p ?o }")
    assert len(json.loads(capped.content)["results"]["bindings"]) == 5
    assert capped.headers["paradiplo-truncated"] == "5"
    small = client.query("SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert len(json.loads(small.content)["results"]["bindings"]) == 3
    assert "paradiplo-truncated" not in small.headers
    graph = client.query("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert len(graph.text.strip().splitlines()) == 5
    assert graph.headers["paradiplo-truncated"] == "5"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o # comment\n SERVICE<http://127.0.0.1:9/>{?s ?p ?o} }",
    ],
)
def test_service_is_refused_by_default(client: Client, query: str) -> None:
    response = client.query(query)
    assert response.status_code == 400
    assert "SERVICE" in response.text and "refused" in response.text


def test_service_in_strings_comments_and_names_is_not_a_service(client: Client) -> None:
    query = """# SERVICE <http://127.0.0.1:9/> in a comment
    PREFIX service: <http://example.org/service/>
    SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?x) ?s service:p ?o }"""
    assert client.query(query).status_code == 200


def test_load_is_refused_even_with_the_token(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    response = client.post(
        "/sparql",
        data={"update": "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400
    assert "LOAD" in response.text and "refused" in response.text


def test_deep_nesting_is_400_and_the_workers_survive(client: Client) -> None:
    pids = set(client.app.state.backend.pool.pids())
    for query in (
        "SELECT * WHERE " + "{ " * 5000 + "}" * 5000,
        "SELECT * WHERE { BIND(" + "(" * 20000 + "1" + ")" * 20000 + " AS ?x) }",
    ):
        response = (
            client.query(query)
            if len(query) < 8000
            else client.post(
                "/sparql",
                content=query.encode(),
                headers={"Content-Type": "application/sparql-query"},
            )
        )
        assert response.status_code == 400
        assert "levels" in response.text
    assert set(client.app.state.backend.pool.pids()) == pids
    assert client.query(QUICK).status_code == 200
