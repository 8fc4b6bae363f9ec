"""``paradiplo serve``: the graph over HTTP.

A Starlette (ASGI) application served by uvicorn (``app.py``): the SPARQL 1.1 Protocol at
``/sparql`` with its service description, the Graph Store HTTP Protocol at ``/rdf-graphs``,
a VoID description at ``/.well-known/void``, linked-data pages for every ``id/``,
``source/`` and ontology IRI, and a query UI at ``/``. Queries run in worker processes
(``pool.py``, ``worker.py``) so a slow query can be stopped at its time limit without
stopping anyone else's. This package imports nothing on its own, so a worker process
starts without loading the web stack.
"""
