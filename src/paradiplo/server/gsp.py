"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graphs``.

Indirect identification: ``?graph=<IRI>`` names a graph, ``?default`` the default graph.
Direct identification: ``/rdf-graphs/<path>`` is the graph whose IRI is that URL itself.
Reads (GET, HEAD) are open to everyone (Turtle, N-Triples, JSON-LD or RDF/XML by Accept)
and see the default graph as the union of the named graphs. PUT (replace), POST (merge,
also ``multipart/form-data``) and DELETE need the write token; a write to the default
graph writes the named graph ``worker.WRITABLE_DEFAULT`` (part of that union), and a POST
to ``/rdf-graphs`` itself creates a new graph and answers 201 with its IRI in
``Location``. Each write commits a new build atomically (``Backend.write``).
"""

from __future__ import annotations

import uuid
from email.parser import BytesParser
from email.policy import HTTP

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from paradiplo.server.errors import HttpError
from paradiplo.server.negotiate import GRAPHS, by_name, content_type, describe, negotiate
from paradiplo.server.sparql import (
    answer,
    backend_of,
    check_token,
    client_of,
    media_type,
    read_body,
)

MULTIPART = "multipart/form-data"
ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
READ_ONLY_ALLOW = "GET, HEAD, OPTIONS"


class Create:
    """The target of a POST to the graph store itself: a new graph the server names."""


def target(request: Request) -> str | Create | None:
    """The graph IRI, ``None`` for the default graph, ``Create`` for a new graph.

    400 unless exactly one graph is named (a POST may name none: it creates one).
    """
    if "rest" in request.path_params:  # direct identification: the URL is the graph IRI
        if "graph" in request.query_params or "default" in request.query_params:
            raise HttpError(400, "a graph URL takes no ?graph or ?default")
        return str(request.url.replace(query="", fragment=""))
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and not graphs:
        return None
    if not graphs and "default" not in params and request.method == "POST":
        return Create()
    if len(graphs) != 1 or "default" in params:
        raise HttpError(400, "name exactly one graph: ?graph=<IRI> or ?default")
    try:
        ox.NamedNode(graphs[0])
    except ValueError as exc:
        raise HttpError(400, f"graph: not an absolute IRI: {graphs[0]!r}") from exc
    return graphs[0]


async def endpoint(request: Request) -> Response:
    """Dispatch by method."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW})
    if request.method in ("GET", "HEAD"):
        return await get(request)
    if request.method not in ("PUT", "POST", "DELETE"):
        raise HttpError(405, f"method {request.method} not allowed here", {"Allow": ALLOW})
    graph = target(request)
    backend = backend_of(request)
    check_token(request, backend)
    if isinstance(graph, Create):
        base = str(request.url.replace(path="/rdf-graphs/", query="", fragment=""))
        return await write(request, base + uuid.uuid4().hex, created=True)
    return await write(request, graph)


async def get(request: Request) -> Response:
    graph = target(request)
    if isinstance(graph, Create):
        raise HttpError(400, "name exactly one graph: ?graph=<IRI> or ?default")
    offer = negotiate(request.headers.get("accept"), request.query_params.get("format"), GRAPHS)
    if offer is None:
        raise HttpError(
            406, f"no acceptable format; offered: {describe(GRAPHS)}", {"Vary": "Accept"}
        )
    job = {"op": "graph-get", "graph": graph, "format": offer.key}
    reply = await backend_of(request).run(job, client=client_of(request))
    return answer(request, reply, content_type(offer), {"Vary": "Accept"})


async def parts(request: Request, limit: int) -> list[tuple[str, bytes]]:
    """The body as (format, bytes) parts: one, or one per part of a multipart form."""
    kind = media_type(request)
    body = await read_body(request, limit)
    if kind != MULTIPART:
        offer = by_name(kind, GRAPHS) if kind else None
        if offer is None:
            raise HttpError(
                415, f"unsupported Content-Type {kind or '(none)'!r}; send {describe(GRAPHS)}"
            )
        return [(offer.key, body)]
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    found: list[tuple[str, bytes]] = []
    for part in message.iter_parts():
        part_kind = part.get_content_type()
        offer = by_name(part_kind, GRAPHS)
        if offer is None:
            raise HttpError(415, f"unsupported part type {part_kind!r}; send {describe(GRAPHS)}")
        payload = part.get_payload(decode=True)
        found.append((offer.key, payload if isinstance(payload, bytes) else b""))
    if not found:
        raise HttpError(400, "a multipart/form-data body with no parts")
    return found


async def write(request: Request, graph: str | None, created: bool = False) -> Response:
    backend = backend_of(request)
    job: dict[str, object] = {"op": "graph-write", "method": request.method, "graph": graph}
    if request.method != "DELETE":
        job["parts"] = await parts(request, backend.config.max_body)
    name = "the default graph" if graph is None else f"<{graph}>"
    outcome = await backend.write(job, f"Graph Store {request.method} {name}")
    headers = {"Paradiplo-Build": outcome.build.name} if outcome.build else {}
    if created:
        headers["Location"] = str(graph)
    return Response(status_code=201 if created or outcome.created else 204, headers=headers)
