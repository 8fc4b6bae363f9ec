"""Content negotiation: q-values, wildcards, aliases and the ``format`` parameter."""

from __future__ import annotations

import pytest

from paradiplo.server.negotiate import GRAPHS, PAGES, RESULTS, negotiate


def key(accept: str | None, offers: tuple, fmt: str | None = None) -> str | None:  # type: ignore[type-arg]
    offer = negotiate(accept, fmt, offers)
    return None if offer is None else offer.key


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("application/json", "json"),
        ("text/csv", "csv"),
        ("text/csv;q=0.2, application/sparql-results+xml", "xml"),
        ("text/*", "csv"),
        ("text/*;q=0.5, text/tab-separated-values", "tsv"),
        ("application/sparql-results+json;q=0, */*", "xml"),
        ("image/png", None),
        ("garbage, text/csv", "csv"),
        ("text/csv;q=oops", "json"),
    ],
)
def test_results(accept: str | None, expected: str | None) -> None:
    assert key(accept, RESULTS) == expected


def test_graphs_and_pages() -> None:
    assert key(None, GRAPHS) == "turtle"
    assert key("application/rdf+xml", GRAPHS) == "rdfxml"
    assert key("application/xml", GRAPHS) == "rdfxml"
    assert key("text/html,application/xhtml+xml,*/*;q=0.8", PAGES) == "html"
    assert key("application/ld+json", PAGES) == "jsonld"
    assert key("text/plain", PAGES) == "ntriples"


def test_format_parameter_wins() -> None:
    assert key("text/csv", RESULTS, "json") == "json"
    assert key(None, GRAPHS, "xml") == "rdfxml"
    assert key(None, RESULTS, "xml") == "xml"
    assert key(None, GRAPHS, "json-ld") == "jsonld"
    assert key(None, RESULTS, "text/tab-separated-values") == "tsv"
    assert key(None, RESULTS, "turtle") is None
