"""The SERVICE/LOAD scan: keywords are found wherever the SPARQL grammar sees them, and
nowhere else."""

from __future__ import annotations

import pytest

from paradiplo.server.guard import (
    NestingError,
    RemoteAccessError,
    check_nesting,
    check_remote,
    nesting_depth,
    remote_targets,
)

PREFIXES = {"ex": "http://example.org/"}
ALLOWED = frozenset({"http://127.0.0.1:7000/sparql"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { SERVICE <http://a/s> { ?s ?p ?o } }", [("SERVICE", "http://a/s")]),
        ("select * { service silent <http://a/s> {} }", [("SERVICE", "http://a/s")]),
        ("SELECT * { SERVICE ex:s {} }", [("SERVICE", "http://example.org/s")]),
        ("PREFIX ex: <http://b/> SELECT * { SERVICE ex:s {} }", [("SERVICE", "http://b/s")]),
        ("SELECT * { SERVICE ?e {} }", [("SERVICE", None)]),
        ("SELECT * { SERVICE zz:s {} }", [("SERVICE", None)]),
        ("LOAD <http://a/d.ttl> INTO GRAPH <http://g>", [("LOAD", "http://a/d.ttl")]),
        ("LOAD SILENT <http://a/d.ttl>", [("LOAD", "http://a/d.ttl")]),
        ("}SERVICE<http://a/s>{", [("SERVICE", "http://a/s")]),
        ("SELECT * { ?s ?p 'it''s' } SERVICE <http://a/s> {}", [("SERVICE", "http://a/s")]),
        ('SELECT * { ?s ?p "a\\"b" . SERVICE <http://a/s> {} }', [("SERVICE", "http://a/s")]),
        (
            "SELECT * { ?s ?p <http://a/x'y> . SERVICE <http://a/s> {} }",
            [("SERVICE", "http://a/s")],
        ),
    ],
)
def test_finds_remote_targets(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert remote_targets(text, PREFIXES) == expected


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { BIND("SERVICE <http://a/s>" AS ?x) }',
        "SELECT * { BIND('''LOAD <http://a/s>''' AS ?x) }",
        "# SERVICE <http://a/s>\nSELECT * {}",
        "SELECT * { ?service ex:SERVICE ex:load . _:load ?p ?o }",
        'SELECT * { ?s ?p "x"@en }',
        "SELECT * { ?s <http://a/SERVICE> ?o }",
    ],
)
def test_ignores_the_words_where_they_are_not_keywords(text: str) -> None:
    assert remote_targets(text, PREFIXES) == []


def test_check_allows_listed_endpoints_only() -> None:
    check_remote("SELECT * { SERVICE <http://127.0.0.1:7000/sparql> {} }", ALLOWED, PREFIXES)
    with pytest.raises(RemoteAccessError, match=r"allowed: <http://127\.0\.0\.1:7000/sparql>"):
        check_remote("SELECT * { SERVICE <http://127.0.0.1:7001/sparql> {} }", ALLOWED, PREFIXES)
    with pytest.raises(RemoteAccessError, match="not a constant IRI"):
        check_remote("SELECT * { SERVICE ?x {} }", ALLOWED, PREFIXES)
    with pytest.raises(RemoteAccessError, match="fetches nothing"):
        check_remote("LOAD <http://a/b>", frozenset(), PREFIXES)


def test_nesting_depth_counts_only_grammar_brackets() -> None:
    assert nesting_depth("SELECT * { { ?s ?p [ ?q (1) ] } }") == 4
    assert nesting_depth('SELECT * { BIND("{{{{" AS ?x) ?s <http://a/((> ?o } # [[[[') == 2


def test_deep_nesting_is_refused_before_parsing() -> None:
    deep = "SELECT * WHERE " + "{ " * 3000 + "}" * 3000
    with pytest.raises(NestingError, match="3000 levels"):
        check_nesting(deep)
    check_nesting("SELECT * WHERE " + "{ " * 50 + "}" * 50)
