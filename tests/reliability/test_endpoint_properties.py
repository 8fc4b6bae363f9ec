"""Property tests of the endpoint: whatever arrives, the answer is a clean 2xx/4xx.

Hypothesis sends garbled SPARQL (random text, keyword soup, real query-pack queries with
random edits) and random requests (methods, paths, content types, Accept, extra headers,
bodies of arbitrary bytes). Every answer must be below 500, except the documented 503 of a
query stopped at its time limit; no body may show a traceback or a server path; the store
is unchanged and the server still answers a known query afterwards.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from .server import Response, Server, assert_clean_error
from .support import REPO, Snapshot, snapshot, tried

pytestmark = pytest.mark.slow

QUERIES = [p.read_text(encoding="utf-8") for p in sorted((REPO / "queries").glob("*/*.rq"))]
KEYWORDS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    ".",
    ";",
    ",",
    "*",
    "?s",
    "?p",
    "?o",
    "$x",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "GRAPH",
    "SERVICE",
    "VALUES",
    "BIND",
    "AS",
    "GROUP BY",
    "ORDER BY",
    "LIMIT",
    "OFFSET",
    "COUNT(*)",
    "REGEX",
    "pd:TwinningTie",
    "a",
    "<urn:x>",
    '"text"',
    "'''long'''",
    "@en",
    "^^xsd:date",
    "1e9",
    "-0.5",
    "#c\n",
    "PREFIX x: <urn:x:>",
    "BASE <urn:b:>",
    "INSERT DATA",
    "LOAD",
    "\\u0041",
    "<<",
    ">>",
    "!",
    "&&",
    "||",
    "IN",
    "NOT EXISTS",
    "SUBSTR",
    "STRLEN",
    "IRI",
    "BNODE()",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200)
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
KNOWN = "SELECT (COUNT(*) AS ?n) WHERE { ?t a pd:TwinningTie }"


@st.composite
def garbled_query(draw: st.DrawFn) -> str:
    """A real query with a few random deletions, insertions and duplications."""
    text = draw(st.sampled_from(QUERIES))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        span = draw(st.integers(1, 12))
        if action == "delete":
            text = text[:at] + text[at + span :]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from([*KEYWORDS, draw(TEXT)])) + text[at:]
        else:
            text = text[:at] + text[at : at + span] * 2 + text[at + span :]
    return text


SPARQL = st.one_of(
    TEXT,
    st.lists(st.sampled_from(KEYWORDS), max_size=30).map(" ".join),
    garbled_query(),
)


def acceptable(answer: Response, sent: str) -> None:
    """Below 500 (or the time limit's 503), and no leak in an error body."""
    stopped = answer.status == 503 and "time limit" in answer.text
    assert answer.status < 500 or stopped, answer
    if answer.status >= 400:
        assert_clean_error(answer, sent=sent)


@pytest.fixture(scope="module")
def before(repo_store: Path) -> Snapshot:
    """The store as it was before this module's requests."""
    return snapshot(repo_store)


SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(query=SPARQL, how=st.sampled_from(["post", "get", "form"]))
def test_garbled_sparql_gets_a_clean_answer(
    ro_server: Server, before: Snapshot, query: str, how: str
) -> None:
    tried("hypothesis SPARQL")
    if how == "post":
        answer = ro_server.query(query)
    elif how == "get":
        answer = ro_server.get("/sparql", query=query)
    else:
        answer = ro_server.request(
            "POST",
            "/sparql",
            urlencode({"query": query}),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
    acceptable(answer, query)


METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
PATHS = [
    "/sparql",
    "/sparql?query=ASK%7B%7D",
    "/rdf-graphs",
    "/rdf-graphs?default",
    "/rdf-graphs?graph=https%3A%2F%2Fw3id.org%2Fparadiplo%2Fid%2Fgraph%2Finferred",
    "/",
    "/ui-config.json",
    "/.well-known/void",
    "/ontology",
    "/ontology.ttl",
    "/id/city/cn-harbin",
    "/source/guo-li",
    "/static/",
    "/vendor/x.js",
    "/nope",
]
CONTENT_TYPES = [
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "multipart/form-data; boundary=x",
    "text/plain; charset=latin-1",
    "application/json",
    "",
]
ACCEPTS = [
    "*/*",
    "text/html",
    "application/sparql-results+json",
    "text/csv",
    "text/turtle",
    "application/ld+json;q=0.1, text/*;q=0",
    "image/png",
    "",
    "text/html;q=abc",
]


@SETTINGS
@given(
    method=st.sampled_from(METHODS),
    path=st.one_of(st.sampled_from(PATHS), HEADER_TEXT.map(lambda t: "/" + t.replace(" ", "%20"))),
    content_type=st.one_of(st.sampled_from(CONTENT_TYPES), HEADER_TEXT),
    accept=st.one_of(st.sampled_from(ACCEPTS), HEADER_TEXT),
    extra=st.dictionaries(
        st.sampled_from(
            [
                "Authorization",
                "Origin",
                "X-Forwarded-For",
                "Range",
                "Cookie",
                "Content-Encoding",
                "Expect",
                "If-None-Match",
            ]
        ),
        HEADER_TEXT,
        max_size=3,
    ),
    body=st.one_of(st.binary(max_size=2000), TEXT.map(lambda t: t.encode("utf-8"))),
)
def test_random_requests_get_a_clean_answer(
    ro_server: Server,
    method: str,
    path: str,
    content_type: str,
    accept: str,
    extra: dict[str, str],
    body: bytes,
) -> None:
    tried("hypothesis HTTP request")
    headers = {"Content-Type": content_type, "Accept": accept, **extra}
    sent = path + " " + " ".join(headers.values()) + body.decode("utf-8", "replace")
    acceptable(ro_server.request(method, path, body if method != "GET" else None, headers), sent)


def test_after_the_fuzzing_the_store_is_unchanged_and_answers(
    ro_server: Server, repo_store: Path, before: Snapshot
) -> None:
    assert snapshot(repo_store) == before
    assert ro_server.count("?t a pd:TwinningTie") > 0
    assert ro_server.query(KNOWN).status == 200
