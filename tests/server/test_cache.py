"""Answers are reused until the store changes, and never across builds."""

from __future__ import annotations

from pathlib import Path

from .conftest import TOKEN, Apps

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/test/thing> ?p ?o }"
INSERT = (
    "INSERT DATA { GRAPH <https://example.org/test/graph> { "
    '<https://example.org/test/thing> <https://example.org/test/p> "x" } }'
)


def count(response_json: dict[str, object]) -> int:
    bindings = response_json["results"]["bindings"]  # type: ignore[index]
    return int(bindings[0]["n"]["value"])


def test_same_query_same_build_is_a_hit(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    first, second = client.query(COUNT), client.query(COUNT)
    assert first.headers["paradiplo-cache"] == "miss"
    assert second.headers["paradiplo-cache"] == "hit"
    assert first.content == second.content
    other_format = client.query(COUNT, accept="text/csv")
    assert other_format.headers["paradiplo-cache"] == "miss"  # the format is in the key
    stats = client.app.state.backend.answers.stats
    assert stats.hits == 1 and stats.entries >= 2


def test_a_write_starts_a_new_generation(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, write_token=TOKEN)
    before = client.query(COUNT)
    assert count(before.json()) == 0
    written = client.post(
        "/sparql",
        content=INSERT.encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"},
    )
    assert written.status_code == 204, written.text
    after = client.query(COUNT)
    assert after.headers["paradiplo-cache"] == "miss"
    assert count(after.json()) == 1


def test_no_cache_when_its_size_is_zero(store_copy: Path, apps: Apps) -> None:
    client = apps.make(store_copy, cache_bytes=0)
    client.query(COUNT)
    assert client.query(COUNT).headers["paradiplo-cache"] == "miss"
