"""The SPARQL 1.1 Protocol at ``/sparql``: query, update and the service description.

Queries arrive by GET (``?query=``), by POST of a form (``query=``) or by POST of the query
itself (``application/sparql-query``); the dataset may be set with ``default-graph-uri`` and
``named-graph-uri``. Updates arrive by POST (``update=`` or ``application/sparql-update``)
and need the server's write token. The answer's format follows ``format`` if given, else
``Accept``. Status codes: 400 malformed request or refused SERVICE/LOAD, 401/403 missing or
wrong token, 405 method, 406 no acceptable format, 413 body too large, 415 content type,
503 time limit or no free worker. Error bodies are one line of text, never a traceback.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from paradiplo.server import describe
from paradiplo.server.backend import Backend
from paradiplo.server.errors import HttpError
from paradiplo.server.negotiate import (
    GRAPHS,
    RESULTS,
    by_name,
    content_type,
    negotiate,
)
from paradiplo.server.negotiate import (
    describe as offered,
)
from paradiplo.server.using import DatasetConflict, apply_using
from paradiplo.server.worker import Reply

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
ALLOW = "GET, HEAD, POST, OPTIONS"
TRUNCATED_HEADER = "Paradiplo-Truncated"
CACHE_HEADER = "Paradiplo-Cache"


@dataclass
class Params:
    """The protocol parameters of one request, wherever they came from."""

    values: dict[str, list[str]] = field(default_factory=dict)
    query: str | None = None
    update: str | None = None

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def one(self, name: str) -> str | None:
        found = self.all(name)
        if len(found) > 1:
            raise HttpError(400, f"give at most one {name!r} parameter, got {len(found)}")
        return found[0] if found else None


def backend_of(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HttpError(413, f"request body of {declared} bytes exceeds the limit of {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HttpError(413, f"request body exceeds the limit of {limit} bytes")
    return bytes(body)


def text_of(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, f"{what} is not valid UTF-8 (byte {exc.start})") from exc


def _collect(pairs: list[tuple[str, str]], into: dict[str, list[str]]) -> None:
    for name, value in pairs:
        into.setdefault(name, []).append(value)


async def read_params(request: Request, limit: int) -> Params:
    """Parameters from the URL and, for POST, from the body according to its type."""
    params = Params()
    _collect(list(request.query_params.multi_items()), params.values)
    if request.method == "POST":
        kind = media_type(request)
        body = await read_body(request, limit)
        if kind == FORM:
            pairs = parse_qsl(text_of(body, "form body"), keep_blank_values=True)
            _collect(pairs, params.values)
        elif kind == QUERY_TYPE:
            params.query = text_of(body, "query")
        elif kind == UPDATE_TYPE:
            params.update = text_of(body, "update")
        else:
            raise HttpError(
                415,
                f"unsupported Content-Type {kind or '(none)'!r}: POST {FORM}, "
                f"{QUERY_TYPE} or {UPDATE_TYPE}",
            )
    if params.query is None:
        params.query = params.one("query")
    elif params.all("query"):
        raise HttpError(400, "the query is both in the body and in a 'query' parameter")
    if params.update is None:
        params.update = params.one("update")
    if params.query is not None and params.update is not None:
        raise HttpError(400, "give a query or an update, not both")
    return params


async def endpoint(request: Request) -> Response:
    """``/sparql``: dispatch to query, update or the service description."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW})
    if request.method not in ("GET", "HEAD", "POST"):
        raise HttpError(405, f"method {request.method} not allowed here", {"Allow": ALLOW})
    backend = backend_of(request)
    params = await read_params(request, backend.config.max_body)
    if params.update is not None:
        if request.method != "POST":
            raise HttpError(405, "SPARQL Update must be sent with POST", {"Allow": ALLOW})
        return await run_update(request, backend, params)
    if params.query is None:
        return await describe.service_description(request, params.all("format"))
    return await run_query(request, backend, params, params.query)


def _graph_iris(values: list[str], name: str) -> list[str]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise HttpError(400, f"{name}: not an absolute IRI: {value!r}") from exc
        if ">" in value:  # never valid in an IRI; using-* values are written into the text
            raise HttpError(400, f"{name}: not an absolute IRI: {value!r}")
    return values


