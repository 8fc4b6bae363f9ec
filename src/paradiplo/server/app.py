"""The ASGI application: routes, CORS, error pages, and the worker pool's lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paradiplo.server import describe, gsp, ld, sparql, ui
from paradiplo.server.backend import Backend
from paradiplo.server.config import ServerConfig
from paradiplo.server.errors import HttpError
from paradiplo.server.headers import SecurityHeaders
from paradiplo.server.negotiate import HTML, PAGES, choose
from paradiplo.server.pages import render
from paradiplo.server.protocol import protocol

STATIC = Path(__file__).resolve().parent / "static"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
GZIP_MINIMUM = 1024
log = logging.getLogger("paradiplo.server")


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept")
    return bool(accept) and choose(accept, PAGES) is HTML


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str]
) -> Response:
    """One line of text, or a small page for browsers on HTML routes.

    Which of the two depends on Accept, and so does the success answer of every route
    that negotiates, so every error says ``Vary: Accept`` (caches must not reuse it for
    another Accept).
    """
    headers = {**headers, "Vary": "Accept"}
    if _wants_html(request) and not request.url.path.startswith(("/sparql", "/rdf-graphs")):
        context = {"title": f"{status}", "status": status, "message": message}
        response: Response = render(request, "error.html", context, status=status, vary=False)
        response.headers.update(headers)
        return response
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    return error_response(request, exc.status, exc.message, exc.headers)


async def starlette_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "not found", 405: "method not allowed"}.get(exc.status_code, str(exc.detail))
    return error_response(request, exc.status_code, message, dict(exc.headers or {}))


class CatchAll:
    """Last line of defence: an unexpected error is logged, the client gets a plain 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unexpected error answering %s", scope.get("path"))
            if started:
                raise
            response = PlainTextResponse("internal server error\n", status_code=500)
            await response(scope, receive, send)


def create_app(config: ServerConfig, backend: Backend | None = None) -> Starlette:
    """The application; pass ``backend`` to control the worker pool's lifetime yourself."""
    backend = backend or Backend(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        backend.start()
        try:
            yield
        finally:
            backend.close()

    routes = [
        Route("/", ui.index, methods=["GET", "HEAD"]),
        Route("/ui-config.json", ui.config_json, methods=["GET", "HEAD"]),
        Route("/ui-prefixes.json", ui.prefixes_json, methods=["GET", "HEAD"]),
        Route("/sparql", sparql.endpoint, methods=ALL_METHODS),
        Route("/rdf-graphs", gsp.endpoint, methods=ALL_METHODS),
        Route("/rdf-graphs/{rest:path}", gsp.endpoint, methods=ALL_METHODS),
        Route("/.well-known/void", describe.void, methods=["GET", "HEAD"]),
        Route("/ontology", ld.ontology, methods=["GET", "HEAD"]),
        Route("/ontology.{suffix}", ld.ontology, methods=["GET", "HEAD"]),
        Route("/id/{rest:path}", ld.resource, methods=["GET", "HEAD"]),
        Route("/source/{rest:path}", ld.source, methods=["GET", "HEAD"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Mount("/vendor", StaticFiles(directory=config.vendor_dir, check_dir=False), name="vendor"),
    ]
    # gzip for clients that ask (Accept-Encoding): Turtle and SPARQL results compress
    # about tenfold; streamed answers (spool files) are compressed chunk by chunk
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(CatchAll),
        Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM),
    ]
    if config.cors_origins:
        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.cors_origins),
                allow_methods=ALL_METHODS,
                allow_headers=["Authorization", "Content-Type", "Accept"],
                expose_headers=[sparql.TRUNCATED_HEADER],
            ),
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HttpError: http_error, HTTPException: starlette_error},
        lifespan=lifespan,
    )
    app.state.backend = backend
    app.state.examples = ui.examples(config.queries_dir)
    return app


def serve(config: ServerConfig, host: str, port: int, log_level: str = "info") -> None:
    """Run the application with uvicorn until interrupted."""
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s: %(message)s")
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level=log_level,
        server_header=False,
        http=protocol(config.header_timeout, config.max_connections),
        timeout_keep_alive=5,
    )
