"""``paradiplo serve``: the graph over HTTP.

A Starlette (ASGI) application served by uvicorn (``app.py``): the SPARQL 1.1 Protocol at
``/sparql`` with its service description, the Graph Store HTTP Protocol at ``/rdf-graphs``,
a VoID description at ``/.well-known/void``, linked-data pages for every ``id/``,
``source/`` and ontology IRI, and a query UI at ``/``. Queries run in worker processes
(``pool.py``, ``worker.py``) so a slow query can be stopped at its time limit without
stopping anyone else's. This package imports nothing on its own, so a worker process
starts without loading the web stack.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ServerConfig", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    """``from paradiplo.server import serve`` loads the web stack only when asked for."""
    if name == "ServerConfig":
        from paradiplo.server.config import ServerConfig

        return ServerConfig
    if name in ("create_app", "serve"):
        from paradiplo.server import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
