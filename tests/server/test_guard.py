"""The guard decides on the parse tree: SERVICE and LOAD are found wherever the grammar puts
them (whatever the spacing, case, comments or prefix tricks), nowhere else, and the tree's
size and chain-weighted depth are bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from paradiplo.namespaces import PREFIXES as PROJECT_PREFIXES
from paradiplo.server.guard import (
    ComplexityError,
    GuardSyntaxError,
    Limits,
    RemoteAccessError,
    check,
    inspect,
)

PREFIXES = {"ex": "http://example.org/"}
ALLOWED = frozenset({"http://127.0.0.1:7000/sparql"})
REPO = Path(__file__).resolve().parents[2]


def targets(text: str, update: bool = False) -> list[tuple[str, frozenset[str] | None]]:
    return list(inspect(text, update=update, prefixes=PREFIXES).remote)


def one(iri: str) -> frozenset[str]:
    return frozenset({iri})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { SERVICE <http://a/s> { ?s ?p ?o } }", [("SERVICE", one("http://a/s"))]),
        ("select * { service silent <http://a/s> {} }", [("SERVICE", one("http://a/s"))]),
        ("SELECT * { SERVICE ex:s {} }", [("SERVICE", one("http://example.org/s"))]),
        ("PREFIX ex: <http://b/> SELECT * { SERVICE ex:s {} }", [("SERVICE", one("http://b/s"))]),
        ("SELECT * { SERVICE ?e {} }", [("SERVICE", None)]),
        ("SELECT * { SERVICE zz:s {} }", [("SERVICE", None)]),
        # the keyword glued to a prefixed name: the bypass of the token scanner
        ("PREFIX : <http://c/> SELECT * { SERVICE:ssrf {} }", [("SERVICE", one("http://c/ssrf"))]),
        ("PREFIX : <http://c/> select * { service:ssrf {} }", [("SERVICE", one("http://c/ssrf"))]),
        # a prefix named like the SILENT keyword
        (
            "PREFIX SILENT: <http://h/allow> PREFIX : <http://h/internal/> "
            "SELECT * { SERVICE SILENT:ed {} }",
            [("SERVICE", one("http://h/internal/ed"))],
        ),
        ("SELECT * { SERVICE#c\n<http://a/s> {} }", [("SERVICE", one("http://a/s"))]),
        ("ASK { OPTIONAL { SERVICE <http://a/s> {} } }", [("SERVICE", one("http://a/s"))]),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { SERVICE <http://a/s> { ?s ?p ?o } } } }",
            [("SERVICE", one("http://a/s"))],
        ),
        ("BASE <http://a/> SELECT * { SERVICE <s> {} }", [("SERVICE", one("http://a/s"))]),
        ("SELECT * { SERVICE <http://a/\\u0073> {} }", [("SERVICE", one("http://a/s"))]),
    ],
)
def test_finds_remote_targets(text: str, expected: list[tuple[str, frozenset[str] | None]]) -> None:
    assert targets(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LOAD <http://a/d.ttl> INTO GRAPH <http://g>", [("LOAD", one("http://a/d.ttl"))]),
        ("LOAD SILENT <http://a/d.ttl>", [("LOAD", one("http://a/d.ttl"))]),
        ("PREFIX : <http://c/> LOAD:data.ttl", [("LOAD", one("http://c/data.ttl"))]),
        # a prefix redeclared by a later operation: both readings are candidates
        (
            "PREFIX : <http://a/> LOAD :x ; PREFIX : <http://b/> LOAD <http://z/>",
            [("LOAD", frozenset({"http://a/x", "http://b/x"})), ("LOAD", one("http://z/"))],
        ),
        (
            "DELETE { ?s ?p ?o } WHERE { SERVICE <http://a/s> { ?s ?p ?o } }",
            [("SERVICE", one("http://a/s"))],
        ),
    ],
)
def test_finds_remote_targets_in_updates(
    text: str, expected: list[tuple[str, frozenset[str] | None]]
) -> None:
    assert targets(text, update=True) == expected


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
    assert targets(text) == []


def test_check_allows_listed_endpoints_only() -> None:
    def run(text: str, update: bool = False) -> None:
        check(text, update=update, allowed=ALLOWED, prefixes=PREFIXES)

    run("SELECT * { SERVICE <http://127.0.0.1:7000/sparql> {} }")
    with pytest.raises(RemoteAccessError, match=r"allowed: <http://127\.0\.0\.1:7000/sparql>"):
        run("SELECT * { SERVICE <http://127.0.0.1:7001/sparql> {} }")
    with pytest.raises(RemoteAccessError, match="not a constant IRI"):
        run("SELECT * { SERVICE ?x {} }")
    with pytest.raises(RemoteAccessError, match=r"<http://127\.0\.0\.1:7000/internal/ed>"):
        run(
            "PREFIX SILENT: <http://127.0.0.1:7000/sparq> PREFIX : <http://127.0.0.1:7000/internal/>"
            " SELECT * { SERVICE SILENT:ed {} }"
        )
    with pytest.raises(RemoteAccessError, match="fetches nothing"):
        check("LOAD <http://a/b>", update=True, allowed=frozenset(), prefixes=PREFIXES)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("not-chain", "SELECT * { FILTER(" + "!" * 20_000 + "true) }"),
        ("plus-chain", "SELECT * { FILTER(" + "+".join(["1"] * 1_500) + ") }"),
        ("and-chain", "SELECT * { FILTER(" + "&&".join(["true"] * 1_500) + ") }"),
        ("union-chain", "SELECT * { " + " UNION ".join(["{?s ?p ?o}"] * 1_500) + " }"),
        ("minus-chain", "SELECT * { ?s ?p ?o " + "MINUS {?s ?p ?o} " * 1_200 + "}"),
        ("bind-chain", "SELECT * { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(1_200)) + "}"),
        ("path-chain", "SELECT * { ?s " + "/".join(["<http://x>"] * 1_500) + " ?o }"),
        ("deep-braces", "SELECT * { " + "{" * 3_000 + "}" * 3_000 + " }"),
        ("deep-parens", "SELECT * { FILTER(" + "(" * 3_000 + "1" + ")" * 3_000 + ") }"),
        ("too-long", "SELECT * { ?s ?p " + '"' + "x" * 70_000 + '" }'),
    ],
)
def test_refuses_what_the_engine_cannot_take(name: str, text: str) -> None:
    with pytest.raises((ComplexityError, GuardSyntaxError)):
        check(text, update=False, allowed=frozenset(), prefixes=PREFIXES)


def test_flat_lists_are_not_chains() -> None:
    """``IN`` and ``VALUES`` lists are flat in the engine: long ones pass the depth bound."""
    values = "SELECT * { VALUES ?x { " + " ".join(["1"] * 3_000) + " } }"
    within = "SELECT * { FILTER(1 IN (" + ",".join(["1"] * 3_000) + ")) }"
    for text in (values, within):
        assert inspect(text, update=False, prefixes=PREFIXES).depth < 50


def test_node_cap() -> None:
    text = "SELECT * { VALUES ?x { " + " ".join(["1"] * 3_000) + " } }"
    with pytest.raises(ComplexityError, match="syntax nodes"):
        inspect(text, update=False, prefixes=PREFIXES, limits=Limits(max_nodes=1_000))


def test_every_pack_query_passes_the_guard() -> None:
    """Bounds sized for the project's own queries, with a wide margin."""
    files = sorted((REPO / "queries").rglob("*.rq"))
    assert len(files) > 100
    for path in files:
        found = check(
            path.read_text(), update=False, allowed=frozenset(), prefixes=PROJECT_PREFIXES
        )
        assert found.depth < Limits().max_depth // 10, path
