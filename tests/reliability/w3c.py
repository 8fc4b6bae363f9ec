"""Read the W3C SPARQL 1.1 Protocol and Graph Store Protocol manifests and run their tests.

The suites live in ``../shared/w3c/`` (``$PARADIPLO_W3C`` overrides), read in place: each
test is a sequence of HTTP requests (the ``ht:`` vocabulary) with the response expected
for each (``mf:expectedStatus``, ``mf:expectedBoolean``, ``mf:expectedFormat``,
``mf:expectedLocation``, response headers and an RDF body that must be isomorphic to the
answer). ``run`` sends them to a real ``paradiplo serve`` over loopback and returns the
first mismatch, or ``None`` when every response is as expected.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.term import Node

from .server import Response, Server
from .support import REPO

W3C = Path(os.environ.get("PARADIPLO_W3C", REPO.parent / "shared" / "w3c"))
PROTOCOL = W3C / "sparql11-protocol" / "manifest.ttl"
GRAPH_STORE = W3C / "sparql11-graph-store-protocol" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

# The hts: terms the manifests use, as the status codes (or classes of codes) they name.
STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}}
for _class in range(1, 6):
    STATUS[f"StatusCode{_class}xx"] = set(range(_class * 100, _class * 100 + 100))

# The manifests' paths start with these; the endpoint serves them here.
PREFIXES = (("/sparql/", "/sparql"), ("/gsp", "/rdf-graphs"))

RESULTS_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/plain"},
}
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SPARQL_RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}boolean"


@dataclass
class Expected:
    statuses: set[int]
    boolean: bool | None = None
    format: str | None = None
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class Case:
    """One manifest entry: graphs to load first, then the requests in order."""

    id: str
    name: str
    requires: list[str]
    graph_data: list[tuple[str, Path]]
    steps: list[Step]


def present(manifest: Path) -> bool:
    """Whether the suite is there; under CI=true it must be (a missing suite fails)."""
    if manifest.exists():
        return True
    if os.environ.get("CI") == "true":
        raise AssertionError(f"W3C suite missing at {manifest} under CI=true")
    return False


def cases(manifest: Path) -> list[Case]:
    """Every test of ``manifest`` and of the manifests it includes, in manifest order."""
    if not present(manifest):
        return []
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    found: list[Case] = []
    for top in graph.subjects(RDF.type, MF.Manifest):
        for included in _list(graph, graph.value(top, MF.include)):
            found += cases(Path(str(included).removeprefix("file://")))
        for entry in _list(graph, graph.value(top, MF.entries)):
            found.append(_case(graph, entry, manifest))
    return found


def _list(graph: Graph, head: Node | None) -> list[Node]:
    return [] if head is None else list(Collection(graph, head))


def _case(graph: Graph, entry: Node, manifest: Path) -> Case:
    data = []
    for item in graph.objects(entry, UT.graphData):
        source = graph.value(item, UT.graph)
        label = graph.value(item, RDFS.label)
        data.append((str(label), Path(str(source).removeprefix("file://"))))
    action = graph.value(entry, MF.action)
    steps = [_step(graph, request) for request in _list(graph, graph.value(action, HT.requests))]
    return Case(
        id=str(entry).rpartition("#")[2],
        name=str(graph.value(entry, MF.name)),
        requires=[str(r).rpartition("#")[2] for r in graph.objects(entry, MF.requires)],
        graph_data=sorted(data),
        steps=steps,
    )


def _headers(graph: Graph, node: Node | None) -> dict[str, str]:
    headers = {}
    for header in _list(graph, graph.value(node, HT.headers) if node is not None else None):
        name = str(graph.value(header, HT.fieldName)).lower()
        headers[name] = str(graph.value(header, HT.fieldValue))
    return headers


def _step(graph: Graph, request: Node) -> Step:
    body_node = graph.value(request, HT.body)
    body = None
    if body_node is not None:
        chars = str(graph.value(body_node, CNT.chars))
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = chars.encode(encoding)
    response = graph.value(request, HT.resp)
    statuses: set[int] = set()
    for status in graph.objects(response, MF.expectedStatus):
        statuses |= STATUS[str(status).rpartition("#")[2]]
    boolean = graph.value(response, MF.expectedBoolean)
    fmt = graph.value(response, MF.expectedFormat)
    location = graph.value(response, MF.expectedLocation)
    response_body = graph.value(response, HT.body)
    expected = Expected(
        statuses=statuses,
        boolean=bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
        format=str(fmt) if fmt is not None else None,
        location=str(location) if location is not None else None,
        headers=_headers(graph, response),
        body=str(graph.value(response_body, CNT.chars)) if response_body is not None else None,
    )
    path = str(graph.value(request, HT.absolutePath))
    for old, new in PREFIXES:
        if path.startswith(old):
            path = new + path[len(old) :]
            break
    return Step(
        method=str(graph.value(request, HT.methodName)),
        path=path,
        headers=_headers(graph, request),
        body=body,
        expected=expected,
    )


def media(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def _boolean(response: Response) -> bool | None:
    kind = media(response.header("content-type"))
    if kind == "application/sparql-results+json":
        value = response.json().get("boolean")
        return value if isinstance(value, bool) else None
    if kind == "application/sparql-results+xml":
        found = ET.fromstring(response.body).find(f".//{SPARQL_RESULTS_XML}")
        return None if found is None else (found.text or "").strip() == "true"
    return None


def check(step: Step, response: Response, base: str) -> str | None:
    """Why ``response`` is not what ``step`` expects, or ``None``."""
    expected = step.expected
    where = f"{step.method} {step.path}"
    if expected.statuses and response.status not in expected.statuses:
        wanted = sorted(expected.statuses)[:4]
        return f"{where}: status {response.status}, expected {wanted}: {response.text[:200]}"
    kind = media(response.header("content-type"))
    if expected.format and kind not in RESULTS_TYPES[expected.format]:
        return f"{where}: Content-Type {kind!r} is not a {expected.format} format"
    if expected.boolean is not None:
        try:
            got = _boolean(response)
        except (ValueError, ET.ParseError) as exc:
            return f"{where}: unreadable boolean result: {exc}"
        if got is not expected.boolean:
            return f"{where}: boolean {got}, expected {expected.boolean}"
    for name, value in expected.headers.items():
        got_value = response.header(name) or ""
        if name == "content-type":
            if media(got_value) != media(value) or _charset(got_value) != _charset(value):
                return f"{where}: Content-Type {got_value!r}, expected {value!r}"
        elif got_value != value:
            return f"{where}: {name} {got_value!r}, expected {value!r}"
    if expected.body is not None and step.method != "HEAD":
        want = Graph().parse(data=expected.body, format="turtle", publicID=base)
        fmt = RDFLIB_FORMATS.get(kind)
        if fmt is None:
            return f"{where}: cannot read an RDF body of type {kind!r}"
        got = Graph().parse(data=response.body, format=fmt, publicID=base)
        if not isomorphic(want, got):
            return f"{where}: graph not isomorphic to the expected one:\n{response.text[:800]}"
    if expected.location is not None and not response.header("location"):
        return f"{where}: no Location header"
    return None


def _charset(value: str) -> str | None:
    for part in value.split(";")[1:]:
        name, _, setting = part.strip().partition("=")
        if name.strip().lower() == "charset":
            return setting.strip().strip('"').lower()
    return None


def reset(server: Server, token: str, case: Case) -> None:
    """Empty the scratch store (DROP ALL), then load the test's ``ut:graphData``."""
    auth = {"Authorization": f"Bearer {token}"}
    dropped = server.request(
        "POST", "/sparql", "DROP ALL", {**auth, "Content-Type": "application/sparql-update"}
    )
    assert dropped.status in (200, 204), dropped
    for iri, source in case.graph_data:
        loaded = server.request(
            "PUT",
            f"/rdf-graphs?graph={iri}",
            source.read_bytes(),
            {**auth, "Content-Type": "application/n-triples"},
        )
        assert loaded.status in (201, 204), loaded


def run(server: Server, token: str, case: Case) -> str | None:
    """Run ``case`` on a fresh store; the first mismatch, or ``None``."""
    reset(server, token, case)
    variables: dict[str, str] = {}
    for step in case.steps:
        path, body = step.path, step.body
        for name, value in variables.items():
            path = path.replace(name, value)
            if body is not None:
                body = body.replace(name.encode(), value.encode())
        headers = {**step.headers, "Authorization": f"Bearer {token}"}
        response = server.request(step.method, path, body, headers)
        problem = check(step, response, server.base + path.partition("?")[0])
        if problem:
            return problem
        if step.expected.location is not None:
            variables[step.expected.location] = response.header("location") or ""
    return None


def params(manifest: Path, excluded: dict[str, str]) -> list[object]:
    """One pytest parameter per test id; an excluded one is marked skip with its reason."""
    found = cases(manifest)
    ids = {case.id for case in found}
    unknown = set(excluded) - ids
    assert not found or not unknown, f"exclusions name no test: {sorted(unknown)}"
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.skip(reason=excluded[case.id])] if case.id in excluded else [],
        )
        for case in found
    ]
