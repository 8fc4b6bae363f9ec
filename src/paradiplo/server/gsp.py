"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graphs``.

``?graph=<IRI>`` names a graph, ``?default`` the default graph (the read-only union of the
named graphs). GET and HEAD are open to everyone (Turtle, N-Triples, JSON-LD or RDF/XML by
Accept). PUT (replace), POST (merge) and DELETE need the write token and target named
graphs; each commits a new build atomically (``Backend.write``).
"""

from __future__ import annotations

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

ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
READ_ONLY_ALLOW = "GET, HEAD, OPTIONS"


def target(request: Request) -> str | None:
    """The graph IRI, or ``None`` for the default graph; 400 unless exactly one is named."""
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and not graphs:
        return None
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
    if graph is None:
        raise HttpError(
            405,
            "the default graph is the union of the named graphs and cannot be written; "
            "write a named graph (?graph=<IRI>)",
            {"Allow": READ_ONLY_ALLOW},
        )
    backend = backend_of(request)
    check_token(request, backend)
    return await write(request, graph)


async def get(request: Request) -> Response:
    graph = target(request)
    offer = negotiate(request.headers.get("accept"), request.query_params.get("format"), GRAPHS)
    if offer is None:
        raise HttpError(406, f"no acceptable format; offered: {describe(GRAPHS)}")
    job = {"op": "graph-get", "graph": graph, "format": offer.key}
    reply = await backend_of(request).run(job, client=client_of(request))
    return answer(request, reply, content_type(offer), {"Vary": "Accept"})


async def write(request: Request, graph: str) -> Response:
    backend = backend_of(request)
    job: dict[str, object] = {"op": "graph-write", "method": request.method, "graph": graph}
    if request.method != "DELETE":
        kind = media_type(request)
        offer = by_name(kind, GRAPHS) if kind else None
        if offer is None:
            raise HttpError(
                415, f"unsupported Content-Type {kind or '(none)'!r}; send {describe(GRAPHS)}"
            )
        job.update(body=await read_body(request, backend.config.max_body), format=offer.key)
    outcome = await backend.write(job, f"Graph Store {request.method} <{graph}>")
    headers = {"Paradiplo-Build": outcome.build.name} if outcome.build else {}
    return Response(status_code=201 if outcome.created else 204, headers=headers)