async def run_query(request: Request, backend: Backend, params: Params, query: str) -> Response:
    """Evaluate ``query`` and answer in the negotiated format."""
    accept, fmt = request.headers.get("accept"), params.all("format")
    results = negotiate(accept, fmt, RESULTS)
    graphs = negotiate(accept, fmt, GRAPHS)
    if results is None and graphs is None:
        wanted = f"format {', '.join(fmt)!r}" if fmt else f"Accept {accept!r}"
        raise HttpError(
            406,
            f"cannot answer in {wanted}; offered: {offered(RESULTS + GRAPHS)}",
            {"Vary": "Accept"},
        )
    dataset_given = bool(params.all("default-graph-uri") or params.all("named-graph-uri"))
    job = {
        "op": "sparql",
        "query": query,
        "default_graph": _graph_iris(params.all("default-graph-uri"), "default-graph-uri")
        if dataset_given
        else None,
        "named_graphs": _graph_iris(params.all("named-graph-uri"), "named-graph-uri")
        if dataset_given
        else None,
        "results_format": results.key if results else None,
        "graph_format": graphs.key if graphs else None,
        "offered_results_format": offered(RESULTS),
        "offered_graph_format": offered(GRAPHS),
        "base": base_iri(request),
    }
    reply = await backend.run(job, client=client_of(request))
    offers = RESULTS if reply["kind"] in ("select", "ask") else GRAPHS
    offer = by_name(reply["format"], offers)
    assert offer is not None
    return answer(request, reply, content_type(offer), {"Vary": "Accept"})


def base_iri(request: Request) -> str:
    """The base IRI relative IRIs in a request resolve against: the endpoint's own URL."""
    return str(request.url.replace(query="", fragment=""))


def client_of(request: Request) -> str | None:
    """The peer address a request counts against (its fair share of the workers)."""
    return request.client.host if request.client else None


def answer(request: Request, reply: Reply, media: str, headers: dict[str, str]) -> Response:
    """The worker's answer, from memory or streamed from its spool file, with caps shown.

    A cut answer says why in ``Paradiplo-Truncated``: the row cap (the number) or the
    byte cap (``<n> bytes``).
    """
    config = request.app.state.backend.config
    if "cache" in reply:
        headers[CACHE_HEADER] = reply["cache"]
    cut = reply.get("truncated")
    if cut == "rows" or cut is True:
        headers[TRUNCATED_HEADER] = str(config.max_rows)
    elif cut == "bytes":
        headers[TRUNCATED_HEADER] = f"{config.max_bytes} bytes"
    path = reply.get("path")
    if path is not None:
        return SpoolResponse(
            path,
            media_type=media,
            headers=headers,
            background=BackgroundTask(os.unlink, path),
        )
    # the whole body for HEAD too: uvicorn sends none of it, and the headers (length,
    # compression) are then exactly GET's
    return Response(reply["body"], headers=headers, media_type=media)


class SpoolResponse(FileResponse):
    """A spool file answered the same way for HEAD as for GET (the server drops the body).

    ``FileResponse`` answers HEAD with headers only, which the gzip middleware then sends
    uncompressed with the file's length, while GET is compressed: HEAD would not be GET
    minus the body (RFC 9110 9.3.2).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__({**scope, "method": "GET"}, receive, send)


def check_token(request: Request, backend: Backend) -> None:
    """401 without a bearer token, 403 with a wrong one or on a read-only server."""
    token = backend.config.write_token
    if not token:
        raise HttpError(
            403, "this server is read-only: start it with --write-token to accept writes"
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise HttpError(
            401,
            "writes need an Authorization: Bearer <token> header",
            {"WWW-Authenticate": 'Bearer realm="paradiplo"'},
        )
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HttpError(403, "wrong write token")


async def run_update(request: Request, backend: Backend, params: Params) -> Response:
    """Apply a SPARQL Update as a new build."""
    check_token(request, backend)
    using = _graph_iris(params.all("using-graph-uri"), "using-graph-uri")
    using_named = _graph_iris(params.all("using-named-graph-uri"), "using-named-graph-uri")
    try:
        update = apply_using(params.update or "", using, using_named)
    except DatasetConflict as exc:
        raise HttpError(400, str(exc)) from exc
    job = {"op": "update", "update": update, "base": base_iri(request)}
    outcome = await backend.write(job, "SPARQL Update")
    headers = {"Paradiplo-Build": outcome.build.name} if outcome.build else {}
    return Response(status_code=204, headers=headers)
