"""``paradiplo serve``: the graph over HTTP.

A Starlette (ASGI) application served by uvicorn: the SPARQL 1.1 Protocol at ``/sparql``
(with its service description), the Graph Store HTTP Protocol at ``/rdf-graphs``, a VoID
description at ``/.well-known/void``, linked-data pages for every ``id/``, ``source/`` and
ontology IRI, and a query UI at ``/``. Queries run in worker processes (``pool.py``) so a
slow query can be stopped at its time limit without stopping anyone else's.
"""

from __future__ import annotations

from paradiplo.server.app import create_app, serve
from paradiplo.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app", "serve"]
